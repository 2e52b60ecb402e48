package sim

import (
	"math/rand/v2"
	"slices"

	"github.com/lookout-osint/lookout/geo"
)

// Flags of convenience the covert fleet hops between (UN Panel of Experts
// reports name these registries among those DPRK-linked tankers used).
var covertFlags = []string{"SL", "TG", "MN", "CM", "KM", "PA"}

// covertState is the planner of one covert tanker plus what it has done.
type covertState struct {
	p       *planner
	cur     *simPort
	renamed bool
	swaps   int
	loops   int
}

// planCovert plans the covert fleet. Tankers and DPRK receivers are
// planned together because ship-to-ship transfers need both.
func (w *world) planCovert(tankers, receivers []*Hull) {
	rng := w.rngFor(3, 0, 0)
	ru := w.portsOf("RU-FE")
	vost := w.portByName("Vostochnyy")
	kpEast := w.kpPorts()
	var states []*covertState
	for i, h := range tankers {
		p := &planner{w: w, h: h, rng: w.rngFor(4, uint64(i), 0)}
		start := vost
		if i%3 == 2 {
			start = ru[rng.IntN(len(ru))]
		}
		b := p.berthNear(start)
		p.add(w.t0-int64(rng.Float64()*3*float64(day)), b.lat, b.lon)
		p.setStatus(navMoored, start.ref.Name)
		p.setDraught(p.t, round1(h.Length/30))
		states = append(states, &covertState{p: p, cur: start})
	}
	var recv []*planner
	for i, h := range receivers {
		p := &planner{w: w, h: h, rng: w.rngFor(5, uint64(i), 0)}
		b := p.berthNear(h.home)
		p.add(w.t0-int64(rng.Float64()*2*float64(day)), b.lat, b.lon)
		p.setStatus(navMoored, h.home.ref.Name)
		p.setDraught(p.t, round1(h.Length/28))
		recv = append(recv, p)
	}
	spots := w.stsSpots()
	for {
		// Always advance the tanker that is furthest behind, so receivers
		// are booked in time order.
		var s *covertState
		for _, c := range states {
			if c.p.t < w.t1 && (s == nil || c.p.t < s.p.t) {
				s = c
			}
		}
		if s == nil {
			break
		}
		w.covertLoop(s, rng, ru, vost, kpEast, recv, spots)
	}
	for _, p := range recv {
		for p.t < w.t1 {
			p.wait(day)
		}
	}
	w.planSharedMMSI(tankers, rng)
}

// kpPorts lists the DPRK ports the fleet delivers to, weighted towards the
// east coast, closest to Primorye.
func (w *world) kpPorts() []*simPort {
	var out []*simPort
	for _, p := range w.portsOf("KP") {
		n := 1
		if p.ref.Lon > 129 {
			n = 3
		} else if w.cfg.Vessels < 60 {
			continue // small fleets: fewer path trees to build
		}
		for k := 0; k < n; k++ {
			out = append(out, p)
		}
	}
	return out
}

// stsSpots are open-sea cells far from shore and ports where transfers and
// loitering happen: east of the DPRK coast, or, when a shore station hears
// somewhere of the sort well, there.
func (w *world) stsSpots() []int {
	// Prefer spots a shore station hears well (inside 70% of its range, where
	// at least 82% of messages get through), so that transfers made with both
	// transponders on are visible in AIS; the dark ones stay dark. East of
	// the DPRK coast no spot 50 km offshore is that close to a station (the
	// nearest are in Primorye), so the heard spots are searched in a wider
	// box reaching the Primorye and South Korean stations. Falling back to
	// every spot when none was heard made every transfer satellite-only.
	var out, heard []int
	for r := 0; r < gridRows; r += 3 {
		for c := 0; c < gridCols; c += 3 {
			lat, lon := cellCentre(r, c)
			if lat < 37.5 || lat > 42.6 || lon < 129 || lon > 136 || w.sea.cells[r*gridCols+c] != cellOpen {
				continue
			}
			if w.land.DistanceToShoreKm(lat, lon) < 50 || w.nearestPortKm(lat, lon) < 40 {
				continue
			}
			i := r*gridCols + c
			if lat >= 39.3 && lat <= 42.2 && lon >= 130.2 && lon <= 134.5 {
				out = append(out, i)
			}
			for _, s := range w.station {
				if geo.DistanceKm(lat, lon, s.Lat, s.Lon) < 0.7*s.RangeNM*1.852 {
					heard = append(heard, i)
					break
				}
			}
		}
	}
	if len(heard) > 0 {
		return heard
	}
	return out
}

