package detect

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// encounters pairs vessels the way Global Fishing Watch does: every track
// is resampled to EncounterSlot (10 min) by interpolation; in each slot,
// vessels are bucketed on a grid of cells at least EncounterDistanceM wide
// and only neighbouring cells are compared, so the work grows with the
// number of vessels close together, not with the square of the fleet.
type encounters struct {
	d        *Detector
	slots    map[int64][]sample
	next     int64 // first slot not yet processed
	pairs    map[[2]uint32]*pairState
	cellDeg  float64
	maxDistK float64
	// Scratch space for pairUp, reused between slots.
	grid  []cellSample
	cells [][2]int32
}

// cellSample is a sample's place in pairUp's grid: samples sorted by cell
// (then by their order in the slot) put each row's neighbouring cells side
// by side, found by binary search instead of a map lookup per cell.
type cellSample struct {
	cell int64 // cellOrder
	i    int32
}

// cellOrder packs a cell so that comparing two packed cells compares
// their (y, x) pairs: pairUp searches the grid three times per sample.
func cellOrder(y, x int32) int64 { return int64(y)<<32 + int64(x) }

type sample struct {
	mmsi uint32
	// seg is the vessel's track segment: of two hulls under one MMSI,
	// the one together with the other vessel (see hullSeg).
	seg      int32
	lat, lon float64
	kn       float64
}

type pairState struct {
	runStart, runLast int64 // current run of close slots
	runKn             []float64
	runDist           []float64
	runLat, runLon    float64
	runN              int
	pieces            []piece
	// segs are the segments of the pair's two MMSIs (in key order) when
	// last together.
	segs [2]int32
}

type piece struct {
	start, end int64
	kn         []float64
	minDistM   float64
	sumDistM   float64
	n          int
	lat, lon   float64
}

func newEncounters(d *Detector) *encounters {
	return &encounters{d: d, slots: map[int64][]sample{}, pairs: map[[2]uint32]*pairState{},
		cellDeg: d.cfg.EncounterDistanceM / 1000 / 111, maxDistK: d.cfg.EncounterDistanceM / 1000, next: -1}
}

func (e *encounters) slot() int64 { return int64(e.d.cfg.EncounterSlot / time.Second) }

// point adds the vessel's interpolated positions at every slot boundary
// since its previous fix.
func (e *encounters) point(v *vessel, p *track.Point) {
	q := v.lastSlotFix
	v.lastSlotFix = keepPoint(p)
	if q.at.isZero() {
		return
	}
	qt := q.at.time()
	dt := track.Elapsed(qt, p.Time)
	if dt <= 0 || dt > e.d.cfg.EncounterMaxInterp {
		return
	}
	step := e.slot()
	t0, t1 := qt.Unix(), p.Time.Unix()
	first := (t0/step + 1) * step
	if first > t1 {
		return // most fixes cross no slot boundary: nothing to sample
	}
	var kn float64
	if !math.IsNaN(p.SOG) && !math.IsNaN(q.sog) {
		// Reported speed is steadier than speed from noisy fixes at anchor.
		kn = (p.SOG + q.sog) / 2
	} else {
		kn = geo.DistanceKm(q.lat, q.lon, p.Lat, p.Lon) / kmPerNm / dt.Hours()
	}
	for s := first; s <= t1; s += step {
		f := float64(s-t0) / float64(t1-t0)
		lat := q.lat + (p.Lat-q.lat)*f
		lon := q.lon + (p.Lon-q.lon)*f
		idx := s / step
		if e.next < 0 {
			e.next = idx
		}
		if idx < e.next {
			continue
		}
		e.slots[idx] = append(e.slots[idx], sample{p.MMSI, int32(p.Seg), lat, lon, kn})
	}
}

// advance processes every slot that can no longer receive samples.
func (e *encounters) advance(now time.Time) {
	if e.next < 0 {
		return
	}
	limit := now.Add(-e.d.cfg.EncounterMaxInterp-e.d.cfg.EncounterSlot).Unix() / e.slot()
	for ; e.next <= limit; e.next++ {
		e.process(e.next)
	}
}

