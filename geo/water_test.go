package geo

import (
	"math"
	"testing"
)

func TestWaterKnownPlaces(t *testing.T) {
	w := DefaultWater()
	for _, c := range []struct {
		name     string
		lat, lon float64
		lo, hi   float64 // km
	}{
		{"Lake Michigan", 43.5, -87.0, 0, 0},
		{"Lake Superior", 47.6, -87.5, 0, 0},
		{"Mississippi at Baton Rouge", 30.44, -91.19, 0, 2},
		{"Rhine at Cologne", 50.94, 6.96, 0, 2},
		{"Ohio at Cincinnati", 39.09, -84.51, 0, 2},
		// Natural Earth has no canals: the Kiel Canal is far from mapped water.
		{"Kiel Canal at Rendsburg", 54.30, 9.67, 20, math.Inf(1)},
		{"Algerian Sahara", 24, 8, math.Inf(1), math.Inf(1)},
	} {
		if d := w.DistanceKm(c.lat, c.lon, 100); d < c.lo || d > c.hi {
			t.Errorf("%s: %.1f km from mapped water, want %.0f–%.0f", c.name, d, c.lo, c.hi)
		}
	}
}

func TestWaterDistanceMatchesScan(t *testing.T) {
	// A small synthetic map: the index must give what a scan of every
	// segment gives, within maxKm, and +Inf beyond.
	rings := [][][2]float64{{{10, 50}, {10.2, 50}, {10.2, 50.1}, {10, 50.1}}}
	lines := [][][2]float64{{{11, 50}, {11.3, 50.4}, {11.31, 51}}}
	w := NewWater(rings, lines)
	for _, q := range [][2]float64{{50.05, 10.1}, {50.2, 10.5}, {50.5, 11.0}, {49.0, 11.0}, {50.9, 11.5}} {
		want := math.Inf(1)
		kx := kmPerDegree * math.Cos(q[0]*math.Pi/180)
		scan := func(a, b [2]float64) {
			s := waterSeg{float32(a[0]), float32(a[1]), float32(b[0]), float32(b[1])}
			want = math.Min(want, segDistKm(kx, q[0], q[1], &s))
		}
		for _, r := range rings {
			for i := range r {
				scan(r[i], r[(i+1)%len(r)]) // rings close
			}
		}
		for _, l := range lines {
			for i := 1; i < len(l); i++ {
				scan(l[i-1], l[i])
			}
		}
		if w.InLake(q[0], q[1]) {
			want = 0
		}
		if want > 60 {
			want = math.Inf(1)
		}
		if got := w.DistanceKm(q[0], q[1], 60); math.Abs(got-want) > 1e-6 && !(math.IsInf(got, 1) && math.IsInf(want, 1)) {
			t.Errorf("%v: %.3f km, scan %.3f", q, got, want)
		}
	}
}
