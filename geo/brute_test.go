package geo

import (
	"math"

	"github.com/paulmach/orb"
)

type brutePolys struct {
	polys  orb.MultiPolygon
	bounds []orb.Bound
}

// allPolys is the land with its antimeridian copies, as the index sees it.
func allPolys(l *Land) brutePolys {
	bp := brutePolys{polys: withWrappedCopies(l.polys)}
	for _, p := range bp.polys {
		bp.bounds = append(bp.bounds, p.Bound())
	}
	return bp
}

// bruteOnLand is plain ray casting over every polygon (with the antimeridian
// copies), the reference the index must agree with. Polygons whose bounding
// box excludes the point cannot change the parity and are skipped.
func bruteOnLand(polys brutePolys, lat, lon float64) bool {
	in := false
	for i, p := range polys.polys {
		if !polys.bounds[i].Contains(orb.Point{lon, lat}) {
			continue
		}
		for _, r := range p {
			for i := 1; i < len(r); i++ {
				a, b := r[i-1], r[i]
				if (a[1] > lat) != (b[1] > lat) && lon < a[0]+(lat-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
					in = !in
				}
			}
		}
	}
	return in
}

// bruteDistance is the minimum of edgeDist over every coastline edge.
func bruteDistance(polys brutePolys, lat, lon float64) float64 {
	c := math.Cos(lat * rad)
	best := math.Inf(1)
	for i, p := range polys.polys {
		// Skip polygons whose bounding box is farther than the best so far
		// (a lower bound in edgeDist's metric).
		b := polys.bounds[i]
		dx := max(0, b.Min[0]-lon, lon-b.Max[0]) * c
		dy := max(0, b.Min[1]-lat, lat-b.Max[1])
		if kmPerDeg*math.Sqrt(dx*dx+dy*dy) > best {
			continue
		}
		for _, r := range p {
			for i := 1; i < len(r); i++ {
				a, b := r[i-1], r[i]
				if math.Abs(a[1]) == 90 || math.Abs(b[1]) == 90 || onAntimeridian(a[0]) && onAntimeridian(b[0]) {
					continue
				}
				best = min(best, edgeDist(lat, lon, c, a[0], a[1], b[0], b[1]))
			}
		}
	}
	return best
}

func onAntimeridian(x float64) bool { return math.Abs(math.Mod(x, 360)) == 180 }
