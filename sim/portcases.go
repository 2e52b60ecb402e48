package sim

import (
	"math/rand/v2"

	"github.com/lookout-osint/lookout/geo"
)

// Ships close together that are not transfers, and one that is, near
// ports (issue 18): each case has hulls of its own, trading between hubs
// otherwise idle at a berth, so the rest of the fleet is unchanged.
//
//   - berth pair: two tankers moored side by side (60 m) at one berth for a
//     day: two port visits, no encounter;
//   - escort: a tug meets a tanker 15–20 km off its destination and holds
//     100 m astern of it for 1–2 h at 1.5 kn, then both go in: no
//     encounter (tugs and pilots serve ships);
//   - STS at anchor: two tankers anchored 100 m apart for 5–8 h, 12–18 km
//     from a port (beyond the 10 km port limit) and 5–15 km from the shore:
//     an encounter, whose truth gives the port's distance.
type portCases struct {
	berth  []*Hull // pairs
	escort []*Hull // tanker, tug
	anchor []*Hull // pairs
	ports  []*simPort
	sts    []*stsPlan
}

// newPortCases creates the cases' hulls (sequentially: identities come
// from one stream) for a fleet large enough to trade among several hubs.
func (w *world) newPortCases() *portCases {
	c := &portCases{}
	if !w.casesFit() {
		return c
	}
	rng := w.rngFor(9, 0, 0)
	tanker := func() *Hull { return w.caseTanker(rng) }
	for range w.casesN() {
		c.berth = append(c.berth, tanker(), tanker())
		t := tanker()
		tug := w.newHull("normal", "tug", 28+rng.Float64()*8, true)
		id := w.ids.newIdentity(pickFlag(rng), "tug", 52, 0, true)
		tug.idents = []identStep{{0, &id}}
		c.escort = append(c.escort, t, tug)
		c.anchor = append(c.anchor, tanker(), tanker())
	}
	c.ports = w.hubs
	return c
}

// planPortCases plans every case; it runs beside the other plans and
// touches only its own hulls (the transfers are added to w.sts after).
func (w *world) planPortCases(c *portCases) {
	rng := w.rngFor(10, 0, 0)
	planner := func(h *Hull, at *simPort) *planner { return w.casePlanner(h, at, rng, 11) }
	// Each case happens once, at a random time leaving room on both sides.
	when := func() int64 {
		return w.t0 + 2*day + int64(rng.Float64()*float64(w.t1-w.t0-6*day))
	}
	pick := func() (*simPort, *simPort, []latLon) {
		for range 50 {
			x, to := c.ports[rng.IntN(len(c.ports))], c.ports[rng.IntN(len(c.ports))]
			if x == to {
				continue
			}
			if r := w.sea.route(x, to); r != nil && timeTo(r, 10) > 6*hour {
				return x, to, r
			}
		}
		return nil, nil, nil
	}
	for i := 0; i+1 < len(c.berth); i += 2 {
		x, to, r := pick()
		if r == nil {
			continue
		}
		a, b := planner(c.berth[i], x), planner(c.berth[i+1], x)
		w.berthPair(a, b, x, to, r, when(), rng)
	}
	for i := 0; i+1 < len(c.escort); i += 2 {
		x, to, r := pick()
		if r == nil {
			continue
		}
		w.escort(planner(c.escort[i], x), planner(c.escort[i+1], to), x, to, r, when(), rng)
	}
	for i := 0; i+1 < len(c.anchor); i += 2 {
		x, to, r := pick()
		if r == nil {
			continue
		}
		if s := w.anchorSTS(planner(c.anchor[i], x), planner(c.anchor[i+1], to), x, to, r, when(), rng); s != nil {
			c.sts = append(c.sts, s)
		}
	}
}

// casesFit says whether the fleet and scenario are large enough for the
// port and identity cases (hulls trading among several hubs).
func (w *world) casesFit() bool { return w.cfg.Vessels >= 60 && w.cfg.Days >= 8 && len(w.hubs) >= 3 }

