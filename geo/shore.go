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

// distIndex is the part of the index that DistanceToShoreKm needs. Its
// global pieces are built on the first distance query; the per-cell
// candidate lists are built a chunk (chunkRows rows by blockDeg of
// longitude) at a time, when a query first falls in the chunk, so a
// program that looks at one sea pays for that sea. Chunks were whole rows
// around the globe: a process that saw a few ships in the Sea of Japan
// built 380° bands, a fifth of a NATS second-stage shard's CPU.
type distIndex struct {
	coast  []bool // per edge: real coastline
	coarse *coarseGrid
	rowG   []cellGeom // per row: geometry of its column 0
	chunks []distChunk
	stamps sync.Pool // of *[]int32, one entry per edge
}

const (
	chunkRows  = 8
	blockDeg   = 4
	blockUnits = blockDeg * unitsDeg
	// blocks is the number of longitude blocks of a row: the grid is
	// 360+2*marginDeg degrees wide.
	blocks = (360 + 2*marginDeg + blockDeg - 1) / blockDeg
)

// distChunk holds the candidate lists of the cells of rows r0 to r0+chunkRows
// whose west edge is in longitude block b (see blockCols), row by row.
type distChunk struct {
	once  sync.Once
	off   [chunkRows + 1]uint32 // per row of the chunk: index in start of its first cell
	start []uint32              // per cell of the chunk, into edges; len cells+1
	edges []uint32
}

// blockCols is the range of columns [c0, c1) of row r whose west edge lies
// in longitude block b: b*blockUnits ≤ c*colUnits < (b+1)*blockUnits.
func (ix *index) blockCols(r, b int) (c0, c1 int) {
	cu := ix.colUnits[r]
	n := int64(ix.cols(r))
	return int(min(ceilDiv(int64(b)*blockUnits, cu), n)), int(min(ceilDiv(int64(b+1)*blockUnits, cu), n))
}

// chunkOf returns the chunk number of row r, column c and the cell's
// position in the chunk's start.
func (ix *index) chunkOf(r, c int) (ch, local int) {
	b := int(int64(c) * ix.colUnits[r] / blockUnits)
	ci := r / chunkRows
	c0, _ := ix.blockCols(r, b)
	return ci*blocks + b, c - c0
}

func (ix *index) distance(lat, lon float64) float64 {
	if math.IsNaN(lat) || math.IsNaN(lon) {
		return math.NaN()
	}
	ix.distOnce.Do(ix.prepareDistance)
	d := ix.dist
	r, c, _ := ix.cellOf(lat, lon)
	ci, local := ix.chunkOf(r, c)
	ch := &d.chunks[ci]
	ch.once.Do(func() { ix.buildChunk(ci) })
	local += int(ch.off[r%chunkRows])
	coslat := math.Cos(lat * rad)
	m := math.Inf(1)
	for _, k := range ch.edges[ch.start[local]:ch.start[local+1]] {
		e := ix.fe[4*k : 4*k+4 : 4*k+4]
		if d := edgeDist(lat, lon, coslat, e[0], e[1], e[2], e[3]); d < m {
			m = d
		}
	}
	if m <= ExactShoreKm {
		return m
	}
	// Farther than ExactShoreKm from every edge: the nearest of the coarse
	// sites around is a coast point, so this is an upper bound (see README).
	return min(m, d.coarse.siteDist(lat, lon, coslat))
}

func (ix *index) prepareDistance() {
	d := &distIndex{coast: make([]bool, ix.nedges())}
	for k := range d.coast {
		d.coast[k] = ix.coastEdge(k)
	}
	d.coarse = ix.coarseCoast(d.coast)
	d.rowG = make([]cellGeom, ix.rows)
	for r := range d.rowG {
		d.rowG[r] = ix.geom(r, 0)
	}
	d.chunks = make([]distChunk, (ix.rows+chunkRows-1)/chunkRows*blocks)
	d.stamps.New = func() any {
		s := make([]int32, ix.nedges())
		for i := range s {
			s[i] = -1
		}
		return &s
	}
	ix.dist = d
}

