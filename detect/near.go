package detect

import (
	"math"

	"github.com/lookout-osint/lookout/geo"
)

// placed is a position with its unit vector on the sphere, so that testing
// it against many others costs a few multiplications each instead of the
// haversine's trigonometry.
type placed struct {
	lat, lon float64
	u        [3]float64
}

func place(lat, lon float64) placed {
	sy, cy := math.Sincos(lat * math.Pi / 180)
	sx, cx := math.Sincos(lon * math.Pi / 180)
	return placed{lat, lon, [3]float64{cy * cx, cy * sx, sy}}
}

// kmTest tells whether two placed positions are within km of each other,
// giving exactly the answer of geo.DistanceKm <= km: the chord between the
// unit vectors decides, and the few pairs within rounding of the threshold
// get the exact great-circle distance.
type kmTest struct{ km, lo, hi float64 }

func newKmTest(km float64) kmTest {
	c := 2 * math.Sin(km/(2*geo.EarthRadiusKm))
	return kmTest{km, c * c * (1 - 1e-9), c * c * (1 + 1e-9)}
}

func (k kmTest) within(a, b *placed) bool {
	x, y, z := a.u[0]-b.u[0], a.u[1]-b.u[1], a.u[2]-b.u[2]
	c2 := x*x + y*y + z*z
	switch {
	case c2 < k.lo:
		return true
	case c2 > k.hi:
		return false
	}
	return geo.DistanceKm(a.lat, a.lon, b.lat, b.lon) <= k.km
}
