package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

// LatestPosition returns the time of the latest stored position (zero when
// there is none); store.Dedup asks it once per ingest run. Without a btree
// on ts this reads the table's ts column once.
func (s *Store) LatestPosition(ctx context.Context) (time.Time, error) {
	var t *time.Time
	if err := s.conn.QueryRow(ctx, "SELECT max(ts) FROM positions").Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("latest position: %w", err)
	}
	if t == nil {
		return time.Time{}, nil
	}
	return t.UTC(), nil
}

// Reception counts positions per station and day and per grid cell, and
// lists the ingested files (store.ReceptionCounter), in one scan of the
// positions.
func (s *Store) Reception(ctx context.Context, since, until time.Time, cellDeg float64) (store.Reception, error) {
	return sqlstore.Reception(func(q string, args ...any) (sqlstore.Rows, func(), error) {
		rows, err := s.conn.Query(ctx, q, args...)
		if err != nil {
			return nil, nil, err
		}
		return rows, rows.Close, nil
	}, "ST_Y(geom)", "ST_X(geom)", since, until, cellDeg)
}
