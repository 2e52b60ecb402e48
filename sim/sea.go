package sim

import (
	"math"
	"sync"

	"github.com/lookout-osint/lookout/geo"
)

// The routing grid covers the Yellow Sea, the Bohai, the Korea Strait and
// the Sea of Japan/East Sea. Cells are small enough to thread the Korean
// west-coast islands and large enough that one-to-all Dijkstra from a port
// takes a few tens of milliseconds.
const (
	gridLat0, gridLat1 = 32.0, 47.0
	gridLon0, gridLon1 = 117.5, 142.0
	gridStep           = 0.03
	// openBuffer keeps open-sea cells this far from shore, so that any point
	// of such a cell (half-diagonal ≈ 2.1 km) is still at sea.
	openBufferKm = 2.4
	// Near a port the buffer is dropped so ships can reach berths in
	// harbours and river mouths; there every segment is checked exactly.
	portZoneKm = 18.0
	// portPenaltyKm makes routes avoid passing close to ports that are not
	// their end points (a pass within 3 km would be a port visit).
	portPenaltyKm = 6.0
	sampleKm      = 0.1
)

var (
	gridRows = int(math.Round((gridLat1 - gridLat0) / gridStep))
	gridCols = int(math.Round((gridLon1 - gridLon0) / gridStep))
)

const (
	cellBlocked = iota
	cellOpen    // ≥ openBufferKm from shore: any point inside is at sea
	cellCoastal // centre at sea but close to shore: check points exactly
)

// sea is the routing grid plus per-port shortest-path trees.
type sea struct {
	land    *geo.Land
	cells   []uint8
	penalty []bool // within portPenaltyKm of some port

	mu     sync.Mutex
	trees  map[int]*pathTree
	routes map[[2]int][]latLon
}

func cellCentre(r, c int) (lat, lon float64) {
	return gridLat0 + (float64(r)+0.5)*gridStep, gridLon0 + (float64(c)+0.5)*gridStep
}

func cellOf(lat, lon float64) (r, c int, ok bool) {
	r = int(math.Floor((lat - gridLat0) / gridStep))
	c = int(math.Floor((lon - gridLon0) / gridStep))
	return r, c, r >= 0 && r < gridRows && c >= 0 && c < gridCols
}

// newSea classifies every cell. Rows are split across workers; each cell's
// class depends only on the land index, so the result is deterministic.
func newSea(land *geo.Land, zones, penalised []latLon, workers int) *sea {
	s := &sea{land: land, cells: make([]uint8, gridRows*gridCols), penalty: make([]bool, gridRows*gridCols), trees: map[int]*pathTree{}, routes: map[[2]int][]latLon{}}
	zone := make([]bool, gridRows*gridCols)
	mark := func(lat, lon, km float64, dst []bool) {
		dr := int(km/111.2/gridStep) + 1
		dc := int(km/(111.2*math.Cos(lat*math.Pi/180))/gridStep) + 1
		r0, c0, _ := cellOf(lat, lon)
		for r := r0 - dr; r <= r0+dr; r++ {
			for c := c0 - dc; c <= c0+dc; c++ {
				if r < 0 || r >= gridRows || c < 0 || c >= gridCols {
					continue
				}
				la, lo := cellCentre(r, c)
				if geo.DistanceKm(lat, lon, la, lo) <= km {
					dst[r*gridCols+c] = true
				}
			}
		}
	}
	for _, p := range zones {
		mark(p.lat, p.lon, portZoneKm, zone)
	}
	for _, p := range penalised {
		mark(p.lat, p.lon, portPenaltyKm, s.penalty)
	}
	parallelRange(gridRows, workers, func(r int) {
		for c := 0; c < gridCols; c++ {
			lat, lon := cellCentre(r, c)
			i := r*gridCols + c
			if land.OnLand(lat, lon) {
				continue
			}
			d := land.DistanceToShoreKm(lat, lon)
			switch {
			case d >= openBufferKm:
				s.cells[i] = cellOpen
			case zone[i] && d >= 0.05:
				s.cells[i] = cellCoastal
			}
		}
	})
	return s
}

