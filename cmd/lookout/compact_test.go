package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// TestCompact compacts a store written in two batches and finds every
// vessel's track intact, in time order.
func TestCompact(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "c.duckdb")
	st, err := duckdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for b := range 2 {
		var ps []store.Position
		for i := range 3000 {
			ps = append(ps, store.Position{MMSI: 273000000 + uint32(i%7), Time: t0.Add(time.Duration(b*3000+i) * time.Second),
				Lat: 42 + float64(i)/1e4, Lon: 131, SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15, Station: "S"})
		}
		if _, err := st.Write(ctx, &store.Batch{Positions: ps}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	root.SetArgs([]string{"compact", "--db", db})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	st, err = duckdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for v := range 7 {
		tr, err := st.Track(ctx, 273000000+uint32(v), time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		want := 3000 / 7 // per batch
		if v < 3000%7 {
			want++
		}
		want *= 2
		if len(tr) != want {
			t.Fatalf("vessel %d: %d positions after compact, want %d", v, len(tr), want)
		}
		for i := 1; i < len(tr); i++ {
			if !tr[i].Time.After(tr[i-1].Time) {
				t.Fatalf("vessel %d: position %d not after the one before", v, i)
			}
		}
	}
}

// TestCompactDownsample: --downsample thins positions older than
// --older-than to one per interval and vessel; newer ones stay whole.
func TestCompactDownsample(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "d.duckdb")
	st, err := duckdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().UTC().Add(-40 * 24 * time.Hour).Truncate(time.Hour)
	recent := time.Now().UTC().Add(-time.Hour)
	var ps []store.Position
	for i := range 600 { // ten minutes at one fix a second, twice
		for _, t0 := range []time.Time{old, recent} {
			ps = append(ps, store.Position{MMSI: 273000001, Time: t0.Add(time.Duration(i) * time.Second),
				Lat: 42, Lon: 131, SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15, Station: "S"})
		}
	}
	if _, err := st.Write(ctx, &store.Batch{Positions: ps}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"--downsample", "1.5s"}, {"--downsample", "1m", "--older-than", "soon"}, {"--downsample", "1m", "--keep-margin", "-1h"}} {
		if err := runErr(t, append([]string{"compact", "--db", db}, bad...)...); err == nil {
			t.Errorf("compact %v: no error", bad)
		}
	}
	if err := runErr(t, "compact", "--db", db, "--downsample", "60s", "--older-than", "30d", "--keep-margin", "1h"); err != nil {
		t.Fatal(err)
	}
	st, err = duckdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []struct {
		from time.Time
		want int
	}{{old, 10}, {recent, 600}} {
		tr, err := st.Track(ctx, 273000001, c.from, c.from.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(tr) != c.want {
			t.Errorf("from %s: %d positions after down-sampling, want %d", c.from, len(tr), c.want)
		}
	}
}