func (e *encounters) flush() {
	if e.next >= 0 {
		last := e.next
		for k := range e.slots {
			if k > last {
				last = k
			}
		}
		for ; e.next <= last; e.next++ {
			e.process(e.next)
		}
	}
	keys := make([][2]uint32, 0, len(e.pairs))
	for k := range e.pairs {
		keys = append(keys, k)
	}
	sortPairs(keys)
	for _, k := range keys {
		e.finish(k, e.pairs[k])
	}
}

func (e *encounters) process(idx int64) {
	ss := e.slots[idx]
	delete(e.slots, idx)
	if len(ss) >= 2 {
		e.pairUp(idx, ss)
	}
	// Close pairs not together for longer than the merge window, in MMSI
	// order: map order would make two runs over the same input differ.
	merge := int64(e.d.cfg.EncounterMerge / e.d.cfg.EncounterSlot)
	var done [][2]uint32
	for k, ps := range e.pairs {
		if idx-ps.runLast > merge {
			done = append(done, k)
		}
	}
	sortPairs(done)
	for _, k := range done {
		e.finish(k, e.pairs[k])
	}
}

func sortPairs(keys [][2]uint32) {
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
}

func (e *encounters) pairUp(idx int64, ss []sample) {
	// The grid is kept between slots (cleared, not reallocated): a slot
	// is processed every 10 simulated minutes.
	cells, grid := e.cells[:0], e.grid[:0]
	for i := range ss {
		s := &ss[i]
		y := int32(math.Floor(s.lat / e.cellDeg))
		c := [2]int32{y, int32(math.Floor(s.lon / e.colDeg(y)))}
		cells = append(cells, c)
		grid = append(grid, cellSample{cellOrder(c[0], c[1]), int32(i)})
	}
	slices.SortFunc(grid, func(a, b cellSample) int {
		if a.cell != b.cell {
			return cmp.Compare(a.cell, b.cell)
		}
		return cmp.Compare(a.i, b.i)
	})
	e.cells, e.grid = cells, grid
	for i := range ss {
		a := &ss[i]
		// Every sample is measured, also a second one of the same MMSI:
		// two hulls sharing it each have their own track segment, and a
		// transfer by the one must not hide behind the other's sample.
		far := newFarTest(a.lat, a.lon, e.maxDistK)
		// a's latitude cosine, taken once for all its neighbours (NaN:
		// not yet): DistanceKmCos is DistanceKm to the last bit.
		ca := math.NaN()
		c := cells[i]
		// The 3×3 cells around a's, row by row, each row's three cells
		// left to right and their samples in slot order. Each row has its
		// own column width: the rows above and below take the three
		// columns around a's longitude in that row (at longitude 136°
		// their numbering is more than a column off a's own).
		for y := c[0] - 1; y <= c[0]+1; y++ {
			x := c[1]
			if y != c[0] {
				x = int32(math.Floor(a.lon / e.colDeg(y)))
			}
			from, to := cellOrder(y, x-1), cellOrder(y, x+1)
			k, hi := 0, len(grid)
			for k < hi {
				if m := int(uint(k+hi) >> 1); grid[m].cell < from {
					k = m + 1
				} else {
					hi = m
				}
			}
			for ; k < len(grid) && grid[k].cell <= to; k++ {
				j := grid[k].i
				b := &ss[j]
				if b.mmsi <= a.mmsi {
					continue
				}
				// Most of the 3×3 cells' samples are further than the
				// pairing distance: ruled out without trigonometry.
				if far.far(b.lat, b.lon) {
					continue
				}
				// A pair whose midpoint lies at a port is none, however
				// close: asked before the distance, which in busy waters
				// was measured for nothing (on a national feed nearly
				// every pair within reach lay in a port).
				lat, lon := (a.lat+b.lat)/2, (a.lon+b.lon)/2
				if e.d.ports != nil && e.d.ports.Near(lat, lon, e.d.cfg.EncounterPortKm) {
					continue
				}
				if math.IsNaN(ca) {
					ca = math.Cos(a.lat * rad)
				}
				dkm := geo.DistanceKmCos(a.lat, a.lon, ca, b.lat, b.lon, math.Cos(b.lat*rad))
				if dkm > e.maxDistK {
					continue
				}
				e.together(idx, a, b, lat, lon, dkm)
			}
		}
	}
}

