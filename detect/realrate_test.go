package detect

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// At real reporting rates (a class A fix every 2 s) the spoofing detector's
// state per vessel is bounded by its windows at minCircleLeg, not by the
// rate, and a circle drawn at that rate is still found.
func TestSpoofStateBoundedAtRealRate(t *testing.T) {
	const every = 2 * time.Second
	var fixes []track.Fix
	// MMSI 1 circles at 10 kn in a 2 km radius for 7 h.
	for i := 0; i < int(7*time.Hour/every); i++ {
		a := float64(i) * 2 * math.Pi / float64(41*time.Minute/every)
		fixes = append(fixes, track.Fix{MMSI: 1, Time: t0.Add(time.Duration(i) * every), Lat: 34.0 + 0.018*math.Sin(a), Lon: 133.0 + 0.022*math.Cos(a),
			HasPos: true, SOG: 10, COG: math.Mod(360-a*180/math.Pi, 360), Heading: -1, Class: 'A'})
	}
	// MMSI 2 meanders at 4 kn (course 30-60°) for 7 h.
	for i := 0; i < int(7*time.Hour/every); i++ {
		h := float64(i) * every.Hours()
		fixes = append(fixes, track.Fix{MMSI: 2, Time: t0.Add(time.Duration(i) * every), Lat: 35.0 + h*0.043 + 0.002*math.Sin(h*20), Lon: 133.0 + h*0.052,
			HasPos: true, SOG: 4, COG: 45 + 15*math.Sin(h*20), Heading: -1, Class: 'A'})
	}
	sort.SliceStable(fixes, func(i, j int) bool { return fixes[i].Time.Before(fixes[j].Time) })
	var out []event.Event
	d := New(DefaultConfig(), NewPortIndex(testPorts, 20), fakeShore{}, func(e *event.Event) { out = append(out, *e) })
	tr := track.New(track.DefaultConfig(), fakeShore{}, sinkFn{d})
	maxTurns, maxInPlace := 0, 0
	for i, f := range fixes {
		tr.AddFix(f)
		if i%1000 == 0 {
			for _, v := range d.vessels {
				maxTurns = max(maxTurns, cap(v.spoof.turns))
				maxInPlace = max(maxInPlace, cap(v.spoof.inPlace))
			}
		}
	}
	tr.Flush()
	d.Flush()
	// Without the thinning: 10,800 turns of the circle's 6 h window and
	// 12,600 in-place fixes of the 4 kn ship.
	if limit := 2 * int(DefaultConfig().SpoofCircleWindow/minCircleLeg); maxTurns > limit {
		t.Errorf("a vessel held room for %d turns, want at most %d", maxTurns, limit)
	}
	if limit := 2 * int(7*time.Hour/minCircleLeg); maxInPlace > limit {
		t.Errorf("a vessel held room for %d in-place fixes, want at most %d", maxInPlace, limit)
	}
	sp := only(out, event.Spoofing)
	if len(sp) != 1 || sp[0].MMSI != 1 {
		t.Fatalf("spoofing events %+v, want one, of MMSI 1 (circling)", sp)
	}
	found := false
	for _, k := range sp[0].Evidence["kinds"].([]string) {
		found = found || k == "circling"
	}
	if !found {
		t.Errorf("kinds %v, want circling", sp[0].Evidence["kinds"])
	}
}
