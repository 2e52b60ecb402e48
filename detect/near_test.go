package detect

import (
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
		a, b := place(lat1, lon1), place(lat2, lon2)
		want := geo.DistanceKm(lat1, lon1, lat2, lon2) <= km
		if got := newKmTest(km).within(&a, &b); got != want {
			t.Fatalf("within(%v, %v, %v, %v, %v) = %v, distance %v", lat1, lon1, lat2, lon2, km, got, geo.DistanceKm(lat1, lon1, lat2, lon2))
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
