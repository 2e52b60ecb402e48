package source

import "github.com/lookout-osint/lookout/ais"

// Tap returns a reader that passes r's messages on unchanged after
// calling fn with each: how the store, the sanctions screen and alert
// rules see the stream that the detectors read, decoded once.
func Tap(r Reader, fn func(*ais.Message)) Reader { return &tap{Reader: r, fn: fn} }

type tap struct {
	Reader
	fn func(*ais.Message)
}

func (t *tap) Next() bool {
	if !t.Reader.Next() {
		return false
	}
	t.fn(t.Reader.Message())
	return true
}
