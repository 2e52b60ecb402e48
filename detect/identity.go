package detect

import (
	"math"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// Static feeds one static report (in time order with the points).
func (d *Detector) Static(s *track.Static) {
	d.Advance(s.Time)
	if s.ShipType != 0 && d.run&(moving|Encounters) != 0 {
		// Encounters leave out ships that serve others (tugs, pilots).
		d.vessel(s.MMSI).shipType = s.ShipType
	}
	if d.run&moving == 0 {
		return
	}
	v := d.vessel(s.MMSI)
	d.message(v, s.Time)
	d.identityStatic(v, s)
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
	if s.Draught > 0 {
		d.draughtCheck(v, s, cur)
	}
}

// cloneState is an MMSI whose static data go back and forth between two
// identities: two hulls broadcasting one number, each its own name and IMO.
type cloneState struct {
	a, b       track.Identity
	start, end time.Time // first report of the second identity; latest switch
	switches   int
	lat, lon   float64
}

// identityStatic reports identity changes of one MMSI. An MMSI going back
// to an identity it had shortly before is two hulls sending their static
// data in turn, not two changes a report (a clone 300 km away made 167
// identity_change events): those switches make one cloned_mmsi finding,
// when they stop. While positions come from two places a change is held
// for IdentityConfirm, to know which it is.
func (d *Detector) identityStatic(v *vessel, s *track.Static) {
	if c := v.clone; c != nil && s.Time.Sub(c.end) > d.cfg.CloneIdle {
		d.emitClone(v)
	}
	if p := v.idPending; p != nil && s.Time.Sub(p.End) >= d.cfg.IdentityConfirm && !d.mayGoBack(v, p, s.Time) {
		v.idPending = nil
		d.out(p)
	}
	prev, _ := d.ids.Current(s.MMSI)
	ch := d.ids.Update(s)
	if len(ch) == 0 {
		return
	}
	cur, _ := d.ids.Current(s.MMSI)
	if d.switchBack(v, prev, cur, s.Time) {
		return
	}
	if slices.ContainsFunc(v.cloned, func(id track.Identity) bool { return sameID(id, prev) }) &&
		slices.ContainsFunc(v.cloned, func(id track.Identity) bool { return sameID(id, cur) }) {
		// One hull of a clone found before heard again after the other,
		// however long after: its identity did not change.
		return
	}
	ev := map[string]any{}
	fields := []string{}
	for _, c := range ch {
		ev["old_"+c.Field] = c.Old
		ev["new_"+c.Field] = c.New
		fields = append(fields, c.Field)
	}
	ev["fields"] = fields
	ev["previous_since"] = prev.First.Format(time.RFC3339)
	if v.idPending != nil { // changed again, not back: both were changes
		d.out(v.idPending)
		v.idPending = nil
	}
	e := &event.Event{Type: event.IdentityChange, MMSI: s.MMSI, Start: prev.Last, End: s.Time,
		Lat: v.last.Lat, Lon: v.last.Lon, Confidence: 0.9, Source: event.SourceAIS, Evidence: ev}
	if !d.twoStreams(v) && !otherIMO(prev, cur) {
		d.out(e) // one ship: a change now, as a live feed wants it
		return
	}
	v.idPending = e
}

// mayGoBack says whether a held change may still turn out the first switch
// of a clone: positions still come from two places and the identity before
// could still come back within CloneIdle (see switchBack). A hull in
// reach of fewer stations sends its static data less often than the
// other (seed 9401: four hours between two of the owner's while the clone
// sent its own every hour), so IdentityConfirm alone reported that first
// switch as a change beside the finding.
func (d *Detector) mayGoBack(v *vessel, p *event.Event, t time.Time) bool {
	return d.twoStreams(v) && t.Sub(p.Start) <= d.cfg.CloneIdle
}

// otherIMO says whether two identities carry different valid IMO numbers:
// a number stays with its hull for life, so that is another hull on the
// MMSI (a clone, whose first static report may come before its first
// position, or the number reassigned), held like a change while positions
// come from two places.
func otherIMO(a, b track.Identity) bool {
	return track.ValidIMO(a.IMO) && track.ValidIMO(b.IMO) && a.IMO != b.IMO
}

// secondHull says whether an MMSI broadcast another valid IMO number than
// imo within CloneIdle before t: the static data of two hulls under one
// number (see identityStatic).
func (d *Detector) secondHull(v *vessel, imo uint32, t time.Time) bool {
	if v.clone != nil {
		return true
	}
	hist := d.ids.History(v.mmsi)
	for i := len(hist) - 2; i >= 0 && t.Sub(hist[i].Last) <= d.cfg.CloneIdle; i-- {
		if track.ValidIMO(hist[i].IMO) && hist[i].IMO != imo {
			return true
		}
	}
	return false
}

// twoStreams says whether positions of v came from two places (track
// segments) within IdentityConfirm: only then may a changed identity be
// another hull's, and is held until it holds.
func (d *Detector) twoStreams(v *vessel) bool {
	if !v.jumpAt.isZero() && d.now.Sub(v.jumpAt.time()) <= d.cfg.IdentityConfirm {
		return true
	}
	for _, st := range v.segs {
		if d.now.Sub(st.lastSlotFix.at.time()) <= d.cfg.IdentityConfirm {
			return true
		}
	}
	return false
}

// switchBack says whether cur is an identity the MMSI had before (within
// CloneIdle), and if so counts the switch in the MMSI's clone finding.
// While a finding is open (its latest switch within CloneIdle), a switch
// between its two identities is one more of it, however long ago cur was
// last heard: the finding already says two hulls share the number (fresh
// seed 10024: one hull's reports, 27 h apart, stopped while the other's
// went on, and the last switch back became an identity change).
func (d *Detector) switchBack(v *vessel, prev, cur track.Identity, t time.Time) bool {
	hist := d.ids.History(v.mmsi)
	c := v.clone
	back := c != nil && (sameID(c.a, cur) && sameID(c.b, prev) || sameID(c.b, cur) && sameID(c.a, prev))
	for i := len(hist) - 2; i >= 0 && !back; i-- {
		back = t.Sub(hist[i].Last) <= d.cfg.CloneIdle && sameID(hist[i], cur)
	}
	if !back {
		return false
	}
	if c == nil {
		c = &cloneState{a: cur, b: prev, start: prev.First, lat: v.last.Lat, lon: v.last.Lon}
		if p := v.idPending; p != nil {
			// The change held back was the first switch.
			c.start = p.End
		}
		v.clone = c
	}
	v.idPending = nil
	c.end = t
	c.switches++
	return true
}

// sameID says whether two identities name one hull: IMO, name, call sign.
func sameID(a, b track.Identity) bool {
	return a.IMO == b.IMO && a.Name == b.Name && a.CallSign == b.CallSign
}

func (d *Detector) emitClone(v *vessel) {
	c := v.clone
	v.clone = nil
	v.cloned = []track.Identity{c.a, c.b}
	ident := func(id track.Identity) map[string]any {
		m := map[string]any{"imo": id.IMO, "name": id.Name, "call_sign": id.CallSign, "ship_type": id.ShipType,
			"length_m": id.Length, "beam_m": id.Beam}
		// The number the hull of that IMO uses on its own, when it was
		// heard under one: where the clone comes from.
		if own, ok := d.imo[id.IMO]; ok && own != v.mmsi && track.ValidIMO(id.IMO) {
			m["own_mmsi"] = own
		}
		return m
	}
	d.out(&event.Event{Type: event.IdentityChange, MMSI: v.mmsi, Start: c.start, End: c.end, Lat: c.lat, Lon: c.lon,
		Confidence: 0.9, Source: event.SourceAIS, Evidence: map[string]any{
			"reason":     "cloned_mmsi",
			"identities": []map[string]any{ident(c.a), ident(c.b)},
			"switches":   c.switches,
		}})
}

// flushIdentity reports what is held back at the end of the data.
func (d *Detector) flushIdentity(v *vessel) {
	if v.clone != nil {
		d.emitClone(v)
	}
	if p := v.idPending; p != nil {
		v.idPending = nil
		d.out(p)
	}
}

// draughtAt is the draught last confirmed (m, last reported at t) and a
// new one reported n times in a row since, first at nextT, when the
// vessel was last at (nextLat, nextLon) (placed: it had a position).
type hullDraught struct {
	hull [2]int32 // dimKey
	// seg is the track segment this hull's static reports come with: the
	// one fed when each came, by majority (votes is its lead, at most
	// hullVotes). A transponder sends its static report among its own
	// positions, so while two hulls share the MMSI each report mostly
	// follows a fix of its own hull.
	seg   int32
	votes int8
	draughtAt
}

// hullVotes caps a hull's lead for its segment: a hull that went on on a
// new segment (after a silence) has it again within a few reports.
const hullVotes = 4

func (h *hullDraught) vote(seg int) {
	switch {
	case seg == 0:
	case int(h.seg) == seg:
		h.votes = min(h.votes+1, hullVotes)
	case h.votes > 0:
		h.votes--
	default:
		h.seg, h.votes = int32(seg), 1
	}
}

// hullSeg says whether hull i of v shares the MMSI with another hull
// (other dimensions reported within CloneIdle), and then the segment it
// is on and that segment's state, when it is open and was heard within
// IdentityConfirm: the draught of the hull reporting is decided where
// that hull is (seed 10532: a clone's new draught in Vostochnyy, decided
// on the other hull's loitering 500 km away, made a possible dark
// transfer of a tanker whose draught had not changed).
func (d *Detector) hullSeg(v *vessel, i int) (st *segState, seg int, shared bool) {
	if len(v.draught) < 2 || v.draught[i].hull == ([2]int32{}) {
		// (A report without dimensions names no hull.)
		return nil, 0, false
	}
	for j := range v.draught {
		if j != i && d.hullHeard(&v.draught[j]) {
			shared = true
		}
	}
	seg = int(v.draught[i].seg)
	switch {
	case !shared || seg == 0:
		return nil, 0, shared
	case seg == v.seg:
		st = &v.segState
	default:
		st = v.segs[seg]
	}
	if st == nil || d.now.Sub(st.lastSlotFix.at.time()) > d.cfg.IdentityConfirm {
		return nil, 0, shared
	}
	return st, seg, true
}

// hullHeard says whether h names a hull (dimensions) that reported
// within CloneIdle.
func (d *Detector) hullHeard(h *hullDraught) bool {
	return h.hull != ([2]int32{}) && (d.now.Sub(h.t) <= d.cfg.CloneIdle || h.n > 0 && d.now.Sub(h.nextT) <= d.cfg.CloneIdle)
}

// otherHullSeg is the segment another hull of v than hull i is on, by
// their static reports' votes, when it is not hull i's (0: none known).
func (d *Detector) otherHullSeg(v *vessel, i int) int32 {
	for j := range v.draught {
		if h := &v.draught[j]; j != i && h.votes > 0 && h.seg != v.draught[i].seg && d.hullHeard(h) {
			return h.seg
		}
	}
	return 0
}

// twoHulls says whether segments a and b of v are those of two hulls
// (other dimensions) that reported under v's MMSI within CloneIdle, by
// their static reports' votes (see hullDraught).
func (d *Detector) twoHulls(v *vessel, a, b int) bool {
	on := func(seg int) int {
		for i := range v.draught {
			if h := &v.draught[i]; int(h.seg) == seg && h.votes > 0 && d.hullHeard(h) {
				return i
			}
		}
		return -1
	}
	i, j := on(a), on(b)
	return a != b && i >= 0 && j >= 0 && i != j
}

// segOf is the number of v's segment whose state st is (0: none).
func (v *vessel) segOf(st *segState) int32 {
	if st == &v.segState {
		return int32(v.seg)
	}
	for k, o := range v.segs {
		if o == st {
			return int32(k)
		}
	}
	return 0
}

type draughtAt struct {
	m                float64
	t                time.Time
	next             float64
	nextT            time.Time
	n                int
	nextLat, nextLon float64
	placed           bool
}

func dimKey(l, b float64) [2]int32 { return [2]int32{int32(math.Round(l)), int32(math.Round(b))} }

// imoCheck reports one IMO number used under a second MMSI. A number
// that fails the check digit is a placeholder or a typing error (real
// feeds carry 100, 1, 1234567 under many unrelated ships: AMSA's sample
// links a US tug and an Australian boat by "IMO 100"), so it links nothing.
func (d *Detector) imoCheck(v *vessel, s *track.Static) {
	if !track.ValidIMO(s.IMO) {
		return
	}
	old, ok := d.imo[s.IMO]
	if ok && old != s.MMSI && d.secondHull(v, s.IMO, s.Time) {
		// A hull broadcasting this MMSI beside the one whose number it
		// is: a clone, not a hull re-registered. The IMO number stays
		// with its own MMSI, which the clone finding names, so the hull
		// going back to it is no link either.
		return
	}
	d.imo[s.IMO] = s.MMSI
	if !ok || old == s.MMSI {
		return
	}
	o := d.vessels[old]
	d.identityPair(v, o, "imo_reused", map[string]any{"imo": s.IMO})
}

// reappear looks for a hull that fell silent under another MMSI nearby,
// with the same length and beam, shortly before this MMSI was first heard.
func (d *Detector) reappear(v *vessel) {
	v.silentCheck = true
	if v.succeeds {
		return // already linked to the number it had before (same IMO)
	}
	cur, _ := d.ids.Current(v.mmsi)
	k := dimKey(cur.Length, cur.Beam)
	var best *vessel
	bestKm := math.Inf(1)
	var refused []map[string]any
	for dy := int32(-1); dy <= 1; dy++ {
		for dx := int32(-1); dx <= 1; dx++ {
			for _, m := range d.dims[[2]int32{k[0] + dy, k[1] + dx}] {
				o := d.vessels[m]
				// A number whose hull already went on under another one is
				// accounted for: linking it again would skip a step of the chain.
				if m == v.mmsi || o == nil || !o.has || o.succeeded {
					continue
				}
				oid, _ := d.ids.Current(m)
				if math.Abs(oid.Length-cur.Length) > d.cfg.ReappearDimM || math.Abs(oid.Beam-cur.Beam) > d.cfg.ReappearDimM {
					continue
				}
				if oid.ShipType != 0 && cur.ShipType != 0 && oid.ShipType/10 != cur.ShipType/10 {
					continue
				}
				silent := v.first.at.time().Sub(o.last.Time)
				if silent < d.cfg.ReappearAfter || silent > d.cfg.ReappearWithin {
					continue
				}
				km := geo.DistanceKm(o.last.Lat, o.last.Lon, v.first.lat, v.first.lon)
				if km > d.cfg.ReappearKm {
					continue
				}
				// An IMO number stays with its hull for life: two valid,
				// different numbers are two hulls, however alike (sister
				// ships, tugs of one class).
				if track.ValidIMO(cur.IMO) && track.ValidIMO(oid.IMO) && cur.IMO != oid.IMO {
					refused = append(refused, map[string]any{"mmsi": m, "reason": "different_imo",
						"imo": oid.IMO, "distance_km": round(km, 1)})
					continue
				}
				if km < bestKm {
					best, bestKm = o, km
				}
			}
		}
	}
	if best == nil {
		return
	}
	ev := map[string]any{
		"silent_h":    round(v.first.at.time().Sub(best.last.Time).Hours(), 1),
		"distance_km": round(bestKm, 1),
		"length_m":    cur.Length,
		"beam_m":      cur.Beam,
	}
	if len(refused) > 0 {
		// Hulls alike that were not linked, and why: the analyst sees the
		// link was chosen among them.
		ev["refused"] = refused
	}
	d.identityPair(v, best, "hull_reappeared", ev)
}

// identityPair reports vessel v (new MMSI) as the continuation of o (old).
func (d *Detector) identityPair(v, o *vessel, reason string, ev map[string]any) {
	k := [2]uint32{v.mmsi, 0}
	if o != nil {
		k[1] = o.mmsi
	}
	if d.pairs[k] {
		return
	}
	d.pairs[k] = true
	v.succeeds = true
	if o != nil {
		o.succeeded = true
	}
	ev["reason"] = reason
	start := d.now
	if o != nil && o.has {
		start = o.last.Time
	}
	end := d.now
	if v.has && v.first.at.time().After(start) {
		end = v.first.at.time()
	}
	if newID, ok := d.ids.Current(v.mmsi); ok {
		ev["new_name"] = newID.Name
	}
	if o != nil {
		if oldID, ok := d.ids.Current(o.mmsi); ok {
			ev["old_name"] = oldID.Name
		}
	}
	if d.Flag != nil {
		ev["new_flag"] = d.Flag(v.mmsi)
		ev["old_flag"] = d.Flag(k[1])
		// The same hull under a new number, flag and name: re-registered,
		// the way sanctioned ships hop flags (reason still says how the
		// hull was known).
		if o != nil && ev["new_flag"] != ev["old_flag"] && ev["new_name"] != ev["old_name"] && ev["new_name"] != "" && ev["old_name"] != "" {
			ev["flag_hopping"] = true
		}
	}
	lat, lon := v.first.lat, v.first.lon
	if !v.has && o != nil {
		lat, lon = o.last.Lat, o.last.Lon
	}
	d.out(&event.Event{Type: event.IdentityChange, MMSI: v.mmsi, OtherMMSI: k[1], Start: start, End: end,
		Lat: lat, Lon: lon, Confidence: 0.8, Source: event.SourceAIS, Evidence: ev})
}

// draughtCheck reports a change in reported draught that follows a port
// visit or an encounter, with the cargo it implies: length × beam ×
// change × block coefficient × water density. A new draught counts once
// DraughtConfirm static reports in a row carry it over DraughtConfirmMin:
// two hulls of the same size under one MMSI (seed 404) report their own
// draughts in turn, which would otherwise be a change on every report,
// and two reports of one hull come in a row whenever the other's is
// missed or late (seed 8201), minutes to an hour apart, while a ship that
// changed its draught keeps to the new one. The change is dated from the
// last report of the old draught to the first of the new.
func (d *Detector) draughtCheck(v *vessel, s *track.Static, id track.Identity) {
	hull := dimKey(s.Length, s.Beam)
	i := slices.IndexFunc(v.draught, func(h hullDraught) bool { return h.hull == hull })
	if i < 0 {
		v.draught = append(v.draught, hullDraught{hull: hull})
		i = len(v.draught) - 1
	}
	v.draught[i].vote(v.seg)
	// The segment state, last fix and latest activity of this hull.
	st, fix, placed, activity := &v.segState, v.last, v.has, v.activity
	hs, seg, shared := d.hullSeg(v, i)
	other := hs != nil && seg != v.seg
	if other {
		st, fix, placed, activity = hs, hs.lastSlotFix.point(), true, hs.lastVisit
	}
	at := &v.draught[i].draughtAt
	prev := *at
	old, oldT := prev.m, prev.t
	if old == 0 || math.Abs(s.Draught-old) < d.cfg.DraughtMinChangeM {
		*at = draughtAt{m: s.Draught, t: s.Time}
		return
	}
	cur := prev
	if cur.n == 0 || math.Abs(s.Draught-cur.next) >= d.cfg.DraughtMinChangeM {
		cur.next, cur.nextT, cur.n = s.Draught, s.Time, 0
		cur.nextLat, cur.nextLon, cur.placed = fix.Lat, fix.Lon, placed
	}
	cur.n++
	if cur.n < d.cfg.DraughtConfirm || s.Time.Sub(cur.nextT) < d.cfg.DraughtConfirmMin {
		*at = cur
		return
	}
	*at = draughtAt{m: s.Draught, t: s.Time}
	newM, newT := cur.next, cur.nextT
	if s.Length > 0 {
		id.Length, id.Beam = s.Length, s.Beam
	}
	c := &DraughtCase{MMSI: v.mmsi, Visit: v.activity, VisitAt: v.activityAt.time(), Old: old, OldT: oldT, New: newM, NewT: newT, Length: id.Length, Beam: id.Beam,
		Gap: v.lastGap, LastLoiter: v.lastLoiter, Lat: cur.nextLat, Lon: cur.nextLon, Placed: cur.placed}
	c.OtherSeg = d.otherHullSeg(v, i)
	if shared && (hs == nil || v.lastLoiterSeg != int32(seg)) {
		// The MMSI's last loitering was the other hull's, or which hull
		// is this one is not known.
		c.LastLoiter = nil
	}
	if other {
		// The vessel's gap and encounters may be the other hull's: this
		// one's activity is its segment's port visit.
		c.OtherHull, c.Visit, c.VisitAt, c.Gap = true, activity, time.Time{}, nil
	}
	if st.port.in {
		c.PortIn = &DraughtPort{Name: st.port.port.Name, ID: st.port.port.ID, Group: st.port.port.Group(),
			Lat: st.port.port.Lat, Lon: st.port.port.Lon}
	}
	if lo := &st.loiter; lo.on && (!shared || hs != nil) {
		c.Loiter = &DraughtLoiter{Start: lo.start.time(), End: lo.end.time(), Lat: lo.sumLat / float64(lo.n), Lon: lo.sumLon / float64(lo.n)}
	}
	if d.run&Encounters == 0 && d.DeferDraught != nil {
		// The encounters are found elsewhere: the decision is made
		// there (DecideDraught), with a loitering run's end sent after.
		if c.Loiter != nil {
			st.loiter.deferred, st.loiter.deferLat, st.loiter.deferLon = true, c.Lat, c.Lon
			st.loiter.draughtOther = c.OtherSeg
		}
		d.DeferDraught(c)
		return
	}
	e, how := d.draughtEvent(v, c, activity)
	switch how {
	case draughtNone:
	case draughtOut:
		d.out(e)
	case draughtRun:
		lo := &st.loiter
		if lo.draught != nil {
			// A second change in one run: the transfer is the latest.
			d.hold(v, nil, lo.draught, lo.start.time(), activity, lo.draughtOther)
		}
		lo.draught, lo.draughtOther = e, c.OtherSeg
	case draughtLast:
		d.hold(v, c.LastLoiter, e, c.LastLoiter.Start, activity, c.OtherSeg)
	}
}

// What draughtEvent says to do with the draught change.
const (
	draughtNone = iota // not reported
	draughtOut         // report it
	draughtRun         // hold it until the loitering run ends
	draughtLast        // hold it with the last loitering
)

// draughtEvent is the draught change of c in its context, given the
// vessel's latest port visit or encounter (activity) and its last close
// approach (v.closeAt), and what to do with it.
func (d *Detector) draughtEvent(v *vessel, c *DraughtCase, activity *event.Event) (*event.Event, int) {
	old, oldT, newM, newT := c.Old, c.OldT, c.New, c.NewT
	// Which activity came between: a port visit (ended or going on) or an
	// encounter (reported, or vessels still together).
	var kind string
	var lat, lon float64
	var other uint32
	var port *event.Event
	when := time.Time{}
	if p := c.PortIn; p != nil {
		kind, lat, lon, when = "port_visit", p.Lat, p.Lon, newT
		port = &event.Event{Port: p.Name, PortID: p.ID, PortGroup: p.Group}
	}
	if a := activity; a != nil && a.End.After(when) && !otherHull(c.OtherSeg, v.encounterSeg(a)) {
		when, lat, lon = a.End, a.Lat, a.Lon
		kind = string(a.Type)
		port, other = nil, 0
		if a.Type == event.PortVisit {
			port = a
		} else {
			other = a.MMSI ^ a.OtherMMSI ^ v.mmsi
		}
	}
	if g := c.Gap; g != nil && g.End.After(when) && !g.End.After(newT) {
		// Dark the while: a port visit or transfer nobody saw.
		kind, when, lat, lon, other, port = "gap", g.End, g.Lat, g.Lon, 0, nil
	}
	if v.closeAt.time().After(when) && !c.OtherHull && !otherHull(c.OtherSeg, v.closeSeg) && v.closeFrom <= newT.Add(d.cfg.EncounterSlot).Unix() {
		// (Together by the new draught's first report, within the slot
		// the pairing samples: seed 10544's fishing boat crossing a
		// tanker's way under way after its loitering, before the new
		// draught was confirmed, took the place of the partner whose AIS
		// was off.)
		kind, when, lat, lon, other, port = string(event.Encounter), v.closeAt.time(), v.closeLat, v.closeLon, v.closeTo, nil
	}
	// Loitering at sea: a transfer, with a partner alongside or with a
	// partner whose AIS was off (a possible dark transfer). Which one,
	// hold decides once the encounter detector has caught up: it works
	// behind the newest fix, so a partner that came alongside shortly
	// before may not be known yet, and one seen alongside for a moment
	// makes no encounter.
	lo := c.Loiter
	loitering := lo != nil && !newT.Before(lo.Start) && lo.End.After(when)
	if l := c.LastLoiter; !loitering && l != nil && l.End.After(when) && !newT.Before(l.Start) &&
		!oldT.After(l.End.Add(time.Hour)) {
		loitering = true
		lat, lon = l.Lat, l.Lon
	}
	if loitering {
		kind, when, other, port = string(event.Loitering), newT, 0, nil
		if lo != nil {
			lat, lon = lo.Lat, lo.Lon
		}
	}
	if kind == "" || newT.Sub(when) > d.cfg.DraughtWithin || when.Before(oldT.Add(-d.cfg.DraughtWithin)) {
		return nil, draughtNone
	}
	change := newM - old
	ev := map[string]any{
		"old_draught_m":     old,
		"new_draught_m":     newM,
		"change_m":          round(change, 2),
		"context":           kind,
		"block_coefficient": d.cfg.BlockCoefficient,
		"density_t_m3":      d.cfg.WaterDensity,
		"barrels_per_tonne": d.cfg.BarrelsPerTonne,
	}
	if c.Length > 0 && c.Beam > 0 {
		t := c.Length * c.Beam * math.Abs(change) * d.cfg.BlockCoefficient * d.cfg.WaterDensity
		ev["length_m"], ev["beam_m"] = c.Length, c.Beam
		ev["cargo_t"] = round(t, 0)
		ev["cargo_bbl"] = round(t*d.cfg.BarrelsPerTonne, 0)
		ev["loaded"] = change > 0
	}
	e := &event.Event{Type: event.DraughtChange, MMSI: v.mmsi, OtherMMSI: other, Start: oldT, End: newT,
		Lat: lat, Lon: lon, Confidence: 0.8, Source: event.SourceAIS, Evidence: ev}
	if port != nil {
		e.Port, e.PortID, e.PortGroup = port.Port, port.PortID, port.PortGroup
	}
	switch {
	case !loitering || d.run&Encounters == 0:
		// Without the encounter detector nobody is ever seen alongside:
		// the draught change is reported as it is.
		return e, draughtOut
	case lo != nil:
		return e, draughtRun
	default:
		return e, draughtLast
	}
}
