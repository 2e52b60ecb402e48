package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// bruteOnLand is plain ray casting over every polygon (with the antimeridian
// copies), the reference the index must agree with.
func bruteOnLand(polys orb.MultiPolygon, lat, lon float64) bool {
	in := false
	for _, p := range polys {
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
func bruteDistance(polys orb.MultiPolygon, lat, lon float64) float64 {
	c := math.Cos(lat * rad)
	best := math.Inf(1)
	for _, p := range polys {
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
