package geo

import (
	"math"
	"runtime"
	"sync"
)

// ExactShoreKm is the reach within which DistanceToShoreKm is exact.
const ExactShoreKm = 50

// edgeDist is the distance in km from (lat, lon) to the segment
// (ax, ay)-(bx, by) (degrees), measured in an equirectangular plane centred
// on the query point (x scaled by coslat = cos(lat)). Within a few hundred km
// this is within about 0.5% of the great-circle distance; it is the metric
// DistanceToShoreKm minimises, exactly, over the candidate edges.
func edgeDist(lat, lon, coslat, ax, ay, bx, by float64) float64 {
	ax, ay = (ax-lon)*coslat, ay-lat
	bx, by = (bx-lon)*coslat, by-lat
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = min(max(-(ax*dx+ay*dy)/l2, 0), 1)
	}
	px, py := ax+t*dx, ay+t*dy
	return kmPerDeg * math.Sqrt(px*px+py*py)
}

// hypot without math.Hypot's overflow care, which costs a third of the
// index build.
func hypot(x, y float64) float64 { return math.Sqrt(x*x + y*y) }

func (ix *index) distance(lat, lon float64) float64 {
	if math.IsNaN(lat) || math.IsNaN(lon) {
		return math.NaN()
	}
	_, _, cell := ix.cellOf(lat, lon)
	coslat := math.Cos(lat * rad)
	m := math.Inf(1)
	for _, k := range ix.distEdges[ix.distStart[cell]:ix.distStart[cell+1]] {
		e := ix.fe[4*k : 4*k+4 : 4*k+4]
		if d := edgeDist(lat, lon, coslat, e[0], e[1], e[2], e[3]); d < m {
			m = d
		}
	}
	if m <= ExactShoreKm {
		return m
	}
	// Farther than ExactShoreKm from every edge: the cell's site is a coast
	// point, so this is an upper bound, close to the truth (see README).
	sx, sy := float64(ix.siteLon[cell]), float64(ix.siteLat[cell])
	return min(m, kmPerDeg*hypot((sx-lon)*coslat, sy-lat))
}

// cellGeom is a cell's rectangle in degrees, the range of cos(lat) over it,
// its centre and its half-diagonal in km under the smallest and largest
// x scale.
type cellGeom struct {
	x0, y0, x1, y1 float64
	cmin, cmax     float64
	cx, cy         float64
	hdMin, hdMax   float64
}

func (ix *index) geom(r, c int) cellGeom {
	g := cellGeom{
		x0: float64(ix.west+int64(c)*ix.colUnits[r]) / unitsDeg, y0: float64(rowY0(r)) / unitsDeg,
	}
	g.x1, g.y1 = g.x0+float64(ix.colUnits[r])/unitsDeg, g.y0+cellDeg
	a, b := math.Cos(g.y0*rad), math.Cos(g.y1*rad)
	g.cmin, g.cmax = max(0, min(a, b)), max(a, b)
	if g.y0 < 0 && g.y1 > 0 {
		g.cmax = 1
	}
	g.cx, g.cy = (g.x0+g.x1)/2, (g.y0+g.y1)/2
	hw, hh := (g.x1-g.x0)/2, (g.y1-g.y0)/2
	g.hdMin = kmPerDeg * hypot(hw*g.cmin, hh)
	g.hdMax = kmPerDeg * hypot(hw*g.cmax, hh)
	return g
}

// bounds returns a lower and an upper bound of the distance from any point
// of the cell to the segment, by the triangle inequality from the centre:
// no point's metric scales x by less than cmin or more than cmax, and
// distance under a fixed scale is a norm.
func (g *cellGeom) bounds(ax, ay, bx, by float64) (lb, ub float64) {
	lb = edgeDist(g.cy, g.cx, g.cmin, ax, ay, bx, by) - g.hdMin
	ub = edgeDist(g.cy, g.cx, g.cmax, ax, ay, bx, by) + g.hdMax
	return max(lb, 0), ub
}

