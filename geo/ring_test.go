package geo

import "testing"

func TestInRing(t *testing.T) {
	// An L-shaped area: the notch at the top right is outside.
	open := [][2]float64{{130, 40}, {132, 40}, {132, 41}, {131, 41}, {131, 42}, {130, 42}}
	closed := append(append([][2]float64{}, open...), open[0])
	for _, c := range []struct {
		lon, lat float64
		in       bool
	}{
		{130.5, 40.5, true},
		{131.5, 40.5, true},
		{130.5, 41.5, true},
		{131.5, 41.5, false}, // the notch
		{129.9, 40.5, false},
		{130.5, 42.1, false},
	} {
		for name, ring := range map[string][][2]float64{"open": open, "closed": closed} {
			if got := InRing(ring, c.lon, c.lat); got != c.in {
				t.Errorf("%s ring: InRing(%g, %g) = %v, want %v", name, c.lon, c.lat, got, c.in)
			}
		}
	}
	if InRing(nil, 0, 0) {
		t.Error("an empty ring contains a point")
	}
}
