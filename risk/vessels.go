package risk

import (
	"slices"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/ref"
)

// VesselsIn lists every vessel the events name (as mmsi or other_mmsi), in
// MMSI order, with its flag from the MMSI's MID: the vessels to score when
// all that is known of them is their events.
func VesselsIn(cat *ref.Catalog, events []event.Event) []Vessel {
	var ms []uint32
	for i := range events {
		ms = append(ms, events[i].MMSI, events[i].OtherMMSI)
	}
	slices.Sort(ms)
	ms = slices.Compact(ms)
	var out []Vessel
	for _, m := range ms {
		if m != 0 {
			out = append(out, Vessel{MMSI: m, Flag: cat.FlagCode(m)})
		}
	}
	return out
}