func (w *world) covertLoop(s *covertState, rng *rand.Rand, ru []*simPort, vost *simPort, kp []*simPort, recv []*planner, spots []int) {
	p, h := s.p, s.p.h
	laden := round1(h.Length / 17)
	// Loading in Primorye: the draught goes up during the stay.
	stay := int64((3 + rng.Float64()*4) * float64(day))
	h.changes = append(h.changes, draughtChange{t: p.t + stay/2, from: h.draughtAt(p.t), to: laden, port: s.cur})
	p.setDraught(p.t+stay/2, laden)
	if !s.renamed && s.loops > 2 && rng.Float64() < 0.15 {
		s.renamed = true
		old := h.identAt(p.t)
		id := w.ids.newIdentity(old.Flag, "tanker", old.ShipType, old.IMO, true)
		id.MMSI = old.MMSI
		w.ids.mmsis[id.MMSI] = true
		h.idents = append(h.idents, identStep{p.t + stay/3, &id})
		h.renames = append(h.renames, p.t+stay/3)
	}
	if rng.Float64() < 0.08 {
		if lat, lon, ok := w.inlandPoint(s.cur, rng); ok {
			from := p.t + stay/4
			h.spoofs = append(h.spoofs, spoofSpan{span: span{from, from + int64((3+rng.Float64()*3)*float64(hour))}, kind: spoofLand, lat: lat, lon: lon})
		}
	}
	p.wait(stay)
	s.loops++
	r := rng.Float64()
	switch {
	case r < 0.15:
		w.covertLegit(s, rng, ru)
	case r < 0.45 && len(spots) > 0 && len(recv) > 0:
		w.covertSTS(s, rng, ru, recv, spots)
	default:
		w.covertDirect(s, rng, ru, vost, kp)
	}
}

func (w *world) nextRU(rng *rand.Rand, ru []*simPort) *simPort {
	if v := w.portByName("Vostochnyy"); v != nil && rng.Float64() < 0.7 {
		return v
	}
	return ru[rng.IntN(len(ru))]
}

// covertLegit is an ordinary delivery to a Chinese or Korean port, which
// covert tankers also make.
func (w *world) covertLegit(s *covertState, rng *rand.Rand, ru []*simPort) {
	p := s.p
	dst := w.hubs[rng.IntN(len(w.hubs))]
	if dst.group != "" || !p.voyage(s.cur, dst, 11) {
		p.wait(day)
		return
	}
	stay := int64((1 + rng.Float64()*2) * float64(day))
	p.h.changes = append(p.h.changes, draughtChange{t: p.t + stay/2, from: p.h.draughtAt(p.t), to: round1(p.h.Length / 30), port: dst})
	p.setDraught(p.t+stay/2, round1(p.h.Length/30))
	p.wait(stay)
	back := w.nextRU(rng, ru)
	if p.voyage(dst, back, 11) {
		s.cur = back
	} else {
		s.cur = dst
	}
}

