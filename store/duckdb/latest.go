package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

// LatestPosition returns the time of the latest stored position (zero when
// there is none); store.Dedup asks it once per ingest run.
func (s *Store) LatestPosition(ctx context.Context) (time.Time, error) {
	var t sql.NullTime
	if err := s.conn.QueryRowContext(ctx, "SELECT max(ts) FROM positions").Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("latest position: %w", err)
	}
	return t.Time.UTC(), nil
}

// Reception counts positions per station and day and per grid cell, and
// lists the ingested files (store.ReceptionCounter), in one scan of the
// positions.
func (s *Store) Reception(ctx context.Context, since, until time.Time, cellDeg float64) (store.Reception, error) {
	return sqlstore.Reception(func(q string, args ...any) (sqlstore.Rows, func(), error) {
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, nil, err
		}
		return rows, func() { rows.Close() }, nil
	}, "lat", "lon", since, until, cellDeg)
}
