package geo

import (
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
)

// The land index is a grid of cells over [-180-margin, 180+margin) × [-90, 90].
// Rows are cellDeg high; columns are cellDeg times a whole factor that grows
// towards the poles, so that cells stay roughly square on the ground.
//
// OnLand: each cell knows whether its reference point R (west edge, middle
// latitude) is on land, found by a ray-casting scanline per row at build
// time, and lists the land edges that touch it. A point in a cell without
// edges has R's status; otherwise the parity of R is carried to the point
// along an L-shaped path inside the cell (up the west edge, then east), which
// only edges of the cell can cross. Coordinates are integers (1e-5°, the
// source precision), so the tests that involve R are exact.
//
// DistanceToShoreKm: each cell within ExactShoreKm of the shore lists the
// edges that can be nearest to some point of the cell (every edge whose
// lower-bound distance to the cell is no more than an upper bound of the
// distance from any point of the cell to the shore). The lists are built a
// chunk of rows at a time on first use (shore.go). Beyond ExactShoreKm a cell
// has no list; it answers with the distance to the nearest of the coast
// points ("sites") that a coarse-grid distance transform assigned around it.
//
// The grid extends margin degrees beyond ±180 so that edges of polygons
// stored beyond the antimeridian, and their copies shifted by 360°, are
// found from both sides.
const (
	cellDeg   = 0.1
	cellUnits = 10000 // cellDeg in 1e-5° units
	marginDeg = 10
	unitsDeg  = 1e5
)

type index struct {
	rows     int
	west     int64     // west edge of column 0, in units
	colUnits []int64   // per row: column width in units
	colInv   []float64 // per row: columns per degree
	rowStart []int     // per row: index of its first cell; len rows+1

	// Edges, 4 values (x0, y0, x1, y1) each: in 1e-5° units (exact, for
	// point-in-polygon) and in degrees (for distances).
	ee []int32
	fe []float64

	cellStart []uint32 // per cell, into cellEdges; len cells+1
	cellEdges []uint32
	refLand   []uint64 // bit per cell: is R on land

	distOnce sync.Once
	dist     *distIndex
}

const kmPerDeg = EarthRadiusKm * rad

// cellOf returns the row, column and cell number of a position.
func (ix *index) cellOf(lat, lon float64) (r, c, cell int) {
	r = min(max(int(math.Floor((lat+90)/cellDeg)), 0), ix.rows-1)
	c = ix.colOfDeg(r, lon)
	return r, c, ix.rowStart[r] + c
}

// colOfDeg is the column of row r holding longitude x, clamped to the row.
// Float arithmetic: a position exactly on a column boundary may land on
// either side, which is harmless because edges are listed in both cells.
func (ix *index) colOfDeg(r int, x float64) int {
	c := int(math.Floor((x - float64(ix.west)/unitsDeg) * ix.colInv[r]))
	return min(max(c, 0), ix.rowStart[r+1]-ix.rowStart[r]-1)
}

func (ix *index) cols(r int) int { return ix.rowStart[r+1] - ix.rowStart[r] }

// colOf is the column of row r holding x (units), clamped to the row.
func (ix *index) colOf(r int, x int64) int {
	return int(min(max(floorDiv(x-ix.west, ix.colUnits[r]), 0), int64(ix.cols(r)-1)))
}

// rowY0 is the latitude (units) of the bottom of row r.
func rowY0(r int) int64 { return -90*unitsDeg + int64(r)*cellUnits }

func newGrid() *index {
	ix := &index{rows: 180 * unitsDeg / cellUnits, west: (-180 - marginDeg) * unitsDeg}
	ix.colUnits = make([]int64, ix.rows)
	ix.colInv = make([]float64, ix.rows)
	ix.rowStart = make([]int, ix.rows+1)
	const width = (360 + 2*marginDeg) * unitsDeg
	for r := range ix.rows {
		mid := (float64(rowY0(r)) + cellUnits/2) / unitsDeg
		f := max(1, math.Floor(1/math.Cos(mid*rad)))
		ix.colUnits[r] = cellUnits * int64(f)
		ix.colInv[r] = unitsDeg / float64(ix.colUnits[r])
		ix.rowStart[r+1] = ix.rowStart[r] + int(ceilDiv(width, ix.colUnits[r]))
	}
	return ix
}

