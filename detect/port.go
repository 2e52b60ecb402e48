package detect

import (
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// portState follows one vessel in and out of ports, the way Global Fishing
// Watch builds port visits from port events: an entry (first fix within the
// entry radius after being outside), stops (speed below PortStopKn until it
// rises above PortMoveKn), gaps (silences of PortGap or more inside) and an
// exit (first fix beyond the exit radius).
type portState struct {
	port      *Port
	start     stamp
	lastIn    stamp
	stops     int
	gaps      int
	maxGapH   float64
	minDistKm float64
	fixes     int
	in        bool
	entry     bool // the entry was observed (the vessel was seen outside first)
	stopped   bool
	seenOut   bool
}

func (d *Detector) entryKm() float64 { return d.cfg.PortEntryKm + d.cfg.PortSlackKm }
func (d *Detector) exitKm() float64  { return d.cfg.PortExitKm + d.cfg.PortSlackKm }

func (d *Detector) portPoint(v *vessel, p *track.Point) {
	if d.ports == nil {
		return
	}
	s := &v.port
	if s.in {
		dist := d.ports.Distance(s.port, p.Lat, p.Lon)
		if dist > d.exitKm() {
			d.closeVisit(v, true)
		} else {
			if h := p.Time.Sub(s.lastIn.time()).Hours(); h >= d.cfg.PortGap.Hours() {
				s.gaps++
				if h > s.maxGapH {
					s.maxGapH = h
				}
			}
			kn := speedOf(v, p)
			if !s.stopped && kn < d.cfg.PortStopKn {
				s.stopped = true
				s.stops++
			} else if s.stopped && kn > d.cfg.PortMoveKn {
				s.stopped = false
			}
			if dist < s.minDistKm {
				s.minDistKm = dist
			}
			s.lastIn = stampOf(p.Time)
			s.fixes++
			return
		}
	}
	port, dist, ok := d.ports.Nearest(p.Lat, p.Lon, d.exitKm())
	if !ok || dist > d.entryKm() {
		s.seenOut = true
		return
	}
	kn := speedOf(v, p)
	*s = portState{in: true, port: port, entry: s.seenOut, start: stampOf(p.Time), lastIn: stampOf(p.Time),
		minDistKm: dist, fixes: 1, stopped: kn < d.cfg.PortStopKn}
	if s.stopped {
		s.stops = 1
	}
}

// closeVisit ends the visit in progress; exited says whether the vessel
// was seen leaving (false at the end of the data).
func (d *Detector) closeVisit(v *vessel, exited bool) {
	s := &v.port
	s.in = false
	s.seenOut = exited
	// Confidence as Global Fishing Watch grades it: a stop or gap in port is
	// what makes a visit; seeing the entry and the exit around it raises it.
	// A long dwell counts as a stop: a ship manoeuvring at a berth may never
	// report under PortStopKn. Without either the ship only passed through
	// the circle, which is no visit at all (and must end no voyage).
	dwell := s.lastIn.time().Sub(s.start.time()) >= d.cfg.PortDwell
	if s.stops == 0 && s.gaps == 0 && !dwell {
		return
	}
	conf := 2
	if s.entry {
		conf++
	}
	if exited {
		conf++
	}
	if conf < d.cfg.PortMinConfidence || !d.cfg.Partial && !(s.entry && exited) {
		return
	}
	p := s.port
	e := &event.Event{Type: event.PortVisit, MMSI: v.mmsi, Start: s.start.time(), End: s.lastIn.time(),
		Lat: p.Lat, Lon: p.Lon, Port: p.Name, PortID: p.ID, PortGroup: p.Group(),
		Confidence: float64(conf), Source: event.SourceAIS,
		Evidence: map[string]any{
			"entry_observed":  s.entry,
			"exit_observed":   exited,
			"stops":           s.stops,
			"port_gaps":       s.gaps,
			"max_gap_h":       round(s.maxGapH, 2),
			"min_distance_km": round(s.minDistKm, 2),
			"entry_radius_km": d.entryKm(),
			"exit_radius_km":  d.exitKm(),
			"fixes":           s.fixes,
			"dwell_min_h":     d.cfg.PortDwell.Hours(),
			"duration_h":      round(s.lastIn.time().Sub(s.start.time()).Hours(), 2),
		}}
	d.out(e)
	if prev := v.lastVisit; prev != nil {
		pp := prev
		d.out(&event.Event{Type: event.Voyage, MMSI: v.mmsi, Start: pp.End, End: e.Start,
			Lat: p.Lat, Lon: p.Lon, Port: p.Name, PortID: p.ID, PortGroup: p.Group(),
			FromPort: pp.Port, FromPortID: pp.PortID, FromGroup: pp.PortGroup,
			Confidence: 1, Source: event.SourceAIS,
			Evidence: map[string]any{
				"from_visit_confidence": pp.Confidence,
				"to_visit_confidence":   e.Confidence,
				"duration_h":            round(e.Start.Sub(pp.End).Hours(), 2),
			}})
	}
	v.lastVisit = e
	v.activity, v.activityAt = e, stampOf(d.now)
}
