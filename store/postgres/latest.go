package postgres

import (
	"context"
	"fmt"
	"time"
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
