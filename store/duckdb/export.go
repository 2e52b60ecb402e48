package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

// Export formats.
const (
	CSV        = "csv"
	GeoParquet = "geoparquet"
)

// geoMetadata is the GeoParquet 1.1 "geo" key: one WKB point column in
// longitude/latitude on WGS 84 (no crs member means OGC:CRS84).
const geoMetadata = `{"version":"1.1.0","primary_column":"geometry","columns":{"geometry":{"encoding":"WKB","geometry_types":["Point"]}}}`

// ExportOptions select what Export writes.
type ExportOptions struct {
	Format       string // CSV or GeoParquet
	Since, Until time.Time
}

// Export writes positions and events from src under dir as
// dir/positions/day=YYYY-MM-DD/… and dir/events/day=YYYY-MM-DD/… (Hive
// partitioning, which DuckDB, Spark and BigQuery read as a day column).
// GeoParquet files carry a WKB "geometry" column and the "geo" metadata key.
// A DuckDB store is exported directly; any other store is first copied into
// a temporary DuckDB file next to dir.
func Export(ctx context.Context, src store.Store, dir string, opt ExportOptions) error {
	if opt.Format != CSV && opt.Format != GeoParquet {
		return fmt.Errorf("export format %q: want %s or %s", opt.Format, CSV, GeoParquet)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, sub := range []string{"positions", "events"} {
		if entries, err := os.ReadDir(filepath.Join(dir, sub)); err == nil && len(entries) > 0 {
			return fmt.Errorf("%s already holds an export; choose an empty directory", filepath.Join(dir, sub))
		}
	}
	s, ok := src.(*Store)
	if !ok {
		tmp, err := os.CreateTemp(filepath.Dir(filepath.Clean(dir)), ".lookout-export-*.duckdb")
		if err != nil {
			return err
		}
		path := tmp.Name()
		tmp.Close()
		os.Remove(path) // DuckDB wants to create the file itself
		defer os.Remove(path)
		defer os.Remove(path + ".wal")
		if s, err = Open(ctx, path); err != nil {
			return err
		}
		defer s.Close()
		if err := copyStore(ctx, src, s, opt.Since, opt.Until); err != nil {
			return err
		}
	}
	return s.export(ctx, dir, opt)
}

// copyStore copies positions and events in the time window from src to dst.
func copyStore(ctx context.Context, src store.Store, dst *Store, since, until time.Time) error {
	const chunk = 500_000
	var b store.Batch
	err := src.ScanPositions(ctx, since, until, func(p *store.Position) error {
		b.Positions = append(b.Positions, *p)
		if len(b.Positions) < chunk {
			return nil
		}
		_, err := dst.Write(ctx, &b)
		b.Positions = b.Positions[:0]
		return err
	})
	if err != nil {
		return fmt.Errorf("copy positions: %w", err)
	}
	if b.Events, err = src.Events(ctx, store.EventQuery{Since: since, Until: until}); err != nil {
		return err
	}
	if _, err := dst.Write(ctx, &b); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	return nil
}

func (s *Store) export(ctx context.Context, dir string, opt ExportOptions) error {
	if opt.Format == GeoParquet {
		if err := registerWKB(s.conn); err != nil {
			return err
		}
	}
	posWhere := window("ts", "ts", opt.Since, opt.Until)
	evWhere := window("end_time", "start_time", opt.Since, opt.Until)
	posCols, evCols := sqlstore.PositionColumns, sqlstore.EventFields
	var tail string
	switch opt.Format {
	case GeoParquet:
		posCols += ", lookout_wkb_point(lon, lat) AS geometry"
		evCols += ", lookout_wkb_point(lon, lat) AS geometry"
		tail = "FORMAT parquet, COMPRESSION zstd, KV_METADATA {geo: '" + geoMetadata + "'}"
	case CSV:
		tail = "FORMAT csv, HEADER true"
	}
	for _, q := range []struct{ name, sql string }{
		{"positions", "SELECT " + posCols + ", CAST(ts AS DATE) AS day FROM positions" + posWhere + " ORDER BY day, mmsi, ts"},
		{"events", "SELECT " + evCols + ", CAST(start_time AS DATE) AS day FROM events" + evWhere + " ORDER BY day, start_time, id"},
	} {
		out := filepath.Join(dir, q.name)
		stmt := "COPY (" + q.sql + ") TO " + quote(out) + " (" + tail + ", PARTITION_BY (day), OVERWRITE_OR_IGNORE true)"
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("export %s: %w", q.name, err)
		}
	}
	return nil
}

// window returns the WHERE clause of a time window with the bounds written
// as literals (COPY takes no parameters): rows whose end is at or after
// since and whose start is before until.
func window(endCol, startCol string, since, until time.Time) string {
	var w []string
	if !since.IsZero() {
		w = append(w, endCol+" >= TIMESTAMP '"+since.UTC().Format("2006-01-02 15:04:05.999999")+"'")
	}
	if !until.IsZero() {
		w = append(w, startCol+" < TIMESTAMP '"+until.UTC().Format("2006-01-02 15:04:05.999999")+"'")
	}
	if len(w) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w, " AND ")
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// wkbPoint is a scalar function building the ISO WKB of a point: DuckDB
// without its spatial extension (which would have to be downloaded) has no
// geometry functions.
type wkbPoint struct{}

func (wkbPoint) Config() duckdb.ScalarFuncConfig {
	d, _ := duckdb.NewTypeInfo(duckdb.TYPE_DOUBLE)
	b, _ := duckdb.NewTypeInfo(duckdb.TYPE_BLOB)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{d, d}, ResultTypeInfo: b}
}

func (wkbPoint) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(v []driver.Value) (any, error) {
		lon, ok1 := v[0].(float64)
		lat, ok2 := v[1].(float64)
		if !ok1 || !ok2 {
			return nil, nil
		}
		return WKBPoint(lon, lat), nil
	}}
}

// WKBPoint encodes a point as little-endian ISO WKB.
func WKBPoint(lon, lat float64) []byte {
	b := make([]byte, 21)
	b[0] = 1 // little endian
	binary.LittleEndian.PutUint32(b[1:], 1)
	binary.LittleEndian.PutUint64(b[5:], math.Float64bits(lon))
	binary.LittleEndian.PutUint64(b[13:], math.Float64bits(lat))
	return b
}

func registerWKB(conn *sql.Conn) error {
	err := duckdb.RegisterScalarUDF(conn, "lookout_wkb_point", wkbPoint{})
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("register lookout_wkb_point: %w", err)
	}
	return nil
}
