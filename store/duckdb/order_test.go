package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// The positions of a batch are stored in vessel order although DuckDB
// inserts them on several threads: each row group holds a stretch of the
// MMSI order, so a vessel's rows lie in one or two row groups and a vessel
// query skips the rest by their statistics.
func TestPositionsStoredInVesselOrder(t *testing.T) {
	ctx := context.Background()
	s, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "order.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n, vessels = 1_000_000, 5000
	ps := make([]store.Position, n)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range ps {
		ps[i] = store.Position{MMSI: 273000000 + uint32(i*7919%vessels), Time: t0.Add(time.Duration(i) * time.Millisecond),
			Lat: 42, Lon: 133, SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15}
	}
	if _, err := s.Write(ctx, &store.Batch{Positions: ps}); err != nil {
		t.Fatal(err)
	}
	var groups, spread int
	err = s.DB().QueryRowContext(ctx, `SELECT count(*), sum(k) FROM (
		SELECT row_group_id, count(DISTINCT mmsi) AS k FROM (
			SELECT mmsi, rowid // 122880 AS row_group_id FROM positions) GROUP BY row_group_id)`).Scan(&groups, &spread)
	if err != nil {
		t.Fatal(err)
	}
	// In vessel order each vessel is in one group, those at a boundary in
	// two (a thread's last, short range can move the boundaries once);
	// interleaved, most vessels are in most groups.
	if spread > vessels+2*groups {
		t.Fatalf("%d row groups hold %d vessel-groups, want at most %d (each vessel in one group, boundaries in two)", groups, spread, vessels+2*groups)
	}
	t.Logf("%d row groups, %d vessel-groups for %d vessels", groups, spread, vessels)
}
