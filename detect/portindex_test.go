package detect

import (
	"math/rand/v2"
	"testing"
)

// Near must answer as Nearest does, around plain ports and polygons, at
// radii under and over the ports' spacing.
func TestPortIndexNearAgreesWithNearest(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var ports []Port
	for i := range 400 {
		p := Port{ID: string(rune('A' + i%26)), Lat: 30 + r.Float64()*10, Lon: 125 + r.Float64()*10}
		if i%10 == 0 {
			d := 0.02 + r.Float64()*0.05
			p.Polygon = [][2]float64{{p.Lon - d, p.Lat - d}, {p.Lon + d, p.Lat - d}, {p.Lon + d, p.Lat + d}, {p.Lon - d, p.Lat + d}, {p.Lon - d, p.Lat - d}}
		}
		ports = append(ports, p)
	}
	ix := NewPortIndex(ports, 20)
	near := 0
	for i := 0; i < 50000; i++ {
		p := ports[r.IntN(len(ports))]
		lat, lon := p.Lat+(r.Float64()-0.5)*0.4, p.Lon+(r.Float64()-0.5)*0.4
		maxKm := r.Float64() * 20
		_, _, want := ix.Nearest(lat, lon, maxKm)
		if got := ix.Near(lat, lon, maxKm); got != want {
			t.Fatalf("Near(%v, %v, %v) = %v, Nearest finds %v", lat, lon, maxKm, got, want)
		}
		if want {
			near++
		}
	}
	if near < 5000 || near > 45000 {
		t.Errorf("%d of 50000 points near a port: the test tells little", near)
	}
}
