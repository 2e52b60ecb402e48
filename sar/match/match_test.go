package match

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/sar"
)

var t0 = time.Date(2024, 3, 1, 21, 30, 0, 0, time.UTC)

// straight makes a track on a constant course, reporting every step
// between from and to (relative to t0).
func straight(mmsi uint32, lat, lon, course, knots float64, from, to, step time.Duration) Track {
	tr := Track{MMSI: mmsi}
	for d := from; d <= to; d += step {
		la, lo := geo.Destination(lat, lon, course, knots*1.852*d.Hours())
		tr.Fixes = append(tr.Fixes, Fix{Time: t0.Add(d), Lat: la, Lon: lo, SOG: knots, COG: course})
	}
	return tr
}

func TestPositionAt(t *testing.T) {
	tr := straight(1, 40, 134, 90, 12, -time.Hour, -10*time.Minute, 10*time.Minute)
	tr.Fixes = append(tr.Fixes, straight(1, 40, 134, 90, 12, 20*time.Minute, time.Hour, 10*time.Minute).Fixes...)
	lat, lon, age, ok := tr.PositionAt(t0, Options{})
	if !ok || geo.DistanceKm(lat, lon, 40, 134) > 0.05 || age != 10*time.Minute {
		t.Errorf("interpolated %v %v %v %v", lat, lon, age, ok)
	}
	// Dead reckoning past the last fix, within the limit.
	early := straight(2, 40, 134, 0, 10, -2*time.Hour, -20*time.Minute, 10*time.Minute)
	lat, lon, _, ok = early.PositionAt(t0, Options{})
	if !ok || geo.DistanceKm(lat, lon, 40, 134) > 0.05 {
		t.Errorf("dead-reckoned %v %v %v, want 40,134", lat, lon, ok)
	}
	if _, _, _, ok := early.PositionAt(t0, Options{MaxExtrapolation: 10 * time.Minute}); ok {
		t.Error("extrapolated beyond the limit")
	}
	// A long gap is not interpolated across.
	gap := Track{Fixes: []Fix{{Time: t0.Add(-5 * time.Hour), Lat: 40, Lon: 134, SOG: math.NaN(), COG: math.NaN()}, {Time: t0.Add(5 * time.Hour), Lat: 41, Lon: 134, SOG: math.NaN(), COG: math.NaN()}}}
	if _, _, _, ok := gap.PositionAt(t0, Options{}); ok {
		t.Error("interpolated across a 10 h gap")
	}
	if _, _, _, ok := (&Track{}).PositionAt(t0, Options{}); ok {
		t.Error("empty track has a position")
	}
}

// TestMatchSyntheticTruth: ships broadcasting are matched to their own
// MMSI, dark ships and false alarms are dark, whatever the seed.
func TestMatchSyntheticTruth(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		var tracks []Track
		var ds []sar.Detection
		wantMMSI := map[int]uint32{} // detection index -> MMSI, 0 dark
		for i := 0; i < 80; i++ {
			lat, lon := 39+rng.Float64()*2, 133+rng.Float64()*2
			mmsi := uint32(273000000 + i)
			length := 20 + rng.Float64()*250
			tr := straight(mmsi, lat, lon, rng.Float64()*360, rng.Float64()*15, -3*time.Hour, 3*time.Hour, time.Duration(2+rng.IntN(8))*time.Minute)
			tr.LengthM = length
			dark := rng.Float64() < 0.2
			if dark {
				// Transponder off from two hours before to two after.
				var keep []Fix
				for _, f := range tr.Fixes {
					if f.Time.Sub(t0).Abs() > 2*time.Hour {
						keep = append(keep, f)
					}
				}
				tr.Fixes = keep
			}
			tracks = append(tracks, tr)
			if rng.Float64() < 0.1 {
				continue // not detected
			}
			dl, dn := geo.Destination(lat, lon, rng.Float64()*360, math.Abs(rng.NormFloat64())*0.15)
			if !dark {
				wantMMSI[len(ds)] = mmsi
			}
			ds = append(ds, sar.Detection{Time: t0, Lat: dl, Lon: dn, LengthM: length * (1 + 0.15*rng.NormFloat64())})
		}
		for k := 0; k < 10; k++ { // false alarms
			ds = append(ds, sar.Detection{Time: t0, Lat: 39 + rng.Float64()*2, Lon: 133 + rng.Float64()*2, LengthM: 30})
		}
		res := Match(ds, tracks, Options{})
		wrong := 0
		byPos := map[[2]float64]uint32{}
		for _, m := range res.Matched {
			byPos[[2]float64{m.Lat, m.Lon}] = m.MMSI
		}
		for i, d := range ds {
			if byPos[[2]float64{d.Lat, d.Lon}] != wantMMSI[i] {
				wrong++
			}
		}
		// Rare false alarms land within 1.5 km of an untaken vessel; allow
		// a couple of such errors in 90 detections.
		if wrong > 2 {
			t.Errorf("seed %d: %d of %d detections assigned wrongly (%v)", seed, wrong, len(ds), res)
		}
		if len(res.Matched)+len(res.Dark) != len(ds) {
			t.Errorf("seed %d: %d matched + %d dark != %d detections", seed, len(res.Matched), len(res.Dark), len(ds))
		}
		seen := map[uint32]bool{}
		for _, m := range res.Matched {
			if seen[m.MMSI] {
				t.Errorf("seed %d: MMSI %d matched twice", seed, m.MMSI)
			}
			seen[m.MMSI] = true
			if m.DistanceKm > 1.5 {
				t.Errorf("match beyond the gate: %+v", m)
			}
		}
	}
}