func (ix *index) ncells() int { return ix.rowStart[ix.rows] }

func buildIndex(polys orb.MultiPolygon) *index {
	ix := newGrid()
	for _, p := range polys {
		for _, r := range p {
			for i := 1; i < len(r); i++ {
				ax, ay := int32(math.Round(r[i-1][0]*unitsDeg)), int32(math.Round(r[i-1][1]*unitsDeg))
				bx, by := int32(math.Round(r[i][0]*unitsDeg)), int32(math.Round(r[i][1]*unitsDeg))
				if ax == bx && ay == by {
					continue
				}
				ix.ee = append(ix.ee, ax, ay, bx, by)
			}
		}
	}
	ix.fe = make([]float64, len(ix.ee))
	for i, v := range ix.ee {
		ix.fe[i] = float64(v) / unitsDeg
	}
	// Independent passes over the edges (they write different fields):
	// the index is built before a program's first position is looked at,
	// while its other core has little to do.
	var wg sync.WaitGroup
	wg.Go(ix.scanlines)
	ix.bucket()
	wg.Wait()
	return ix
}

// coastEdge reports whether an edge is real coastline, not an artefact of
// storing spherical polygons in the plane: the closure of Antarctica along
// the pole and cuts along the antimeridian.
func (ix *index) coastEdge(i int) bool {
	const pole, am = 90 * unitsDeg, 180 * unitsDeg
	e := ix.ee[4*i : 4*i+4]
	if abs32(e[1]) == pole || abs32(e[3]) == pole {
		return false
	}
	onAM := func(x int32) bool { return x%(2*am) == am || x%(2*am) == -am }
	return !(onAM(e[0]) && onAM(e[2]))
}

func (ix *index) nedges() int { return len(ix.ee) / 4 }

