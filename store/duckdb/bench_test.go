package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// BenchmarkWritePositions measures positions per second through Write, in
// batches of 100k. scripts/bench-store measures at larger sizes.
func BenchmarkWritePositions(b *testing.B) {
	s, err := duckdb.Open(context.Background(), filepath.Join(b.TempDir(), "bench.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const n = 100_000
	ps := make([]store.Position, n)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range ps {
		ps[i] = store.Position{MMSI: 200000000 + uint32(i*7919%3000), Time: t0.Add(time.Duration(i) * time.Second),
			Lat: 40 + float64(i%1000)/1000, Lon: 130 + float64(i%777)/777, SOG: 10.5, COG: 123.4, Heading: 120}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Write(context.Background(), &store.Batch{Positions: ps}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "positions/s")
}