func TestLengthBreaksTies(t *testing.T) {
	lat, lon := 40.0, 134.0
	aLat, aLon := geo.Destination(lat, lon, 0, 0.5)
	bLat, bLon := geo.Destination(lat, lon, 180, 0.5)
	small := straight(1, aLat, aLon, 0, 0, -time.Hour, time.Hour, 10*time.Minute)
	small.LengthM = 30
	big := straight(2, bLat, bLon, 0, 0, -time.Hour, time.Hour, 10*time.Minute)
	big.LengthM = 200
	for _, want := range []struct {
		length float64
		mmsi   uint32
	}{{190, 2}, {35, 1}} {
		res := Match([]sar.Detection{{Time: t0, Lat: lat, Lon: lon, LengthM: want.length}}, []Track{small, big}, Options{})
		if len(res.Matched) != 1 || res.Matched[0].MMSI != want.mmsi {
			t.Errorf("length %g: %+v, want MMSI %d", want.length, res.Matched, want.mmsi)
		}
	}
}

// The optimal assignment beats greedy nearest-first: A is nearest v1 but
// B can only be v1, so A must take v2.
func TestOneToOneOptimal(t *testing.T) {
	lat, lon := 40.0, 134.0
	at := func(km, bearing float64) (float64, float64) { return geo.Destination(lat, lon, bearing, km) }
	v1Lat, v1Lon := at(0, 0)
	v2Lat, v2Lon := at(0.4, 0)
	aLat, aLon := at(0.1, 0)
	bLat, bLon := at(0.6, 180)
	res := Match([]sar.Detection{{Time: t0, Lat: aLat, Lon: aLon}, {Time: t0, Lat: bLat, Lon: bLon}},
		[]Track{straight(1, v1Lat, v1Lon, 0, 0, -time.Hour, time.Hour, time.Hour), straight(2, v2Lat, v2Lon, 0, 0, -time.Hour, time.Hour, time.Hour)}, Options{})
	got := map[float64]uint32{}
	for _, m := range res.Matched {
		got[m.Lat] = m.MMSI
	}
	if got[aLat] != 2 || got[bLat] != 1 || len(res.Dark) != 0 {
		t.Errorf("got %+v dark %v; want A->2, B->1", res.Matched, res.Dark)
	}
	// Two detections, one vessel: only the nearer is matched.
	res = Match([]sar.Detection{{Time: t0, Lat: aLat, Lon: aLon}, {Time: t0, Lat: bLat, Lon: bLon}},
		[]Track{straight(1, v1Lat, v1Lon, 0, 0, -time.Hour, time.Hour, time.Hour)}, Options{})
	if len(res.Matched) != 1 || res.Matched[0].Lat != aLat || len(res.Dark) != 1 {
		t.Errorf("one vessel: %v", res)
	}
}

func TestHungarianAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.IntN(6)
		a := make([][]float64, n)
		for i := range a {
			a[i] = make([]float64, n)
			for j := range a[i] {
				a[i][j] = float64(rng.IntN(20))
			}
		}
		got := 0.0
		for i, j := range hungarian(a) {
			got += a[i][j]
		}
		best := math.Inf(1)
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		var rec func(k int)
		rec = func(k int) {
			if k == n {
				s := 0.0
				for i, j := range perm {
					s += a[i][j]
				}
				best = math.Min(best, s)
				return
			}
			for i := k; i < n; i++ {
				perm[k], perm[i] = perm[i], perm[k]
				rec(k + 1)
				perm[k], perm[i] = perm[i], perm[k]
			}
		}
		rec(0)
		if got != best {
			t.Fatalf("trial %d: hungarian %v, optimum %v for %v", trial, got, best, a)
		}
	}
}

func TestDarkEventsAtPort(t *testing.T) {
	cat := ref.Default()
	var vost ref.Port
	for _, p := range cat.Ports {
		if strings.EqualFold(p.Name, "Vostochnyy") {
			vost = p
		}
	}
	if vost.ID == "" {
		t.Fatal("Vostochnyy not in the catalog")
	}
	lat, lon := geo.Destination(vost.Lat, vost.Lon, 135, 3)
	dark := []Dark{
		{Detection: sar.Detection{ID: "s#1", Time: t0, Lat: lat, Lon: lon, LengthM: 105, Score: 22}},
		{Detection: sar.Detection{ID: "s#2", Time: t0, Lat: lat, Lon: lon, LengthM: 25, Score: 30}},     // too small for a tanker
		{Detection: sar.Detection{ID: "s#3", Time: t0, Lat: 39.5, Lon: 134.5, LengthM: 110, Score: 18}}, // open sea
	}
	evs := DarkEvents(dark, cat, EventOptions{})
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	for _, e := range evs {
		if e.Type != event.DarkDetection || e.Source != event.SourceSatellite || !e.Start.Equal(t0) || e.Confidence <= 0 || e.Confidence > 1 {
			t.Errorf("bad event %+v", e)
		}
	}
	if e := evs[0]; e.PortGroup != "RU-FE" || e.PortID == "" || e.Port == "" {
		t.Errorf("tanker-sized detection at Vostochnyy: %+v", e)
	}
	if evs[1].PortGroup != "" || evs[2].PortGroup != "" {
		t.Errorf("small or offshore detections got a port: %+v %+v", evs[1], evs[2])
	}
}

// A vessel silent across the image time, able to reach the dark detection,
// is listed as a candidate; one that could not have got there is not.
func TestDarkCandidates(t *testing.T) {
	lat, lon := 40.0, 134.0
	// Fixes 3 h before and 3 h after, 10 km either side at 10 kn: silent.
	near := Track{MMSI: 7, LengthM: 100}
	bLat, bLon := geo.Destination(lat, lon, 270, 10)
	aLat, aLon := geo.Destination(lat, lon, 90, 10)
	near.Fixes = []Fix{{Time: t0.Add(-3 * time.Hour), Lat: bLat, Lon: bLon, SOG: 10, COG: 90}, {Time: t0.Add(3 * time.Hour), Lat: aLat, Lon: aLon, SOG: 10, COG: 90}}
	// Another silent vessel 300 km away: out of reach.
	far := near
	far.MMSI = 8
	far.Fixes = []Fix{{Time: t0.Add(-time.Hour), Lat: 43, Lon: 134, SOG: 10, COG: 0}, {Time: t0.Add(time.Hour), Lat: 43.05, Lon: 134, SOG: 10, COG: 0}}
	res := Match([]sar.Detection{{Time: t0, Lat: lat, Lon: lon, LengthM: 95}}, []Track{near, far}, Options{})
	if len(res.Dark) != 1 {
		t.Fatalf("%v", res)
	}
	c := res.Dark[0].Candidates
	if len(c) != 1 || c[0].MMSI != 7 || c[0].GapH != 6 || c[0].OffTrackKm > 0.1 {
		t.Errorf("candidates %+v, want MMSI 7 with a 6 h gap on track", c)
	}
	evs := DarkEvents(res.Dark, nil, EventOptions{})
	if _, ok := evs[0].Evidence["candidates"]; !ok {
		t.Errorf("candidates missing from evidence: %v", evs[0].Evidence)
	}
}
