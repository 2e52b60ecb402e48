package sim

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
)

// Thresholds of the definitions truth follows (issue 4, after Global
// Fishing Watch). Truth applies them exactly; the scenario keeps behaviour
// well away from them so that a correct detector agrees.
const (
	portEntryKm = 3.0
	portExitKm  = 4.0
	// A visit needs a stop (< 0.2 kn) or this long inside: a ship passing
	// through the circle makes no visit (detect's PortDwell).
	portDwell        = hour
	gapMin           = 12 * hour
	loiterMaxKn      = event.LoiterMaxKn
	loiterMin        = int64(event.LoiterMin / time.Second)
	encounterMin     = 2 * hour
	loiterShoreKm    = event.LoiterShoreNm * 1.852
	blockCoefficient = 0.8
	seawaterTPerM3   = 1.025
	oilTPerM3        = 0.85
	barrelsPerM3     = 6.2898

	// Observability of spoofing (see README): two hulls under one MMSI
	// show only when positions received close in time are further apart
	// than any ship sails (the impossible speed).
	sharedImpossibleKn = 50.0
	sharedPairWindow   = hour
	sharedPairFloor    = 6 * 60
)

var watchedGroups = map[string]bool{"KP": true, "RU-FE": true}

type visit struct {
	hull       *Hull
	port       ref.Port
	group      string
	start, end int64
	minKm      float64
	stopped    bool
	mmsi       uint32
	rxCount    int
	ais        bool
}

func ts(t int64) time.Time { return time.Unix(t, 0).UTC() }

func r3(x float64) float64 { return math.Round(x*1000) / 1000 }

// portMask flags routing cells near a catalogue port, so the visit scan
// only measures distances where a visit is possible.
func (w *world) portMask() []bool {
	m := make([]bool, gridRows*gridCols)
	for _, p := range w.cat.Ports {
		r0, c0, ok := cellOf(p.Lat, p.Lon)
		if !ok {
			continue
		}
		for r := r0 - 3; r <= r0+3; r++ {
			for c := c0 - 3; c <= c0+3; c++ {
				if r >= 0 && r < gridRows && c >= 0 && c < gridCols {
					m[r*gridCols+c] = true
				}
			}
		}
	}
	return m
}

// visits scans a hull's true track for port visits: entry within 3 km of a
// WPI point, exit beyond 4 km of the same point.
func (w *world) visits(h *Hull, mask []bool) []visit {
	var out []visit
	var cur *visit
	check := func(t int64, lat, lon, sog float64) {
		r, c, ok := cellOf(lat, lon)
		if !ok || !mask[r*gridCols+c] {
			if cur != nil {
				out = append(out, *cur)
				cur = nil
			}
			return
		}
		if cur != nil {
			d := geo.DistanceKm(lat, lon, cur.port.Lat, cur.port.Lon)
			if d > portExitKm {
				out = append(out, *cur)
				cur = nil
			} else {
				cur.end = t
				cur.minKm = min(cur.minKm, d)
				if sog < 0.2 {
					cur.stopped = true
				}
				return
			}
		}
		p, d, ok := w.cat.NearestPort(lat, lon, portEntryKm)
		if ok {
			cur = &visit{hull: h, port: p, start: t, end: t, minKm: d, stopped: sog < 0.2}
		}
	}
	path := h.path
	for i := 1; i < len(path); i++ {
		a, b := path[i-1], path[i]
		d := geo.DistanceKm(a.lat, a.lon, b.lat, b.lon)
		dt := float64(b.t - a.t)
		sog := 0.0
		if dt > 0 {
			sog = d / 1.852 / (dt / 3600)
		}
		n := int(d/0.2) + 1
		for k := 0; k < n; k++ {
			f := float64(k) / float64(n)
			check(a.t+int64(f*dt), a.lat+(b.lat-a.lat)*f, a.lon+(b.lon-a.lon)*f, sog)
		}
	}
	if cur != nil {
		cur.end = math.MaxInt64 // still inside at the end: incomplete
		out = append(out, *cur)
	}
	var keep []visit
	for _, v := range out {
		if v.start >= w.t0 && v.end <= w.t1 && v.start > path[0].t {
			keep = append(keep, v)
		}
	}
	return keep
}