// distances builds the per-cell candidate lists and sites.
func (ix *index) distances() {
	ix.sites()
	ncell := ix.ncells()
	// Prefix count of cells with coast edges, in cell order (a row's cells
	// are contiguous), to skip windows without shore in O(rows).
	pre := make([]int32, ncell+1)
	for cell := range ncell {
		pre[cell+1] = pre[cell]
		if ix.coastCount(cell) > 0 {
			pre[cell+1]++
		}
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	type band struct {
		counts []uint32 // per cell of the band
		edges  []uint32
	}
	bands := make([]band, workers)
	rowsPer := (ix.rows + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r0, r1 := min(w*rowsPer, ix.rows), min((w+1)*rowsPer, ix.rows)
			b := &bands[w]
			b.counts = make([]uint32, ix.rowStart[r1]-ix.rowStart[r0])
			stamp := make([]int32, ix.nedges())
			for i := range stamp {
				stamp[i] = -1
			}
			type cand struct {
				e  uint32
				lb float64
			}
			var cands []cand
			for r := r0; r < r1; r++ {
				for c := range ix.cols(r) {
					cell := ix.rowStart[r] + c
					sx, sy := float64(ix.siteLon[cell]), float64(ix.siteLat[cell])
					if math.IsNaN(sx) {
						continue
					}
					g := ix.geom(r, c)
					_, siteUB := g.bounds(sx, sy, sx, sy)
					best := min(ExactShoreKm, siteUB)
					// Window of cells that can hold an edge within best.
					dy := best / kmPerDeg
					wr0 := max(int(math.Floor((g.y0-dy+90)/cellDeg)), 0)
					wr1 := min(int(math.Floor((g.y1+dy+90)/cellDeg)), ix.rows-1)
					dx := math.Inf(1)
					if g.cmin > 0 {
						dx = best / (kmPerDeg * g.cmin)
					}
					xa, xb := g.x0-min(dx, 400), g.x1+min(dx, 400)
					n := int32(0)
					for wr := wr0; wr <= wr1; wr++ {
						n += pre[ix.rowStart[wr]+ix.colOfDeg(wr, xb)+1] - pre[ix.rowStart[wr]+ix.colOfDeg(wr, xa)]
					}
					if n == 0 {
						continue
					}
					cands = cands[:0]
					for wr := wr0; wr <= wr1; wr++ {
						for wcell := ix.rowStart[wr] + ix.colOfDeg(wr, xa); wcell <= ix.rowStart[wr]+ix.colOfDeg(wr, xb); wcell++ {
							for _, k := range ix.cellEdges[ix.cellStart[wcell]:ix.cellStart[wcell+1]] {
								if stamp[k] == int32(cell) {
									continue
								}
								stamp[k] = int32(cell)
								e := ix.fe[4*k : 4*k+4 : 4*k+4]
								// Cheap bound first: the edge's bounding box.
								bx := max(0, g.x0-max(e[0], e[2]), min(e[0], e[2])-g.x1) * g.cmin
								by := max(0, g.y0-max(e[1], e[3]), min(e[1], e[3])-g.y1)
								if kmPerDeg*hypot(bx, by) > best || !ix.coastEdge(int(k)) {
									continue
								}
								lb, ub := g.bounds(e[0], e[1], e[2], e[3])
								if lb > best {
									continue
								}
								best = min(best, ub)
								cands = append(cands, cand{k, lb})
							}
						}
					}
					kept := uint32(0)
					for _, cd := range cands {
						if cd.lb <= best {
							b.edges = append(b.edges, cd.e)
							kept++
						}
					}
					b.counts[cell-ix.rowStart[r0]] = kept
				}
			}
		}()
	}
	wg.Wait()
	ix.distStart = make([]uint32, ncell+1)
	total := 0
	for _, b := range bands {
		total += len(b.edges)
	}
	ix.distEdges = make([]uint32, 0, total)
	cell := 0
	for _, b := range bands {
		for _, n := range b.counts {
			ix.distStart[cell+1] = ix.distStart[cell] + n
			cell++
		}
		ix.distEdges = append(ix.distEdges, b.edges...)
	}
}

