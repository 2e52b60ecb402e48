package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"
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