// casesN is how many of each case a scenario has: one per 20 days.
func (w *world) casesN() int { return max(1, w.cfg.Days/20) }

// caseTanker is a tanker of the cases' own, under a flag of the normal
// fleet.
func (w *world) caseTanker(rng *rand.Rand) *Hull {
	h := w.newHull("normal", "tanker", 90+rng.Float64()*80, true)
	id := w.ids.newIdentity(pickFlag(rng), "tanker", 80, 0, true)
	h.idents = []identStep{{0, &id}}
	return h
}

// casePlanner starts a case hull moored at a berth of at, up to a day
// before the scenario; purpose names its random stream.
func (w *world) casePlanner(h *Hull, at *simPort, rng *rand.Rand, purpose uint64) *planner {
	p := &planner{w: w, h: h, rng: w.rngFor(purpose, uint64(h.Index), 0)}
	b := p.berthNear(at)
	p.add(w.t0-int64(rng.Float64()*float64(day)), b.lat, b.lon)
	p.setStatus(navMoored, at.ref.Name)
	p.setDraught(p.t, round1(h.Length/25))
	return p
}

// abeam finds a spot d km from (lat, lon) at sea, reachable in a straight
// line, trying bearings in turn.
func (w *world) abeam(lat, lon, d float64, rng *rand.Rand) (float64, float64, bool) {
	th := rng.Float64() * 360
	for k := range 12 {
		la, lo := geo.Destination(lat, lon, th+float64(k)*30, d)
		if w.sea.clearExact(lat, lon, la, lo) {
			return la, lo, true
		}
	}
	return 0, 0, false
}

// berthPair: both sail from x to the same berth at to, the second
// arriving an hour after the first and mooring alongside, 60 m off; a day
// or so later both sail back to x.
func (w *world) berthPair(a, b *planner, x, to *simPort, r []latLon, at int64, rng *rand.Rand) {
	a.wait(at - a.t)
	a.voyage(x, to, 11)
	la, lo, ok := w.abeam(a.lat, a.lon, 0.06, rng)
	if !ok {
		la, lo = a.lat, a.lon
	}
	dur := timeTo(append([]latLon{{b.lat, b.lon}}, r...), 11)
	b.wait(a.t + hour - dur - b.t)
	b.setStatus(navUnderway, to.ref.Name)
	b.sail(append(append([]latLon{{b.lat, b.lon}}, r...), latLon{la, lo}), 11)
	b.setStatus(navMoored, to.ref.Name)
	stay := int64((22 + rng.Float64()*8) * float64(hour))
	b.wait(stay)
	a.wait(b.t - a.t)
	b.wait(30 * 60)
	a.voyage(to, x, 11)
	b.voyage(to, x, 11)
}

