package postgres

import (
	"context"
	"fmt"

	"github.com/lookout-osint/lookout/store"
)

var _ store.Versioned = (*Store)(nil)

// DataVersion is the server's current snapshot (xmin:xmax:in-progress
// transactions). Two equal snapshots mean no transaction that writes
// committed in between: one that was running would have left the list, one
// started since would have moved xmax. A write anywhere in the cluster
// changes it too, which costs a reader a needless refresh, never a stale
// answer. Read-only transactions take no transaction ID, so readers do not
// change it.
func (s *Store) DataVersion(ctx context.Context) (string, error) {
	if err := s.reconnect(ctx); err != nil {
		return "", err
	}
	var v string
	if err := s.conn.QueryRow(ctx, "SELECT pg_current_snapshot()::text").Scan(&v); err != nil {
		return "", fmt.Errorf("data version: %w", err)
	}
	return v, nil
}
