package detect

import (
	"math"
	"time"

	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// A stand-in: where and when an MMSI's track began anew (its first fix,
// the first after a silence of StandInQuiet, or one its track could not
// have reached: a second stream). A vessel falling silent just before,
// where its own course and speed would have taken it by then, went on
// under that number (a shared, stolen or new identity) rather than dark.
type standIn struct {
	t        time.Time
	lat, lon float64
	mmsi     uint32
}

// standInKeep is how long stand-ins are kept: as long as the reception
// grid keeps hours, the longest absence a dark visit is judged over.
const standInKeep = 31 * 24 * time.Hour

// noteStandIn remembers p if its track begins anew there (called before p
// updates v).
func (d *Detector) noteStandIn(v *vessel, p *track.Point) {
	if v.has && !p.NewSeg && p.Flag != track.TooFast && p.Time.Sub(v.last.Time) < d.cfg.StandInQuiet {
		return
	}
	k := rxKey(p.Lat, p.Lon)
	// Points come in time order: the expired ones lead the list.
	l := d.standIns[k]
	n := 0
	for n < len(l) && p.Time.Sub(l[n].t) > standInKeep {
		n++
	}
	d.standIns[k] = append(l[n:], standIn{p.Time, p.Lat, p.Lon, p.MMSI})
}

// carriedOn says whether another MMSI's track began anew, within
// StandInWithin after q, where q's course and speed lead (within
// StandInKm and a tenth of the way): the vessel silent since q went on
// under that number.
func (d *Detector) carriedOn(q *track.Point) bool {
	moving := q.SOG >= d.cfg.PortMoveKn
	if math.IsNaN(q.SOG) || moving && (math.IsNaN(q.COG) || q.COG >= 360) {
		return false // no course to follow
	}
	c := rxKey(q.Lat, q.Lon)
	for dy := int32(-1); dy <= 1; dy++ {
		for dx := int32(-1); dx <= 1; dx++ {
			for _, j := range d.standIns[[2]int32{c[0] + dy, c[1] + dx}] {
				dt := j.t.Sub(q.Time)
				if j.mmsi == q.MMSI || dt < 0 || dt > d.cfg.StandInWithin {
					continue
				}
				lat, lon, way := q.Lat, q.Lon, 0.0
				if moving {
					way = q.SOG * kmPerNm * dt.Hours()
					lat, lon = geo.Destination(q.Lat, q.Lon, q.COG, way)
				}
				if geo.DistanceKm(lat, lon, j.lat, j.lon) <= d.cfg.StandInKm+way/10 {
					return true
				}
			}
		}
	}
	return false
}
