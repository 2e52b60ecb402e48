package postgres

import (
	"context"
	"fmt"
)

// Compact rewrites the positions table in (mmsi, ts) order and rebuilds its
// indexes (the BRIN index and any added by hand). Write sorts each batch by
// vessel, but a store built from many batches holds a vessel's track in a
// slice of every batch, and the BRIN index on mmsi then costs a vessel query
// a few pages per batch plus a pass over every range summary: at 100 million
// positions in batches of 500,000 that is 65 ms of server CPU. Afterwards a
// vessel's positions lie together. Compact copies the table, so it needs
// free disk space about the size of the positions (and as much again for
// the sort); it runs in one transaction, so an interrupted Compact leaves
// the store as it was, and it locks out writers and readers meanwhile.
func (s *Store) Compact(ctx context.Context) error {
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("compact: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var defs []string
	rows, err := tx.Query(ctx, "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'positions'::regclass ORDER BY indexrelid")
	if err != nil {
		return fmt.Errorf("compact: list indexes: %w", err)
	}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return fmt.Errorf("compact: list indexes: %w", err)
		}
		defs = append(defs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compact: list indexes: %w", err)
	}
	// Lock first, so that no batch lands between the copy and the swap.
	steps := []string{
		"LOCK TABLE positions IN ACCESS EXCLUSIVE MODE",
		"SELECT set_config('work_mem', '256MB', true)",
		"CREATE TABLE positions_compact (LIKE positions INCLUDING ALL EXCLUDING INDEXES)",
		"INSERT INTO positions_compact SELECT * FROM positions ORDER BY mmsi, ts",
		"DROP TABLE positions",
		"ALTER TABLE positions_compact RENAME TO positions",
	}
	// Built on the sorted table, each index is written in one pass, and
	// BRIN's ranges come out summarised.
	steps = append(steps, defs...)
	// The planner learns that mmsi now follows row order.
	steps = append(steps, "ANALYZE positions")
	for _, q := range steps {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("compact: %s: %w", q, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("compact: commit: %w", err)
	}
	return nil
}
