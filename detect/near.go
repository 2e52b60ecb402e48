package detect

import (
	"math"

	"github.com/lookout-osint/lookout/geo"
)

// placed is a kept fix's position, on AIS units (see sailingInPlace).
type placed struct{ lat, lon float64 }

func place(lat, lon float64) placed { return placed{lat, lon} }

// havBounds bounds from below and above the haversine term a of
// geo.DistanceKm between two points (a = sin²(Δφ/2) + cos φ1 cos φ2
// sin²(Δλ/2), the distance being 2R asin √a) with no trigonometry. Since
// cos φ1 cos φ2 = cos² φm - sin²(Δφ/2), φm the mean latitude, a is
// sin²(Δφ/2)(1 - sin²(Δλ/2)) + cos² φm sin²(Δλ/2), each of whose factors
// is bounded by partial sums of its Taylor series (alternating, so that
// each partial sum bounds it from one side). ok is false unless the points are within 0.1 rad (5.7°)
// of each other in latitude and in longitude and their mean latitude
// within ±90°. The bounds are a few millionths of a apart at 60°N, so
// that a test of a distance against a threshold rarely needs the formula:
// withinKm asks on every fix of a ship whether it is still within a few
// km of a kept one.
func havBounds(lat1, lon1, lat2, lon2 float64) (lo, hi float64, ok bool) {
	y := (lat2 - lat1) * (rad / 2)
	x := (lon2 - lon1) * (rad / 2)
	m := (lat1 + lat2) * (rad / 2)
	// Plain comparisons (math.Abs is inlined; math.Min and math.Max are
	// calls). A NaN fails them all.
	if !(y <= 0.05 && y >= -0.05 && x <= 0.05 && x >= -0.05 && m <= math.Pi/2 && m >= -math.Pi/2) {
		return 0, 0, false
	}
	// x - x³/6 <= sin x <= x for 0 <= x, and sin² is even.
	y2, x2, m2 := y*y, x*x, m*m
	sy, sx := 1-y2/6, 1-x2/6
	syLo, sxLo := y2*sy*sy, x2*sx*sx
	// cos φm from above to its m⁸ term, from below one term further
	// (the terms shrink from the second on while |m| <= π/2); it is no
	// less than 0 there.
	cHi := 1 - m2/2*(1-m2/12*(1-m2/30*(1-m2/56)))
	m4 := m2 * m2
	cLo := cHi - m4*m4*m2/3628800
	if cLo < 0 {
		cLo = 0
	}
	return syLo*(1-x2) + cLo*cLo*sxLo, y2*(1-sxLo) + cHi*cHi*x2, true
}

// nearKm tells from havBounds whether geo.DistanceKm between the two
// points is within km (1), is not (-1), or is too near km for the bounds
// to tell (0, as when havBounds cannot bound it). The margins (3e-9 of
// km²) dwarf the rounding of the bounds and of the formula (1e-15), so
// that its answer is the formula's.
func nearKm(lat1, lon1, lat2, lon2, km float64) int {
	lo, hi, ok := havBounds(lat1, lon1, lat2, lon2)
	if !ok || !(km >= 0) {
		return 0
	}
	t := km / (2 * geo.EarthRadiusKm)
	return nearT2(lo, hi, t*t)
}

// nearT2 is nearKm for the bounds lo and hi, t2 being (km/2R)².
func nearT2(lo, hi, t2 float64) int {
	// asin s <= s (1 + 1.01 s²/6) for s <= 0.1 (the series' next terms
	// add less than 0.01 s²/6 there), and asin s >= s.
	if u := 1 + hi*(1.01/6); hi*u*u <= t2*(1-3e-9) {
		return 1
	}
	if lo > t2*(1+3e-9) {
		return -1
	}
	return 0
}

// kmBounds bounds geo.DistanceKm between two points from below and above
// as havBounds does its haversine term (ok false where that cannot).
func kmBounds(lat1, lon1, lat2, lon2 float64) (lo, hi float64, ok bool) {
	alo, ahi, ok := havBounds(lat1, lon1, lat2, lon2)
	// 2R asin √a, asin s lying within [s, s(1 + 1.01 s²/6)] (see nearT2).
	return 2 * geo.EarthRadiusKm * math.Sqrt(alo), 2 * geo.EarthRadiusKm * math.Sqrt(ahi) * (1 + ahi*(1.01/6)), ok
}

// kmTest tells whether two positions are within km of each other, giving
// exactly the answer of geo.DistanceKm <= km, and bounds the chord between
// them (in Earth radii) for cutFar.
type kmTest struct{ km, t2, sure float64 }

func newKmTest(km float64) kmTest {
	t := km / (2 * geo.EarthRadiusKm)
	// A chord below sure (2 sin(km/2R) less 1e-6 of it) is surely within.
	return kmTest{km, t * t, 2 * math.Sin(t) * (1 - 1e-6)}
}

// test says whether (lat, lon) is within k.km of at, and returns an upper
// bound of the chord between them.
func (k kmTest) test(lat, lon float64, at *placed) (chord float64, within bool) {
	lo, hi, ok := havBounds(lat, lon, at.lat, at.lon)
	if ok {
		// The chord is 2√a.
		chord = 2 * math.Sqrt(hi)
		if r := nearT2(lo, hi, k.t2); r != 0 {
			return chord, r > 0
		}
	}
	d := geo.DistanceKm(lat, lon, at.lat, at.lon)
	if !ok {
		// No longer than the arc.
		chord = d / geo.EarthRadiusKm * (1 + 1e-9)
	}
	return chord, d <= k.km
}

// cutFar returns how many of the oldest fixes of run to drop: up to and
// including the newest one not within k.km of at, found by testing each
// from the newest, as sailingInPlace did. A ship sailing on keeps a few
// dozen fixes and tests each on every fix, so each kept fix carries reach,
// an upper bound of its chord to the newest fix less *travelled, the
// chords from newest to newest summed over the run (the triangle
// inequality in space): a new fix adds one chord to *travelled, and a kept
// fix whose bound stays well inside the radius needs no test. The margin
// (1e-6 of the chord) dwarfs the rounding of the sums (about 1e-16 of a
// chord per fix), so a fix is skipped only where the test would have said
// true; it also sets reach for at, which the caller appends. The chords
// are havBounds's upper bounds: no trigonometry on a kept fix.
func (k kmTest) cutFar(run []inPlaceFix, at *placed, travelled *float64) (cut int, reach float64) {
	if *travelled > 1 { // keep the sums small, and so their rounding
		for i := range run {
			run[i].reach = up32(float64(run[i].reach) + *travelled)
		}
		*travelled = 0
	}
	if n := len(run); n > 0 {
		lat, lon := run[n-1].latLon()
		c, _ := k.test(lat, lon, at)
		*travelled += c
	}
	for i := len(run) - 1; i >= 0; i-- {
		f := &run[i]
		if float64(f.reach)+*travelled < k.sure {
			continue
		}
		lat, lon := f.latLon()
		c, within := k.test(lat, lon, at)
		if !within {
			return i + 1, -*travelled
		}
		f.reach = up32(c - *travelled)
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
