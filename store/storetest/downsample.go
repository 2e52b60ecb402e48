package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// testDownsample: a compaction with a store.Downsample keeps, of the
// positions older than Before, the first fix per vessel and interval, every
// fix within the margin of a non-voyage event of the vessel (as either
// vessel of a pair; spans that nest or overlap count whole), and every
// flagged fix; it keeps all newer positions and every event, and a second
// pass drops nothing more.
func testDownsample(t *testing.T, s store.Store) {
	ctx := context.Background()
	c, ok := s.(store.Compactor)
	if !ok {
		t.Fatalf("a %T store cannot compact", s)
	}
	const a, b = uint32(273000001), uint32(273000002)
	var ps []store.Position
	for i := 0; i < 4*360; i++ { // four hours, a fix every 10 s
		ts := t0.Add(time.Duration(i) * 10 * time.Second)
		for _, m := range []uint32{a, b} {
			p := store.Position{MMSI: m, Time: ts, Lat: 42 + float64(i)/1e4, Lon: 131 + float64(m-a), SOG: 12, COG: 90, Heading: 90, Status: 0, Station: "rxA"}
			if i < 360 { // the first hour heard by two stations
				ps = append(ps, p)
			}
			p.Station = "rxB"
			ps = append(ps, p)
		}
	}
	// A flagged fix of b, heard by the second station, not a bucket's first.
	flagged := slices.IndexFunc(ps, func(p store.Position) bool {
		return p.MMSI == b && p.Station == "rxB" && p.Time.Equal(t0.Add(41*time.Minute+40*time.Second))
	})
	ps[flagged].Flags = 1
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	evs := []event.Event{
		// The voyage spans everything: it must keep nothing.
		{Type: event.Voyage, MMSI: a, Start: t0, End: at(4 * time.Hour), Confidence: 1},
		// A spoofing span with a loitering nested in it: a fix after the
		// loitering's end but inside the spoofing is kept.
		{Type: event.Spoofing, MMSI: a, Start: at(50 * time.Minute), End: at(100 * time.Minute), Confidence: 0.9},
		{Type: event.Loitering, MMSI: a, Start: at(60 * time.Minute), End: at(70 * time.Minute), Confidence: 0.8},
		// An encounter keeps both vessels' fixes, b as the other vessel.
		{Type: event.Encounter, MMSI: a + 100, OtherMMSI: b, Start: at(130 * time.Minute), End: at(135 * time.Minute), Confidence: 0.7},
	}
	for i := range evs {
		evs[i].Lat, evs[i].Lon, evs[i].Source = 42, 131, event.SourceAIS
	}
	// Two batches: the older half second, as a re-ordered archive gives.
	write(t, s, &store.Batch{Positions: ps[len(ps)/2:]})
	write(t, s, &store.Batch{Positions: ps[:len(ps)/2], Events: evs})

	d := store.Downsample{Every: time.Minute, Before: at(3 * time.Hour), Margin: 5 * time.Minute}
	// What must stay, worked out here from the definition.
	in := func(p store.Position) bool {
		for _, e := range evs {
			if e.Type != event.Voyage && (e.MMSI == p.MMSI || e.OtherMMSI == p.MMSI) &&
				!p.Time.Before(e.Start.Add(-d.Margin)) && !p.Time.After(e.End.Add(d.Margin)) {
				return true
			}
		}
		return false
	}
	sorted := slices.Clone(ps)
	slices.SortStableFunc(sorted, func(x, y store.Position) int {
		if x.MMSI != y.MMSI {
			return int(x.MMSI) - int(y.MMSI)
		}
		return x.Time.Compare(y.Time)
	})
	want := map[uint32][]store.Position{}
	var last struct {
		m uint32
		b int64
	}
	// A fix heard by two stations: the store keeps, of a bucket, the copy
	// of the station first in order, which ps lists first.
	for i, p := range sorted {
		bucket := p.Time.Unix() / 60
		first := i == 0 || last.m != p.MMSI || last.b != bucket
		last.m, last.b = p.MMSI, bucket
		if !p.Time.Before(d.Before) || p.Flags != 0 || in(p) || first {
			want[p.MMSI] = append(want[p.MMSI], p)
		}
	}
	kept := int64(len(want[a]) + len(want[b]))

	got, err := c.Compact(ctx, &d)
	if err != nil {
		t.Fatal(err)
	}
	if got.Before != int64(len(ps)) || got.After != kept {
		t.Errorf("Compact = %+v, want %d before and %d after", got, len(ps), kept)
	}
	check := func(when string) {
		t.Helper()
		for _, m := range []uint32{a, b} {
			tr, err := s.Track(ctx, m, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			// Track orders by time only: two stations' copies of a fix
			// may come either way.
			byStation := func(x, y store.Position) int {
				if c := x.Time.Compare(y.Time); c != 0 {
					return c
				}
				return strings.Compare(x.Station, y.Station)
			}
			slices.SortStableFunc(tr, byStation)
			slices.SortStableFunc(want[m], byStation)
			if len(tr) != len(want[m]) {
				t.Fatalf("%s: vessel %d has %d positions, want %d", when, m, len(tr), len(want[m]))
			}
			for i := range tr {
				w := want[m][i]
				if !samePosition(tr[i], w) {
					t.Fatalf("%s: vessel %d fix %d = %+v, want %+v", when, m, i, tr[i], w)
				}
			}
		}
	}
	check("down-sampled")
	// Spot checks of the rule, so that a wrong oracle above cannot pass
	// unnoticed: inside the spoofing but past the nested loitering (a at
	// +80m), an encounter's other vessel (b at +132m), the flagged fix, a
	// plain old fix between bucket heads (a at +30m10s) and a new one.
	has := func(m uint32, ts time.Time) bool {
		return slices.ContainsFunc(want[m], func(p store.Position) bool { return p.Time.Equal(ts) })
	}
	if !has(a, at(80*time.Minute+10*time.Second)) || !has(b, at(132*time.Minute+10*time.Second)) ||
		!has(b, ps[flagged].Time) || has(a, at(30*time.Minute+10*time.Second)) || !has(a, at(3*time.Hour+10*time.Second)) {
		t.Fatal("the expected set does not follow the rule")
	}
	if n := len(want[a]) + len(want[b]); n >= len(ps)/2 || n < 4*60*2 {
		t.Fatalf("%d of %d positions expected to stay: the case does not down-sample", n, len(ps))
	}
	// Again: the same interval keeps the same fixes.
	if got, err := c.Compact(ctx, &d); err != nil || got.Before != kept || got.After != kept {
		t.Errorf("second Compact = %+v, %v; want %d kept, nothing dropped", got, err, kept)
	}
	check("down-sampled twice")
	if n := counts(t, s).Events; n != int64(len(evs)) {
		t.Errorf("%d events after down-sampling, want %d", n, len(evs))
	}
	// Without a Downsample, compacting keeps every position.
	if got, err := c.Compact(ctx, nil); err != nil || got.Before != kept || got.After != kept {
		t.Errorf("Compact(nil) = %+v, %v; want %d kept", got, err, kept)
	}
	if _, err := c.Compact(ctx, &store.Downsample{Every: time.Minute}); err == nil {
		t.Error("a Downsample without Before was accepted")
	}
}
