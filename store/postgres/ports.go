package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

var _ store.PortAreas = (*Store)(nil)

// PutLearnedPorts replaces the stored learned port areas, in one
// transaction.
func (s *Store) PutLearnedPorts(ctx context.Context, ports []store.LearnedPort) error {
	if err := s.reconnect(ctx); err != nil {
		return err
	}
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // no-op after Commit
	var batch pgx.Batch
	batch.Queue("DELETE FROM learned_ports")
	for i := range ports {
		row, err := sqlstore.LearnedPortRow(&ports[i])
		if err != nil {
			return err
		}
		batch.Queue(sqlstore.LearnedPortsInsert, row...)
	}
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return fmt.Errorf("learned ports: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// LearnedPorts returns the stored learned port areas in ID order.
func (s *Store) LearnedPorts(ctx context.Context) ([]store.LearnedPort, error) {
	if err := s.reconnect(ctx); err != nil {
		return nil, err
	}
	rows, err := s.conn.Query(ctx, "SELECT "+sqlstore.LearnedPortColumns+" FROM learned_ports ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("learned ports: %w", err)
	}
	defer rows.Close()
	return sqlstore.ScanLearnedPorts(rows)
}
