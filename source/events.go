package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/lookout-osint/lookout/event"
)

// EventStats counts what ReadEvents read and skipped.
type EventStats struct {
	Lines, Events, Malformed int
	// FirstMalformed describes the first skipped line, for the warning.
	FirstMalformed string
}

// ReadEvents reads events as JSON lines, passing each to fn (the event is
// reused: copy it to keep it). Unlike event.Reader it never stops at a bad
// line: malformed lines are counted and skipped, so one damaged line in a
// month of events costs that line only. The error is for I/O only.
func ReadEvents(r io.Reader, fn func(*event.Event)) (EventStats, error) {
	var st EventStats
	br := bufio.NewReaderSize(r, 256*1024)
	var e event.Event
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			st.Lines++
			if b := bytes.TrimSpace(line); len(b) > 0 {
				e = event.Event{}
				if jerr := json.Unmarshal(b, &e); jerr != nil {
					st.Malformed++
					if st.FirstMalformed == "" {
						st.FirstMalformed = fmt.Sprintf("line %d: %v", st.Lines, jerr)
					}
				} else {
					st.Events++
					fn(&e)
				}
			}
		}
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, err
		}
	}
}
