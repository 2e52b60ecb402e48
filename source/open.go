package source

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
)

// Open opens a named input: "-" is standard input, and gzip data (by its
// magic bytes, whatever the name) is decompressed transparently. Closing the
// result closes the file (never standard input).
func Open(name string) (io.ReadCloser, error) {
	r, _, err := OpenFile(name, nil)
	return r, err
}

// OpenFile is Open that also reports the file's size on disk (-1 when
// unknown: standard input, a pipe) and passes every byte read from the
// file itself, compressed or not, to progress if not nil: a progress bar
// then follows the file against that size.
func OpenFile(name string, progress io.Writer) (io.ReadCloser, int64, error) {
	var f *os.File
	size := int64(-1)
	if name == "-" {
		f = os.Stdin
	} else {
		var err error
		if f, err = os.Open(name); err != nil {
			return nil, 0, err
		}
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	closer := func() error {
		if f == os.Stdin {
			return nil
		}
		return f.Close()
	}
	var r io.Reader = f
	if progress != nil {
		r = io.TeeReader(f, progress)
	}
	br := bufio.NewReaderSize(r, 256*1024)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closer()
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		}
		return &readCloser{Reader: zr, close: func() error { zr.Close(); return closer() }}, size, nil
	}
	return &readCloser{Reader: br, close: closer}, size, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }
