package store

import "testing"

func TestBBoxContains(t *testing.T) {
	box := BBox{MinLon: 124, MinLat: 37, MaxLon: 131, MaxLat: 43}
	across := BBox{MinLon: 179, MinLat: 50, MaxLon: -179, MaxLat: 52}
	cases := []struct {
		b        BBox
		lat, lon float64
		want     bool
	}{
		{box, 39, 125.7, true},
		{box, 37, 124, true}, // edges included
		{box, 36.9, 125, false},
		{box, 39, 131.1, false},
		{across, 51, 179.5, true},
		{across, 51, -179.5, true},
		{across, 51, 0, false},
		{across, 53, 179.5, false},
	}
	for _, c := range cases {
		if got := c.b.Contains(c.lat, c.lon); got != c.want {
			t.Errorf("%+v.Contains(%v, %v) = %v, want %v", c.b, c.lat, c.lon, got, c.want)
		}
	}
}
