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
