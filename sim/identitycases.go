package sim

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
)

// Identity hard cases (issue 18), each with hulls of their own after the
// rest of the fleet (as the port cases), trading between hubs:
//
//   - cloned MMSI: while two tankers are on voyages at least cloneApartKm
//     apart, the second broadcasts the first's MMSI for 8–12 h with its own
//     name, call sign and IMO number, so the MMSI's static reports
//     alternate between two identities: one cloned_mmsi finding (and a
//     shared_mmsi spoofing, the positions being in two places), no
//     identity change;
//   - flag hopping: a tanker re-registered twice, two to three weeks
//     apart, each time under a new MMSI, flag, name and call sign (same
//     IMO number): its AIS goes off 30–60 km out of one port and comes back
//     on 30–60 km out of the next, under the new identity. Each hop is one
//     identity_change linking the old and new numbers, reason flag_hopping.
type identityCases struct {
	clone []*Hull // pairs: the MMSI's owner, the clone
	hop   []*Hull
	// hopIDs are the identities each hopper takes in turn, made up front
	// because identities come from one stream and planning is parallel.
	hopIDs [][]*Identity
	clones []clonePlan // filled by planning
}

// clonePlan is one cloned-MMSI episode: clone broadcasts id (owner's
// MMSI, its own name and IMO) during span.
type clonePlan struct {
	owner, clone *Hull
	span
	id *Identity
}

const (
	cloneApartKm    = 300.0
	identityPurpose = 24 // world.rngFor stream for planning these cases
	casePurpose     = 25 // … and for each hull's planner
)

// newIdentityCases creates the cases' hulls and identities for a fleet and
// scenario large enough for the port cases.
func (w *world) newIdentityCases() *identityCases {
	c := &identityCases{}
	if !w.casesFit() {
		return c
	}
	rng := w.rngFor(23, 0, 0)
	for range w.casesN() {
		a := w.caseTanker(rng)
		b := w.caseTanker(rng)
		if math.Abs(a.Length-b.Length) < 3 {
			// Two hulls of one size under one MMSI cannot be told apart by
			// their dimensions; keep them distinct as real clones mostly are.
			b.Length += 10
			b.Beam = float64(int(b.Length/6.3 + 0.5))
		}
		c.clone = append(c.clone, a, b)
		h := w.caseTanker(rng)
		h.Role = "covert"
		var ids []*Identity
		prev := h.idents[0].id.Flag
		for range 2 {
			flag := covertFlags[rng.IntN(len(covertFlags))]
			for flags[flag].mids[0] == flags[prev].mids[0] {
				flag = covertFlags[rng.IntN(len(covertFlags))]
			}
			id := w.ids.newIdentity(flag, "tanker", 80, h.idents[0].id.IMO, true)
			ids = append(ids, &id)
			prev = flag
		}
		c.hop = append(c.hop, h)
		c.hopIDs = append(c.hopIDs, ids)
	}
	return c
}

// planIdentityCases plans every case; like planPortCases it runs beside
// the other plans and touches only its own hulls.
func (w *world) planIdentityCases(c *identityCases) {
	rng := w.rngFor(identityPurpose, 0, 0)
	for i := 0; i+1 < len(c.clone); i += 2 {
		if cp, ok := w.planClone(c.clone[i], c.clone[i+1], rng); ok {
			c.clones = append(c.clones, cp)
		}
	}
	for i, h := range c.hop {
		w.planHopper(h, c.hopIDs[i], rng)
	}
}

// along is where a ship sailing path at kn is dt seconds after leaving
// path[0] (the last point once it has arrived).
func along(path []latLon, kn float64, dt int64) latLon {
	left := knToKmh(kn) * float64(dt) / 3600
	for i := 1; i < len(path); i++ {
		a, b := path[i-1], path[i]
		d := geo.DistanceKm(a.lat, a.lon, b.lat, b.lon)
		if d >= left && d > 0 {
			f := left / d
			return latLon{a.lat + (b.lat-a.lat)*f, a.lon + (b.lon-a.lon)*f}
		}
		left -= d
	}
	return path[len(path)-1]
}

// planClone finds two voyages that start together and keep the ships
// cloneApartKm apart for the clone's hours, sails them, and has the second
// ship broadcast the first's MMSI meanwhile.
func (w *world) planClone(a, b *Hull, rng *rand.Rand) (clonePlan, bool) {
	const kn = 11.0
	lead := hour // both under way before the clone starts
	for range 400 {
		x1, to1 := w.hubs[rng.IntN(len(w.hubs))], w.hubs[rng.IntN(len(w.hubs))]
		x2, to2 := w.hubs[rng.IntN(len(w.hubs))], w.hubs[rng.IntN(len(w.hubs))]
		if x1 == to1 || x2 == to2 {
			continue
		}
		r1, r2 := w.sea.route(x1, to1), w.sea.route(x2, to2)
		dur := int64((8 + rng.Float64()*4) * float64(hour))
		if r1 == nil || r2 == nil || timeTo(r1, kn) < lead+dur+hour || timeTo(r2, kn) < lead+dur+hour {
			continue
		}
		apart := true
		for t := lead - 600; t <= lead+dur+600 && apart; t += 600 {
			p, q := along(r1, kn, t), along(r2, kn, t)
			// A margin for the berth jitter at either end of the route.
			apart = geo.DistanceKm(p.lat, p.lon, q.lat, q.lon) >= cloneApartKm+5
		}
		if !apart {
			continue
		}
		at := w.t0 + 2*day + int64(rng.Float64()*float64(w.t1-w.t0-6*day))
		pa, pb := w.casePlanner(a, x1, rng, casePurpose), w.casePlanner(b, x2, rng, casePurpose)
		pa.wait(at - pa.t)
		pb.wait(at - pb.t)
		pa.voyage(x1, to1, kn)
		pb.voyage(x2, to2, kn)
		for _, p := range []*planner{pa, pb} {
			if p.t < w.t1 {
				p.wait(w.t1 - p.t)
			}
		}
		own, owner := b.idents[0].id, a.idents[0].id
		id := *own
		id.MMSI, id.Flag = owner.MMSI, owner.Flag
		cp := clonePlan{owner: a, clone: b, span: span{at + lead, at + lead + dur}, id: &id}
		b.idents = insertIdent(b.idents, identStep{cp.from, &id}, identStep{cp.to, own})
		b.spoofs = append(b.spoofs, spoofSpan{span: cp.span, kind: spoofShared})
		return cp, true
	}
	return clonePlan{}, false
}