// covertDirect delivers to a DPRK port, usually with AIS off (or spoofed)
// from 90–150 km out until the same distance on the way back.
func (w *world) covertDirect(s *covertState, rng *rand.Rand, ru []*simPort, vost *simPort, kps []*simPort) {
	p, h := s.p, s.p.h
	kp := kps[rng.IntN(len(kps))]
	out := w.sea.route(s.cur, kp)
	next := w.nextRU(rng, ru)
	home := w.sea.route(kp, next)
	if out == nil || home == nil {
		p.wait(day)
		return
	}
	kn := 10 + rng.Float64()*2
	dark := rng.Float64() < 0.75
	darkKm := 90 + rng.Float64()*60
	before, after := splitNear(out, kp.ref.Lat, kp.ref.Lon, darkKm)
	if !dark {
		before, after = out, out[len(out)-1:]
	}
	p.setStatus(navUnderway, kp.ref.Name)
	p.sailVia(before, kn, nil)
	if dark && rng.Float64() < 0.3 && p.w.land.DistanceToShoreKm(p.lat, p.lon) > 50 {
		w.loiter(p, rng, 6+rng.Float64()*8)
		p.sail([]latLon{{p.lat, p.lon}, before[len(before)-1]}, kn)
	}
	tOff := p.t
	offLat, offLon := p.lat, p.lon
	p.sailVia(after, kn, kp)
	p.setStatus(navMoored, kp.ref.Name)
	stay := int64((2 + rng.Float64()*3) * float64(day))
	h.changes = append(h.changes, draughtChange{t: p.t + stay/2, from: h.draughtAt(p.t), to: round1(h.Length / 30), port: kp})
	p.setDraught(p.t+stay/2, round1(h.Length/30))
	p.wait(stay)
	b2, a2 := splitNear(reversed(home), kp.ref.Lat, kp.ref.Lon, 90+rng.Float64()*60)
	// b2 runs from the RU port back to the split point: reverse both.
	toSplit, rest := reversed(a2), reversed(b2)
	if !dark {
		toSplit, rest = home, home[len(home)-1:]
	}
	p.setStatus(navUnderway, next.ref.Name)
	p.sail(append([]latLon{{p.lat, p.lon}}, toSplit...), kn)
	tOn := p.t
	if dark {
		circle := rng.Float64() < 0.25
		if circle {
			h.spoofs = append(h.spoofs, spoofSpan{span: span{tOff, tOn}, kind: spoofCircle, lat: offLat, lon: offLon, radiusKm: 2 + rng.Float64()*2})
		} else {
			h.off = append(h.off, span{tOff, tOn})
		}
		// A new identity appears after a silence, never straight after
		// the circle broadcast of the old one.
		if !circle && s.swaps < 2 && s.loops > 1 && rng.Float64() < 0.3 {
			s.swaps++
			old := h.identAt(tOn)
			flag := covertFlags[rng.IntN(len(covertFlags))]
			id := w.ids.newIdentity(flag, "tanker", old.ShipType, old.IMO, true)
			h.idents = append(h.idents, identStep{tOn, &id})
			h.renames = append(h.renames, tOn)
		}
	}
	if rng.Float64() < 0.12 {
		dlat, dlon := (1.5+rng.Float64())*sign(rng), (1.5+rng.Float64())*sign(rng)
		h.spoofs = append(h.spoofs, spoofSpan{span: span{tOn + 2*hour, tOn + int64((6+rng.Float64()*4)*float64(hour))}, kind: spoofJump, lat: dlat, lon: dlon})
	}
	p.sailVia(rest, kn, next)
	p.setStatus(navMoored, next.ref.Name)
	s.cur = next
}

func sign(rng *rand.Rand) float64 {
	if rng.IntN(2) == 0 {
		return -1
	}
	return 1
}

// loiter drifts slowly (0.6–1.2 kn) for hours in open water.
func (w *world) loiter(p *planner, rng *rand.Rand, hours float64) {
	kn := 0.6 + rng.Float64()*0.6
	for try := 0; try < 8; try++ {
		lat, lon := geo.Destination(p.lat, p.lon, rng.Float64()*360, knToKmh(kn)*hours)
		if w.sea.clear(p.lat, p.lon, lat, lon) && w.land.DistanceToShoreKm(lat, lon) > 45 {
			p.setStatus(navUnderway, "")
			p.add(p.t+int64(hours*3600), lat, lon)
			return
		}
	}
	p.setStatus(navAnchored, "")
	p.wait(int64(hours * 3600))
}

