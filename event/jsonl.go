package event

import (
	"bufio"
	"bytes"
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

// ReadStats counts what a Reader read and skipped.
type ReadStats struct {
	Lines, Events, Malformed int
	// FirstMalformed describes the first skipped line ("line 3: ..."), for
	// the warning a user sees.
	FirstMalformed string
}

// Reader reads JSON-lines events, one per Next call, like bufio.Scanner.
// Blank lines are skipped. A line that is not an event (bad JSON, no type)
// is counted in Stats and skipped, never fatal: one damaged line in a month
// of events costs that line only.
type Reader struct {
	br  *bufio.Reader
	st  ReadStats
	ev  Event
	err error
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 256*1024)}
}

// Next advances to the next event and reports whether there is one.
func (r *Reader) Next() bool {
	for r.err == nil {
		line, err := r.br.ReadBytes('\n')
		if err != nil {
			r.err = err
		}
		if len(line) == 0 {
			continue
		}
		r.st.Lines++
		b := bytes.TrimSpace(line)
		if len(b) == 0 {
			continue
		}
		r.ev = Event{}
		jerr := json.Unmarshal(b, &r.ev)
		if jerr == nil && r.ev.Type == "" {
			jerr = fmt.Errorf("no event type")
		}
		if jerr != nil {
			r.st.Malformed++
			if r.st.FirstMalformed == "" {
				r.st.FirstMalformed = fmt.Sprintf("line %d: %v", r.st.Lines, jerr)
			}
			continue
		}
		r.st.Events++
		return true
	}
	return false
}

// Event returns the current event; it is overwritten by the next call to Next.
func (r *Reader) Event() *Event { return &r.ev }

// Stats returns the counts so far.
func (r *Reader) Stats() ReadStats { return r.st }

// Err returns the first I/O error met, if any.
func (r *Reader) Err() error {
	if r.err == io.EOF {
		return nil
	}
	return r.err
}

// ReadAll reads every event from r, skipping malformed lines as Reader does.
func ReadAll(r io.Reader) ([]Event, ReadStats, error) {
	var out []Event
	rd := NewReader(r)
	for rd.Next() {
		out = append(out, *rd.Event())
	}
	return out, rd.Stats(), rd.Err()
}