// buildChunk lists, for each cell of a chunk, the coastline edges that can
// be nearest to some point of the cell, if any is within ExactShoreKm.
func (ix *index) buildChunk(chunk int) {
	d := ix.dist
	coast, coarse := d.coast, d.coarse
	ch := &d.chunks[chunk]
	ci, b := chunk/blocks, chunk%blocks
	r0, r1 := ci*chunkRows, min((ci+1)*chunkRows, ix.rows)
	n := 0
	for r := r0; r < r1; r++ {
		c0, c1 := ix.blockCols(r, b)
		ch.off[r-r0] = uint32(n)
		n += c1 - c0
	}
	ch.start = make([]uint32, n+1)
	// stamp[k] == cell marks edge k as seen for this cell; cell numbers are
	// unique, so the slice is reused across chunks without clearing.
	stamp := d.stamps.Get().(*[]int32)
	defer d.stamps.Put(stamp)
	type cand struct {
		e  uint32
		lb float64
	}
	var cands []cand
	for r := r0; r < r1; r++ {
		g := d.rowG[r]
		w := g.x1 - g.x0
		c0, c1 := ix.blockCols(r, b)
		for c := c0; c < c1; c++ {
			cell := ix.rowStart[r] + c
			local := int(ch.off[r-r0]) + c - c0
			ch.start[local+1] = ch.start[local]
			g.x0 = float64(ix.west)/unitsDeg + float64(c)*w
			g.x1, g.cx = g.x0+w, g.x0+w/2
			best := min(ExactShoreKm, coarse.siteBound(&g))
			// Window of cells that can hold an edge within best.
			dy := best / kmPerDeg
			dx := 400.0
			if g.cmin > 0 {
				dx = min(dx, best/(kmPerDeg*g.cmin))
			}
			xa, xb, ya, yb := g.x0-dx, g.x1+dx, g.y0-dy, g.y1+dy
			if coarse.count(xa, xb, ya, yb) == 0 {
				continue
			}
			wr0 := max(int(math.Floor((ya+90)/cellDeg)), 0)
			wr1 := min(int(math.Floor((yb+90)/cellDeg)), ix.rows-1)
			cands = cands[:0]
			for wr := wr0; wr <= wr1; wr++ {
				first, last := ix.rowStart[wr]+ix.colOfDeg(wr, xa), ix.rowStart[wr]+ix.colOfDeg(wr, xb)
				for wcell := first; wcell <= last; wcell++ {
					for _, k := range ix.cellEdges[ix.cellStart[wcell]:ix.cellStart[wcell+1]] {
						if (*stamp)[k] == int32(cell) {
							continue
						}
						(*stamp)[k] = int32(cell)
						e := ix.fe[4*k : 4*k+4 : 4*k+4]
						// Cheap bound first: the edge's bounding box.
						bx := max(0, g.x0-max(e[0], e[2]), min(e[0], e[2])-g.x1) * g.cmin
						by := max(0, g.y0-max(e[1], e[3]), min(e[1], e[3])-g.y1)
						if kmPerDeg*hypot(bx, by) > best || !coast[k] {
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
			for _, cd := range cands {
				if cd.lb <= best {
					ch.edges = append(ch.edges, cd.e)
					ch.start[local+1]++
				}
			}
		}
	}
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

// coarseGrid is a uniform grid over the index's extent. It counts the
// cells that coastline edges may touch, as a summed-area table, so whether a window holds any shore is O(1) (which
// lets the build skip the open ocean); and it gives every cell a site, a
// coast point near it, by a two-pass vector distance transform seeded with
// the coastline's vertices.
type coarseGrid struct {
	west       float64
	rows, cols int
	sat        []int32   // (rows+1) × (cols+1)
	site       []float32 // per cell: lon, lat; NaN if none
	cos        []float64 // per row: cos of its middle latitude
}

const coarseDeg = 0.25

func (ix *index) coarseCoast(coast []bool) *coarseGrid {
	g := &coarseGrid{west: float64(ix.west) / unitsDeg, rows: int(180 / coarseDeg), cols: int((360 + 2*marginDeg) / coarseDeg)}
	// Mark every coarse cell in the bounding box of a coastline edge: a
	// superset of the cells the edge touches, which is all the skip needs.
	grid := make([]int32, g.rows*g.cols)
	for k, ok := range coast {
		if !ok {
			continue
		}
		e := ix.fe[4*k : 4*k+4]
		r0, c0 := g.cellOf(min(e[1], e[3]), min(e[0], e[2]))
		r1, c1 := g.cellOf(max(e[1], e[3]), max(e[0], e[2]))
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				grid[r*g.cols+c] = 1
			}
		}
	}
	c1 := g.cols + 1
	g.sat = make([]int32, (g.rows+1)*c1)
	for r := range g.rows {
		run := int32(0)
		for c := range g.cols {
			run += grid[r*g.cols+c]
			g.sat[(r+1)*c1+c+1] = g.sat[r*c1+c+1] + run
		}
	}
	g.sites(ix, coast)
	return g
}

func (g *coarseGrid) cellOf(lat, lon float64) (int, int) {
	r := min(max(int(math.Floor((lat+90)/coarseDeg)), 0), g.rows-1)
	c := min(max(int(math.Floor((lon-g.west)/coarseDeg)), 0), g.cols-1)
	return r, c
}

func (g *coarseGrid) center(r, c int) (lon, lat float64) {
	return g.west + (float64(c)+0.5)*coarseDeg, -90 + (float64(r)+0.5)*coarseDeg
}

func (g *coarseGrid) sites(ix *index, coast []bool) {
	n := g.rows * g.cols
	g.site = make([]float32, 2*n)
	best := make([]float64, n)
	for i := range best {
		best[i] = math.Inf(1)
	}
	g.cos = make([]float64, g.rows)
	for r := range g.rows {
		_, lat := g.center(r, 0)
		g.cos[r] = math.Cos(lat * rad)
	}
	for k, ok := range coast {
		if !ok {
			continue
		}
		e := ix.fe[4*k : 4*k+4]
		for _, p := range [2][2]float64{{e[0], e[1]}, {e[2], e[3]}} {
			r, c := g.cellOf(p[1], p[0])
			x, y := g.center(r, c)
			g.offer(best, r*g.cols+c, x, y, g.cos[r], float32(p[0]), float32(p[1]))
		}
	}
	// The two sweeps of the distance transform, each cell offered its
	// neighbours' sites in a fixed order (ties keep the first). A sweep
	// visits a million cells eight times: the centre and the row's cosine
	// are taken once per cell, the neighbours' offsets once per row.
	cols, site := g.cols, g.site
	for r := range g.rows {
		_, y := g.center(r, 0)
		cos := g.cos[r]
		for c := range cols {
			x := g.west + (float64(c)+0.5)*coarseDeg
			i := r*cols + c
			if r > 0 {
				if c > 0 {
					from(best, site, i, i-cols-1, x, y, cos)
				}
				from(best, site, i, i-cols, x, y, cos)
				if c+1 < cols {
					from(best, site, i, i-cols+1, x, y, cos)
				}
			}
			if c > 0 {
				from(best, site, i, i-1, x, y, cos)
			}
		}
		for c := cols - 2; c >= 0; c-- {
			x := g.west + (float64(c)+0.5)*coarseDeg
			from(best, site, r*cols+c, r*cols+c+1, x, y, cos)
		}
	}
	for r := g.rows - 1; r >= 0; r-- {
		_, y := g.center(r, 0)
		cos := g.cos[r]
		for c := cols - 1; c >= 0; c-- {
			x := g.west + (float64(c)+0.5)*coarseDeg
			i := r*cols + c
			if r+1 < g.rows {
				if c+1 < cols {
					from(best, site, i, i+cols+1, x, y, cos)
				}
				from(best, site, i, i+cols, x, y, cos)
				if c > 0 {
					from(best, site, i, i+cols-1, x, y, cos)
				}
			}
			if c+1 < cols {
				from(best, site, i, i+1, x, y, cos)
			}
		}
		for c := 1; c < cols; c++ {
			x := g.west + (float64(c)+0.5)*coarseDeg
			from(best, site, r*cols+c, r*cols+c-1, x, y, cos)
		}
	}
	for i, b := range best {
		if math.IsInf(b, 1) {
			g.site[2*i], g.site[2*i+1] = float32(math.NaN()), float32(math.NaN())
		}
	}
}

// from offers cell i (centre x, y; its row's cosine cos) the site of cell
// n, if n has one (a finite best).
func from(best []float64, site []float32, i, n int, x, y, cos float64) {
	if best[n] <= math.MaxFloat64 {
		sx, sy := site[2*n], site[2*n+1]
		dx, dy := (float64(sx)-x)*cos, float64(sy)-y
		if d := dx*dx + dy*dy; d < best[i] {
			best[i] = d
			site[2*i], site[2*i+1] = sx, sy
		}
	}
}

// offer makes (sx, sy) the site of cell i (centre x, y) if it is nearer
// than the cell's site so far.
func (g *coarseGrid) offer(best []float64, i int, x, y, cos float64, sx, sy float32) {
	dx, dy := (float64(sx)-x)*cos, float64(sy)-y
	if d := dx*dx + dy*dy; d < best[i] {
		best[i] = d
		g.site[2*i], g.site[2*i+1] = sx, sy
	}
}

// siteDist is the distance (edgeDist's metric) from the point to the
// nearest of the sites of the 3×3 coarse cells around it: a coast point,
// so an upper bound of the distance to the shore.
func (g *coarseGrid) siteDist(lat, lon, coslat float64) float64 {
	r, c := g.cellOf(lat, lon)
	d := math.Inf(1)
	for nr := max(r-1, 0); nr <= min(r+1, g.rows-1); nr++ {
		for nc := max(c-1, 0); nc <= min(c+1, g.cols-1); nc++ {
			i := nr*g.cols + nc
			sx, sy := float64(g.site[2*i]), float64(g.site[2*i+1])
			if sx == sx {
				d = min(d, kmPerDeg*hypot((sx-lon)*coslat, sy-lat))
			}
		}
	}
	return d
}

// siteBound bounds from above the distance from any point of an index
// cell to the shore, using the sites of the coarse cells around its centre.
func (g *coarseGrid) siteBound(c *cellGeom) float64 {
	r0, c0 := g.cellOf(c.cy, c.cx)
	d := math.Inf(1)
	for nr := max(r0-1, 0); nr <= min(r0+1, g.rows-1); nr++ {
		for nc := max(c0-1, 0); nc <= min(c0+1, g.cols-1); nc++ {
			i := nr*g.cols + nc
			sx, sy := float64(g.site[2*i]), float64(g.site[2*i+1])
			if sx == sx {
				_, ub := c.bounds(sx, sy, sx, sy)
				d = min(d, ub)
			}
		}
	}
	return d
}

// count is the number of coast cells overlapping the window (degrees).
func (g *coarseGrid) count(x0, x1, y0, y1 float64) int32 {
	c0 := min(max(int(math.Floor((x0-g.west)/coarseDeg)), 0), g.cols-1)
	c1 := min(max(int(math.Floor((x1-g.west)/coarseDeg)), 0), g.cols-1)
	r0 := min(max(int(math.Floor((y0+90)/coarseDeg)), 0), g.rows-1)
	r1 := min(max(int(math.Floor((y1+90)/coarseDeg)), 0), g.rows-1)
	w := g.cols + 1
	return g.sat[(r1+1)*w+c1+1] - g.sat[r0*w+c1+1] - g.sat[(r1+1)*w+c0] + g.sat[r0*w+c0]
}

func (ix *index) prepareRows(lat0, lat1 float64) {
	if math.IsNaN(lat0) || math.IsNaN(lat1) {
		return
	}
	ix.distOnce.Do(ix.prepareDistance)
	r0, _, _ := ix.cellOf(min(lat0, lat1), 0)
	r1, _, _ := ix.cellOf(max(lat0, lat1), 0)
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ci := range next {
				ix.dist.chunks[ci].once.Do(func() { ix.buildChunk(ci) })
			}
		}()
	}
	for ci := r0 / chunkRows; ci <= r1/chunkRows; ci++ {
		for b := range blocks {
			next <- ci*blocks + b
		}
	}
	close(next)
	wg.Wait()
}