// colDeg is the width in longitude of the cells of row y: never narrower
// than the pairing distance anywhere in the row (its width at the row's
// poleward edge).
func (e *encounters) colDeg(y int32) float64 {
	lat := math.Max(math.Abs(float64(y)), math.Abs(float64(y+1))) * e.cellDeg
	return e.cellDeg / math.Max(math.Cos(lat*math.Pi/180), 0.05)
}

// together records a and b within reach in slot idx, dkm apart, their
// midpoint (lat, lon) at no port.
func (e *encounters) together(idx int64, a, b *sample, lat, lon, dkm float64) {
	k := [2]uint32{a.mmsi, b.mmsi}
	ps := e.pairs[k]
	if ps == nil {
		ps = &pairState{runStart: idx, runLast: idx}
		e.pairs[k] = ps
	} else if ps.runN > 0 && ps.runLast == idx {
		return // once per pair and slot, whichever hulls met
	}
	// A run tolerates two missing slots (a lost fix or a brief drift apart).
	if idx-ps.runLast > 3 {
		e.endRun(ps)
		ps.runStart = idx
	}
	ps.runLast = idx
	ps.runKn = append(ps.runKn, math.Max(a.kn, b.kn))
	ps.runDist = append(ps.runDist, dkm*1000)
	ps.runLat += lat
	ps.runLon += lon
	ps.runN++
	first := ps.runStart
	if len(ps.pieces) > 0 {
		first = ps.pieces[0].start
	}
	ps.segs = [2]int32{a.seg, b.seg}
	for i, m := range [2]uint32{a.mmsi, b.mmsi} {
		v := e.d.vessel(m)
		v.closeAt = stampOf(time.Unix(idx*e.slot(), 0))
		v.closeFrom = first * e.slot()
		v.closeTo = a.mmsi ^ b.mmsi ^ m
		v.closeSeg = ps.segs[i]
		v.closeLat, v.closeLon = lat, lon
	}
}

// endRun turns the current run into a piece if it is long and slow enough.
func (e *encounters) endRun(ps *pairState) {
	if ps.runN == 0 {
		return
	}
	dur := time.Duration(ps.runLast-ps.runStart) * e.d.cfg.EncounterSlot
	med := median(ps.runKn)
	if dur >= e.d.cfg.EncounterMin && med < e.d.cfg.EncounterSpeedKn {
		pc := piece{start: ps.runStart, end: ps.runLast, kn: append([]float64(nil), ps.runKn...),
			minDistM: math.Inf(1), n: ps.runN, lat: ps.runLat / float64(ps.runN), lon: ps.runLon / float64(ps.runN)}
		for _, x := range ps.runDist {
			pc.minDistM = math.Min(pc.minDistM, x)
			pc.sumDistM += x
		}
		ps.pieces = append(ps.pieces, pc)
	}
	ps.runKn, ps.runDist, ps.runLat, ps.runLon, ps.runN = ps.runKn[:0], ps.runDist[:0], 0, 0, 0
}

// finish closes a pair: its pieces, all less than EncounterMerge apart,
// make one encounter.
func (e *encounters) finish(k [2]uint32, ps *pairState) {
	delete(e.pairs, k)
	e.endRun(ps)
	if len(ps.pieces) == 0 {
		return
	}
	first, last := ps.pieces[0], ps.pieces[len(ps.pieces)-1]
	var kn []float64
	minD, sumD, n, lat, lon := math.Inf(1), 0.0, 0, 0.0, 0.0
	for _, pc := range ps.pieces {
		kn = append(kn, pc.kn...)
		minD = math.Min(minD, pc.minDistM)
		sumD += pc.sumDistM
		n += pc.n
		lat += pc.lat * float64(pc.n)
		lon += pc.lon * float64(pc.n)
	}
	step := e.slot()
	lat, lon = lat/float64(n), lon/float64(n)
	if e.ignored(k) {
		return
	}
	if _, _, _, in := e.d.inLearnedArea(lat, lon, e.d.cfg.EncounterAreaKm); in {
		// Moored or anchored where many vessels stop: a harbour or an
		// anchorage the World Port Index does not list. Decided when the
		// pair parts, by when the pair's own stop has been counted.
		return
	}
	ev := &event.Event{Type: event.Encounter, MMSI: k[0], OtherMMSI: k[1],
		Start: time.Unix(first.start*step, 0).UTC(), End: time.Unix(last.end*step, 0).UTC(),
		Lat: lat, Lon: lon, Confidence: 0.9, Source: event.SourceAIS,
		Evidence: map[string]any{
			"duration_h":       round(time.Duration((last.end-first.start)*step*int64(time.Second)).Hours(), 2),
			"median_speed_kn":  round(median(kn), 2),
			"min_distance_m":   round(minD, 0),
			"mean_distance_m":  round(sumD/float64(n), 0),
			"slots_together":   n,
			"pieces":           len(ps.pieces),
			"slot_min":         e.d.cfg.EncounterSlot.Minutes(),
			"max_distance_m":   e.d.cfg.EncounterDistanceM,
			"min_port_dist_km": e.d.cfg.EncounterPortKm,
		}}
	e.nearPort(ev)
	e.d.out(ev)
	// The earliest detector time at which slot e.next is processed (see
	// advance): when one process reports it, ahead of a port visit
	// reported then or later (DecideDraught compares the two).
	at := time.Unix(e.next*step, 0).Add(e.d.cfg.EncounterMaxInterp + e.d.cfg.EncounterSlot).UTC()
	for j, m := range k {
		v := e.d.vessel(m)
		v.activity, v.activityAt, v.activitySeg = ev, stampOf(at), ps.segs[j]
		for i := range v.held {
			v.held[i].noteEncounter(ev, ps.segs[j])
		}
	}
}