// covered says whether a hull's received, unspoofed positions cover a
// span well enough for an AIS detector to see it: first and last fixes
// within 30 minutes of the ends and no hole over an hour.
func covered(log []rx, s span) bool {
	i := sort64(log, s.from-30*60)
	last := int64(-1)
	for ; i < len(log) && log[i].t <= s.to+30*60; i++ {
		r := &log[i]
		if r.kind != rxPosition || r.spoofed {
			continue
		}
		if last < 0 {
			if r.t > s.from+30*60 {
				return false
			}
		} else if r.t-last > hour {
			return false
		}
		last = r.t
	}
	return last >= s.to-30*60
}

// shownInAIS says whether a meeting over m is an encounter in what
// receivers heard: both ships covered, and heard together for the
// detector's minimum (a meeting cut by the end of the data with its ends
// unheard, seed 9818's 2 h 5 min, is one AIS may show or not, so its truth
// is satellite-only, scored by neither answer).
func shownInAIS(a, b []rx, m span) bool {
	return m.to-m.from >= encounterMin && covered(a, m) && covered(b, m) && heardTogether(a, b, m) >= encounterMin
}

// heardTogether is how long within s both logs have true positions
// received: from the later of their first fixes to the earlier of their
// last.
func heardTogether(a, b []rx, s span) int64 {
	fa, la, okA := heardWithin(a, s)
	fb, lb, okB := heardWithin(b, s)
	if !okA || !okB {
		return 0
	}
	return max(0, min(la, lb)-max(fa, fb))
}

// heardWithin is the first and last true position received within s.
func heardWithin(log []rx, s span) (first, last int64, ok bool) {
	for i := sort64(log, s.from); i < len(log) && log[i].t <= s.to; i++ {
		if r := &log[i]; r.kind == rxPosition && !r.spoofed {
			if !ok {
				first, ok = r.t, true
			}
			last = r.t
		}
	}
	return first, last, ok
}

func sort64(log []rx, t int64) int {
	i, _ := slices.BinarySearchFunc(log, t, func(r rx, t int64) int { return cmp.Compare(r.t, t) })
	return i
}

// truth derives every event from the true tracks and the reception logs.
func (w *world) truth() []event.Event {
	var evs []event.Event
	mask := w.portMask()
	allVisits := make([][]visit, len(w.hulls))
	parallelRange(len(w.hulls), w.cfg.Workers, func(i int) { allVisits[i] = w.visits(w.hulls[i], mask) })

	// Port visits.
	var visits []visit
	for _, vs := range allVisits {
		for _, v := range vs {
			if !v.stopped && v.end-v.start < portDwell {
				continue
			}
			h := v.hull
			v.mmsi = h.identAt(v.start).MMSI
			if gs := w.cat.GroupsOf(v.port.ID); len(gs) > 0 {
				for _, g := range gs {
					if watchedGroups[g] {
						v.group = g
					}
				}
				if v.group == "" {
					v.group = gs[0]
				}
			}
			// Receive times trail transmission by up to 5 s: a position sent
			// inside the visit may be heard just after it.
			for i := sort64(h.log, v.start-5); i < len(h.log) && h.log[i].t <= v.end+5; i++ {
				r := &h.log[i]
				if r.kind == rxPosition && !r.spoofed && r.id.MMSI == v.mmsi && geo.DistanceKm(float64(r.lat), float64(r.lon), v.port.Lat, v.port.Lon) <= portExitKm {
					v.rxCount++
				}
			}
			v.ais = v.rxCount > 0
			visits = append(visits, v)
		}
	}
	for _, v := range visits {
		src := event.SourceAIS
		if !v.ais {
			src = event.SourceSatellite
		}
		conf := 2.0
		if v.stopped {
			conf = 4
		}
		evs = append(evs, event.Event{Type: event.PortVisit, MMSI: v.mmsi, Start: ts(v.start), End: ts(v.end),
			Lat: v.port.Lat, Lon: v.port.Lon, Port: v.port.Name, PortID: v.port.ID, PortGroup: v.group,
			Confidence: conf, Source: src, Evidence: map[string]any{
				"min_distance_km": r3(v.minKm), "duration_h": r3(float64(v.end-v.start) / 3600), "stopped": v.stopped,
				"received_positions": v.rxCount, "role": v.hull.Role,
			}})
	}

	// Voyages join consecutive AIS-visible visits of one MMSI.
	byMMSI := map[uint32][]visit{}
	for _, v := range visits {
		if v.ais {
			byMMSI[v.mmsi] = append(byMMSI[v.mmsi], v)
		}
	}
	for _, m := range sortedKeys(byMMSI) {
		vs := byMMSI[m]
		slices.SortFunc(vs, func(a, b visit) int { return cmp.Compare(a.start, b.start) })
		for i := 1; i < len(vs); i++ {
			a, b := vs[i-1], vs[i]
			evs = append(evs, event.Event{Type: event.Voyage, MMSI: m, Start: ts(a.end), End: ts(b.start),
				Lat: b.port.Lat, Lon: b.port.Lon, Port: b.port.Name, PortID: b.port.ID, PortGroup: b.group,
				FromPort: a.port.Name, FromPortID: a.port.ID, FromGroup: a.group, Confidence: 1, Source: event.SourceAIS,
				Evidence: map[string]any{"duration_h": r3(float64(b.start-a.end) / 3600)}})
		}
	}

	gaps := w.gapEvents()
	evs = append(evs, gaps...)

	evs = append(evs, darkVisitEvents(visits, w.genuinePositions())...)
	evs = append(evs, w.encounterEvents()...)
	evs = append(evs, w.loiterEvents()...)
	evs = append(evs, w.spoofEvents()...)
	evs = append(evs, w.interferenceEvents()...)
	evs = append(evs, w.identityEvents()...)
	evs = append(evs, w.cloneEvents(w.idCases.clones)...)
	evs = append(evs, w.draughtEvents(visits)...)
	evs = append(evs, w.darkTransferEvents(evs)...)

	slices.SortStableFunc(evs, func(a, b event.Event) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Type, b.Type), cmp.Compare(a.MMSI, b.MMSI),
			cmp.Compare(a.OtherMMSI, b.OtherMMSI), cmp.Compare(a.PortID, b.PortID), a.End.Compare(b.End))
	})
	return evs
}

