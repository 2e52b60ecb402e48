package sim

import (
	"testing"

	"github.com/lookout-osint/lookout/geo"
)

func TestPortCasesPlanned(t *testing.T) {
	w, err := newWorld(Config{Seed: 5, Days: 20, Vessels: 60, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var berth, tugs []*Hull
	for _, h := range w.hulls {
		for i := 1; i < len(h.path); i++ {
			if h.path[i].t < h.path[i-1].t {
				t.Fatalf("hull %d (%s) goes back in time at waypoint %d", h.Index, h.Kind, i)
			}
		}
		if h.Kind == "tug" {
			tugs = append(tugs, h)
		}
	}
	if len(tugs) != 1 || tugs[0].idents[0].id.ShipType != 52 {
		t.Fatalf("want one tug (ship type 52), got %d", len(tugs))
	}
	// The berth pair lies together, 60 m apart, for a day inside a port.
	// The port cases' hulls come last but for the identity cases'.
	end := len(w.hulls) - len(w.idCases.clone) - len(w.idCases.hop)
	berth = w.hulls[end-6 : end-4]
	together := int64(0)
	for t0 := w.t0; t0 < w.t1; t0 += 600 {
		alat, alon, akn, _ := berth[0].at(t0)
		blat, blon, bkn, _ := berth[1].at(t0)
		if geo.DistanceKm(alat, alon, blat, blon) < 0.1 && akn < 0.1 && bkn < 0.1 {
			if _, d, ok := w.cat.NearestPort(alat, alon, 3); !ok || d > 3 {
				t.Fatalf("berth pair together %.1f km from a port", d)
			}
			together += 600
		}
	}
	if together < 20*hour {
		t.Errorf("berth pair together %.1f h, want about a day", float64(together)/3600)
	}
	// The tug holds 100 m astern of its tanker at 1.5 kn for 1–2 h.
	tanker, tug := w.hulls[end-4], tugs[0]
	escort := int64(0)
	for t0 := w.t0; t0 < w.t1; t0 += 300 {
		alat, alon, akn, _ := tanker.at(t0)
		blat, blon, _, _ := tug.at(t0)
		if d := geo.DistanceKm(alat, alon, blat, blon); d < 0.2 && akn > 1 && akn < 2 {
			escort += 300
		}
	}
	if escort < 50*60 || escort > 2*hour+600 {
		t.Errorf("escort lasted %.2f h, want 1–2 h", float64(escort)/3600)
	}
	// The transfer at anchor is planned, just outside a port limit.
	if len(w.sts) == 0 {
		t.Fatal("no transfers")
	}
	var anchored *stsPlan
	for _, s := range w.sts {
		if s.speedKn == 0 {
			anchored = s
		}
	}
	if anchored == nil {
		t.Fatal("no transfer at anchor")
	}
	if d := w.nearestPortKm(anchored.lat, anchored.lon); d < 11.5 || d > 18.5 {
		t.Errorf("transfer at anchor %.1f km from the nearest port, want 12–18", d)
	}
	if d := w.land.DistanceToShoreKm(anchored.lat, anchored.lon); d < 4.5 {
		t.Errorf("transfer at anchor %.1f km from the shore", d)
	}
}
