package detect

import (
	"math"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// GNSS interference (issue 18): for hours, ships in an area report
// positions displaced to one point or circle (seen near ports in the
// Baltic, the Black Sea and the Gulf). Each ship alone looks like a spoof;
// together they are one event: an area where InterferenceVessels or more
// vessels jumped, no ship could sail there, into one InterferenceKm area,
// each within InterferenceIdle of the last. It is reported once, listing
// the vessels, when no affected vessel was placed there for
// InterferenceIdle. The spoofing events of those vessels in the area and
// period stay (the data show them), and risk scoring gives them no points:
// the spoof is not theirs.
//
// It runs with the Movement detectors, which see every vessel in one
// Detector (a Detector fed only some vessels sees their share of an
// interference only).

// gnssArea is an area where displaced positions land.
type gnssArea struct {
	Start, End       time.Time
	Lat, Lon         float64 // centre: mean of the jumps into it
	SumLat, SumLon   float64
	Jumps, Displaced int
	MaxKm            float64
	Vessels          []uint32 // sorted
}

// interferencePoint feeds one point (any flag) of vessel v and says
// whether it is a displaced fix of an interference already shown (by
// InterferenceVessels vessels): not where the ship is, so the movement
// detectors do not take it (a ship put on a circle at sea for hours is
// not loitering there).
func (d *Detector) interferencePoint(v *vessel, p *track.Point) bool {
	if !p.HasPos {
		return false
	}
	if !d.gnssNext.After(p.Time) {
		d.closeInterference(false)
		d.gnssNext = p.Time.Add(10 * time.Minute)
	}
	jump := p.Flag == track.TooFast || p.NewSeg && p.ImpliedKn > d.cfg.SpoofSpeedKn
	if !jump && len(d.gnss) == 0 {
		return false
	}
	var at *gnssArea
	for _, a := range d.gnss {
		// Every positioned fix is checked against every open area (each
		// lone jump opens one, for InterferenceIdle): latitude alone
		// bounds the distance from below and rules out nearly all of them
		// without trigonometry; the margin keeps the decision exact.
		if math.Abs(a.Lat-p.Lat)*kmPerDegLat*(1-1e-9) > d.cfg.InterferenceKm {
			continue
		}
		if geo.DistanceKm(a.Lat, a.Lon, p.Lat, p.Lon) <= d.cfg.InterferenceKm {
			at = a
			break
		}
	}
	shown := at != nil && len(at.Vessels) >= d.cfg.InterferenceVessels
	if !jump {
		if at == nil {
			return false
		}
		i, listed := slices.BinarySearch(at.Vessels, v.mmsi)
		if !listed && shown && p.NewSeg {
			// Broke off its track into a shown interference, if not
			// faster than a ship sails (a berth near enough, heard
			// seldom enough): placed there too.
			at.Vessels = slices.Insert(at.Vessels, i, v.mmsi)
			listed = true
		}
		if listed {
			// A vessel placed there goes on being reported there.
			at.End = p.Time
			at.Displaced++
		}
		return listed && shown
	}
	if at == nil {
		at = &gnssArea{Start: p.Time, Lat: p.Lat, Lon: p.Lon}
		d.gnss = append(d.gnss, at)
	}
	at.SumLat += p.Lat
	at.SumLon += p.Lon
	at.Jumps++
	at.Displaced++
	at.Lat, at.Lon = at.SumLat/float64(at.Jumps), at.SumLon/float64(at.Jumps)
	at.MaxKm = math.Max(at.MaxKm, geo.DistanceKm(at.Lat, at.Lon, p.Lat, p.Lon))
	at.End = p.Time
	if i, ok := slices.BinarySearch(at.Vessels, v.mmsi); !ok {
		at.Vessels = slices.Insert(at.Vessels, i, v.mmsi)
	}
	return len(at.Vessels) >= d.cfg.InterferenceVessels
}

// closeInterference reports the areas idle for InterferenceIdle (all of
// them at the end of the data) that InterferenceVessels vessels jumped
// into, and forgets the others.
func (d *Detector) closeInterference(all bool) {
	keep := d.gnss[:0]
	for _, a := range d.gnss {
		if !all && d.now.Sub(a.End) <= d.cfg.InterferenceIdle {
			keep = append(keep, a)
			continue
		}
		if len(a.Vessels) < d.cfg.InterferenceVessels {
			continue
		}
		d.out(&event.Event{Type: event.GNSSInterference, Start: a.Start, End: a.End, Lat: a.Lat, Lon: a.Lon,
			Confidence: math.Min(1, 0.5+0.1*float64(len(a.Vessels))), Source: event.SourceAIS, Evidence: map[string]any{
				"vessels":         slices.Clone(a.Vessels),
				"vessel_count":    len(a.Vessels),
				"radius_km":       round(a.MaxKm, 1),
				"jumps":           a.Jumps,
				"displaced_fixes": a.Displaced,
			}})
	}
	clear(d.gnss[len(keep):])
	d.gnss = keep
}
