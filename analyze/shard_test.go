package analyze

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// analyzeWith runs the simulated scenario through an Analyzer with shards
// spoofing shards and returns its events as JSON lines and the totals.
func analyzeWith(t *testing.T, shards int) ([]byte, Totals) {
	var out bytes.Buffer
	w := event.NewWriter(&out)
	opt := DefaultOptions()
	opt.Shards = shards
	a := New(opt, func(e *event.Event) {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	})
	if err := a.Read(simulatedReader(t)); err != nil {
		t.Fatal(err)
	}
	tot := a.Finish()
	return out.Bytes(), tot
}

// TestShardsSameBytes: spoofing sharded over goroutines must give the
// bytes of the run on one goroutine, events in the same order, and the
// same counts.
func TestShardsSameBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	want, wantTot := analyzeWith(t, 1)
	if wantTot.Events[event.Spoofing] == 0 {
		t.Fatal("the scenario has no spoofing: it cannot test the shards")
	}
	for _, n := range []int{2, 3} {
		got, tot := analyzeWith(t, n)
		if !bytes.Equal(got, want) {
			gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
			for i := range min(len(gl), len(wl)) {
				if !bytes.Equal(gl[i], wl[i]) {
					t.Fatalf("%d shards: event %d differs:\n got %s\nwant %s", n, i, gl[i], wl[i])
				}
			}
			t.Fatalf("%d shards: %d lines, want %d", n, len(gl), len(wl))
		}
		for ty, c := range wantTot.Events {
			if tot.Events[ty] != c {
				t.Errorf("%d shards: %d %s events counted, want %d", n, tot.Events[ty], ty, c)
			}
		}
	}
	t.Logf("%d bytes of events, %v", len(want), wantTot.Events)
}

// TestShardsKeepOrderAtOnePoint feeds hand-made track points where one
// point both closes a spoofing episode (reported by a shard) and ends a
// gap (reported by the merging Detector): the spoofing event must come
// first, as from one Detector, for every vessel.
func TestShardsKeepOrderAtOnePoint(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var pts []track.Point
	for m := uint32(1); m <= 12; m++ {
		lat, lon := 40+float64(m)*0.2, 130.0
		at := func(d time.Duration, seg int, jump bool) {
			p := track.Point{Fix: track.Fix{MMSI: 273000000 + m, Time: t0.Add(d + time.Duration(m)*time.Second),
				Lat: lat, Lon: lon, HasPos: true, SOG: 10, COG: 90, Heading: -1, Class: 'A'},
				Seg: seg, ImpliedKn: 10}
			if jump {
				p.Lat += 1
				p.Flag, p.NewSeg, p.ImpliedKn = track.TooFast, true, 300
			} else {
				lon += 0.01
			}
			pts = append(pts, p)
		}
		// Two episodes of impossible jumps 8 h apart, then 13 h of silence:
		// the point after it reports the first episode and the gap.
		seg := 1
		for _, start := range []time.Duration{0, 8 * time.Hour} {
			for i := range 7 {
				jump := i >= 1 && i <= 3
				if jump {
					seg++
				}
				s := 1
				if jump {
					s = seg
				}
				at(start+time.Duration(i)*10*time.Minute, s, jump)
			}
		}
		for i := range 3 {
			at(22*time.Hour+time.Duration(i)*10*time.Minute, 1, false)
		}
	}
	slices.SortStableFunc(pts, func(a, b track.Point) int { return a.Time.Compare(b.Time) })

	run := func(shards int) ([]byte, map[int][]event.Type) {
		var out bytes.Buffer
		w := event.NewWriter(&out)
		at := map[int][]event.Type{} // point index -> events, on one goroutine only
		cur := 0
		opt := DefaultOptions()
		opt.NoLand, opt.Shards = true, shards
		a := New(opt, func(e *event.Event) {
			at[cur] = append(at[cur], e.Type)
			if err := w.Write(e); err != nil {
				t.Fatal(err)
			}
		})
		var stop func()
		if shards > 1 {
			stop = a.sink.start()
		}
		for i := range pts {
			cur = i
			a.sink.Point(&pts[i])
		}
		if stop != nil {
			stop()
		}
		a.Finish()
		return out.Bytes(), at
	}
	want, at := run(1)
	both := 0
	for _, types := range at {
		if len(types) >= 2 && types[0] == event.Spoofing && slices.Contains(types, event.Gap) {
			both++
		}
	}
	if both == 0 {
		t.Fatalf("no point reports spoofing and a gap together (%v): the test tests nothing", at)
	}
	got, _ := run(3)
	if !bytes.Equal(got, want) {
		t.Fatalf("3 shards:\n%s\nwant (1 shard):\n%s", got, want)
	}
}
