package detect

import (
	"fmt"
	"math"
	"slices"
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
	fixes := realRateFixes()
	var out []event.Event
	d := New(DefaultConfig(), NewPortIndex(testPorts, 20), fakeShore{}, func(e *event.Event) { out = append(out, *e) })
	tr := track.New(track.DefaultConfig(), fakeShore{}, sinkFn{d})
	maxTurns, maxInPlace := 0, 0
	for i, f := range fixes {
		tr.AddFix(f)
		if i%1000 == 0 {
			for _, v := range d.vessels {
				maxTurns = max(maxTurns, cap(v.spoof.turns.at))
				maxInPlace = max(maxInPlace, cap(v.spoof.inPlace.fixes))
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

// realRateFixes: MMSI 1 draws a circle at 10 kn, 2 km radius, for 7 h;
// MMSI 2 meanders on passage at 4 kn; a fix every 2 s each.
func realRateFixes() []track.Fix {
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
	return fixes
}

// A checkpoint of the spoofing state taken anywhere in a drawn circle or a
// passage at real rate restores it exactly (positions in AIS units, unit
// vectors and reach bounds computed again): the events are those of an
// uninterrupted run. And it is small (issue 17 wants 2 kB per live
// vessel, everything included).
func TestSpoofCheckpointAtRealRate(t *testing.T) {
	fixes := realRateFixes()
	// Positions as AIS sends them.
	for i := range fixes {
		fixes[i].Lat, fixes[i].Lon = math.Round(fixes[i].Lat*600000)/600000, math.Round(fixes[i].Lon*600000)/600000
	}
	run := func(cuts ...int) (evs []string, most map[uint32]int) {
		most = map[uint32]int{}
		emit := func(e *event.Event) { evs = append(evs, fmt.Sprintf("%+v", *e)) }
		d := New(DefaultConfig(), NewPortIndex(testPorts, 20), fakeShore{}, emit)
		sink := &sinkFn{d}
		tr := track.New(track.DefaultConfig(), fakeShore{}, sink)
		for i, f := range fixes {
			if len(cuts) > 0 && i == cuts[0] {
				cuts = cuts[1:]
				shared, err := d.MarshalShared(nil)
				if err != nil {
					t.Fatal(err)
				}
				d2 := New(DefaultConfig(), NewPortIndex(testPorts, 20), fakeShore{}, emit)
				if err := d2.UnmarshalShared(shared); err != nil {
					t.Fatal(err)
				}
				for _, m := range d.MMSIs() {
					b, _, err := d.MarshalVessel(nil, m)
					if err != nil {
						t.Fatal(err)
					}
					most[m] = max(most[m], len(b))
					if err := d2.UnmarshalVessel(m, b); err != nil {
						t.Fatal(err)
					}
				}
				d, sink.d = d2, d2
			}
			tr.AddFix(f)
		}
		tr.Flush()
		d.Flush()
		return evs, most
	}
	want, _ := run()
	if len(want) == 0 {
		t.Fatal("no events")
	}
	n := len(fixes)
	got, most := run(n/7, n/3, n/2+1, 4*n/5)
	if !slices.Equal(got, want) {
		t.Errorf("events after restores differ:\n got %q\nwant %q", got, want)
	}
	t.Logf("largest checkpoint of the circling vessel %d bytes, of the one on passage %d", most[1], most[2])
	// Before: 40 kB and more for either. A slow passage (4 kn) keeps the
	// turns and fixes of its last 10 km (81 min); the circle its window.
	if most[2] > 2500 || most[1] > 12000 {
		t.Errorf("detector state of %d bytes on passage (want at most 2,500), %d circling (want at most 12,000)", most[2], most[1])
	}
}
