package eval

import (
	"slices"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/risk"
)

// InterferencePoints is the per-vessel check of issue 18: a vessel whose
// positions GNSS interference displaced (a truth gnss_interference event
// lists it) must get no spoofing risk points for it. For each such vessel,
// the detected events of the interference's period are scored (package
// risk, default weights) and their spoofing points counted.
type InterferencePoints struct {
	// Vessels is how many (interference, vessel) pairs truth lists.
	Vessels int `json:"vessels"`
	// WithPoints lists those that got spoofing points, and how many.
	WithPoints []VesselPoints `json:"with_points,omitempty"`
}

// VesselPoints is one vessel's spoofing risk points during an interference.
type VesselPoints struct {
	MMSI   uint32  `json:"mmsi"`
	Points float64 `json:"points"`
}

// checkInterference scores the detections against every truth
// interference; nil when truth has none.
func checkInterference(truth, detected []event.Event) *InterferencePoints {
	var out *InterferencePoints
	for i := range truth {
		g := &truth[i]
		if g.Type != event.GNSSInterference {
			continue
		}
		if out == nil {
			out = &InterferencePoints{}
		}
		// The spoofing the interference caused (begun within it: a
		// vessel's own spoof that ran into it is not the interference's)
		// and the interference events that may explain it.
		var during []event.Event
		for j := range detected {
			e := &detected[j]
			if e.Type == event.Spoofing && risk.FromInterference(e, g) ||
				e.Type == event.GNSSInterference && !e.Start.After(g.End) && !g.Start.After(e.End) {
				during = append(during, *e)
			}
		}
		scores := map[uint32]float64{}
		for _, s := range risk.Scores(risk.DefaultConfig(), during, nil) {
			for _, f := range s.Factors {
				if f.Name == risk.Spoofing {
					scores[s.MMSI] = f.Points
				}
			}
		}
		for _, m := range risk.AffectedVessels(g) {
			out.Vessels++
			if p := scores[m]; p > 0 {
				out.WithPoints = append(out.WithPoints, VesselPoints{m, p})
			}
		}
	}
	if out != nil {
		slices.SortFunc(out.WithPoints, func(a, b VesselPoints) int { return int(a.MMSI) - int(b.MMSI) })
	}
	return out
}