func sortedKeys[V any](m map[uint32]V) []uint32 {
	ks := make([]uint32, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

type mrx struct {
	rx
	hull *Hull
}

// gapEvents finds, per MMSI, 12 h or more between received messages. A gap
// is deliberate when the transponder of the hull that last used the MMSI
// was off (or sending another identity) for most of it.
// darkVisitEvents returns the possible dark port visits: satellite-only
// visits to a watched port during which no genuine position of the MMSI
// was received (genuine holds each MMSI's by receive time). Spoofed fixes
// (a circle broadcast far away while the ship lies in port) and static
// reports say nothing of where the ship was, so they do not end the
// silence; the event spans the silence of genuine positions around the
// visit, which must be a gap's length at least and bounded inside the
// scenario.
func darkVisitEvents(visits []visit, genuine map[uint32][]rx) []event.Event {
	var evs []event.Event
	for _, v := range visits {
		if v.ais || !watchedGroups[v.group] {
			continue
		}
		rs := genuine[v.mmsi]
		i := sort64(rs, v.start-5)
		if i == 0 || i == len(rs) || rs[i].t <= v.end+5 {
			continue
		}
		from := slices.MaxFunc(rs[:i], func(a, b rx) int { return cmp.Compare(a.tLast, b.tLast) }).tLast
		to := rs[i].t
		if to-from < gapMin {
			continue
		}
		evs = append(evs, event.Event{Type: event.PossibleDarkPortVisit, MMSI: v.mmsi, Start: ts(from), End: ts(to),
			Lat: v.port.Lat, Lon: v.port.Lon, Port: v.port.Name, PortID: v.port.ID, PortGroup: v.group,
			Confidence: 0.9, Source: event.SourceSatellite, Evidence: map[string]any{
				"gap_h": r3(float64(to-from) / 3600), "visit_start": ts(v.start).Format(time.RFC3339),
				"visit_end": ts(v.end).Format(time.RFC3339)}})
	}
	return evs
}

// genuinePositions returns, per MMSI, the received positions that are
// where a hull really was (any hull broadcasting the MMSI), by receive
// time, or that AIS cannot tell from such: those of a displaced copy of
// its track (a jump) too short to show (no truth event claims it,
// event/spoofing.go). Fresh seed 10020: a tanker back from a dark call in
// Kimch'aek was heard once, minutes before the data ended, at a position
// it faked; for all AIS shows its silence ended there, and the detector
// rightly found the call. A drawn circle's or an inland fix says nothing
// of where the ship was, shown or not: the detector's absence goes on
// through the one, and the tracker flags the other.
func (w *world) genuinePositions() map[uint32][]rx {
	by := map[uint32][]rx{}
	for _, h := range w.hulls {
		shown := map[*spoofSpan]bool{}
		for _, r := range h.log {
			if r.kind != rxPosition {
				continue
			}
			if r.spoofed {
				sp := h.spoofAt(r.t)
				if sp == nil {
					sp = h.spoofAt(r.t - 5) // heard up to 5 s after it was sent
				}
				if sp == nil || sp.kind != spoofJump || r.gnss > 0 {
					continue
				}
				if _, ok := shown[sp]; !ok {
					f, _, _ := h.shownSpoof(sp)
					shown[sp] = f != nil
				}
				if shown[sp] {
					continue
				}
			}
			by[r.id.MMSI] = append(by[r.id.MMSI], r)
		}
	}
	for _, rs := range by {
		slices.SortStableFunc(rs, func(a, b rx) int { return cmp.Compare(a.t, b.t) })
	}
	return by
}

func (w *world) gapEvents() []event.Event {
	byMMSI := map[uint32][]mrx{}
	for _, h := range w.hulls {
		for _, r := range h.log {
			byMMSI[r.id.MMSI] = append(byMMSI[r.id.MMSI], mrx{r, h})
		}
	}
	var evs []event.Event
	for _, m := range sortedKeys(byMMSI) {
		rs := byMMSI[m]
		slices.SortStableFunc(rs, func(a, b mrx) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.hull.Index, b.hull.Index)) })
		maxLast := rs[0].tLast
		for i := 1; i < len(rs); i++ {
			// From the last copy of any earlier message to the first copy
			// of the next: no line of that MMSI lies strictly inside a gap.
			a, b := rs[i-1], rs[i]
			lastT := maxLast
			maxLast = max(maxLast, b.tLast)
			if b.t-lastT < gapMin {
				continue
			}
			a.t = lastT
			silent := int64(0)
			const step = 600
			for t := a.t; t < b.t; t += step {
				if a.hull.isOff(t) || a.hull.identAt(t).MMSI != m {
					silent += step
				}
			}
			deliberate := float64(silent) > 0.5*float64(b.t-a.t)
			evs = append(evs, event.Event{Type: event.Gap, MMSI: m, Start: ts(a.t), End: ts(b.t),
				Lat: r3d(a.lat), Lon: r3d(a.lon), Confidence: 1, Source: event.SourceAIS, Evidence: map[string]any{
					"duration_h": r3(float64(b.t-a.t) / 3600), "deliberate": deliberate,
					"next_lat": r3d(b.lat), "next_lon": r3d(b.lon),
					"distance_km": r3(geo.DistanceKm(float64(a.lat), float64(a.lon), float64(b.lat), float64(b.lon))),
				}})
		}
	}
	return evs
}

