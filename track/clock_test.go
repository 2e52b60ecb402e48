package track

import (
	"math"
	"testing"
	"time"
)

// wall is a fixed "now" for the clock tests, well after t0 (2025-03-01).
func wallCfg() Config {
	cfg := DefaultConfig()
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	cfg.Now = func() time.Time { return now }
	return cfg
}

// dense is ten vessels reporting every minute for n minutes from t0 (one
// report per minute in all, round robin).
func dense(n int) []Fix {
	var out []Fix
	for i := range n {
		m := uint32(100 + i%10)
		out = append(out, fix(m, i, 40+float64(m-100)*0.1, 130+float64(i/10)*0.001))
	}
	return out
}

func run(cfg Config, fixes []Fix) (*rec, Stats) {
	r := &rec{}
	tr := New(cfg, nil, r)
	for _, f := range fixes {
		tr.AddFix(f)
	}
	tr.Flush()
	return r, tr.Stats()
}

func quarantined(s Stats) int64 {
	var n int64
	for _, v := range s.Quarantined {
		n += v
	}
	return n
}

// Lines stamped far from their neighbours (the year 2100, a year ahead or
// behind, 1970) are quarantined; every other line gets through, and no
// point reaches the sink with a bad time.
func TestClockQuarantinesStrayTimes(t *testing.T) {
	cfg := wallCfg()
	bad := map[string]time.Time{
		"2100":        time.Unix(4102444800, 0).UTC(),
		"year ahead":  t0.AddDate(1, 0, 0),
		"year behind": t0.AddDate(-1, 0, 0),
		"1970":        time.Unix(0, 0).UTC(),
		"hours ahead": {}, // each its own time plus 30 h
	}
	want := map[string]Reason{"2100": TimeInFuture, "1970": TimeTooEarly,
		"year ahead": TimeStray, "year behind": TimeStray, "hours ahead": TimeStray}
	for name, at := range bad {
		t.Run(name, func(t *testing.T) {
			fixes := dense(2000)
			var hit int
			// One line in fifty, the first included.
			for i := 0; i < len(fixes); i += 50 {
				if at.IsZero() {
					fixes[i].Time = fixes[i].Time.Add(30 * time.Hour)
				} else {
					fixes[i].Time = at
				}
				fixes[i].Lon = 131 // marks it
				hit++
			}
			r, st := run(cfg, fixes)
			if got := st.Quarantined[want[name]]; got != int64(hit) || quarantined(st) != int64(hit) {
				t.Errorf("quarantined %v, want %d %s", st.Quarantined, hit, want[name])
			}
			if len(r.pts) != len(fixes)-hit {
				t.Errorf("%d points out, want %d", len(r.pts), len(fixes)-hit)
			}
			for _, p := range r.pts {
				if p.Lon == 131 {
					t.Fatalf("a bad time got through: %v", p.Time)
				}
			}
		})
	}
}

// Statics carry receive times too (any message ends a silence).
func TestClockQuarantinesStatics(t *testing.T) {
	r := &rec{}
	tr := New(wallCfg(), nil, r)
	for i, f := range dense(100) {
		tr.AddFix(f)
		if i == 40 {
			tr.AddStatic(Static{MMSI: 101, Time: t0.AddDate(1, 0, 0), Name: "BAD CLOCK"})
		}
	}
	tr.Flush()
	if len(r.statics) != 0 || tr.Stats().Quarantined[TimeStray] != 1 {
		t.Fatalf("statics out %v, quarantined %v", r.statics, tr.Stats().Quarantined)
	}
}

