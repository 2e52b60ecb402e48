package detect

import (
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// Hooks for running the detectors split over several processes (package
// bus): each process sees only some vessels, so the evidence that depends
// on all vessels (who else was heard near a gap) is gathered in a second
// stage and the gaps graded there.

// ReceptionCell is the cell and hour under which the reception evidence
// records a positioned, unflagged fix at (lat, lon, t).
func ReceptionCell(lat, lon float64, t time.Time) (cell [2]int32, hour int32) {
	return rxKey(lat, lon), hourOf(t)
}

// Reception is the reception evidence gathered from every vessel: which
// cells heard whom, hour by hour. Sightings may be added in any order and
// more than once.
type Reception struct{ r *reception }

// NewReception returns empty reception evidence.
func NewReception() *Reception { return &Reception{newReception()} }

// Add records that mmsi was heard in cell during hour.
func (x *Reception) Add(cell [2]int32, hour int32, mmsi uint32) {
	r := x.r
	m := r.hours[cell]
	if m == nil {
		m = map[int32]uint32{}
		r.hours[cell] = m
	}
	switch prev, ok := m[hour]; {
	case !ok:
		m[hour] = mmsi
	case prev != mmsi:
		mm := r.multi[cell]
		if mm == nil {
			mm = map[int32]bool{}
			r.multi[cell] = mm
		}
		mm[hour] = true
	}
}

// Forget drops the hours before hour, which no gap still to be graded
// can ask about.
func (x *Reception) Forget(hour int32) {
	for _, m := range x.r.hours {
		for h := range m {
			if h < hour {
				delete(m, h)
			}
		}
	}
	for _, m := range x.r.multi {
		for h := range m {
			if h < hour {
				delete(m, h)
			}
		}
	}
}

// GapGradable is the time up to which the reception evidence must be
// complete (every fix before it recorded) to grade gap g: the last whole
// hour inside the silence.
func GapGradable(g *event.Event) time.Time {
	return time.Unix(int64(hourOf(g.End))*3600, 0).UTC()
}

// GradeGap sets the coverage-dependent figures of a gap event this
// Detector's configuration emitted (others heard, deliberate, confidence)
// from the reception evidence rx, as a single Detector that had seen every
// vessel would have set them, and returns whether the gap is deliberate.
// Shore distance and watched ports are taken at the gap's start, the
// event's position.
func (d *Detector) GradeGap(g *event.Event, rx *Reception) bool {
	heard := rx.r.heardFraction(g.Lat, g.Lon, d.cfg.GapNeighbourKm, g.Start, g.End, g.MMSI)
	shoreNm := d.shoreKm(g.Lat, g.Lon) / kmPerNm
	nearWatched := false
	for _, w := range d.watched {
		if geo.DistanceKm(g.Lat, g.Lon, w.Lat, w.Lon) <= d.cfg.GapWatchedKm {
			nearWatched = true
			break
		}
	}
	coverage := heard >= d.cfg.GapHeardFraction
	deliberate := coverage && (shoreNm >= d.cfg.GapShoreNm || nearWatched)
	g.Confidence = 0.5
	if deliberate {
		g.Confidence = 0.9
	} else if !coverage {
		g.Confidence = 0.3
	}
	g.Evidence["others_heard_fraction"] = round(heard, 2)
	g.Evidence["deliberate"] = deliberate
	return deliberate
}

// GradeDarkVisit sets the figure of a possible dark port visit that
// depends on its gap's grade.
func GradeDarkVisit(e *event.Event, gapDeliberate bool) {
	e.Evidence["gap_deliberate"] = gapDeliberate
}

// Identity links between MMSIs (one IMO under a second MMSI, a hull that
// falls silent under one MMSI and reappears nearby under another) need the
// static reports and positions of every vessel. A Detector fed only some
// vessels finds the links among those; IsLink tells such events apart, so
// that they can be dropped there and found instead by one Detector fed
// every vessel's static reports (LinkStatic) and positioned, unflagged
// points (LinkPoint), in time order, which finds exactly the links a
// single Detector would.

// IsLink reports whether e is an identity link between two MMSIs.
func IsLink(e *event.Event) bool { return e.Type == event.IdentityChange && e.OtherMMSI != 0 }

// IMOOwner returns the MMSI a valid IMO number was last heard under as
// its own (the number a cloned_mmsi finding names as own_mmsi), from the
// static reports fed so far.
func (d *Detector) IMOOwner(imo uint32) (uint32, bool) {
	m, ok := d.imo[imo]
	return m, ok && track.ValidIMO(imo)
}

// LinkStatic feeds one static report to the identity links only.
func (d *Detector) LinkStatic(s *track.Static) {
	d.Advance(s.Time)
	v := d.vessel(s.MMSI)
	d.ids.Update(s)
	if s.IMO != 0 {
		d.imoCheck(v, s)
	}
	cur, _ := d.ids.Current(s.MMSI)
	if !v.identified && cur.Length > 0 && cur.Beam > 0 {
		v.identified = true
		k := dimKey(cur.Length, cur.Beam)
		d.dims[k] = append(d.dims[k], s.MMSI)
		if v.has {
			d.reappear(v)
		}
	}
}

// LinkPoint feeds one positioned, unflagged point to the identity links
// only.
func (d *Detector) LinkPoint(p *track.Point) {
	d.Advance(p.Time)
	v := d.vessel(p.MMSI)
	if !v.has {
		v.first = placeOf(p)
	}
	if !v.silentCheck && v.identified {
		d.reappear(v)
	}
	v.last, v.has = *p, true
}

// Draught changes. Their context may be an encounter (found from every
// vessel), and a possible dark transfer needs to know that nobody was
// alongside: a Detector running the per-vessel detectors alone hands each
// draught change over (DeferDraught) as a DraughtCase, what the vessel's
// own detectors know, and the end of the loitering run it fell in
// (DeferLoiterEnd), to a Detector running Encounters, which decides them
// as one Detector would (DecideDraught, EndLoiter) when fed every point
// up to the case's time.

// DraughtCase is a confirmed draught change and what the vessel's own
// detectors knew of its context when it was confirmed.
type DraughtCase struct {
	MMSI       uint32
	Old, New   float64   // draught, m
	OldT, NewT time.Time // last report of the old draught, first of the new
	// Length and Beam are the hull's dimensions (0: unknown).
	Length, Beam float64
	// PortIn is the port the vessel is in, if any.
	PortIn *DraughtPort `json:",omitempty"`
	// Visit is the vessel's latest port visit, reported at VisitAt.
	Visit   *event.Event `json:",omitempty"`
	VisitAt time.Time
	// Gap is the vessel's latest gap (as found, before grading).
	Gap *event.Event `json:",omitempty"`
	// Loiter is the loitering run going on, LastLoiter the last reported.
	Loiter     *DraughtLoiter `json:",omitempty"`
	LastLoiter *event.Event   `json:",omitempty"`
	// Lat and Lon are the vessel's last position when it first reported
	// the new draught (Placed: it had one), near the encounter that may
	// explain it: where the case is decided.
	Lat, Lon float64
	Placed   bool
	// OtherHull: two hulls share the MMSI and the case is the one whose
	// positions were not being fed (see hullSeg); Visit is its own
	// segment's, and the vessel's encounters are not its context.
	OtherHull bool `json:",omitempty"`
	// OtherSeg is the segment of another hull under the MMSI, by its
	// static reports (0: none known): encounters on it are that hull's.
	OtherSeg int32 `json:",omitempty"`
}

// DraughtPort is the port a draught change happened in.
type DraughtPort struct {
	Name, ID, Group string
	Lat, Lon        float64
}

// DraughtLoiter is a loitering run going on: its first and latest fix and
// its mean position.
type DraughtLoiter struct {
	Start, End time.Time
	Lat, Lon   float64
}

// LoiterEnd is the end of a loitering run during which a draught change
// was handed over, at time At: the loitering reported (nil if it was not),
// the run's start and the vessel's latest port visit (reported at
// VisitAt). Lat and Lon are those of the draught change's case.
type LoiterEnd struct {
	MMSI      uint32
	At        time.Time
	Loitering *event.Event `json:",omitempty"`
	From      time.Time
	Visit     *event.Event `json:",omitempty"`
	VisitAt   time.Time
	Lat, Lon  float64
	// OtherSeg is the case's DraughtCase.OtherSeg.
	OtherSeg int32 `json:",omitempty"`
}

// DecideDraught reports draught change c (or holds it for the encounters
// to come) as a single Detector would have when confirming it: the
// Detector must run Encounters and have been fed every point (and
// advanced) up to c.NewT's report, the latest static report of c.MMSI.
func (d *Detector) DecideDraught(c *DraughtCase) {
	v := d.vessel(c.MMSI)
	activity := latestActivity(v, c.Visit, c.VisitAt)
	if c.OtherHull {
		activity = c.Visit
	}
	e, how := d.draughtEvent(v, c, activity)
	switch how {
	case draughtOut:
		d.out(e)
	case draughtRun:
		// Kept by run, not in the vessel's segment state: the points this
		// Detector is fed may switch segments where the vessel's own
		// detectors did not.
		k := runKey{c.MMSI, c.Loiter.Start.UnixNano()}
		if prev := d.runDraught[k]; prev != nil {
			// A second change in one run: the transfer is the latest.
			d.hold(v, nil, prev, c.Loiter.Start, activity, c.OtherSeg)
		}
		if d.runDraught == nil {
			d.runDraught = map[runKey]*event.Event{}
		}
		d.runDraught[k] = e
	case draughtLast:
		d.hold(v, c.LastLoiter, e, c.LastLoiter.Start, activity, c.OtherSeg)
	}
}

// EndLoiter takes the end of a loitering run: a draught change
// DecideDraught kept for it is held with it until the encounters tell
// whether anybody was alongside.
func (d *Detector) EndLoiter(l *LoiterEnd) {
	k := runKey{l.MMSI, l.From.UnixNano()}
	if e := d.runDraught[k]; e != nil {
		v := d.vessel(l.MMSI)
		d.hold(v, l.Loitering, e, l.From, latestActivity(v, l.Visit, l.VisitAt), l.OtherSeg)
		delete(d.runDraught, k)
	}
}

// runKey is a vessel's loitering run, by its start (Unix ns).
type runKey struct {
	mmsi  uint32
	start int64
}

// latestActivity is the latest of the vessel's port visit (reported at
// visitAt) and its encounter, by when each was reported: what one
// Detector holds as the vessel's activity.
func latestActivity(v *vessel, visit *event.Event, visitAt time.Time) *event.Event {
	// An encounter reported at a port visit's very time came first: the
	// point that ended the visit advanced the encounters before the port
	// detector took it.
	if a := v.activity; a != nil && (visit == nil || a.Type == event.Encounter && v.activityAt.time().After(visitAt)) {
		return a
	}
	return visit
}