// covertSTS meets a DPRK receiver at sea, transfers the cargo, and goes
// home. Slow time together is 2.4–3.2 h or 4.8–5.8 h, and the tanker's
// waiting beforehand is nil or 5–10 h, so neither the 2 h encounter nor the
// 4 h loitering threshold is ever approached.
func (w *world) covertSTS(s *covertState, rng *rand.Rand, ru []*simPort, recv []*planner, spots []int) {
	p, h := s.p, s.p.h
	spot := spots[rng.IntN(len(spots))]
	sLat, sLon := cellCentre(spot/gridCols, spot%gridCols)
	out := w.sea.routeToCell(s.cur, spot)
	if out == nil {
		p.wait(day)
		return
	}
	slices.SortStableFunc(recv, func(a, b *planner) int { return int(a.t - b.t) })
	b := recv[0]
	bhome := b.h.home
	bout := w.sea.routeToCell(bhome, spot)
	if bout == nil {
		p.wait(day)
		return
	}
	kn, bkn := 10+rng.Float64()*2, 9+rng.Float64()*2
	tA := p.t + timeTo(append([]latLon{{p.lat, p.lon}}, out...), kn)
	wait := int64(0)
	if rng.Float64() < 0.5 {
		wait = int64((5 + rng.Float64()*5) * float64(hour))
	}
	bEarliest := b.t + 12*hour + timeTo(bout, bkn) + 3*hour
	if tA+wait < bEarliest {
		if bEarliest-tA < 5*hour {
			wait = 5*hour + int64(rng.Float64()*3*float64(hour))
			if tA+wait < bEarliest {
				wait = bEarliest - tA
			}
		} else {
			wait = bEarliest - tA
		}
	}
	p.setStatus(navUnderway, "")
	p.sailVia(out, kn, nil)
	if wait > 0 {
		w.loiter(p, rng, float64(wait)/3600)
	}
	// Sailing rounds each leg to the second: meet when the tanker is there.
	tMeet := p.t
	mLat, mLon := p.lat, p.lon
	dur := 2.4 + rng.Float64()*0.8
	if rng.Float64() < 0.4 {
		dur = 4.8 + rng.Float64()
	}
	driftKn := 0.6 + rng.Float64()*0.5
	var eLat, eLon, bLat, bLon, beLat, beLon float64
	for try := 0; ; try++ {
		th := rng.Float64() * 360
		eLat, eLon = geo.Destination(mLat, mLon, th, knToKmh(driftKn)*dur)
		gap := 0.08 + rng.Float64()*0.07
		bLat, bLon = geo.Destination(mLat, mLon, th+90, gap)
		beLat, beLon = geo.Destination(eLat, eLon, th+90, gap)
		if try > 20 || (w.sea.clear(mLat, mLon, eLat, eLon) && w.sea.clear(bLat, bLon, beLat, beLon) && w.sea.clear(sLat, sLon, beLat, beLon) && w.sea.clear(sLat, sLon, eLat, eLon) && w.sea.clear(sLat, sLon, bLat, bLon)) {
			break
		}
	}
	tEnd := tMeet + int64(dur*3600)
	sts := &stsPlan{a: h, b: b.h, meet: span{tMeet, tEnd}, lat: mLat, lon: mLon, gapM: geo.DistanceKm(mLat, mLon, bLat, bLon) * 1000, speedKn: driftKn}
	w.sts = append(w.sts, sts)
	p.setStatus(navUnderway, "")
	p.add(tEnd, eLat, eLon)
	mid := (tMeet + tEnd) / 2
	ballast := round1(h.Length / 30)
	h.changes = append(h.changes, draughtChange{t: mid, from: h.draughtAt(mid - 1), to: ballast, sts: sts})
	p.setDraught(mid, ballast)
	next := w.nextRU(rng, ru)
	back := w.sea.routeToCell(next, spot)
	p.setStatus(navUnderway, next.ref.Name)
	p.sailVia(append([]latLon{{sLat, sLon}}, reversed(back)[1:]...), kn, next)
	p.setStatus(navMoored, next.ref.Name)
	s.cur = next

	// The receiver leaves home so as to arrive alongside at tMeet.
	bpath := append(append([]latLon{}, bout...), latLon{bLat, bLon})
	depart := tMeet - timeTo(bpath, bkn)
	if depart > b.t {
		b.wait(depart - b.t)
	}
	// A third of the receivers go dark: with about five transfers a month,
	// half dark left some months with one or two visible in AIS, too few to
	// exercise an encounter detector.
	dark := rng.Float64() < 1.0/3
	tOff := b.t
	b.setStatus(navUnderway, "")
	b.sail(append([]latLon{{b.lat, b.lon}}, bpath[1:]...), bkn)
	if b.t < tMeet {
		b.wait(tMeet - b.t)
	}
	b.add(tEnd, beLat, beLon)
	bl := round1(b.h.Length / 17)
	b.h.changes = append(b.h.changes, draughtChange{t: mid, from: b.h.draughtAt(mid - 1), to: bl, sts: sts})
	b.setDraught(mid, bl)
	b.setStatus(navUnderway, bhome.ref.Name)
	b.sail(append([]latLon{{beLat, beLon}}, reversed(bout)...), bkn)
	b.sail([]latLon{{b.lat, b.lon}, b.berthNear(bhome)}, bkn)
	b.setStatus(navMoored, bhome.ref.Name)
	if dark {
		b.h.off = append(b.h.off, span{tOff, b.t})
	}
	stay := int64((2 + rng.Float64()*2) * float64(day))
	bb := round1(b.h.Length / 28)
	b.h.changes = append(b.h.changes, draughtChange{t: b.t + stay/2, from: bl, to: bb, port: bhome})
	b.setDraught(b.t+stay/2, bb)
	b.wait(stay)
}

