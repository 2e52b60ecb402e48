package event

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestJSONLRoundTrip(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	in := []Event{
		{Type: PortVisit, MMSI: 273123456, Start: start, End: start.Add(30 * time.Hour), Lat: 42.75, Lon: 133.05,
			Port: "Vostochnyy", PortID: "60725", PortGroup: "RU-FE", Confidence: 4, Source: SourceAIS},
		{Type: Encounter, MMSI: 445000001, OtherMMSI: 273123456, Start: start, End: start.Add(3 * time.Hour),
			Confidence: 0.9, Evidence: map[string]any{"min_distance_m": 120.5}},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i := range in {
		if err := w.Write(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := ReadAll(strings.NewReader(buf.String() + "\n  \n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d events, wrote %d", len(out), len(in))
	}
	if out[0].Port != "Vostochnyy" || !out[0].End.Equal(in[0].End) || out[1].OtherMMSI != 273123456 {
		t.Errorf("round trip changed events: %+v", out)
	}
	if got := out[1].Evidence["min_distance_m"]; got != 120.5 {
		t.Errorf("evidence min_distance_m = %v", got)
	}
	if out[0].ID() != in[0].ID() || out[0].ID() == out[1].ID() {
		t.Errorf("IDs not stable or not distinct: %s %s", out[0].ID(), out[1].ID())
	}
}

func TestReaderSkipsAndCountsBadLines(t *testing.T) {
	in := `{"type":"gap","mmsi":1,"start":"2024-01-01T00:00:00Z","end":"2024-01-01T13:00:00Z"}

{"type":"gap","mmsi":2,"start":"not a time"}
{"type":"port_visit","mmsi":3,"start":"2024-01-02T00:00:00Z","end":"2024-01-02T05:00:00Z","port_id":"60725"}
{"mmsi":4}
{"type":"gap", truncated`
	got, st, err := ReadAll(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != 2 || st.Malformed != 3 || st.Lines != 6 || len(got) != 2 {
		t.Fatalf("stats %+v, %d events; want 2 events, 3 malformed of 6 lines", st, len(got))
	}
	if got[0].MMSI != 1 || got[1].PortID != "60725" || got[1].Duration().Hours() != 5 {
		t.Errorf("events %+v", got)
	}
	if !strings.HasPrefix(st.FirstMalformed, "line 3:") {
		t.Errorf("first malformed %q, want it to name line 3", st.FirstMalformed)
	}
}
