package detect

import (
	"math"
	"math/rand"
	"testing"

	"github.com/lookout-osint/lookout/geo"
)

// kmTest must give exactly the answer of the great-circle distance,
// including at the threshold, far from the equator and across the
// antimeridian.
func TestKmTestMatchesDistance(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200000; i++ {
		lat2 := r.Float64()*170 - 85
		lon2 := r.Float64()*360 - 180
		lat1 := lat2 + (r.Float64()-0.5)*0.4
		lon1 := lon2 + (r.Float64()-0.5)*0.4
		km := r.Float64() * 20
		if i%4 == 0 {
			km = geo.DistanceKm(lat1, lon1, lat2, lon2) // exactly at the threshold
		}
		b := placed{lat2, lon2}
		d := geo.DistanceKm(lat1, lon1, lat2, lon2)
		chord, got := newKmTest(km).test(lat1, lon1, &b)
		if got != (d <= km) {
			t.Fatalf("test(%v, %v, %v, %v, %v) = %v, distance %v", lat1, lon1, lat2, lon2, km, got, d)
		}
		if exact := 2 * math.Sin(d/(2*geo.EarthRadiusKm)); chord < exact {
			t.Fatalf("(%v, %v) to (%v, %v): chord bound %v below the chord %v", lat1, lon1, lat2, lon2, chord, exact)
		}
	}
}

// The index, with its bitmap of used cells, must find what a scan of every
// port finds, near ports and far from all of them. (Ports across the
// antimeridian from a point are not found: the grid does not wrap.)
func TestPortIndexNearestMatchesScan(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	var ports []Port
	for i := range 300 {
		ports = append(ports, Port{ID: string(rune('A' + i%26)), Lat: r.Float64()*120 - 60, Lon: r.Float64()*340 - 170})
	}
	ix := NewPortIndex(ports, 20)
	for i := 0; i < 20000; i++ {
		var lat, lon float64
		if i%2 == 0 { // near a port
			p := ports[r.Intn(len(ports))]
			lat, lon = p.Lat+(r.Float64()-0.5)*0.5, p.Lon+(r.Float64()-0.5)*0.5
		} else {
			lat, lon = r.Float64()*180-90, r.Float64()*360-180
		}
		maxKm := r.Float64() * 20
		best, bestD := -1, 0.0
		for j := range ports {
			if d := geo.DistanceKm(lat, lon, ports[j].Lat, ports[j].Lon); d <= maxKm && (best < 0 || d < bestD) {
				best, bestD = j, d
			}
		}
		p, d, ok := ix.Nearest(lat, lon, maxKm)
		if ok != (best >= 0) || ok && (p != &ix.ports[best] || d != bestD) {
			t.Fatalf("Nearest(%v, %v, %v) = %v %v %v, scan finds %d at %v", lat, lon, maxKm, p, d, ok, best, bestD)
		}
	}
}

// bearingCos replaces geo.Bearing in the spoofing
// detector, whose events must not change by a bit.
func TestCosFormsMatchGeo(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 200000; i++ {
		lat1, lon1 := r.Float64()*180-90, r.Float64()*360-180
		lat2, lon2 := lat1+(r.Float64()-0.5)*2, lon1+(r.Float64()-0.5)*2
		if i%3 == 0 {
			lat2, lon2 = r.Float64()*180-90, r.Float64()*360-180
		}
		c1, c2 := math.Cos(lat1*rad), math.Cos(lat2*rad)
		if got, want := bearingCos(lat1, lon1, c1, lat2, lon2, c2), geo.Bearing(lat1, lon1, lat2, lon2); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("bearingCos(%v, %v, %v, %v) = %v, geo.Bearing %v", lat1, lon1, lat2, lon2, got, want)
		}
	}
}

// cutFar must drop exactly what testing every kept fix's distance drops,
// on runs that sail on, circle and stand still.
func TestCutFarMatchesWithin(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	k := newKmTest(10)
	var run []inPlaceFix
	var plain []placed
	within := func(a, b *placed) bool { return geo.DistanceKm(a.lat, a.lon, b.lat, b.lon) <= k.km }
	var travelled float64
	lat, lon, course := 38.0, 130.0, 0.0
	for i := 0; i < 60000; i++ {
		switch (i / 500) % 3 {
		case 0: // sailing on
			course += (r.Float64() - 0.5) * 4
		case 1: // circling
			course += 25
		}
		if (i/500)%3 != 2 {
			lat2, lon2 := geo.Destination(lat, lon, course, 0.2+r.Float64()*0.6)
			lat, lon = lat2, lon2
		}
		// Kept positions are on AIS units, as sailingInPlace keeps them.
		at := placed{onUnits(lat), onUnits(lon)}
		want := 0
		for j := len(plain) - 1; j >= 0; j-- {
			if !within(&plain[j], &at) {
				want = j + 1
				break
			}
		}
		plain = append(plain[:0], plain[want:]...)
		plain = append(plain, at)
		cut, reach := k.cutFar(run, &at, &travelled)
		if cut != want {
			t.Fatalf("fix %d: cutFar drops %d, within %d", i, cut, want)
		}
		run = append(run[cut:], inPlaceAt(0, &at, reach))
	}
}

