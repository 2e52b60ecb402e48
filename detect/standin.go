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
	if !p.NewSeg && p.Flag != track.TooFast && v.standInNs != 0 && p.Time.UnixNano()-v.standInNs < int64(d.cfg.StandInQuiet) {
		// Heard since its track began anew, by fixes the movement
		// detectors do not take (displaced into a GNSS interference, or
		// flagged: its last credible fix stays where that began, or
		// there is none): the same beginning going on, not one per fix.
		// Each was kept a month: a vessel in an interference for hours
		// at real rates noted thousands, and a feed replayed day after
		// day (the fleet jumping back at each day's start) held 238,000
		// after five days of the demo day, growing with the input.
		return
	}
	if v.has && !p.NewSeg && p.Flag != track.TooFast {
		quiet := track.Elapsed(v.last.Time, p.Time)
		if quiet < d.cfg.StandInQuiet {
			return
		}
		// Heard again after a short silence where its own last fix
		// leads is the same ship going on, not a track begun anew (seed
		// 9401: a ship moored beside a covert tanker in Slavyanka, silent
		// 37 min as it cast off, was taken for the tanker's new number and
		// the tanker's 63 h visit to Senbong was lost).
		if quiet <= d.cfg.StandInWithin && d.leadsTo(&v.last, p.Time, p.Lat, p.Lon) {
			return
		}
	}
	k := rxKey(p.Lat, p.Lon)
	// Points come in time order: the expired ones lead the list.
	l := d.standIns[k]
	n := 0
	for n < len(l) && track.Elapsed(l[n].t, p.Time) > standInKeep {
		n++
	}
	d.standIns[k] = append(l[n:], standIn{p.Time, p.Lat, p.Lon, p.MMSI})
	v.standInNs = p.Time.UnixNano()
}

// carriedOn says whether another MMSI's track began anew, within
// StandInWithin after q, where q's course and speed lead (within
// StandInKm and a tenth of the way): the vessel silent since q went on
// under that number.
func (d *Detector) carriedOn(q *track.Point) bool {
	if math.IsNaN(q.SOG) || q.SOG >= d.cfg.PortMoveKn && (math.IsNaN(q.COG) || q.COG >= 360) {
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
				if d.leadsTo(q, j.t, j.lat, j.lon) {
					return true
				}
			}
		}
	}
	return false
}

// leadsTo says whether q's course and speed lead to (lat, lon) at t, within
// StandInKm and a tenth of the way; a q stopped, or of unknown speed or
// course, is placed where it was.
func (d *Detector) leadsTo(q *track.Point, t time.Time, lat, lon float64) bool {
	plat, plon, way := q.Lat, q.Lon, 0.0
	if q.SOG >= d.cfg.PortMoveKn && !math.IsNaN(q.COG) && q.COG < 360 {
		way = q.SOG * kmPerNm * t.Sub(q.Time).Hours()
		plat, plon = geo.Destination(q.Lat, q.Lon, q.COG, way)
	}
	return geo.DistanceKm(plat, plon, lat, lon) <= d.cfg.StandInKm+way/10
}
