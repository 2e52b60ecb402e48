package event

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Writer writes events as JSON lines, the form `lookout analyze --format
// jsonl` prints and `lookout simulate` writes as truth.
type Writer struct {
	enc *json.Encoder
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{enc: json.NewEncoder(w)} }

// Write writes one event on one line.
func (w *Writer) Write(e *Event) error { return w.enc.Encode(e) }

// Reader reads JSON-lines events, one per Next call, like bufio.Scanner.
// Blank lines are skipped; a malformed line stops reading with an error that
// names the line.
type Reader struct {
	sc   *bufio.Scanner
	line int
	ev   Event
	err  error
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	return &Reader{sc: sc}
}

// Next advances to the next event and reports whether there is one.
func (r *Reader) Next() bool {
	for r.err == nil && r.sc.Scan() {
		r.line++
		b := r.sc.Bytes()
		if len(trimSpace(b)) == 0 {
			continue
		}
		r.ev = Event{}
		if err := json.Unmarshal(b, &r.ev); err != nil {
			r.err = fmt.Errorf("event line %d: %w", r.line, err)
			return false
		}
		return true
	}
	if r.err == nil {
		r.err = r.sc.Err()
	}
	return false
}

// Event returns the current event; it is overwritten by the next call to Next.
func (r *Reader) Event() *Event { return &r.ev }

// Err returns the first error met, if any.
func (r *Reader) Err() error { return r.err }

// ReadAll reads every event from r.
func ReadAll(r io.Reader) ([]Event, error) {
	var out []Event
	rd := NewReader(r)
	for rd.Next() {
		out = append(out, *rd.Event())
	}
	return out, rd.Err()
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
