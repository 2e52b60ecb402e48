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
	got := CheckGlitches(gl, nil, det, time.Hour)
	if want := (GlitchSpoofing{Glitches: 4, Events: 1, OnGlitch: 2}); *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
}

// A spoofing episode truth explains is no glitch's work, even with a
// glitch of the ship beside it (fresh seed 10570); one starting elsewhere
// around a glitch still counts (seed 10588: begun 13 h early).
func TestCheckGlitchesBesideTrueSpoofing(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	gl := []Glitch{{1, t0.Add(-45 * time.Minute)}, {2, t0.Add(-4 * time.Minute)}}
	truth := []event.Event{
		{Type: event.Spoofing, MMSI: 1, Start: t0, End: t0.Add(4 * time.Hour)},
		{Type: event.Spoofing, MMSI: 2, Start: t0.Add(13 * time.Hour), End: t0.Add(15 * time.Hour)},
	}
	det := []event.Event{
		{Type: event.Spoofing, MMSI: 1, Start: t0, End: t0.Add(4 * time.Hour)},
		{Type: event.Spoofing, MMSI: 2, Start: t0, End: t0.Add(15 * time.Hour)},
	}
	got := CheckGlitches(gl, truth, det, time.Hour)
	if want := (GlitchSpoofing{Glitches: 2, Events: 1, OnGlitch: 1}); *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
}