// atSea says whether a point may be a true position: inside an open cell,
// or inside a coastal cell and not on land.
func (s *sea) atSea(lat, lon float64) bool {
	r, c, ok := cellOf(lat, lon)
	if !ok {
		return false
	}
	switch s.cells[r*gridCols+c] {
	case cellOpen:
		return true
	case cellCoastal:
		return !s.land.OnLand(lat, lon)
	}
	// A blocked cell may still hold sea near a berth; only exact checks
	// decide there.
	return false
}

// clear says whether the straight segment between two points (linear in
// latitude and longitude, as trajectories are interpolated) stays at sea.
func (s *sea) clear(lat1, lon1, lat2, lon2 float64) bool {
	d := geo.DistanceKm(lat1, lon1, lat2, lon2)
	n := int(d/sampleKm) + 1
	for k := 0; k <= n; k++ {
		f := float64(k) / float64(n)
		if !s.atSea(lat1+(lat2-lat1)*f, lon1+(lon2-lon1)*f) {
			return false
		}
	}
	return true
}

// clearExact checks a segment with the land index only; used for the last
// stretch to a berth, which may lie in a cell the grid blocks.
func (s *sea) clearExact(lat1, lon1, lat2, lon2 float64) bool {
	d := geo.DistanceKm(lat1, lon1, lat2, lon2)
	n := int(d/0.05) + 1
	for k := 0; k <= n; k++ {
		f := float64(k) / float64(n)
		if s.land.OnLand(lat1+(lat2-lat1)*f, lon1+(lon2-lon1)*f) {
			return false
		}
	}
	return true
}

var moves = [8][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}}

// pathTree is a one-to-all shortest-path tree from a port's access cell.
type pathTree struct {
	root   int
	parent []int32
}

type pqItem struct {
	cell int32
	dist float64
}

// pq is a binary min-heap on distance (ties by cell, for determinism).
type pq []pqItem

func (q pq) less(i, j int) bool {
	return q[i].dist < q[j].dist || q[i].dist == q[j].dist && q[i].cell < q[j].cell
}

func (q *pq) push(it pqItem) {
	*q = append(*q, it)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *pq) pop() pqItem {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}

func (s *sea) tree(p *simPort) *pathTree {
	s.mu.Lock()
	t := s.trees[p.idx]
	s.mu.Unlock()
	if t != nil {
		return t
	}
	t = s.dijkstra(p.accessCell)
	s.mu.Lock()
	if old := s.trees[p.idx]; old != nil {
		t = old
	} else {
		s.trees[p.idx] = t
	}
	s.mu.Unlock()
	return t
}

func (s *sea) dijkstra(root int) *pathTree {
	n := len(s.cells)
	dist := make([]float64, n)
	parent := make([]int32, n)
	for i := range dist {
		dist[i] = math.Inf(1)
		parent[i] = -1
	}
	dist[root] = 0
	parent[root] = int32(root)
	// Step lengths per row: the east-west cell size shrinks with latitude.
	ky := 111.2 * gridStep
	step := make([][8]float64, gridRows)
	for r := range step {
		lat, _ := cellCentre(r, 0)
		kx := ky * math.Cos(lat*math.Pi/180)
		for k, m := range moves {
			step[r][k] = math.Sqrt(float64(m[0]*m[0])*ky*ky + float64(m[1]*m[1])*kx*kx)
		}
	}
	q := &pq{{int32(root), 0}}
	for len(*q) > 0 {
		it := q.pop()
		u := int(it.cell)
		if it.dist > dist[u] {
			continue
		}
		r, c := u/gridCols, u%gridCols
		for k, m := range moves {
			r2, c2 := r+m[0], c+m[1]
			if r2 < 0 || r2 >= gridRows || c2 < 0 || c2 >= gridCols {
				continue
			}
			v := r2*gridCols + c2
			if s.cells[v] == cellBlocked {
				continue
			}
			w := step[r][k]
			if s.penalty[v] {
				w *= 20
			}
			nd := it.dist + w
			if nd >= dist[v] {
				continue
			}
			if s.cells[u] == cellCoastal || s.cells[v] == cellCoastal {
				la1, lo1 := cellCentre(r, c)
				la2, lo2 := cellCentre(r2, c2)
				if !s.clear(la1, lo1, la2, lo2) {
					continue
				}
			}
			dist[v] = nd
			parent[v] = int32(u)
			q.push(pqItem{int32(v), nd})
		}
	}
	return &pathTree{root: root, parent: parent}
}

