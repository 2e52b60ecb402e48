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
// while the transfer went on (or within slack of it) and within km of the
// tanker at the image time. That ship without AIS is the likely partner.
// at gives the tanker's position at a time (from its AIS, see
// Track.PositionAt); where it cannot (nil, or no fix near enough), the
// transfer's own position is used, the centre of the loitering, which may
// lie kilometres from the meeting: a tanker waiting for its partner
// drifts 5-20 km first. dark is changed in place; it returns how many
// were linked.
func LinkDarkTransfers(dark []event.Event, transfers []event.Event, at func(mmsi uint32, t time.Time) (lat, lon float64, ok bool), km float64, slack time.Duration) int {
	n := 0
	for i := range dark {
		d := &dark[i]
		if d.Type != event.DarkDetection {
			continue
		}
		best, bestKm, bestFrom := -1, math.Inf(1), ""
		for j := range transfers {
			t := &transfers[j]
			if t.Type != event.PossibleDarkTransfer || d.Start.Before(t.Start.Add(-slack)) || d.Start.After(t.End.Add(slack)) {
				continue
			}
			lat, lon, from := t.Lat, t.Lon, "loitering_centre"
			if at != nil {
				if la, lo, ok := at(t.MMSI, d.Start); ok {
					lat, lon, from = la, lo, "vessel_at_image_time"
				}
			}
			if dk := geo.DistanceKm(d.Lat, d.Lon, lat, lon); dk <= km && dk < bestKm {
				best, bestKm, bestFrom = j, dk, from
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
		d.Evidence["dark_transfer_km_from"] = bestFrom
		n++
	}
	return n
}

// PositionsOf returns a position function for LinkDarkTransfers from
// tracks (TracksFromAIS), with o's interpolation limits.
func PositionsOf(tracks []Track, o Options) func(mmsi uint32, t time.Time) (lat, lon float64, ok bool) {
	by := map[uint32]*Track{}
	for i := range tracks {
		by[tracks[i].MMSI] = &tracks[i]
	}
	return func(mmsi uint32, t time.Time) (float64, float64, bool) {
		tr := by[mmsi]
		if tr == nil {
			return 0, 0, false
		}
		lat, lon, _, ok := tr.PositionAt(t, o)
		return lat, lon, ok
	}
}
