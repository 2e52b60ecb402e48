package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
)

// TestInsertCompressionReset wants the compression methods positions skip
// (positionsSkipCompression) back once the insert is done, so that the
// other tables a batch writes, events' long evidence strings above all,
// still get every method, and wants a positions insert still to store
// every row: an unknown method name in the list fails it.
func TestInsertCompressionReset(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	ps := make([]store.Position, 3000)
	for i := range ps {
		ps[i] = store.Position{MMSI: 200000000 + uint32(i%7), Time: t0.Add(time.Duration(i) * time.Second),
			Lat: 55 + float64(i)/1e4, Lon: 12, SOG: store.NaN32, COG: store.NaN32, Heading: -1, Station: "STN"}
	}
	if w, err := s.Write(ctx, &store.Batch{Positions: ps}); err != nil || w.Positions != int64(len(ps)) {
		t.Fatalf("write: %+v, %v", w, err)
	}
	var disabled string
	if err := s.conn.QueryRowContext(ctx, "SELECT current_setting('disabled_compression_methods')").Scan(&disabled); err != nil {
		t.Fatal(err)
	}
	if disabled != "" {
		t.Errorf("disabled_compression_methods after the insert: %q, want none", disabled)
	}
}