// planHopper trades between hubs outside the watched groups and hops flag
// up to twice, 14–21 days apart: its AIS goes off 30–60 km out of one port,
// stays off through the next call, and comes back on 30–60 km out of it
// under the new identity (re-registered in port).
func (w *world) planHopper(h *Hull, ids []*Identity, rng *rand.Rand) {
	var trade []*simPort
	for _, p := range w.hubs {
		if !watchedGroups[p.group] {
			trade = append(trade, p)
		}
	}
	if len(trade) < 3 {
		return
	}
	const kn = 11.0
	cur := trade[rng.IntN(len(trade))]
	p := w.casePlanner(h, cur, rng, casePurpose)
	hopAt := w.t0 + 2*day + int64(rng.Float64()*5*float64(day))
	hops := 0
	// leg is the path from where the ship lies to the berth of to, split
	// km out of from: the part before and the part after.
	leg := func(at latLon, from, to *simPort, km float64) (near, far []latLon) {
		r := w.sea.route(from, to)
		if r == nil {
			return nil, nil
		}
		path := append(append([]latLon{at}, r...), p.berthNear(to))
		b, a := splitNear(reversed(path), from.ref.Lat, from.ref.Lon, km)
		return reversed(a), reversed(b)
	}
	for p.t < w.t1 {
		p.wait(int64((12 + rng.Float64()*24) * float64(hour)))
		next, onward := trade[rng.IntN(len(trade))], trade[rng.IntN(len(trade))]
		if next == cur || onward == next {
			continue
		}
		if hops == len(ids) || p.t < hopAt || p.t > w.t1-5*day {
			if p.voyage(cur, next, kn) {
				cur = next
			}
			continue
		}
		out, dark := leg(latLon{p.lat, p.lon}, cur, next, 30+rng.Float64()*30)
		if len(dark) < 2 {
			continue
		}
		dark2, rest := leg(dark[len(dark)-1], next, onward, 30+rng.Float64()*30)
		if len(out) < 2 || len(dark2) < 2 || len(rest) < 2 {
			continue
		}
		p.setStatus(navUnderway, next.ref.Name)
		p.sail(out, kn)
		tOff := p.t
		p.sail(dark, kn)
		p.setStatus(navMoored, next.ref.Name)
		p.wait(int64((1 + rng.Float64()*2) * float64(day)))
		p.setStatus(navUnderway, onward.ref.Name)
		p.sail(dark2, kn)
		tOn := p.t
		h.off = append(h.off, span{tOff, tOn})
		h.idents = append(h.idents, identStep{tOn, ids[hops]})
		h.renames = append(h.renames, tOn)
		p.sail(rest, kn)
		p.setStatus(navMoored, onward.ref.Name)
		cur = onward
		hops++
		hopAt = tOn + 14*day + int64(rng.Float64()*7*float64(day))
	}
}

// cloneEvents is the truth of the cloned MMSIs: one identity_change of
// reason cloned_mmsi per episode, from the first static report of the
// clone's identity received to the last received report that switched
// the MMSI's identity (which a detector sees going back and forth).
func (w *world) cloneEvents(clones []clonePlan) []event.Event {
	var evs []event.Event
	for _, c := range clones {
		var st []rx
		for _, h := range []*Hull{c.owner, c.clone} {
			for _, r := range h.log {
				if r.kind == rxStatic && r.id.MMSI == c.id.MMSI && r.t >= c.from-day && r.t < c.to+day {
					st = append(st, r)
				}
			}
		}
		slices.SortStableFunc(st, func(a, b rx) int { return cmp.Compare(a.t, b.t) })
		var first, last *rx
		switches := 0
		for i := 1; i < len(st); i++ {
			if st[i].id.IMO == st[i-1].id.IMO {
				continue
			}
			if first == nil {
				first = &st[i]
			}
			last = &st[i]
			switches++
		}
		// One switch and never back is an identity change, not two hulls
		// in turn: the clone shows once the MMSI goes back.
		if switches < 2 || first.t < w.t0 {
			continue
		}
		ident := func(id *Identity) map[string]any {
			return map[string]any{"imo": id.IMO, "name": id.Name, "call_sign": id.CallSign}
		}
		// As detect reports it: both identities, the clone's with the
		// number its hull uses on its own.
		cl := ident(c.id)
		cl["own_mmsi"] = c.clone.idents[0].id.MMSI
		evs = append(evs, event.Event{Type: event.IdentityChange, MMSI: c.id.MMSI, Start: ts(first.t), End: ts(last.t),
			Lat: r3d(first.lat), Lon: r3d(first.lon), Confidence: 1, Source: event.SourceAIS, Evidence: map[string]any{
				"reason": "cloned_mmsi", "identities": []map[string]any{ident(c.owner.identAt(c.from)), cl},
				"switches": switches,
			}})
	}
	return evs
}
