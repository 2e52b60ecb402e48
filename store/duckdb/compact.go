package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
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
//
// With d, the copy leaves out the old positions d allows to drop
// (store.Downsample): rewriting the table, rather than deleting rows,
// gives their space back to the file's later writes at once.
func (s *Store) Compact(ctx context.Context, d *store.Downsample) (c store.Compacted, err error) {
	if s.readOnly {
		return c, ErrReadOnly
	}
	if d != nil {
		if err := d.Valid(); err != nil {
			return c, err
		}
	}
	ddl, err := positionsDDL("positions_compact")
	if err != nil {
		return c, err
	}
	if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return c, fmt.Errorf("compact: begin: %w", err)
	}
	defer func() {
		if err != nil {
			if _, rerr := s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	if err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM positions").Scan(&c.Before); err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	steps := []string{ddl}
	var args []any
	if d == nil {
		steps = append(steps, "INSERT INTO positions_compact SELECT * FROM positions ORDER BY mmsi, ts")
	} else {
		// The ASOF join finds, for each fix, the evidence span that starts
		// last at or before it (spans are merged, so no other can hold it).
		steps = append(steps, "CREATE OR REPLACE TEMP TABLE evidence AS "+sqlstore.EvidenceSQL(d.Margin, "%s"),
			fmt.Sprintf(`INSERT INTO positions_compact
SELECT mmsi, ts, lat, lon, sog, cog, heading, status, station, flags FROM (
	SELECT p.*, e.b AS reach,
		row_number() OVER (PARTITION BY p.mmsi, epoch_ms(p.ts) // %d ORDER BY p.ts, p.station) AS k
	FROM positions p ASOF LEFT JOIN evidence e ON p.mmsi = e.mmsi AND p.ts >= e.a)
WHERE ts >= ? OR flags <> 0 OR k = 1 OR reach >= ts
ORDER BY mmsi, ts`, d.Every.Milliseconds()),
			"DROP TABLE evidence")
		args = []any{d.Before.UTC()}
	}
	steps = append(steps, "DROP TABLE positions", "ALTER TABLE positions_compact RENAME TO positions")
	for _, q := range steps {
		var a []any
		if strings.Contains(q, "?") {
			a = args
		}
		if _, err := s.conn.ExecContext(ctx, q, a...); err != nil {
			return c, fmt.Errorf("compact: %w", err)
		}
	}
	if err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM positions").Scan(&c.After); err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return c, fmt.Errorf("compact: commit: %w", err)
	}
	// Write the new table to the file now and free the old one's blocks,
	// rather than leaving a WAL as large as the table for the next open.
	if _, err := s.conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return c, fmt.Errorf("compact: checkpoint: %w", err)
	}
	return c, nil
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

var _ store.Compactor = (*Store)(nil)
