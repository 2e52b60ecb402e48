package sim

import (
	"slices"
	"testing"
)

func TestReportInterval(t *testing.T) {
	for _, c := range []struct {
		classA       bool
		status       int
		sog, dcog, s float64
	}{
		{true, navMoored, 0.1, 0, 180},
		{true, navAnchored, 2.9, 0, 180},
		{true, navAnchored, 5, 0, 10}, // dragging anchor: reports as under way
		{true, navUnderway, 1, 0, 10}, // drifting, not anchored: 10 s
		{true, navUnderway, 12, 0, 10},
		{true, navUnderway, 12, 20, 10.0 / 3},
		{true, navUnderway, 18, 0, 6},
		{true, navUnderway, 18, 20, 2},
		{true, navUnderway, 25, 0, 2},
		{false, navUnderway, 1.5, 0, 180},
		{false, navUnderway, 8, 30, 30},
	} {
		if got := reportInterval(c.classA, c.status, c.sog, c.dcog); got != c.s {
			t.Errorf("reportInterval(A=%v, status %d, %.1f kn, %.0f°) = %v s, want %v", c.classA, c.status, c.sog, c.dcog, got, c.s)
		}
	}
	if d := courseChange(350, 10); d != 20 {
		t.Errorf("courseChange(350, 10) = %v, want 20", d)
	}
}

// A real-rate run's class A ships under way are heard about every 10 s
// (the median gap between distinct reports of one ship, where a lost
// report doubles a gap) and it sends tens of times the thinned mode's
// messages.
func TestRealRateDensity(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a day at real rate")
	}
	dir := t.TempDir()
	cfg := Config{Seed: 5, Days: 1, Vessels: 20, Workers: 2, RealRate: true}
	st, err := Run(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	thin := t.TempDir()
	cfg.RealRate = false
	st0, err := Run(cfg, thin)
	if err != nil {
		t.Fatal(err)
	}
	pos := func(s Stats) int64 { return s.Messages[1] + s.Messages[3] + s.Messages[18] }
	if pos(st) < 20*pos(st0) {
		t.Errorf("real rate sent %d position reports, thinned %d: want at least 20x", pos(st), pos(st0))
	}
	type rep struct {
		t        int64
		lat, lon float64
	}
	by := map[uint32][]rep{}
	r := readAIS(t, dir)
	for r.Next() {
		m := r.Message()
		if (m.Type == 1 || m.Type == 3) && m.PosA.Speed > 3 && m.PosA.Speed < 14 {
			by[m.MMSI] = append(by[m.MMSI], rep{m.RxTime.Unix(), m.PosA.Lat, m.PosA.Lon})
		}
	}
	var gaps []int64
	for _, rs := range by {
		slices.SortFunc(rs, func(a, b rep) int { return int(a.t - b.t) })
		var last *rep
		for i := range rs {
			if last != nil && rs[i].lat == last.lat && rs[i].lon == last.lon {
				continue // another station's copy
			}
			if last != nil && rs[i].t-last.t < 60 {
				gaps = append(gaps, rs[i].t-last.t)
			}
			last = &rs[i]
		}
	}
	if len(gaps) < 1000 {
		t.Fatalf("only %d gaps between reports of class A ships under way", len(gaps))
	}
	slices.Sort(gaps)
	if med := gaps[len(gaps)/2]; med < 8 || med > 12 {
		t.Errorf("median gap between reports of class A ships at 3-14 kn = %d s, want about 10", med)
	}
	if gaps[0] > 4 {
		t.Errorf("shortest gap %d s: ships changing course should report every 2-3.3 s", gaps[0])
	}
}