func (ix *index) edge(i int) (ax, ay, bx, by int64) {
	e := ix.ee[4*i : 4*i+4]
	return int64(e[0]), int64(e[1]), int64(e[2]), int64(e[3])
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// bucket lists, per cell, the edges that touch its closed rectangle.
func (ix *index) bucket() {
	ncell := ix.ncells()
	counts := make([]uint32, ncell+1)
	visit := func(i int, fn func(cell int)) {
		ax, ay, bx, by := ix.edge(i)
		x0, x1 := min(ax, bx), max(ax, bx)
		y0, y1 := min(ay, by), max(ay, by)
		// Closed cells: a vertex on a cell boundary belongs to both sides.
		r0 := max(int(floorDiv(y0+90*unitsDeg-1, cellUnits)), 0)
		r1 := min(int(floorDiv(y1+90*unitsDeg, cellUnits)), ix.rows-1)
		for r := r0; r <= r1; r++ {
			c0, c1 := ix.colOf(r, x0-1), ix.colOf(r, x1)
			small := c1-c0 <= 1 && r1-r0 <= 1
			for c := c0; c <= c1; c++ {
				if small || ix.segTouchesCell(i, r, c) {
					fn(ix.rowStart[r] + c)
				}
			}
		}
	}
	for i := range ix.nedges() {
		visit(i, func(cell int) { counts[cell+1]++ })
	}
	for i := 1; i <= ncell; i++ {
		counts[i] += counts[i-1]
	}
	ix.cellStart = counts
	ix.cellEdges = make([]uint32, counts[ncell])
	fill := slices.Clone(counts[:ncell])
	for i := range ix.nedges() {
		visit(i, func(cell int) {
			ix.cellEdges[fill[cell]] = uint32(i)
			fill[cell]++
		})
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// segTouchesCell is a separating-axis test of edge i against the closed
// cell (r, c), exact in integers.
func (ix *index) segTouchesCell(i, r, c int) bool {
	x0, w := ix.west+int64(c)*ix.colUnits[r], ix.colUnits[r]
	y0 := rowY0(r)
	ax, ay, bx, by := ix.edge(i)
	pos, neg := false, false
	for _, p := range [4][2]int64{{x0, y0}, {x0 + w, y0}, {x0, y0 + cellUnits}, {x0 + w, y0 + cellUnits}} {
		o := (bx-ax)*(p[1]-ay) - (by-ay)*(p[0]-ax)
		pos = pos || o >= 0
		neg = neg || o <= 0
	}
	return pos && neg
}

// scanlines sets each cell's reference bit: is R = (west edge, row middle)
// on land? A ray from R to the west crosses the edges with an intersection
// strictly west of R; vertices on the ray count as above it.
func (ix *index) scanlines() {
	type hit struct {
		row int32
		x   float64
	}
	var hits []hit
	for i := range ix.nedges() {
		ax, ay, bx, by := ix.edge(i)
		if ay == by {
			continue
		}
		lo, hi := min(ay, by), max(ay, by)
		// Rows whose middle y satisfies lo <= y < hi.
		half := int64(cellUnits / 2)
		r0 := int(ceilDiv(lo+90*unitsDeg-half, cellUnits))
		r1 := int(ceilDiv(hi+90*unitsDeg-half, cellUnits)) - 1
		for r := max(r0, 0); r <= min(r1, ix.rows-1); r++ {
			y := rowY0(r) + half
			hits = append(hits, hit{int32(r), float64(ax) + float64(y-ay)*float64(bx-ax)/float64(by-ay)})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.row != b.row {
			return int(a.row - b.row)
		}
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	ix.refLand = make([]uint64, (ix.ncells()+63)/64)
	h := 0
	for r := range ix.rows {
		for h < len(hits) && int(hits[h].row) < r {
			h++
		}
		in := false
		for c := range ix.cols(r) {
			x := float64(ix.west + int64(c)*ix.colUnits[r])
			for h < len(hits) && int(hits[h].row) == r && hits[h].x < x {
				in = !in
				h++
			}
			if in {
				cell := ix.rowStart[r] + c
				ix.refLand[cell/64] |= 1 << (cell % 64)
			}
		}
		for h < len(hits) && int(hits[h].row) == r {
			h++
		}
	}
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

func (ix *index) onLand(lat, lon float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lon) {
		return false
	}
	r, c, cell := ix.cellOf(lat, lon)
	in := ix.refLand[cell/64]&(1<<(cell%64)) != 0
	s, e := ix.cellStart[cell], ix.cellStart[cell+1]
	if s == e {
		return in
	}
	X0 := ix.west + int64(c)*ix.colUnits[r]
	Yc := rowY0(r) + cellUnits/2
	fX0 := float64(X0)
	px, py := lon*unitsDeg, lat*unitsDeg
	for _, k := range ix.cellEdges[s:e] {
		ax, ay, bx, by := ix.edge(int(k))
		// Up (or down) the west edge from R to (X0, py).
		if (ax < X0) != (bx < X0) {
			o := (bx-ax)*(Yc-ay) - (by-ay)*(X0-ax) // exact
			belowR := o < 0
			op := float64(bx-ax)*(py-float64(ay)) - float64(by-ay)*(fX0-float64(ax))
			belowP := op < 0
			if bx < ax {
				belowR, belowP = o > 0, op > 0
			}
			// The edge crosses the leg if R and (X0, py) are on opposite sides.
			if belowR != belowP {
				in = !in
			}
		}
		// East along y = py from X0 to px.
		if (float64(ay) > py) != (float64(by) > py) {
			fax, fay, fbx, fby := float64(ax), float64(ay), float64(bx), float64(by)
			o0 := (fbx-fax)*(py-fay) - (fby-fay)*(fX0-fax)
			o1 := (fbx-fax)*(py-fay) - (fby-fay)*(px-fax)
			if fby < fay {
				o0, o1 = -o0, -o1
			}
			// Crossing x in [X0, px): X0 not right of it, px right of it.
			if o0 >= 0 && o1 < 0 {
				in = !in
			}
		}
	}
	return in
}