func r3d(x float32) float64 { return math.Round(float64(x)*1e5) / 1e5 }

func (w *world) encounterEvents() []event.Event {
	var evs []event.Event
	for _, s := range w.sts {
		// A transfer cut by the end of the scenario is still one in the
		// data when 2 h of it lie inside, and a detector reports it when
		// the input ends: keep that part.
		m := span{max(s.meet.from, w.t0), min(s.meet.to, w.t1)}
		if m.to-m.from < encounterMin {
			continue
		}
		_, pd, ok := w.cat.NearestPort(s.lat, s.lon, 200)
		if !ok {
			pd = 200
		}
		// AIS shows a meeting per pair of numbers broadcast: a ship that
		// changes its MMSI alongside (seed 10503: a hull ending a shared-
		// MMSI episode an hour into a transfer) makes two meetings, each
		// under its pair and scored only when AIS shows it (shownInAIS:
		// 2 h heard together), as loitering is cut (loiterRun).
		for _, pc := range meetingPieces(s.a, s.b, m) {
			ma, mb := s.a.identAt(pc.from).MMSI, s.b.identAt(pc.from).MMSI
			if ma > mb {
				ma, mb = mb, ma
			}
			src := event.SourceAIS
			if !shownInAIS(s.a.log, s.b.log, pc) {
				src = event.SourceSatellite
			}
			evs = append(evs, event.Event{Type: event.Encounter, MMSI: ma, OtherMMSI: mb, Start: ts(pc.from), End: ts(pc.to),
				Lat: math.Round(s.lat*1e5) / 1e5, Lon: math.Round(s.lon*1e5) / 1e5, Confidence: 1, Source: src, Evidence: map[string]any{
					"duration_h": r3(float64(pc.to-pc.from) / 3600), "min_distance_m": math.Round(s.gapM),
					"median_speed_kn": r3(s.speedKn), "distance_to_port_km": r3(pd),
				}})
		}
	}
	return evs
}

