package geo

import (
	"math"
	"testing"
)

// refSites is the coarse grid's distance transform written plainly: every
// cell offered its neighbours' sites one at a time, in the sweeps' order.
// coarseGrid.sites must give the same sites, bit for bit, since shore
// distances beyond ExactShoreKm (and so the detectors' events) rest on them.
func refSites(g *coarseGrid, ix *index, coast []bool) []float32 {
	site := make([]float32, 2*g.rows*g.cols)
	best := make([]float64, g.rows*g.cols)
	for i := range best {
		best[i] = math.Inf(1)
	}
	offer := func(r, c int, sx, sy float32) {
		cell := r*g.cols + c
		x, y := g.center(r, c)
		_, lat := g.center(r, 0)
		dx, dy := (float64(sx)-x)*math.Cos(lat*rad), float64(sy)-y
		if d := dx*dx + dy*dy; d < best[cell] {
			best[cell] = d
			site[2*cell], site[2*cell+1] = sx, sy
		}
	}
	for k, ok := range coast {
		if ok {
			e := ix.fe[4*k : 4*k+4]
			for _, p := range [2][2]float64{{e[0], e[1]}, {e[2], e[3]}} {
				r, c := g.cellOf(p[1], p[0])
				offer(r, c, float32(p[0]), float32(p[1]))
			}
		}
	}
	from := func(r, c, nr, nc int) {
		if nr >= 0 && nr < g.rows && nc >= 0 && nc < g.cols && !math.IsInf(best[nr*g.cols+nc], 1) {
			n := nr*g.cols + nc
			offer(r, c, site[2*n], site[2*n+1])
		}
	}
	for r := range g.rows {
		for c := range g.cols {
			from(r, c, r-1, c-1)
			from(r, c, r-1, c)
			from(r, c, r-1, c+1)
			from(r, c, r, c-1)
		}
		for c := g.cols - 1; c >= 0; c-- {
			from(r, c, r, c+1)
		}
	}
	for r := g.rows - 1; r >= 0; r-- {
		for c := g.cols - 1; c >= 0; c-- {
			from(r, c, r+1, c+1)
			from(r, c, r+1, c)
			from(r, c, r+1, c-1)
			from(r, c, r, c+1)
		}
		for c := range g.cols {
			from(r, c, r, c-1)
		}
	}
	for i, b := range best {
		if math.IsInf(b, 1) {
			site[2*i], site[2*i+1] = float32(math.NaN()), float32(math.NaN())
		}
	}
	return site
}

func TestSitesMatchPlainTransform(t *testing.T) {
	ix := DefaultLand().idx
	coast := make([]bool, ix.nedges())
	for k := range coast {
		coast[k] = ix.coastEdge(k)
	}
	for _, name := range []string{"land", "a few coast points"} {
		if name != "land" {
			// Sparse seeds: most cells take their site from far away,
			// through many sweeps' worth of neighbours.
			for k := range coast {
				coast[k] = coast[k] && k%5000 == 0
			}
		}
		g := ix.coarseCoast(coast)
		want := refSites(g, ix, coast)
		diff := 0
		for i := range want {
			if math.Float32bits(want[i]) != math.Float32bits(g.site[i]) {
				diff++
			}
		}
		if diff > 0 {
			t.Errorf("%s: %d of %d site coordinates differ from the plain transform", name, diff, len(want))
		}
	}
}
