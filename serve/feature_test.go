package serve

import (
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// TestEventFeatureOpen: an event the store holds provisionally says so in
// the API ("open": true); a closed one carries no such key.
func TestEventFeatureOpen(t *testing.T) {
	e := event.Event{Type: event.Gap, MMSI: 273000001, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	e.End = e.Start.Add(5 * time.Hour)
	if _, ok := eventFeature(e).Properties["open"]; ok {
		t.Error("a closed event has an \"open\" property")
	}
	e.Open = true
	if got := eventFeature(e).Properties["open"]; got != true {
		t.Errorf("open event: \"open\" = %v, want true", got)
	}
}
