package detect

import (
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
)

// For four hours every ship near a point reports its position displaced
// to (about) that point, each from when it comes within reach: one
// gnss_interference event for the area and period, listing them.
func TestGNSSInterferenceIsOneEvent(t *testing.T) {
	w := newWorld()
	pLat, pLon := 40.30, 131.30
	for i := range 6 {
		mmsi := uint32(273000100 + i)
		lat, lon := geo.Destination(pLat, pLon, float64(i)*60, 20+float64(i)*2)
		s := newScript(mmsi, time.Duration(i)*time.Minute, lat, lon)
		s.every = 3 * time.Minute
		s.sail(lat+0.6, lon+1.5, 12) // about 8 h
		on, off := t0.Add(2*time.Hour+time.Duration(i)*5*time.Minute), t0.Add(6*time.Hour)
		for k := range s.fixes {
			if f := &s.fixes[k]; !f.Time.Before(on) && f.Time.Before(off) {
				f.Lat, f.Lon = geo.Destination(pLat, pLon, float64(k*37%360), 0.3)
			}
		}
		w.add(s)
	}
	evs := w.run(t)
	// Put on one spot at 0 kn for hours, they are not loitering there.
	if lo := only(evs, event.Loitering); len(lo) != 0 {
		t.Errorf("%d loitering events on displaced positions: %+v", len(lo), lo[0])
	}
	gi := only(evs, event.GNSSInterference)
	if len(gi) != 1 {
		t.Fatalf("%d gnss_interference events, want 1: %+v", len(gi), gi)
	}
	e := gi[0]
	if n, _ := e.Evidence["vessel_count"].(int); n != 6 {
		t.Errorf("vessels %v, want all 6", e.Evidence["vessels"])
	}
	if geo.DistanceKm(e.Lat, e.Lon, pLat, pLon) > 1 || e.Start.Before(t0.Add(2*time.Hour)) || e.End.Before(t0.Add(5*time.Hour+50*time.Minute)) {
		t.Errorf("area %.3f,%.3f %s–%s, want %.2f,%.2f from 02:00 to about 06:00", e.Lat, e.Lon, e.Start, e.End, pLat, pLon)
	}
}
