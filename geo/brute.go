package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// index answers OnLand and distance queries. This first version scans every
// polygon whose bounding box is relevant; it is correct but slow.
type index struct {
	polys orb.MultiPolygon
	boxes []orb.Bound
}

func buildIndex(polys orb.MultiPolygon) *index {
	ix := &index{polys: polys, boxes: make([]orb.Bound, len(polys))}
	for i, p := range polys {
		ix.boxes[i] = p.Bound()
	}
	return ix
}

func (ix *index) onLand(lat, lon float64) bool {
	pt := orb.Point{lon, lat}
	for i, p := range ix.polys {
		if !ix.boxes[i].Contains(pt) {
			continue
		}
		if polyContains(p, lon, lat) {
			return true
		}
	}
	return false
}

func (ix *index) distance(lat, lon float64) float64 {
	return bruteDistance(ix.polys, lat, lon)
}

func polyContains(p orb.Polygon, x, y float64) bool {
	in := false
	for _, r := range p {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			if (a[1] > y) != (b[1] > y) && x < a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
				in = !in
			}
		}
	}
	return in
}

func bruteDistance(polys orb.MultiPolygon, lat, lon float64) float64 {
	c := math.Cos(lat * rad)
	best := math.Inf(1)
	for _, p := range polys {
		for _, r := range p {
			for i := 1; i < len(r); i++ {
				if d := edgeDistKm(lat, lon, c, r[i-1], r[i]); d < best {
					best = d
				}
			}
		}
	}
	return best
}