// escort: the tanker sails from x towards to; 15–20 km out the tug, from
// to, takes station 100 m astern and both make 1.5 kn for 1–2 h, then
// sail in.
func (w *world) escort(t, tug *planner, x, to *simPort, r []latLon, at int64, rng *rand.Rand) {
	path := append([]latLon{{t.lat, t.lon}}, r...)
	path = append(path, t.berthNear(to))
	before, after := splitNear(path, to.berthLat, to.berthLon, 15+rng.Float64()*5)
	if len(after) < 2 {
		t.wait(at - t.t)
		t.voyage(x, to, 11)
		return
	}
	t.wait(at - t.t)
	t.setStatus(navUnderway, to.ref.Name)
	t.sail(before, 11)
	// Walk the slow stretch along the route.
	escortH := 1 + rng.Float64()
	slowKm := knToKmh(1.5) * escortH
	slow := []latLon{after[0]}
	rest := after
	for k := 1; k < len(after); k++ {
		a, b := after[k-1], after[k]
		d := geo.DistanceKm(a.lat, a.lon, b.lat, b.lon)
		if d >= slowKm {
			f := slowKm / d
			e := latLon{a.lat + (b.lat-a.lat)*f, a.lon + (b.lon-a.lon)*f}
			slow = append(slow, e)
			rest = append([]latLon{e}, after[k:]...)
			break
		}
		slow = append(slow, b)
		slowKm -= d
		rest = after[k:]
	}
	tS := t.t
	tStart := len(t.h.path)
	t.sail(slow, 1.5)
	// The tug: out from its berth to arrive astern as the slow stretch
	// begins, then the tanker's waypoints 100 m (about 130 s) behind.
	lag := int64(0.1 / knToKmh(1.5) * 3600)
	out := append([]latLon{{tug.lat, tug.lon}}, reversed(after)...)
	// reversed(after) runs from the berth to the start of the slow stretch.
	out = append(out[:1], out[2:]...)
	tug.wait(tS + lag - timeTo(out, 8) - tug.t)
	tug.setStatus(navUnderway, "")
	tug.sail(out, 8)
	for _, q := range t.h.path[tStart:] {
		tug.add(q.t+lag, q.lat, q.lon)
	}
	t.sail(rest, 8)
	t.setStatus(navMoored, to.ref.Name)
	tug.sail(append([]latLon{{tug.lat, tug.lon}}, rest[1:]...), 6)
	tug.sail([]latLon{{tug.lat, tug.lon}, tug.berthNear(to)}, 6)
	tug.setStatus(navMoored, to.ref.Name)
	t.wait(day)
	t.voyage(to, x, 11)
}

// anchorSTS: the tanker from x anchors 12–18 km off to, 5–15 km from the
// shore; the other, from to's berth, anchors 100 m off it; they lie
// together 5–8 h, then both go in to to.
func (w *world) anchorSTS(a, b *planner, x, to *simPort, r []latLon, at int64, rng *rand.Rand) *stsPlan {
	path := append([]latLon{{a.lat, a.lon}}, r...)
	path = append(path, a.berthNear(to))
	for try := range 8 {
		before, after := splitNear(path, to.berthLat, to.berthLon, 13+float64(try)*0.7)
		if len(after) < 2 {
			continue
		}
		q := before[len(before)-1]
		portKm := w.nearestPortKm(q.lat, q.lon)
		shoreKm := w.land.DistanceToShoreKm(q.lat, q.lon)
		if portKm < 12 || portKm > 18 || shoreKm < 5 || shoreKm > 15 {
			continue
		}
		bLat, bLon, ok := w.abeam(q.lat, q.lon, 0.1, rng)
		if !ok {
			continue
		}
		a.wait(at - a.t)
		a.setStatus(navUnderway, to.ref.Name)
		a.sail(before, 11)
		a.setStatus(navAnchored, to.ref.Name)
		// The other comes out to arrive an hour later.
		out := append(append([]latLon{{b.lat, b.lon}}, reversed(after)[1:]...), latLon{bLat, bLon})
		b.wait(a.t + hour - timeTo(out, 9) - b.t)
		b.setStatus(navUnderway, "")
		b.sail(out, 9)
		b.setStatus(navAnchored, "")
		meet := b.t
		b.wait(int64((5 + rng.Float64()*3) * float64(hour)))
		a.wait(b.t - a.t)
		sts := &stsPlan{a: a.h, b: b.h, meet: span{meet, b.t}, lat: (q.lat + bLat) / 2, lon: (q.lon + bLon) / 2,
			gapM: geo.DistanceKm(q.lat, q.lon, bLat, bLon) * 1000, speedKn: 0}
		b.wait(30 * 60)
		a.setStatus(navUnderway, to.ref.Name)
		a.sail(after, 10)
		a.setStatus(navMoored, to.ref.Name)
		b.setStatus(navUnderway, to.ref.Name)
		b.sail(append([]latLon{{bLat, bLon}}, after[1:]...), 10)
		b.setStatus(navMoored, to.ref.Name)
		return sts
	}
	return nil
}