// meetingPieces cuts meeting m of hulls a and b where either changes the
// MMSI it broadcasts.
func meetingPieces(a, b *Hull, m span) []span {
	var out []span
	for _, pa := range a.identSpans(m) {
		out = append(out, b.identSpans(pa)...)
	}
	return out
}

// loiterEvents finds runs of the true track slower than 2 kn for 4 h or
// more, all of it at least 20 nm from shore (event/loitering.go): the
// true track has no silences, so a wait heard now and then is one run.
func (w *world) loiterEvents() []event.Event {
	var evs []event.Event
	for _, h := range w.hulls {
		p := h.path
		i := 1
		for i < len(p) {
			if segKn(p[i-1], p[i]) >= loiterMaxKn {
				i++
				continue
			}
			j := i
			for j+1 < len(p) && segKn(p[j], p[j+1]) < loiterMaxKn {
				j++
			}
			run := p[i-1 : j+1]
			i = j + 1
			if run[len(run)-1].t-run[0].t < loiterMin || run[0].t < w.t0 || run[len(run)-1].t > w.t1 {
				continue
			}
			// Far from shore all along the way, not only at the path's
			// turning points: a drift leg 150 km long passed 17.7 nm off
			// Ulleungdo between two far ones (fresh seed 10011), and the
			// detector rightly made two runs of it.
			for _, far := range w.farStretches(run) {
				evs = append(evs, w.loiterRun(h, far)...)
			}
		}
	}
	return evs
}

// loiterRun reports the slow run far from shore along path p, cut where
// the hull's broadcast MMSI changes.
func (w *world) loiterRun(h *Hull, p []wp) []event.Event {
	a, b := p[0], p[len(p)-1]
	if b.t-a.t < loiterMin {
		return nil
	}
	var dist float64
	for k := 1; k < len(p); k++ {
		dist += geo.DistanceKm(p[k-1].lat, p[k-1].lon, p[k].lat, p[k].lon)
	}
	var evs []event.Event
	// AIS shows a run under each identity broadcast during it: a hull
	// changing its MMSI mid-run makes two shorter runs, each claimed only
	// when it lasts the minimum.
	for _, pc := range h.identSpans(span{a.t, b.t}) {
		if pc.to-pc.from < loiterMin {
			continue
		}
		src := event.SourceAIS
		if !covered(h.log, pc) {
			src = event.SourceSatellite
		}
		evs = append(evs, event.Event{Type: event.Loitering, MMSI: h.identAt(pc.from).MMSI, Start: ts(pc.from), End: ts(pc.to),
			Lat: math.Round(a.lat*1e5) / 1e5, Lon: math.Round(a.lon*1e5) / 1e5, Confidence: 1, Source: src, Evidence: map[string]any{
				"duration_h": r3(float64(pc.to-pc.from) / 3600), "avg_speed_kn": r3(dist / 1.852 / (float64(b.t-a.t) / 3600)),
				"distance_to_shore_km": r3(w.land.DistanceToShoreKm(a.lat, a.lon)),
			}})
	}
	return evs
}

