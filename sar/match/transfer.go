package match

import (
	"math"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
)

// LinkDarkTransfers names, in the evidence of each dark detection, the
// possible dark transfer (package detect: a tanker loitering at sea whose
// draught changed with nobody in sight in AIS) it lies beside: imaged
// while the transfer went on (or within slack of it) and within km of
// where the tanker loitered. That ship without AIS is the likely partner.
// dark is changed in place; it returns how many were linked.
func LinkDarkTransfers(dark []event.Event, transfers []event.Event, km float64, slack time.Duration) int {
	n := 0
	for i := range dark {
		d := &dark[i]
		if d.Type != event.DarkDetection {
			continue
		}
		best, bestKm := -1, math.Inf(1)
		for j := range transfers {
			t := &transfers[j]
			if t.Type != event.PossibleDarkTransfer || d.Start.Before(t.Start.Add(-slack)) || d.Start.After(t.End.Add(slack)) {
				continue
			}
			if dk := geo.DistanceKm(d.Lat, d.Lon, t.Lat, t.Lon); dk <= km && dk < bestKm {
				best, bestKm = j, dk
			}
		}
		if best < 0 {
			continue
		}
		t := &transfers[best]
		d.OtherMMSI = t.MMSI
		d.Evidence["dark_transfer_id"] = t.ID()
		d.Evidence["dark_transfer_mmsi"] = t.MMSI
		d.Evidence["dark_transfer_km"] = math.Round(bestKm*100) / 100
		n++
	}
	return n
}