func (ix *index) coastCount(cell int) int {
	n := 0
	for _, k := range ix.cellEdges[ix.cellStart[cell]:ix.cellStart[cell+1]] {
		if ix.coastEdge(int(k)) {
			n++
		}
	}
	return n
}

// sites gives every cell a coast point near it: cells with coast edges take
// the point of their edges nearest their centre, and a two-pass vector
// distance transform hands these on to every other cell. It is an
// approximation (a cell may get a site slightly farther than the nearest
// coast point), used as an upper bound.
func (ix *index) sites() {
	ncell := ix.ncells()
	ix.siteLon = make([]float32, ncell)
	ix.siteLat = make([]float32, ncell)
	best := make([]float64, ncell) // squared distance (deg², x scaled) centre-site
	cx := make([]float64, ncell)   // cell centres
	cy := make([]float64, ncell)
	cosr := make([]float64, ix.rows)
	nan := float32(math.NaN())
	for r := range ix.rows {
		y := (float64(rowY0(r)) + cellUnits/2) / unitsDeg
		cosr[r] = math.Cos(y * rad)
		w := float64(ix.colUnits[r]) / unitsDeg
		for c := range ix.cols(r) {
			cell := ix.rowStart[r] + c
			cx[cell] = float64(ix.west)/unitsDeg + (float64(c)+0.5)*w
			cy[cell] = y
			best[cell] = math.Inf(1)
			ix.siteLon[cell], ix.siteLat[cell] = nan, nan
			for _, k := range ix.cellEdges[ix.cellStart[cell]:ix.cellStart[cell+1]] {
				if !ix.coastEdge(int(k)) {
					continue
				}
				e := ix.fe[4*k : 4*k+4]
				ax, ay, bx, by := (e[0]-cx[cell])*cosr[r], e[1]-y, (e[2]-cx[cell])*cosr[r], e[3]-y
				dx, dy := bx-ax, by-ay
				t := 0.0
				if l2 := dx*dx + dy*dy; l2 > 0 {
					t = min(max(-(ax*dx+ay*dy)/l2, 0), 1)
				}
				px, py := ax+t*dx, ay+t*dy
				if d := px*px + py*py; d < best[cell] {
					best[cell] = d
					ix.siteLon[cell] = float32(e[0] + t*(e[2]-e[0]))
					ix.siteLat[cell] = float32(e[1] + t*(e[3]-e[1]))
				}
			}
		}
	}
	try := func(cell, from int, cos float64) {
		if best[from] == math.Inf(1) {
			return
		}
		sx, sy := float64(ix.siteLon[from]), float64(ix.siteLat[from])
		dx, dy := (sx-cx[cell])*cos, sy-cy[cell]
		if d := dx*dx + dy*dy; d < best[cell] {
			best[cell] = d
			ix.siteLon[cell], ix.siteLat[cell] = ix.siteLon[from], ix.siteLat[from]
		}
	}
	// tryRow offers cell the sites of the cells of row nr around its centre.
	tryRow := func(cell, r, nr int) {
		if nr < 0 || nr >= ix.rows {
			return
		}
		nc := ix.colOfDeg(nr, cx[cell])
		for c := max(nc-1, 0); c <= min(nc+1, ix.cols(nr)-1); c++ {
			try(cell, ix.rowStart[nr]+c, cosr[r])
		}
	}
	for r := range ix.rows {
		s, e := ix.rowStart[r], ix.rowStart[r+1]
		for cell := s; cell < e; cell++ {
			tryRow(cell, r, r-1)
			if cell > s {
				try(cell, cell-1, cosr[r])
			}
		}
		for cell := e - 2; cell >= s; cell-- {
			try(cell, cell+1, cosr[r])
		}
	}
	for r := ix.rows - 1; r >= 0; r-- {
		s, e := ix.rowStart[r], ix.rowStart[r+1]
		for cell := e - 1; cell >= s; cell-- {
			tryRow(cell, r, r+1)
			if cell < e-1 {
				try(cell, cell+1, cosr[r])
			}
		}
		for cell := s + 1; cell < e; cell++ {
			try(cell, cell-1, cosr[r])
		}
	}
}
