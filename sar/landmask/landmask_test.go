package landmask

import (
	"math"
	"testing"

	"github.com/lookout-osint/lookout/sar/geotiff"
)

// disc is a round island.
type disc struct{ lat, lon, rKm float64 }

func (d disc) dist(lat, lon float64) float64 {
	mLat, mLon := MetresPerDegree(d.lat)
	return math.Hypot((lat-d.lat)*mLat, (lon-d.lon)*mLon) / 1000
}
func (d disc) OnLand(lat, lon float64) bool { return d.dist(lat, lon) < d.rKm }
func (d disc) DistanceToShoreKm(lat, lon float64) float64 {
	return math.Abs(d.dist(lat, lon) - d.rKm)
}

func TestMaskMatchesPerPixelTruth(t *testing.T) {
	mLat, mLon := MetresPerDegree(40)
	w, h := 1000, 800
	tr := geotiff.Transform{134, 10 / mLon, 0, 40, 0, -10 / mLat}
	lon, lat := tr.LonLat(400, 300)
	island := disc{lat, lon, 1.5}
	const buf, cell = 0.5, 8
	m := Build(island, w, h, tr, buf, cell)
	wrong := 0
	for y := 0; y < h; y += 3 {
		for x := 0; x < w; x += 3 {
			plon, plat := tr.LonLat(float64(x)+0.5, float64(y)+0.5)
			want := island.dist(plat, plon) < island.rKm+buf
			// Cells are decided by their centre: allow a cell's half-diagonal
			// of slack at the edge.
			d := island.dist(plat, plon) - island.rKm - buf
			if m.Land(x, y) != want && math.Abs(d) > 0.06 {
				wrong++
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d pixels wrongly masked away from the edge", wrong)
	}
	if m.Queries > 2000 {
		t.Errorf("%d land queries for a small island; the quadtree is not pruning", m.Queries)
	}
	if !m.Land(-1, 0) || !m.Land(w, h) {
		t.Error("pixels outside the scene must be masked")
	}
	if Build(nil, w, h, tr, buf, cell).Land(400, 300) {
		t.Error("nil land masked something")
	}
}
