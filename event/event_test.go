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
	out, err := ReadAll(strings.NewReader(buf.String() + "\n  \n"))
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

func TestReaderNamesBadLine(t *testing.T) {
	r := NewReader(strings.NewReader(`{"type":"gap","mmsi":1}` + "\n{oops\n"))
	n := 0
	for r.Next() {
		n++
	}
	if n != 1 || r.Err() == nil || !strings.Contains(r.Err().Error(), "line 2") {
		t.Fatalf("n=%d err=%v, want 1 event then an error naming line 2", n, r.Err())
	}
}
