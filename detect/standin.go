package detect

import (
	"time"

	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// A stand-in: an MMSI's track jumping to a new place (a second stream
// starting, a fix too far to have been reached) is noted with where and
// when, so that a vessel falling silent there and then is known to have
// gone on under that number (a shared or stolen identity) rather than dark.
type standIn struct {
	t        time.Time
	lat, lon float64
	mmsi     uint32
}

// standInKeep is how long jumps are kept: as long as the reception grid
// keeps hours, the longest absence a dark visit is judged over.
const standInKeep = 31 * 24 * time.Hour

// noteJump remembers that p's track jumped to p.
func (d *Detector) noteJump(p *track.Point) {
	k := rxKey(p.Lat, p.Lon)
	l := d.jumps[k][:0]
	for _, j := range d.jumps[k] {
		if p.Time.Sub(j.t) <= standInKeep {
			l = append(l, j)
		}
	}
	d.jumps[k] = append(l, standIn{p.Time, p.Lat, p.Lon, p.MMSI})
}

// carriedOn says whether another MMSI's track jumped to where the vessel
// silent since q could be (at kn) within StandInWithin of falling silent:
// the hull went on under that number.
func (d *Detector) carriedOn(q *track.Point, kn float64) bool {
	c := rxKey(q.Lat, q.Lon)
	for dy := int32(-1); dy <= 1; dy++ {
		for dx := int32(-1); dx <= 1; dx++ {
			for _, j := range d.jumps[[2]int32{c[0] + dy, c[1] + dx}] {
				dt := j.t.Sub(q.Time)
				if j.mmsi == q.MMSI || dt < 0 || dt > d.cfg.StandInWithin {
					continue
				}
				if geo.DistanceKm(q.Lat, q.Lon, j.lat, j.lon) <= kn*kmPerNm*dt.Hours()+d.cfg.StandInKm {
					return true
				}
			}
		}
	}
	return false
}
