package eval

import (
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

func TestCheckGlitches(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	gl := []Glitch{{1, t0}, {1, t0.Add(30 * time.Minute)}, {2, t0}, {3, t0.Add(5 * time.Hour)}}
	det := []event.Event{
		{Type: event.Spoofing, MMSI: 1, Start: t0.Add(10 * time.Minute), End: t0.Add(2 * time.Hour)}, // both of 1's, within the hour
		{Type: event.Spoofing, MMSI: 3, Start: t0, End: t0.Add(3 * time.Hour)},                       // 2 h before 3's
		{Type: event.Gap, MMSI: 2, Start: t0, End: t0.Add(time.Hour)},                                // no spoofing
	}
	got := CheckGlitches(gl, det, time.Hour)
	if want := (GlitchSpoofing{Glitches: 4, Events: 1, OnGlitch: 2}); *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
}
