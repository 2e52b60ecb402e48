package duckdb_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// other hides the DuckDB type, so Export takes the path any other backend
// takes (copy into a temporary DuckDB file first).
type other struct{ store.Store }

func exportFixture(t *testing.T) *duckdb.Store {
	t.Helper()
	ctx := context.Background()
	s, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "src.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	var ps []store.Position
	for i := 0; i < 300; i++ { // 22:00 on day 1 to 03:00 on day 2
		ps = append(ps, store.Position{MMSI: 273000001 + uint32(i%3), Time: t0.Add(time.Duration(i) * time.Minute),
			Lat: 42.5 + float64(i)/1000, Lon: 131.25, SOG: 10, COG: 90, Heading: 90, Status: 0, Station: "S"})
	}
	evs := []event.Event{{Type: event.Gap, MMSI: 273000001, Start: t0, End: t0.Add(13 * time.Hour), Lat: 42.5, Lon: 131.25, Confidence: 0.5}}
	if _, err := s.Write(ctx, &store.Batch{Positions: ps, Events: evs}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExportGeoParquet(t *testing.T) {
	for _, direct := range []bool{true, false} {
		src := exportFixture(t)
		var s store.Store = src
		if !direct {
			s = other{src}
		}
		dir := filepath.Join(t.TempDir(), "out")
		if err := duckdb.Export(context.Background(), s, dir, duckdb.ExportOptions{Format: duckdb.GeoParquet}); err != nil {
			t.Fatal(err)
		}
		for _, day := range []string{"day=2026-03-01", "day=2026-03-02"} {
			if _, err := os.Stat(filepath.Join(dir, "positions", day)); err != nil {
				t.Fatalf("direct=%v: partition %s missing: %v", direct, day, err)
			}
		}
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		glob := filepath.Join(dir, "positions", "*", "*.parquet")
		var n, days int
		if err := db.QueryRow("SELECT count(*), count(DISTINCT day) FROM read_parquet('"+glob+"', hive_partitioning = true)").Scan(&n, &days); err != nil {
			t.Fatal(err)
		}
		if n != 300 || days != 2 {
			t.Fatalf("direct=%v: read back %d positions over %d days, want 300 over 2", direct, n, days)
		}
		var geo string
		if err := db.QueryRow("SELECT decode(value) FROM parquet_kv_metadata('" + glob + "') WHERE decode(key) = 'geo' LIMIT 1").Scan(&geo); err != nil {
			t.Fatalf("direct=%v: no geo metadata: %v", direct, err)
		}
		if !strings.Contains(geo, `"primary_column":"geometry"`) || !strings.Contains(geo, `"WKB"`) {
			t.Fatalf("geo metadata = %s", geo)
		}
		var wkb []byte
		var lat, lon float64
		if err := db.QueryRow("SELECT geometry, lat, lon FROM read_parquet('"+glob+"') LIMIT 1").Scan(&wkb, &lat, &lon); err != nil {
			t.Fatal(err)
		}
		if len(wkb) != 21 || wkb[0] != 1 || binary.LittleEndian.Uint32(wkb[1:]) != 1 ||
			math.Float64frombits(binary.LittleEndian.Uint64(wkb[5:])) != lon || math.Float64frombits(binary.LittleEndian.Uint64(wkb[13:])) != lat {
			t.Fatalf("geometry %x is not the WKB point (%v %v)", wkb, lon, lat)
		}
		var evn int
		if err := db.QueryRow("SELECT count(*) FROM read_parquet('" + filepath.Join(dir, "events", "*", "*.parquet") + "')").Scan(&evn); err != nil || evn != 1 {
			t.Fatalf("events read back: %d, %v", evn, err)
		}
		db.Close()
		src.Close()
	}
}

func TestExportCSVWindow(t *testing.T) {
	src := exportFixture(t)
	defer src.Close()
	dir := t.TempDir()
	since := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	if err := duckdb.Export(context.Background(), src, dir, duckdb.ExportOptions{Format: duckdb.CSV, Since: since}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "positions", "day=2026-03-01")); err == nil {
		t.Fatal("day 1 exported although --since is day 2")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "positions", "day=2026-03-02", "*.csv"))
	if len(files) == 0 {
		t.Fatal("no CSV for day 2")
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if !strings.HasPrefix(lines[0], "mmsi,ts,lat,lon") || len(lines) != 1+180 {
		t.Fatalf("day 2 CSV: header %q and %d rows, want 180", lines[0], len(lines)-1)
	}
	// The gap started on day 1 and overlaps day 2: it is exported.
	if files, _ := filepath.Glob(filepath.Join(dir, "events", "*", "*.csv")); len(files) != 1 {
		t.Fatalf("events CSV files: %v", files)
	}
	if err := duckdb.Export(context.Background(), src, dir, duckdb.ExportOptions{Format: duckdb.CSV}); err == nil {
		t.Fatal("export into a directory holding an export succeeded")
	}
}
