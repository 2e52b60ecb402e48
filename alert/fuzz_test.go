package alert

import (
	"math"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// FuzzRules: no rules file panics Parse, and rules it accepts run: an
// engine fed positions, events and ticks from them does not panic, and
// every alert it raises names a rule of the file.
func FuzzRules(f *testing.F) {
	f.Add([]byte(rulesYAML), 38.5, 128.5)
	f.Add([]byte("rules:\n  - {name: a, kind: enter, area: x}\nareas:\n  x: {bbox: [1, 2, 3]}\n"), 38.5, 128.5)
	f.Add([]byte("areas:\n  p: {polygon: [[0, 0], [1, 0]]}\nrules: []\n"), 38.5, 128.5)
	f.Add([]byte("areas:\n  k: {port_group: KP, within_km: .nan}\nrules:\n  - {name: k, kind: dark, area: k, near_km: .inf}\n"), 38.5, 128.5)
	f.Add([]byte("a: &a [*a]\n"), 38.5, 128.5)
	f.Add([]byte("rules:\n  - {name: r, kind: risk, above: 1e308}\n"), 38.5, 128.5)
	f.Fuzz(func(t *testing.T, data []byte, lat, lon float64) {
		rf, err := Parse(data, nil)
		if err != nil {
			return
		}
		names := map[string]bool{}
		for _, r := range rf.Rules {
			names[r.Name] = true
		}
		e := New(rf, Options{})
		t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		var alerts []Alert
		e.Identity(111, 9187629, "CHON MA SAN")
		for i, p := range [][2]float64{{38.5, 128.5}, {lat, lon}, {40.2, 130.5}, {math.NaN(), 0}, {0, 0}} {
			alerts = append(alerts, e.Position(111, t0.Add(time.Duration(i)*time.Hour), p[0], p[1])...)
		}
		for _, ty := range append(event.Types, event.SanctionsMatch, event.DarkDetection) {
			alerts = append(alerts, e.Event(&event.Event{Type: ty, MMSI: 111, OtherMMSI: 222, Start: t0, End: t0.Add(3 * time.Hour),
				Lat: lat, Lon: lon, Confidence: 0.9, Evidence: map[string]any{}})...)
		}
		alerts = append(alerts, e.Tick(t0.Add(48*time.Hour))...)
		for _, a := range alerts {
			if !names[a.Rule] {
				t.Fatalf("alert %+v names no rule of the file", a)
			}
		}
	})
}