// Streams do jump, and what they say after a jump is not lost: files
// three days apart, one vessel's track sampled every eight hours, an
// export sorted by vessel rather than by time, a feed whose last report
// after an outage ends the data.
func TestClockBelievesRealJumps(t *testing.T) {
	cfg := wallCfg()
	cases := map[string][]Fix{}

	a := dense(300)
	for _, f := range dense(300) {
		f.Time = f.Time.Add(72 * time.Hour)
		a = append(a, f)
	}
	cases["three days apart"] = a

	var sparse []Fix
	for i := range 40 {
		sparse = append(sparse, fix(7, i*8*60, 40, 130+float64(i)*0.5))
	}
	cases["every 8 h"] = sparse

	var byVessel []Fix
	for m := range 20 {
		for i := range 2 + m%5 { // some vessels have only two reports
			byVessel = append(byVessel, fix(uint32(200+m), i*60*7, 40+float64(m)*0.1, 130+float64(i)*0.1))
		}
	}
	cases["sorted by vessel"] = byVessel

	last := dense(300)
	last = append(last, fix(100, 300+48*60, 40, 131.5))
	cases["return at the end"] = last

	for name, fixes := range cases {
		t.Run(name, func(t *testing.T) {
			r, st := run(cfg, fixes)
			if quarantined(st) != 0 || len(r.pts) != len(fixes) {
				t.Errorf("%d of %d points out, quarantined %v", len(r.pts), len(fixes), st.Quarantined)
			}
		})
	}
}

// A live feed (times at the wall clock) gets its clock from its first
// report; one stamped in the future is quarantined however few came before.
func TestClockLiveFeed(t *testing.T) {
	cfg := DefaultConfig()
	r := &rec{}
	tr := New(cfg, nil, r)
	now := time.Now()
	f := Fix{MMSI: 1, Time: now, Lat: 40, Lon: 130, HasPos: true, SOG: math.NaN(), COG: math.NaN(), Heading: -1}
	tr.AddFix(f)
	f.Time = time.Unix(4102444800, 0)
	tr.AddFix(f)
	f.Time = now.Add(-30 * 24 * time.Hour)
	tr.AddFix(f)
	f.Time, f.Lon = now.Add(time.Second), 130.01
	tr.AddFix(f)
	tr.AddFix(f)
	tr.Flush()
	if st := tr.Stats(); st.Quarantined[TimeInFuture] != 1 || quarantined(st) != 2 || len(r.pts) != 2 {
		t.Fatalf("quarantined %v, %d points (want the two good ones: the third is a duplicate)", st.Quarantined, len(r.pts))
	}
}

// The held candidates are part of the saved state: a run that stops with a
// jump undecided and carries on from its checkpoint decides it the same way.
func TestClockStateCarried(t *testing.T) {
	cfg := wallCfg()
	fixes := dense(400)
	fixes[200].Time = t0.AddDate(1, 0, 0)
	one, st1 := run(cfg, fixes)

	r := &rec{}
	tr := New(cfg, nil, r)
	for _, f := range fixes[:201] {
		tr.AddFix(f)
	}
	blob, err := tr.MarshalShared(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr2 := New(cfg, nil, r)
	if err := tr2.UnmarshalShared(blob); err != nil {
		t.Fatal(err)
	}
	for _, m := range tr.MMSIs() {
		b, _, _ := tr.MarshalVessel(nil, m)
		if err := tr2.UnmarshalVessel(m, b); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range fixes[201:] {
		tr2.AddFix(f)
	}
	tr2.Flush()
	if len(r.pts) != len(one.pts) || quarantined(tr2.Stats()) != quarantined(st1) || quarantined(st1) != 1 {
		t.Fatalf("resumed: %d points, %v quarantined; one pass: %d, %v", len(r.pts), tr2.Stats().Quarantined, len(one.pts), st1.Quarantined)
	}
}

// On a live feed the wall clock keeps the stream's clock: a report after
// an hour's silence is tracked at once, not held until ClockConfirm more
// arrive.
func TestClockLiveFeedAfterSilence(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ReorderWindow = time.Second
	now := time.Now()
	cfg.Now = func() time.Time { return now }
	r := &rec{}
	tr := New(cfg, nil, r)
	f := Fix{MMSI: 1, Time: now, Lat: 40, Lon: 130, HasPos: true, SOG: math.NaN(), COG: math.NaN(), Heading: -1}
	tr.AddFix(f)
	tr.Advance(now.Add(2 * time.Second))
	for range 120 { // two quiet hours, Advance called as the feed does
		now = now.Add(time.Minute)
		tr.Advance(now)
	}
	f.Time, f.Lon = now, 130.5
	tr.AddFix(f)
	tr.Advance(now.Add(2 * time.Second))
	if len(r.pts) != 2 {
		t.Fatalf("%d points out after the silence, want 2", len(r.pts))
	}
}
