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