// cellPath returns the cells from the tree's root to cell to, or nil when
// unreachable.
func (t *pathTree) cellPath(to int) []int {
	if t.parent[to] < 0 {
		return nil
	}
	var rev []int
	for v := to; ; v = int(t.parent[v]) {
		rev = append(rev, v)
		if v == t.root {
			break
		}
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

type latLon struct{ lat, lon float64 }

// smooth pulls the string tight: from each kept point, jump to the
// farthest later point still reachable in a straight line at sea. A
// shortcut may not pass near a port other than the path's own ends (the
// grid path avoids them; a shortcut must not undo that).
func (s *sea) smooth(pts []latLon) []latLon {
	if len(pts) <= 2 {
		return pts
	}
	first, last := pts[0], pts[len(pts)-1]
	// A shortcut must stay in open cells, sampled every 250 m: any point of
	// an open cell is at sea, and land that makes a cell blocked is wider
	// than the step. Near ports (coastal cells) the grid path is kept.
	ok := func(a, b latLon) bool {
		d := fastKm(a.lat, a.lon, b.lat, b.lon)
		n := int(d/0.25) + 1
		for k := 0; k <= n; k++ {
			f := float64(k) / float64(n)
			lat, lon := a.lat+(b.lat-a.lat)*f, a.lon+(b.lon-a.lon)*f
			r, c, in := cellOf(lat, lon)
			if !in {
				return false
			}
			i := r*gridCols + c
			if s.cells[i] != cellOpen {
				return false
			}
			if s.penalty[i] && fastKm(lat, lon, first.lat, first.lon) > portZoneKm && fastKm(lat, lon, last.lat, last.lon) > portZoneKm {
				return false
			}
		}
		return true
	}
	out := []latLon{pts[0]}
	i := 0
	for i < len(pts)-1 {
		j := i + 1
		for k := i + 2; k < len(pts); k++ {
			if ok(pts[i], pts[k]) {
				j = k
			} else if k-j > 40 {
				break
			}
		}
		out = append(out, pts[j])
		i = j
	}
	return out
}

// route is the sea path from one port's berth to another's, berth to berth.
func (s *sea) route(from, to *simPort) []latLon {
	key := [2]int{from.idx, to.idx}
	s.mu.Lock()
	r, ok := s.routes[key]
	s.mu.Unlock()
	if ok {
		return r
	}
	r = s.computeRoute(from, to)
	s.mu.Lock()
	s.routes[key] = r
	s.mu.Unlock()
	return r
}

func (s *sea) computeRoute(from, to *simPort) []latLon {
	t := s.tree(to) // paths lead to the tree root: walk from 'from' to 'to'
	cells := t.cellPath(from.accessCell)
	if cells == nil {
		return nil
	}
	// cellPath runs root→from; reverse to get from→root(to).
	pts := make([]latLon, 0, len(cells)+2)
	pts = append(pts, latLon{from.berthLat, from.berthLon})
	for k := len(cells) - 1; k >= 0; k-- {
		la, lo := cellCentre(cells[k]/gridCols, cells[k]%gridCols)
		pts = append(pts, latLon{la, lo})
	}
	pts = append(pts, latLon{to.berthLat, to.berthLon})
	return s.smooth(pts)
}

// routeToCell is the path from a port's berth to an open-sea cell.
func (s *sea) routeToCell(from *simPort, cell int) []latLon {
	t := s.tree(from)
	cells := t.cellPath(cell)
	if cells == nil {
		return nil
	}
	pts := []latLon{{from.berthLat, from.berthLon}}
	for _, v := range cells {
		la, lo := cellCentre(v/gridCols, v%gridCols)
		pts = append(pts, latLon{la, lo})
	}
	return s.smooth(pts)
}

func parallelRange(n, workers int, f func(i int)) {
	if workers < 1 {
		workers = 1
	}
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	wg.Wait()
}
