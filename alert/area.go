package alert

import (
	"math"

	"github.com/lookout-osint/lookout/geo"
)

// Near reports whether (lat, lon) is inside the area or within km of it
// (km adds to the area's own within_km).
func (a *Area) Near(lat, lon, km float64) bool {
	km += a.WithinKm
	switch {
	case a.BBox != nil:
		b := a.BBox
		if lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3] {
			return true
		}
		if km == 0 {
			return false
		}
		cl := math.Max(b[0], math.Min(lon, b[2]))
		ct := math.Max(b[1], math.Min(lat, b[3]))
		return geo.DistanceKm(lat, lon, ct, cl) <= km
	case a.Polygon != nil:
		if geo.InRing(a.Polygon, lon, lat) {
			return true
		}
		return km > 0 && ringDistanceKm(a.Polygon, lon, lat) <= km
	default:
		return a.cat.InGroupAt(lat, lon, a.PortGroup, km)
	}
}

// ringDistanceKm is the distance to the nearest edge, on a local
// equirectangular projection (good to a fraction of a percent over the tens
// of kilometres "near" means).
func ringDistanceKm(ring [][2]float64, lon, lat float64) float64 {
	kx := math.Cos(lat*math.Pi/180) * 111.32
	const ky = 110.57
	best := math.Inf(1)
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		ax, ay := (ring[j][0]-lon)*kx, (ring[j][1]-lat)*ky
		bx, by := (ring[i][0]-lon)*kx, (ring[i][1]-lat)*ky
		dx, dy := bx-ax, by-ay
		t := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
		}
		px, py := ax+t*dx, ay+t*dy
		best = math.Min(best, math.Hypot(px, py))
	}
	return best
}
