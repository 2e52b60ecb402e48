package eval

import (
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

func TestInterferencePointsPerVessel(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	gi := func(vs ...any) event.Event {
		return event.Event{Type: event.GNSSInterference, Start: t0, End: t0.Add(6 * time.Hour), Evidence: map[string]any{"vessels": vs}}
	}
	sp := func(m uint32) event.Event {
		return event.Event{Type: event.Spoofing, MMSI: m, Start: t0.Add(time.Hour), End: t0.Add(3 * time.Hour)}
	}
	truth := []event.Event{gi(float64(7), float64(8))}
	// 7's spoofing is explained by a detected interference listing it; 8's
	// is not.
	det := []event.Event{gi(float64(7)), sp(7), sp(8)}
	c := Evaluate(truth, det, DefaultConfig()).Interference
	if c == nil || c.Vessels != 2 || len(c.WithPoints) != 1 || c.WithPoints[0].MMSI != 8 || c.WithPoints[0].Points != 10 {
		t.Fatalf("got %+v, want vessel 8 alone with 10 points of 2", c)
	}
	if Evaluate(nil, det, DefaultConfig()).Interference != nil {
		t.Error("no truth interference: no check")
	}
}
