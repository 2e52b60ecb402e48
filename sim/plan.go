package sim

import (
	"math"
	"math/rand/v2"

	"github.com/lookout-osint/lookout/geo"
)

const (
	hour = int64(3600)
	day  = 24 * hour
)

// Navigational status codes (ITU-R M.1371).
const (
	navUnderway = 0
	navAnchored = 1
	navMoored   = 5
	navFishing  = 7
)

// planner writes one hull's true trajectory and schedule forward in time.
type planner struct {
	w   *world
	h   *Hull
	rng *rand.Rand
	t   int64
	lat float64
	lon float64
}

func (p *planner) add(t int64, lat, lon float64) {
	p.h.path = append(p.h.path, wp{t, lat, lon})
	p.t, p.lat, p.lon = t, lat, lon
}

func (p *planner) setStatus(status int, dest string) {
	p.h.status = append(p.h.status, statusStep{p.t, status, dest})
}

func (p *planner) setDraught(t int64, v float64) {
	p.h.draught = append(p.h.draught, stepF{t, v})
}

// wait keeps the ship where it is for d seconds.
func (p *planner) wait(d int64) { p.add(p.t+d, p.lat, p.lon) }

// sail follows a path at a speed (knots); path[0] is where the ship is.
func (p *planner) sail(path []latLon, kn float64) {
	for _, q := range path[1:] {
		d := geo.DistanceKm(p.lat, p.lon, q.lat, q.lon)
		dt := int64(math.Round(d / knToKmh(kn) * 3600))
		if dt < 1 {
			dt = 1
		}
		p.add(p.t+dt, q.lat, q.lon)
	}
}

// timeTo is how long sailing a path takes.
func timeTo(path []latLon, kn float64) int64 {
	var d float64
	for i := 1; i < len(path); i++ {
		d += geo.DistanceKm(path[i-1].lat, path[i-1].lon, path[i].lat, path[i].lon)
	}
	return int64(d / knToKmh(kn) * 3600)
}

// pointAlong returns the first point on a path within km of a place, and
// the path split there.
func splitNear(path []latLon, lat, lon, km float64) (before, after []latLon) {
	for i := 1; i < len(path); i++ {
		a, b := path[i-1], path[i]
		da := geo.DistanceKm(a.lat, a.lon, lat, lon)
		db := geo.DistanceKm(b.lat, b.lon, lat, lon)
		if da > km && db <= km {
			// Bisect for the crossing; the straight segment is already at sea.
			lo, hi := 0.0, 1.0
			for k := 0; k < 30; k++ {
				m := (lo + hi) / 2
				if geo.DistanceKm(a.lat+(b.lat-a.lat)*m, a.lon+(b.lon-a.lon)*m, lat, lon) > km {
					lo = m
				} else {
					hi = m
				}
			}
			x := latLon{a.lat + (b.lat-a.lat)*hi, a.lon + (b.lon-a.lon)*hi}
			before = append(append([]latLon{}, path[:i]...), x)
			after = append([]latLon{x}, path[i:]...)
			return before, after
		}
		if da <= km && i == 1 {
			return path[:1], path
		}
	}
	return path, path[len(path)-1:]
}

func reversed(path []latLon) []latLon {
	out := make([]latLon, len(path))
	for i, q := range path {
		out[len(path)-1-i] = q
	}
	return out
}

// berthNear jitters the berth by up to 300 m so ships in one port do not
// sit on the same spot; the jitter is kept only if it stays at sea.
func (p *planner) berthNear(sp *simPort) latLon {
	lat, lon := geo.Destination(sp.berthLat, sp.berthLon, p.rng.Float64()*360, p.rng.Float64()*0.3)
	if p.w.sea.clearExact(sp.berthLat, sp.berthLon, lat, lon) && geo.DistanceKm(lat, lon, sp.ref.Lat, sp.ref.Lon) < 2.5 {
		return latLon{lat, lon}
	}
	return latLon{sp.berthLat, sp.berthLon}
}

// voyage sails from the current port to another, berth to berth, leaving
// the ship moored at the new berth.
func (p *planner) voyage(from, to *simPort, kn float64) bool {
	r := p.w.sea.route(from, to)
	if r == nil {
		return false
	}
	p.setStatus(navUnderway, to.ref.Name)
	p.sailVia(r, kn, to)
	p.setStatus(navMoored, to.ref.Name)
	return true
}

// sailVia sails a berth-to-berth route, starting at the current position
// (a jittered berth) and ending at a jittered berth of the destination.
func (p *planner) sailVia(r []latLon, kn float64, to *simPort) {
	path := append([]latLon{{p.lat, p.lon}}, r...)
	if to != nil {
		path = append(path, p.berthNear(to))
	}
	p.sail(path, kn)
}

