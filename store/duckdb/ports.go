package duckdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

var _ store.PortAreas = (*Store)(nil)

// PutLearnedPorts replaces the stored learned port areas, in one
// transaction.
func (s *Store) PutLearnedPorts(ctx context.Context, ports []store.LearnedPort) (err error) {
	if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			if _, rerr := s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	if _, err := s.conn.ExecContext(ctx, "DELETE FROM learned_ports"); err != nil {
		return fmt.Errorf("learned ports: %w", err)
	}
	for i := range ports {
		row, err := sqlstore.LearnedPortRow(&ports[i])
		if err != nil {
			return err
		}
		if _, err := s.conn.ExecContext(ctx, sqlstore.LearnedPortsInsert, row...); err != nil {
			return fmt.Errorf("learned port %s: %w", ports[i].ID, err)
		}
	}
	if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// LearnedPorts returns the stored learned port areas in ID order.
func (s *Store) LearnedPorts(ctx context.Context) ([]store.LearnedPort, error) {
	rows, err := s.conn.QueryContext(ctx, "SELECT "+sqlstore.LearnedPortColumns+" FROM learned_ports ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("learned ports: %w", err)
	}
	defer rows.Close()
	return sqlstore.ScanLearnedPorts(rows)
}