// farStretches cuts path p into the stretches that stay loiterShoreKm or
// more from the shore, testing each leg every farStepKm (a slow leg is
// short: a day's drift at 2 kn is 89 km).
func (w *world) farStretches(p []wp) [][]wp {
	const farStepKm = 1.0
	var out [][]wp
	var cur []wp
	far := func(q wp) bool { return w.land.DistanceToShoreKm(q.lat, q.lon) >= loiterShoreKm }
	at := func(a, b wp, f float64) wp {
		return wp{t: a.t + int64(f*float64(b.t-a.t)), lat: a.lat + (b.lat-a.lat)*f, lon: a.lon + (b.lon-a.lon)*f}
	}
	end := func() {
		if len(cur) > 1 {
			out = append(out, cur)
		}
		cur = nil
	}
	if far(p[0]) {
		cur = []wp{p[0]}
	}
	for k := 1; k < len(p); k++ {
		a, b := p[k-1], p[k]
		n := int(geo.DistanceKm(a.lat, a.lon, b.lat, b.lon)/farStepKm) + 1
		for s := 1; s <= n; s++ {
			q := at(a, b, float64(s)/float64(n))
			switch {
			case far(q) && cur == nil:
				cur = []wp{q}
			case far(q) && s == n:
				cur = append(cur, q)
			case !far(q) && cur != nil:
				cur = append(cur, at(a, b, float64(s-1)/float64(n)))
				end()
			}
		}
	}
	end()
	return out
}

// identSpans cuts s where the hull's broadcast MMSI changes (a rename
// keeps the MMSI and does not cut).
func (h *Hull) identSpans(s span) []span {
	var out []span
	from := s.from
	for _, id := range h.idents {
		if id.from > from && id.from < s.to && h.identAt(id.from).MMSI != h.identAt(from).MMSI {
			out = append(out, span{from, id.from})
			from = id.from
		}
	}
	return append(out, span{from, s.to})
}

func segKn(a, b wp) float64 {
	if b.t <= a.t {
		return 0
	}
	return geo.DistanceKm(a.lat, a.lon, b.lat, b.lon) / 1.852 / (float64(b.t-a.t) / 3600)
}

// sustained says whether n received spoofed fixes from first to last (Unix
// seconds) show a spoof: event.SpoofMinFixes of them over
// event.SpoofMinSpan, as the detector needs.
func sustained(n int, first, last int64) bool {
	return n >= event.SpoofMinFixes && time.Duration(last-first)*time.Second >= event.SpoofMinSpan
}

// circleShown says whether received fixes of circle s from first to last
// (Unix seconds) went round it event.SpoofCircleTurns times (at the speed
// it is drawn at, see emit) or span event.SpoofInPlaceMin.
func (s *spoofSpan) circleShown(first, last int64) bool {
	d := time.Duration(last-first) * time.Second
	turns := knToKmh(circleKn) * d.Hours() / (2 * math.Pi * s.radiusKm)
	return turns >= event.SpoofCircleTurns || d >= event.SpoofInPlaceMin
}

// shownSpoof returns the first and last received fixes of spoof s and
// how many there were, or nil when what was received does not show it:
// first is nil.
func (h *Hull) shownSpoof(s *spoofSpan) (first, last *rx, n int) {
	sides := 0
	for i := sort64(h.log, s.from); i < len(h.log) && h.log[i].t < s.to+60; i++ {
		if r := &h.log[i]; r.spoofed && r.kind == rxPosition {
			if first == nil {
				first = r
			}
			last = r
			n++
			sides |= 1 << (int(geo.Bearing(s.lat, s.lon, float64(r.lat), float64(r.lon))/90) & 3)
		}
	}
	// Sustained (see README and event/spoofing.go): one or two
	// fixes, or a few minutes of them, are what a GPS glitch also
	// gives.
	if first == nil || !sustained(n, first.t, last.t) {
		return nil, nil, 0
	}
	// A drawn circle shows only when the received fixes go round
	// it (see the README): fixes on one side of a circle are a ship
	// reporting speed near one spot now and then; and round it
	// event.SpoofCircleTurns times, or over event.SpoofInPlaceMin
	// (a ship turning once near a spot goes round once).
	if s.kind == spoofCircle && (sides != 0xF || !s.circleShown(first.t, last.t)) {
		return nil, nil, 0
	}
	return first, last, n
}

func (w *world) spoofEvents() []event.Event {
	var evs []event.Event
	for _, h := range w.hulls {
		for _, s := range h.spoofs {
			if s.kind == spoofShared {
				evs = append(evs, w.sharedEvent(h, s)...)
				continue
			}
			first, last, n := h.shownSpoof(&s)
			if first == nil {
				continue
			}
			evs = append(evs, event.Event{Type: event.Spoofing, MMSI: first.id.MMSI, Start: ts(first.t), End: ts(last.t),
				Lat: r3d(first.lat), Lon: r3d(first.lon), Confidence: 1, Source: event.SourceAIS, Evidence: map[string]any{
					"kind": s.kind, "spoofed_positions": n,
				}})
		}
	}
	return evs
}