// pairUp's grid search relies on packed cells ordering as (y, x) pairs do,
// negative cells (west, south) included.
func TestCellOrderIsLexicographic(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	for i := 0; i < 100000; i++ {
		y1, x1 := int32(r.Intn(20000)-10000), int32(r.Intn(40000)-20000)
		y2, x2 := y1+int32(r.Intn(3)-1), x1+int32(r.Intn(5)-2)
		if i%2 == 0 {
			y2, x2 = int32(r.Intn(20000)-10000), int32(r.Intn(40000)-20000)
		}
		want := y1 < y2 || y1 == y2 && x1 < x2
		if got := cellOrder(y1, x1) < cellOrder(y2, x2); got != want {
			t.Fatalf("cellOrder(%d, %d) < cellOrder(%d, %d) = %v", y1, x1, y2, x2, got)
		}
	}
}

// havBounds must hold the haversine term of geo.DistanceKm between its
// bounds, kmBounds the distance, and nearKm and withinKm must never contradict the formula: at
// the threshold and a hair either side of it, near the poles, across the
// antimeridian, and for points too far apart to bound. Away from the
// threshold, nearKm must decide (else withinKm gains nothing).
func TestNearKmMatchesDistance(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	undecided, clear := 0, 0
	for i := 0; i < 500000; i++ {
		lat1, lon1 := r.Float64()*180-90, r.Float64()*360-180
		spread := []float64{0.0001, 0.01, 0.1, 1, 6, 12}[i%6]
		lat2, lon2 := lat1+(r.Float64()-0.5)*spread, lon1+(r.Float64()-0.5)*spread
		lat2 = math.Max(-90, math.Min(90, lat2))
		d := geo.DistanceKm(lat1, lon1, lat2, lon2)
		var km float64
		switch i % 4 {
		case 0:
			km = d
		case 1:
			km = math.Nextafter(d, math.Inf(int(r.Intn(2)*2-1)))
		case 2:
			km = d * (1 + (r.Float64()-0.5)*1e-5)
		default:
			km = r.Float64() * 2 * d
		}
		if lo, hi, ok := havBounds(lat1, lon1, lat2, lon2); ok {
			s1, s2 := math.Sin((lat2-lat1)*rad/2), math.Sin((lon2-lon1)*rad/2)
			a := s1*s1 + math.Cos(lat1*rad)*math.Cos(lat2*rad)*s2*s2
			if a < lo*(1-1e-12) || a > hi*(1+1e-12) {
				t.Fatalf("(%v, %v) to (%v, %v): a = %v outside [%v, %v]", lat1, lon1, lat2, lon2, a, lo, hi)
			}
		}
		if lo, hi, ok := kmBounds(lat1, lon1, lat2, lon2); ok && (d < lo*(1-1e-12) || d > hi*(1+1e-12)) {
			t.Fatalf("(%v, %v) to (%v, %v): %v km outside [%v, %v]", lat1, lon1, lat2, lon2, d, lo, hi)
		}
		got := nearKm(lat1, lon1, lat2, lon2, km)
		if got != 0 && (got > 0) != (d <= km) {
			t.Fatalf("nearKm(%v, %v, %v, %v, %v) = %d, distance %v", lat1, lon1, lat2, lon2, km, got, d)
		}
		if w := withinKm(lat1, lon1, lat2, lon2, km); w != (d <= km) {
			t.Fatalf("withinKm(%v, %v, %v, %v, %v) = %v, distance %v", lat1, lon1, lat2, lon2, km, w, d)
		}
		if spread <= 1 && math.Abs(lat1) < 80 && math.Abs(km-d) > 1e-5*d {
			clear++
			if got == 0 {
				undecided++
			}
		}
	}
	if undecided > 0 {
		t.Errorf("nearKm left %d of %d distances more than 1e-5 from the threshold undecided", undecided, clear)
	}
}

// BenchmarkWithinKm times withinKm on what a ship on passage asks on each
// leg (circling's oldest turn, 9-11 km back on a diagonal, at 55°N), beside
// the formula it replaces there.
func BenchmarkWithinKm(b *testing.B) {
	r := rand.New(rand.NewSource(6))
	var pts [1024][4]float64
	for i := range pts {
		lat, lon := 55+r.Float64(), 10+r.Float64()
		lat2, lon2 := geo.Destination(lat, lon, 45+r.Float64()*10, 9+r.Float64()*2)
		pts[i] = [4]float64{lat, lon, lat2, lon2}
	}
	n := 0
	b.Run("withinKm", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p := &pts[i%len(pts)]
			if withinKm(p[0], p[1], p[2], p[3], 10) {
				n++
			}
		}
	})
	b.Run("formula", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p := &pts[i%len(pts)]
			if geo.DistanceKm(p[0], p[1], p[2], p[3]) <= 10 {
				n++
			}
		}
	})
}
