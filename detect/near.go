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

func (k kmTest) within(a, b *placed) bool { return k.inside(chord2(&a.u, &b.u), a.lat, a.lon, b) }

// inside is within for c2, the squared chord between (lat, lon) and b.
func (k kmTest) inside(c2, lat, lon float64, b *placed) bool {
	switch {
	case c2 < k.lo:
		return true
	case c2 > k.hi:
		return false
	}
	return geo.DistanceKm(lat, lon, b.lat, b.lon) <= k.km
}

// chord2 is the squared chord between two unit vectors.
func chord2(a, b *[3]float64) float64 {
	x, y, z := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return x*x + y*y + z*z
}

// cutFar returns how many of the oldest fixes of run to drop: up to and
// including the newest one not within k.km of at, found by testing each
// with within from the newest, as sailingInPlace did. A ship sailing on
// keeps a few dozen fixes and tests each on every fix, so each kept fix
// carries reach, an upper bound of its chord to the newest fix less
// *travelled, the chords from newest to newest summed over the run (the
// triangle inequality in space): a new fix adds one chord to *travelled,
// and a kept fix whose bound stays well inside the radius needs no test.
// The margin (1e-6 of the chord) dwarfs the rounding of the sums (about
// 1e-16 of a chord per fix), so a fix is skipped only where within would
// have said true; it also sets reach for at, which the caller appends.
func (k kmTest) cutFar(run []inPlaceFix, at *placed, travelled *float64) (cut int, reach float64) {
	if *travelled > 1 { // keep the sums small, and so their rounding
		for i := range run {
			run[i].reach = up32(float64(run[i].reach) + *travelled)
		}
		*travelled = 0
	}
	if n := len(run); n > 0 {
		u := run[n-1].unit()
		*travelled += math.Sqrt(chord2(&u, &at.u))
	}
	sure := math.Sqrt(k.lo) * (1 - 1e-6)
	for i := len(run) - 1; i >= 0; i-- {
		f := &run[i]
		if float64(f.reach)+*travelled < sure {
			continue
		}
		u := f.unit()
		c2 := chord2(&u, &at.u)
		if lat, lon := f.latLon(); !k.inside(c2, lat, lon, at) {
			return i + 1, -*travelled
		}
		f.reach = up32(math.Sqrt(c2) - *travelled)
	}
	return 0, -*travelled
}

// up32 is x as a float32 no smaller: reach is kept as one (a bound, so
// rounded up), which makes a kept fix 12 bytes instead of 16.
func up32(x float64) float32 {
	r := float32(x)
	if float64(r) < x {
		r = math.Nextafter32(r, float32(math.Inf(1)))
	}
	return r
}

const rad = math.Pi / 180

// bearingCos is geo.Bearing, to the last bit, given the cosines as for
// distKmCos.
func bearingCos(lat1, lon1, c1, lat2, lon2, c2 float64) float64 {
	phi1, phi2 := lat1*rad, lat2*rad
	dLon := (lon2 - lon1) * rad
	y := math.Sin(dLon) * c2
	x := c1*math.Sin(phi2) - math.Sin(phi1)*c2*math.Cos(dLon)
	deg := math.Atan2(y, x) / rad
	if deg < 0 {
		deg += 360
	}
	return deg
}