// decidedUntil is the time up to which every pair that was together has
// been reported (or dropped), unless it is still together (pairOpen).
func (e *encounters) decidedUntil() time.Time {
	merge := int64(e.d.cfg.EncounterMerge / e.d.cfg.EncounterSlot)
	if e.next < 0 {
		// No slot yet: none can come from before the interpolation limit.
		return e.d.now.Add(-e.d.cfg.EncounterMaxInterp - e.d.cfg.EncounterSlot)
	}
	return time.Unix((e.next-2-merge)*e.slot(), 0).UTC()
}

// pairOpen tells whether v is still together with the vessel it was last
// close to, in a pair that was already together by until: its encounter is
// reported only when they part.
func (e *encounters) pairOpen(v *vessel, until time.Time) bool {
	k := [2]uint32{v.mmsi, v.closeTo}
	if k[0] > k[1] {
		k[0], k[1] = k[1], k[0]
	}
	ps := e.pairs[k]
	if ps == nil {
		return false
	}
	first := ps.runStart
	if len(ps.pieces) > 0 {
		first = ps.pieces[0].start
	}
	return first*e.slot() <= until.Unix()
}

// ignored tells whether one of the pair serves ships (a tug, a pilot):
// escorting or assisting a tanker is their trade, not a transfer.
func (e *encounters) ignored(k [2]uint32) bool {
	for _, m := range k {
		if t := e.d.vessel(m).shipType; t != 0 && slices.Contains(e.d.cfg.EncounterService, t) {
			return true
		}
	}
	return false
}

// nearPort adds the nearest World Port Index port and learned port area
// within EncounterNearKm to the evidence: a transfer at anchor just outside
// a port limit is still an encounter, but the analyst should see where it
// was.
func (e *encounters) nearPort(ev *event.Event) {
	nearKm, name, id := math.Inf(1), "", ""
	if e.d.ports != nil {
		// The index reaches only as far as EncounterPortKm: ports up to
		// EncounterNearKm are looked up in the whole list (encounters are
		// few).
		for i := range e.d.ports.ports {
			p := &e.d.ports.ports[i]
			if math.Abs(p.Lat-ev.Lat)*kmPerDegLat > e.d.cfg.EncounterNearKm {
				continue
			}
			if dk := e.d.ports.Distance(p, ev.Lat, ev.Lon); dk < nearKm {
				nearKm, name, id = dk, p.Name, p.ID
			}
		}
	}
	_, _, learnedKm, learned := e.d.inLearnedArea(ev.Lat, ev.Lon, e.d.cfg.EncounterNearKm)
	near := nearKm <= e.d.cfg.EncounterNearKm
	ev.Evidence["near_port"] = near || learned
	if near {
		ev.Evidence["near_port_name"] = name
		ev.Evidence["near_port_id"] = id
		ev.Evidence["near_port_km"] = round(nearKm, 1)
	}
	if learned {
		ev.Evidence["near_learned_area_km"] = round(learnedKm, 1)
	}
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
