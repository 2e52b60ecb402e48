package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Compact rewrites the positions table in (mmsi, ts) order, so that each
// vessel's positions lie together in one or two row groups. Write sorts
// each batch by vessel, but a store built from many batches still holds a
// vessel's track in a slice of every batch: at 100 million positions in
// batches of a million, a vessel query reads a hundred row groups; after
// Compact it reads one or two. Compact copies the table, so it needs free
// disk space and time in proportion to the store; the space of the old
// copy is reused by later writes. It runs in one transaction: an
// interrupted Compact leaves the store as it was.
func (s *Store) Compact(ctx context.Context) (err error) {
	if s.readOnly {
		return ErrReadOnly
	}
	ddl, err := positionsDDL("positions_compact")
	if err != nil {
		return err
	}
	if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("compact: begin: %w", err)
	}
	defer func() {
		if err != nil {
			if _, rerr := s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	for _, q := range []string{
		ddl,
		"INSERT INTO positions_compact SELECT * FROM positions ORDER BY mmsi, ts",
		"DROP TABLE positions",
		"ALTER TABLE positions_compact RENAME TO positions",
	} {
		if _, err := s.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("compact: %w", err)
		}
	}
	if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("compact: commit: %w", err)
	}
	// Write the new table to the file now and free the old one's blocks,
	// rather than leaving a WAL as large as the table for the next open.
	if _, err := s.conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("compact: checkpoint: %w", err)
	}
	return nil
}

// positionsDDL returns schema.sql's CREATE TABLE for positions under
// another name, so the rewritten table keeps its types and NOT NULLs.
func positionsDDL(name string) (string, error) {
	const head = "CREATE TABLE IF NOT EXISTS positions ("
	for _, stmt := range strings.Split(schema, ";") {
		if i := strings.Index(stmt, head); i >= 0 {
			return "CREATE TABLE " + name + " (" + stmt[i+len(head):], nil
		}
	}
	return "", errors.New("compact: schema.sql has no positions table")
}
