package eval

import (
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// Glitch is one lone bad fix the simulator sent and a station heard
// (lookout simulate's glitches.jsonl): no truth event, and no spoofing.
type Glitch struct {
	MMSI uint32    `json:"mmsi"`
	Time time.Time `json:"time"`
}

// GlitchSpoofing counts the spoofing events that fall on a GPS glitch of
// their vessel (issue 18 wants none): within tolerance of the event.
type GlitchSpoofing struct {
	Glitches int `json:"glitches"` // glitches heard
	// Events are the spoofing detections with a glitch of their MMSI
	// inside them; OnGlitch the glitches inside one.
	Events   int `json:"spoofing_events"`
	OnGlitch int `json:"glitches_in_spoofing"`
}

// CheckGlitches counts the detected spoofing events on glitches. An event
// that truth explains, a spoofing episode of its vessel starting within
// tolerance of it, is the spoof, not a glitch's work, whatever glitch
// fell near it (fresh seed 10570: an interference episode found to the
// second, with a glitch of the ship 45 min before it); one that starts
// elsewhere and holds a glitch is counted (seed 10588: an episode begun
// 13 h early, at the fix after a glitch).
func CheckGlitches(glitches []Glitch, truth, detected []event.Event, tolerance time.Duration) *GlitchSpoofing {
	byMMSI := map[uint32][]time.Time{}
	for _, g := range glitches {
		byMMSI[g.MMSI] = append(byMMSI[g.MMSI], g.Time)
	}
	starts := map[uint32][]time.Time{}
	for _, e := range truth {
		if e.Type == event.Spoofing {
			starts[e.MMSI] = append(starts[e.MMSI], e.Start)
		}
	}
	out := &GlitchSpoofing{Glitches: len(glitches)}
	hit := map[Glitch]bool{}
	for _, e := range detected {
		if e.Type != event.Spoofing || slices.ContainsFunc(starts[e.MMSI], func(t time.Time) bool { return e.Start.Sub(t).Abs() <= tolerance }) {
			continue
		}
		on := false
		for _, t := range byMMSI[e.MMSI] {
			if !t.Before(e.Start.Add(-tolerance)) && !t.After(e.End.Add(tolerance)) {
				on = true
				hit[Glitch{e.MMSI, t}] = true
			}
		}
		if on {
			out.Events++
		}
	}
	out.OnGlitch = len(hit)
	return out
}
