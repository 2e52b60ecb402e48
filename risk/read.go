package risk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/lookout-osint/lookout/event"
)

// ReadEvents reads events as JSON lines, skipping blank lines. A line that
// is not an event is counted in rejected and reading goes on: one bad line
// must not lose a month of events.
func ReadEvents(r io.Reader, rejected map[string]int) ([]event.Event, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var out []event.Event
	for sc.Scan() {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var e event.Event
		if err := json.Unmarshal(b, &e); err != nil {
			rejected["json_syntax"]++
			continue
		}
		if e.Type == "" {
			rejected["no_type"]++
			continue
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
