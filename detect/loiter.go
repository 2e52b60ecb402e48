package detect

import (
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// loiterState is a run of slow fixes far from shore.
type loiterState struct {
	start, end     stamp
	sumKn          float64
	sumLat, sumLon float64
	n              int
	minShoreNm     float64
	// lat, lon is the run's latest fix, where a silence began.
	lat, lon float64
	// draught is a draught change during the run, held until the run
	// ends and then until the encounter detector tells whether a partner
	// was alongside; if none was, with the loitering, a possible transfer
	// with a partner whose AIS was off (see hold).
	draught *event.Event
	// deferLat, deferLon: where the vessel was when a draught change
	// during the run was deferred (see deferred).
	deferLat, deferLon float64
	// away: the MMSI was heard, by a fix the tracker flagged, further from
	// the run's latest fix than it could have drifted since (see
	// heardAway); zero once the run takes a fix again.
	away stamp
	on   bool
	cut  bool // began with the vessel's first fix: its start is unknown
	// deferred: a draught change during the run was sent to be decided
	// elsewhere (DeferDraught), with the vessel's position then, where
	// the run's end goes too.
	deferred bool
	// displaced: the run's fixes were displaced by an interference shown
	// after they came (see displacedLoiter); it is not reported.
	displaced bool
	// draughtOther is the other hull's segment (see heldDraught), with
	// draught or deferred. (Here, it takes the padding after the flags.)
	draughtOther int32
	// areas are the areas not yet decided that fixes of the run were
	// placed in (loiterhold.go).
	areas []uint64
}

// loiterPoint extends or ends the vessel's loitering run. A run is broken
// by a fix at or above LoiterSpeedKn, by coming within LoiterShoreNm of the
// shore, or by a silence of GapMin or more across which the ship moved at
// LoiterSpeedKn or more. A silence it could have drifted across is part of
// the wait (event/loitering.go). area is the area not yet decided p was
// placed in (0: none).
func (d *Detector) loiterPoint(v *vessel, p *track.Point, area uint64) {
	s := &v.loiter
	kn := speedOf(v, p)
	// The shore distance is the costliest figure: only ask for slow fixes.
	shoreNm := 0.0
	if kn < d.cfg.LoiterSpeedKn {
		shoreNm = d.shoreKm(p.Lat, p.Lon) / kmPerNm
	}
	slow := kn < d.cfg.LoiterSpeedKn && shoreNm >= d.cfg.LoiterShoreNm && !d.inPortArea(p.Lat, p.Lon)
	if s.on && (!slow || d.movedAcross(s, p)) {
		d.closeLoiter(v, false)
	}
	if !slow {
		return
	}
	if !s.on {
		*s = loiterState{on: true, start: stampOf(p.Time), minShoreNm: shoreNm, cut: !v.has}
	}
	s.end, s.lat, s.lon, s.away = stampOf(p.Time), p.Lat, p.Lon, 0
	s.sumKn += kn
	s.sumLat += p.Lat
	s.sumLon += p.Lon
	s.n++
	if shoreNm < s.minShoreNm {
		s.minShoreNm = shoreNm
	}
	if area != 0 {
		d.holdRun(v, s, area)
	}
}

// heardAway notes a flagged fix p of v (one the movement detectors do not
// take) that lies further from the loitering run's latest fix than
// drifting at LoiterSpeedKn covers since, and a nautical mile of position
// noise: the MMSI was heard elsewhere.
func (d *Detector) heardAway(v *vessel, p *track.Point) {
	s := &v.loiter
	if !s.on || !v.jumped || !s.away.isZero() || !p.Time.After(s.end.time()) {
		return
	}
	if geo.DistanceKm(s.lat, s.lon, p.Lat, p.Lon)/kmPerNm > d.cfg.LoiterSpeedKn*p.Time.Sub(s.end.time()).Hours()+1 {
		s.away = stampOf(p.Time)
	}
}

// movedAcross tells whether the ship left the run during a silence of
// GapMin or more before p: it is heard again further away than drifting
// at LoiterSpeedKn covers in that time. Over a shorter one the speed p
// reports decides, as for every fix.
func (d *Detector) movedAcross(s *loiterState, p *track.Point) bool {
	h := p.Time.Sub(s.end.time()).Hours()
	if h < d.cfg.GapMin.Hours() {
		return false
	}
	return geo.DistanceKm(s.lat, s.lon, p.Lat, p.Lon)/kmPerNm >= d.cfg.LoiterSpeedKn*h
}

// closeLoiter ends the run; atEnd says the data ended, not the run.
func (d *Detector) closeLoiter(v *vessel, atEnd bool) { d.endLoiter(v, &v.segState, atEnd) }

// endLoiter ends the run of segment st of v (the current one, or one left
// waiting). atEnd says the data ended, or the segment is given up, before
// the run was seen to end.
func (d *Detector) endLoiter(v *vessel, st *segState, atEnd bool) {
	s := &st.loiter
	if !s.on {
		return
	}
	s.on = false
	end := pendingLoiter{Loitering: d.loitering(v, st, atEnd), Seg: v.segOf(st), Draught: s.draught, From: s.start.time(),
		Deferred: s.deferred, Lat: s.deferLat, Lon: s.deferLon, At: d.now, OtherSeg: s.draughtOther}
	s.draught, s.deferred, s.draughtOther = nil, false, 0
	areas := s.areas
	s.areas = nil
	if end.Loitering != nil && len(areas) > 0 {
		// Placed in areas not yet decided: it waits for them.
		end.Areas = areas
		v.pending = append(v.pending, end)
		return
	}
	d.reportLoiter(v, &end, false)
}

// reportLoiter reports the end of a loitering run: its event if it has
// one, and the draught change during it, held until the encounter
// detector can tell whether anybody was alongside (then a possible dark
// transfer) or handed over (DeferLoiterEnd); late: after waiting for
// interference areas.
func (d *Detector) reportLoiter(v *vessel, e *pendingLoiter, late bool) {
	lo := e.Loitering
	if lo != nil {
		d.out(lo)
		// A run released late is the latest only if no later one ended
		// meanwhile.
		if !late || v.lastLoiter == nil || !lo.End.Before(v.lastLoiter.End) {
			v.lastLoiter, v.lastLoiterSeg = lo, e.Seg
		}
	}
	if e.Draught != nil {
		// Reported, with a possible dark transfer, once the encounter
		// detector can tell whether anybody was alongside.
		d.hold(v, lo, e.Draught, e.From, v.activity, e.OtherSeg)
	}
	if e.Deferred {
		d.DeferLoiterEnd(&LoiterEnd{MMSI: v.mmsi, At: e.At, Loitering: lo, From: e.From,
			Visit: v.activity, VisitAt: v.activityAt.time(), Lat: e.Lat, Lon: e.Lon, OtherSeg: e.OtherSeg})
	}
}

// displacedLoiter marks the vessel's open run not to be reported when p,
// a fix of v judged displaced by an interference, lies where the run is:
// the run's fixes were put there too, taken before the interference was
// shown (seed 10511: two ships moored in port were put on a circle at sea
// for 8 h; a third vessel, put there in the last hour, showed it after
// 7 h, and both reported 6 h of loitering on the circle once heard in
// port again, too long after the run's last fix for LoiterBack). A ship
// really waiting there is not placed in the area (it neither jumped there
// nor arrived unseen), so its fixes are never judged displaced. The run
// goes on until it would end: it is still the context of a draught change
// meanwhile, as before the interference was shown.
func (d *Detector) displacedLoiter(v *vessel, p *track.Point) {
	s := &v.loiter
	if s.on && withinKm(s.lat, s.lon, p.Lat, p.Lon, 2*d.cfg.InterferenceKm) {
		s.displaced = true
	}
}

// loitering is the event of the run of st that just ended, or nil when it
// is not reported (too short, or its start or end unknown).
func (d *Detector) loitering(v *vessel, st *segState, atEnd bool) *event.Event {
	s := &st.loiter
	if s.displaced {
		return nil
	}
	// A run on a stream that began with an impossible jump, the MMSI heard
	// elsewhere soon after its last fix, was a displaced position, however
	// the run ended (seed 10009: a tanker moored in Vostochnyy shown 200 km
	// off at sea for 4 h; the tracker flagged its berth fixes after the jump
	// back ambiguous, and the first it took ended the run as if the ship had
	// sailed there).
	if st.jumped && !s.away.isZero() && s.away.time().Sub(s.end.time()) < d.cfg.LoiterBack {
		return nil
	}
	if atEnd && d.now.Sub(s.end.time()) >= d.cfg.GapMin {
		// The run's stream fell silent long before: it ended in the data
		// (a tanker dropping an MMSI it borrowed while drifting), as far
		// as the data can show: it is reported. Unless the stream began with an
		// impossible jump away from the MMSI's other one and the MMSI was
		// heard there again at once: that is a displaced position, which
		// goes quiet when it jumps back. A stream that fell silent with
		// the other one silent too is a hull of its own (seed 8206: a
		// tanker drifting 5 h under an MMSI a clone used far away, then
		// dark).
		if st.jumped && !st.left.isZero() && st.left.time().Sub(s.end.time()) < d.cfg.LoiterBack {
			return nil
		}
		atEnd = false
	}
	dur := s.end.time().Sub(s.start.time())
	if dur < d.cfg.LoiterMin || s.n == 0 || (s.cut || atEnd) && !d.cfg.Partial {
		return nil
	}
	avg := s.sumKn / float64(s.n)
	return &event.Event{Type: event.Loitering, MMSI: v.mmsi, Start: s.start.time(), End: s.end.time(),
		Lat: s.sumLat / float64(s.n), Lon: s.sumLon / float64(s.n), Confidence: 0.8, Source: event.SourceAIS,
		Evidence: map[string]any{
			"duration_h":       round(dur.Hours(), 2),
			"avg_speed_kn":     round(avg, 2),
			"min_shore_nm":     round(min(s.minShoreNm, 1e6), 1),
			"fixes":            s.n,
			"speed_limit_kn":   d.cfg.LoiterSpeedKn,
			"shore_minimum_nm": d.cfg.LoiterShoreNm,
		}}
}

// inPortArea tells whether a slow fix is in a port or a learned port area
// (an offshore terminal, an anchorage): waiting there is no loitering.
func (d *Detector) inPortArea(lat, lon float64) bool {
	if d.ports.Near(lat, lon, d.exitKm()) {
		return true
	}
	_, _, _, in := d.inLearnedArea(lat, lon, d.cfg.EncounterAreaKm)
	return in
}
