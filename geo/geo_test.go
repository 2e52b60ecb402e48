package geo

import (
	"math"
	"testing"
)

func TestDistanceKm(t *testing.T) {
	// Vladivostok to Nampo, two WPI points; reference value from an
	// independent spherical-law-of-cosines computation below.
	lat1, lon1, lat2, lon2 := 43.108889, 131.888333, 38.716667, 125.4
	got := DistanceKm(lat1, lon1, lat2, lon2)
	p1, p2, dl := lat1*rad, lat2*rad, (lon2-lon1)*rad
	want := EarthRadiusKm * math.Acos(math.Sin(p1)*math.Sin(p2)+math.Cos(p1)*math.Cos(p2)*math.Cos(dl))
	if math.Abs(got-want) > 1e-6 {
		t.Fatalf("DistanceKm = %v, want %v", got, want)
	}
	if d := DistanceKm(0, 0, 0, 1); math.Abs(d-111.195) > 0.01 {
		t.Errorf("one degree on the equator = %v km", d)
	}
	if d := DistanceKm(10, 179.5, 10, -179.5); math.Abs(d-DistanceKm(10, 0, 10, 1)) > 1e-9 {
		t.Errorf("antimeridian distance = %v", d)
	}
}

func TestDestinationBearingRoundTrip(t *testing.T) {
	for _, c := range []struct{ lat, lon, brg, km float64 }{
		{42.75, 133.08, 225, 700}, {0, 179.9, 90, 50}, {-33, 18, 10, 3000}, {60, -5, 300, 1},
	} {
		lat2, lon2 := Destination(c.lat, c.lon, c.brg, c.km)
		if d := DistanceKm(c.lat, c.lon, lat2, lon2); math.Abs(d-c.km) > 1e-6*c.km+1e-9 {
			t.Errorf("%v: distance to destination %v", c, d)
		}
		if b := Bearing(c.lat, c.lon, lat2, lon2); math.Abs(b-c.brg) > 1e-6 {
			t.Errorf("%v: bearing to destination %v", c, b)
		}
		if lon2 < -180 || lon2 >= 180 {
			t.Errorf("%v: longitude %v not normalised", c, lon2)
		}
	}
	if b := Bearing(0, 0, 1, 0); math.Abs(b) > 1e-9 {
		t.Errorf("north bearing %v", b)
	}
	if b := Bearing(0, 0, 0, -1); math.Abs(b-270) > 1e-9 {
		t.Errorf("west bearing %v", b)
	}
}

func TestNormLon(t *testing.T) {
	for in, want := range map[float64]float64{180: -180, 190: -170, -190: 170, 540: -180, 0: 0, -180: -180, 359: -1} {
		if got := NormLon(in); math.Abs(got-want) > 1e-9 {
			t.Errorf("NormLon(%v) = %v, want %v", in, got, want)
		}
	}
}

// Spot checks from /work/shared/data/geo/README.md and well-known places.
var landCases = []struct {
	name     string
	lat, lon float64
	land     bool
}{
	{"Sea of Japan", 42.0, 133.0, false},
	{"Vladivostok", 43.13, 131.92, true},
	{"Pyongyang", 39.03, 125.75, true},
	{"Yellow Sea", 37.0, 124.0, false},
	{"Nakhodka Bay", 42.78, 132.90, false},
	{"Sea of Japan centre", 40.0, 135.0, false},
	{"Ussuriysk", 43.80, 131.95, true},
	{"Beijing", 39.9, 116.4, true},
	{"Pacific", 30.0, -140.0, false},
	{"Antarctica", -85, 0, true},
	{"Caspian Sea (a hole in Eurasia)", 42.0, 50.5, false},
}

func TestOnLandKnownPlaces(t *testing.T) {
	l := DefaultLand()
	for _, c := range landCases {
		if got := l.OnLand(c.lat, c.lon); got != c.land {
			t.Errorf("OnLand(%s %v,%v) = %v, want %v", c.name, c.lat, c.lon, got, c.land)
		}
	}
}

func TestDistanceToShoreSane(t *testing.T) {
	l := DefaultLand()
	// The open Sea of Japan at 40N 135E is well over 100 km from any coast.
	if d := l.DistanceToShoreKm(40, 135); d < 100 {
		t.Errorf("40N 135E: %v km from shore", d)
	}
	// Vostochnyy port point is within a few km of the coastline.
	if d := l.DistanceToShoreKm(42.75, 133.083333); d > 5 {
		t.Errorf("Vostochnyy: %v km from shore", d)
	}
}

func TestOnLandAntimeridian(t *testing.T) {
	l := DefaultLand()
	for _, c := range []struct {
		name     string
		lat, lon float64
		land     bool
	}{
		{"Chukotka west of 180", 67.0, 179.0, true},
		{"Chukotka east of 180", 67.5, -178.0, true},
		{"Bering Sea", 60.0, -179.5, false},
		{"Wrangel Island east", 71.2, -179.5, true},
		{"Wrangel Island west", 71.3, 179.5, true},
		{"north of Wrangel", 72.5, 180, false},
	} {
		if got := l.OnLand(c.lat, c.lon); got != c.land {
			t.Errorf("OnLand(%s %v,%v) = %v, want %v", c.name, c.lat, c.lon, got, c.land)
		}
	}
}

// A point repeated is 0 km from itself, as the formula says (+0), and
// what the formula makes NaN stays NaN.
func TestDistanceKmSamePoint(t *testing.T) {
	for _, p := range [][2]float64{{0, 0}, {55.7, 12.6}, {-90, 0}, {90, 179.9}, {-33.9, -180}} {
		if d := DistanceKm(p[0], p[1], p[0], p[1]); d != 0 || math.Signbit(d) {
			t.Errorf("%v: %v", p, d)
		}
	}
	for _, c := range [][2]float64{{math.Inf(1), 0}, {0, math.Inf(-1)}, {math.NaN(), 0}} {
		if d := DistanceKm(c[0], c[1], c[0], c[1]); !math.IsNaN(d) {
			t.Errorf("%v: %v, want NaN", c, d)
		}
	}
	if d := DistanceKmCos(1, 2, math.NaN(), 1, 2, 1); !math.IsNaN(d) {
		t.Errorf("NaN cosine: %v, want NaN", d)
	}
}