// sharedEvent reports a second hull broadcasting another's MMSI while
// both are received: one MMSI in two places at once.
func (w *world) sharedEvent(clone *Hull, s spoofSpan) []event.Event {
	// The original is the other hull broadcasting the MMSI: with the same
	// identity (a copy) or its own (a clone sending its own static data).
	id := clone.identAt(s.from)
	var orig *Hull
	for _, h := range w.hulls {
		if h != clone && h.identAt(s.from).MMSI == id.MMSI {
			orig = h
		}
	}
	if orig == nil {
		return nil
	}
	fl := func(h *Hull) (int64, int64, *rx) {
		var f, l int64 = -1, -1
		var fr *rx
		for i := sort64(h.log, s.from); i < len(h.log) && h.log[i].t < s.to; i++ {
			if h.log[i].id.MMSI == id.MMSI && h.log[i].kind == rxPosition {
				if f < 0 {
					f, fr = h.log[i].t, &h.log[i]
				}
				l = h.log[i].t
			}
		}
		return f, l, fr
	}
	cf, cl, cr := fl(clone)
	of, ol, orr := fl(orig)
	if cf < 0 || of < 0 || !apart(clone.log, orig.log, id, s.span) {
		return nil
	}
	start, end := max(cf, of), min(cl, ol)
	if end <= start {
		return nil
	}
	return []event.Event{{Type: event.Spoofing, MMSI: id.MMSI, Start: ts(start), End: ts(end), Lat: r3d(cr.lat), Lon: r3d(cr.lon),
		Confidence: 1, Source: event.SourceAIS, Evidence: map[string]any{
			"kind": spoofShared, "separation_km": r3(geo.DistanceKm(float64(cr.lat), float64(cr.lon), float64(orr.lat), float64(orr.lon))),
		}}}
}