// inlandMinKm is how far from the shore a positions-on-land spoof is put:
// the coastline of geo.DefaultLand and the rounding of WPI berths are good
// to a kilometre or two, so a fix only a few kilometres inland cannot be
// told from a berth on a coarse coastline (see the README).
const inlandMinKm = 5.0

// inlandPoint finds a point on land 5–20 km from a port, at least
// inlandMinKm inland, for positions-on-land spoofing.
func (w *world) inlandPoint(sp *simPort, rng *rand.Rand) (float64, float64, bool) {
	for try := 0; try < 60; try++ {
		lat, lon := geo.Destination(sp.ref.Lat, sp.ref.Lon, rng.Float64()*360, 5+rng.Float64()*15)
		if w.land.OnLand(lat, lon) && w.land.DistanceToShoreKm(lat, lon) > inlandMinKm {
			return lat, lon, true
		}
	}
	return 0, 0, false
}

// planSharedMMSI makes a few tankers broadcast another tanker's identity
// for two to three days while both are active far apart: two ships, one
// MMSI.
func (w *world) planSharedMMSI(tankers []*Hull, rng *rand.Rand) {
	if len(tankers) < 2 {
		return
	}
	n := max(1, (w.cfg.Days+39)/40)
	for placed, try := 0, 0; placed < n && try < 20*n; try++ {
		a := tankers[rng.IntN(len(tankers))]
		b := tankers[rng.IntN(len(tankers))]
		if a == b || w.t1-w.t0 < 5*day {
			continue
		}
		from := w.t0 + int64(rng.Float64()*float64(w.t1-w.t0-4*day))
		to := from + int64((2+rng.Float64())*float64(day))
		if overlapsAny(b, span{from - day, to + day}) || overlapsAny(a, span{from - day, to + day}) {
			continue
		}
		own := b.identAt(from)
		if b.identAt(to) != own || a.identAt(from) != a.identAt(to) {
			continue
		}
		b.idents = insertIdent(b.idents, identStep{from, a.identAt(from)}, identStep{to, own})
		b.spoofs = append(b.spoofs, spoofSpan{span: span{from, to}, kind: spoofShared})
		placed++
	}
}

// overlapsAny says whether a hull has AIS off, spoofing or an identity
// change near the span, which would muddle a shared-MMSI episode.
func overlapsAny(h *Hull, s span) bool {
	for _, o := range h.off {
		if o.from < s.to && s.from < o.to {
			return true
		}
	}
	for _, o := range h.spoofs {
		if o.from < s.to && s.from < o.to {
			return true
		}
	}
	for _, t := range h.renames {
		if t >= s.from && t < s.to {
			return true
		}
	}
	return false
}

func insertIdent(steps []identStep, add ...identStep) []identStep {
	steps = append(steps, add...)
	slices.SortStableFunc(steps, func(a, b identStep) int {
		switch {
		case a.from < b.from:
			return -1
		case a.from > b.from:
			return 1
		}
		return 0
	})
	return steps
}