// planNormal plans a cargo ship or tanker trading between a few ports.
func (w *world) planNormal(h *Hull, trade []*simPort, kn float64, laden, ballast float64) {
	p := &planner{w: w, h: h, rng: w.rngFor(1, uint64(h.Index), 0)}
	cur := trade[0]
	b := p.berthNear(cur)
	p.add(w.t0-int64(p.rng.Float64()*2*float64(day)), b.lat, b.lon)
	p.setStatus(navMoored, cur.ref.Name)
	d := ballast
	if p.rng.IntN(2) == 0 {
		d = laden
	}
	p.setDraught(p.t, d)
	for p.t < w.t1 {
		stay := int64((12 + p.rng.Float64()*36) * float64(hour))
		if p.rng.Float64() < 0.6 {
			if d == laden {
				d = ballast
			} else {
				d = laden
			}
			h.changes = append(h.changes, draughtChange{t: p.t + stay/2, from: h.draughtAt(p.t), to: d, port: cur})
			p.setDraught(p.t+stay/2, d)
		}
		p.wait(stay)
		next := trade[p.rng.IntN(len(trade))]
		if next == cur {
			next = trade[(indexOf(trade, cur)+1)%len(trade)]
		}
		if !p.voyage(cur, next, kn*(0.9+0.2*p.rng.Float64())) {
			p.wait(day)
			continue
		}
		cur = next
	}
}

func indexOf(ps []*simPort, p *simPort) int {
	for i, q := range ps {
		if q == p {
			return i
		}
	}
	return 0
}

// planFishing plans fishing trips from a home port: out to a ground,
// fishing at 2.8–4 kn (never slow enough to look like loitering), and home.
func (w *world) planFishing(h *Hull) {
	p := &planner{w: w, h: h, rng: w.rngFor(2, uint64(h.Index), 0)}
	home := h.home
	b := p.berthNear(home)
	p.add(w.t0-int64(p.rng.Float64()*float64(day)), b.lat, b.lon)
	p.setStatus(navMoored, home.ref.Name)
	p.setDraught(p.t, 0)
	t := w.sea.tree(home)
	for p.t < w.t1 {
		p.wait(int64((10 + p.rng.Float64()*20) * float64(hour)))
		cell := w.fishingGround(p.rng, home, t)
		if cell < 0 {
			p.wait(30 * day)
			continue
		}
		out := w.sea.routeToCell(home, cell)
		p.setStatus(navUnderway, "")
		p.sailVia(out, 9+p.rng.Float64()*3, nil)
		p.setStatus(navFishing, "")
		end := p.t + int64((16+p.rng.Float64()*44)*float64(hour))
		heading := p.rng.Float64() * 360
		for p.t < end {
			kn := 2.8 + p.rng.Float64()*1.2
			legKm := 3 + p.rng.Float64()*3
			moved := false
			for try := 0; try < 12; try++ {
				hd := heading + (p.rng.Float64()*70 - 35) + float64(try/2)*60*float64(1-2*(try%2))
				lat, lon := geo.Destination(p.lat, p.lon, hd, legKm)
				if w.openReachable(t, lat, lon) && w.sea.clear(p.lat, p.lon, lat, lon) && w.nearestPortKm(lat, lon) > 12 {
					p.sail([]latLon{{p.lat, p.lon}, {lat, lon}}, kn)
					heading = hd
					moved = true
					break
				}
			}
			if !moved {
				break
			}
		}
		// Home along the grid from the (open, reachable) cell the ship
		// ended in.
		r, c, _ := cellOf(p.lat, p.lon)
		cp := t.cellPath(r*gridCols + c)
		pts := make([]latLon, 0, len(cp)+2)
		pts = append(pts, latLon{p.lat, p.lon})
		for k := len(cp) - 1; k >= 0; k-- {
			la, lo := cellCentre(cp[k]/gridCols, cp[k]%gridCols)
			pts = append(pts, latLon{la, lo})
		}
		pts = append(pts, latLon{home.berthLat, home.berthLon})
		p.setStatus(navUnderway, home.ref.Name)
		p.sailVia(w.sea.smooth(pts), 9+p.rng.Float64()*3, home)
		p.setStatus(navMoored, home.ref.Name)
	}
}

// fishingGround picks an open-sea cell 30–120 km from the home port,
// reachable from it and away from other ports.
func (w *world) fishingGround(rng *rand.Rand, home *simPort, t *pathTree) int {
	for try := 0; try < 60; try++ {
		lat, lon := geo.Destination(home.ref.Lat, home.ref.Lon, rng.Float64()*360, 30+rng.Float64()*90)
		r, c, ok := cellOf(lat, lon)
		if !ok {
			continue
		}
		i := r*gridCols + c
		if w.sea.cells[i] != cellOpen || t.parent[i] < 0 || w.nearestPortKm(lat, lon) < 20 {
			continue
		}
		return i
	}
	return -1
}

func (w *world) nearestPortKm(lat, lon float64) float64 {
	_, d, ok := w.cat.NearestPort(lat, lon, 50)
	if !ok {
		return 50
	}
	return d
}

func (w *world) openReachable(t *pathTree, lat, lon float64) bool {
	r, c, ok := cellOf(lat, lon)
	return ok && w.sea.cells[r*gridCols+c] == cellOpen && t.parent[r*gridCols+c] >= 0
}