// apart says whether the two hulls' positions received under id during sp
// show two ships: some pair received within sharedPairWindow of each other
// lies further apart than a ship could sail between them at
// sharedImpossibleKn (at least sharedPairFloor apart in time, so two fixes
// a second apart are not 'impossible' by a few metres). Two hulls moored
// side by side under one MMSI look like one ship with a jittery GPS.
func apart(a, b []rx, id *Identity, sp span) bool {
	i0 := sort64(b, sp.from-sharedPairWindow)
	for i := sort64(a, sp.from); i < len(a) && a[i].t < sp.to; i++ {
		ra := &a[i]
		if ra.id.MMSI != id.MMSI || ra.kind != rxPosition {
			continue
		}
		for i0 < len(b) && b[i0].t < ra.t-sharedPairWindow {
			i0++
		}
		for j := i0; j < len(b) && b[j].t <= ra.t+sharedPairWindow; j++ {
			rb := &b[j]
			if rb.id.MMSI != id.MMSI || rb.kind != rxPosition {
				continue
			}
			dt := max(abs64(rb.t-ra.t), sharedPairFloor)
			km := geo.DistanceKm(float64(ra.lat), float64(ra.lon), float64(rb.lat), float64(rb.lon))
			if km > sharedImpossibleKn*1.852*float64(dt)/3600 {
				return true
			}
		}
	}
	return false
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func (w *world) identityEvents() []event.Event {
	var evs []event.Event
	for _, h := range w.hulls {
		for _, t := range h.renames {
			old, nw := h.identAt(t-1), h.identAt(t)
			var last, first *rx
			staticOnly := old.MMSI == nw.MMSI
			for i := range h.log {
				r := &h.log[i]
				if staticOnly && r.kind != rxStatic {
					continue
				}
				if r.t < t && r.id == old {
					last = r
				}
				if r.t >= t && r.id == nw && first == nil {
					first = r
				}
			}
			if last == nil || first == nil {
				continue
			}
			e := event.Event{Type: event.IdentityChange, MMSI: nw.MMSI, Start: ts(last.t), End: ts(first.t),
				Lat: r3d(first.lat), Lon: r3d(first.lon), Confidence: 1, Source: event.SourceAIS, Evidence: map[string]any{
					"old_name": old.Name, "new_name": nw.Name, "old_call_sign": old.CallSign, "new_call_sign": nw.CallSign,
					"old_flag": old.Flag, "new_flag": nw.Flag, "imo": nw.IMO,
					"distance_km": r3(geo.DistanceKm(float64(last.lat), float64(last.lon), float64(first.lat), float64(first.lon))),
				}}
			// Why, in the words of detect: a new number, flag and name for
			// one hull is re-registration (flag hopping).
			switch {
			case old.MMSI == nw.MMSI:
				e.Evidence["reason"] = "rename"
			case old.Flag != nw.Flag && old.Name != nw.Name:
				e.Evidence["reason"] = "flag_hopping"
			default:
				e.Evidence["reason"] = "mmsi_change"
			}
			if old.MMSI != nw.MMSI {
				e.OtherMMSI = old.MMSI
			}
			evs = append(evs, e)
		}
	}
	return evs
}

// draughtEvents reports each planned draught change that a detector can
// see: the last static report before it and the first after it, both
// received under one MMSI.
// draughtConfirmed says whether the received static reports of the hull
// from after on confirm its new draught to: event.DraughtConfirm of them
// in a row under after's MMSI carry it, spanning event.DraughtConfirmMin
// (event/draught.go).
func draughtConfirmed(log []rx, after *rx, to float64) bool {
	n, need := 0, after.t+int64(event.DraughtConfirmMin/time.Second)
	for i := sort64(log, after.t); i < len(log); i++ {
		r := &log[i]
		if r.kind != rxStatic {
			continue
		}
		if r.id.MMSI != after.id.MMSI || math.Abs(float64(r.draught)-to) > 0.05 {
			return false
		}
		if n++; n >= event.DraughtConfirm && r.t >= need {
			return true
		}
	}
	return false
}

func (w *world) draughtEvents(visits []visit) []event.Event {
	var evs []event.Event
	for _, h := range w.hulls {
		for _, c := range h.changes {
			if math.Abs(c.to-c.from) < 0.05 {
				continue
			}
			var before, after *rx
			for i := sort64(h.log, c.t) - 1; i >= 0; i-- {
				if h.log[i].kind == rxStatic {
					before = &h.log[i]
					break
				}
			}
			for i := sort64(h.log, c.t); i < len(h.log); i++ {
				if h.log[i].kind == rxStatic {
					after = &h.log[i]
					break
				}
			}
			if before == nil || after == nil || before.id.MMSI != after.id.MMSI || before.t < w.t0 ||
				math.Abs(float64(before.draught)-c.from) > 0.05 || math.Abs(float64(after.draught)-c.to) > 0.05 ||
				!draughtConfirmed(h.log, after, c.to) {
				continue
			}
			delta := c.to - c.from
			tonnes := h.Length * h.Beam * math.Abs(delta) * blockCoefficient * seawaterTPerM3
			e := event.Event{Type: event.DraughtChange, MMSI: before.id.MMSI, Start: ts(before.t), End: ts(after.t),
				Confidence: 1, Source: event.SourceAIS, Evidence: map[string]any{
					"draught_before_m": c.from, "draught_after_m": c.to, "change_m": r3(delta),
					"cargo_t": math.Round(tonnes), "cargo_bbl": math.Round(tonnes / oilTPerM3 * barrelsPerM3),
					"block_coefficient": blockCoefficient, "seawater_t_per_m3": seawaterTPerM3, "oil_t_per_m3": oilTPerM3,
				}}
			switch {
			case c.sts != nil:
				e.Lat, e.Lon = math.Round(c.sts.lat*1e5)/1e5, math.Round(c.sts.lon*1e5)/1e5
				other := c.sts.b
				if other == h {
					other = c.sts.a
				}
				e.OtherMMSI = other.identAt(c.t).MMSI
				e.Evidence["context"] = "encounter"
			case c.port != nil:
				e.Lat, e.Lon = c.port.ref.Lat, c.port.ref.Lon
				e.Port, e.PortID, e.PortGroup = c.port.ref.Name, c.port.ref.ID, c.port.group
				e.Evidence["context"] = "port_visit"
				for _, v := range visits {
					if v.hull == h && v.start <= c.t && v.end >= c.t && !v.ais {
						e.Evidence["context"] = "dark_port_visit"
					}
				}
			}
			evs = append(evs, e)
		}
	}
	return evs
}
