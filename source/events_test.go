package source

import (
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/event"
)

func TestReadEventsSkipsBadLines(t *testing.T) {
	in := `{"type":"gap","mmsi":1,"start":"2024-01-01T00:00:00Z","end":"2024-01-01T13:00:00Z"}

{"type":"gap","mmsi":2,"start":"not a time"}
{"type":"port_visit","mmsi":3,"start":"2024-01-02T00:00:00Z","end":"2024-01-02T05:00:00Z","port_id":"60725"}
{"type":"gap", truncated`
	var got []event.Event
	st, err := ReadEvents(strings.NewReader(in), func(e *event.Event) { got = append(got, *e) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != 2 || st.Malformed != 2 || st.Lines != 5 || len(got) != 2 {
		t.Fatalf("stats %+v, %d events", st, len(got))
	}
	if got[0].MMSI != 1 || got[1].PortID != "60725" || got[1].Duration().Hours() != 5 {
		t.Errorf("events %+v", got)
	}
	if !strings.HasPrefix(st.FirstMalformed, "line 3:") {
		t.Errorf("first malformed %q", st.FirstMalformed)
	}
}
