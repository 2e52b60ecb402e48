package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
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
//
// With d, the copy leaves out the old positions d allows to drop
// (store.Downsample); the table then takes the space of what it keeps.
func (s *Store) Compact(ctx context.Context, d *store.Downsample) (c store.Compacted, err error) {
	if d != nil {
		if err := d.Valid(); err != nil {
			return c, err
		}
	}
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return c, fmt.Errorf("compact: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var defs []string
	rows, err := tx.Query(ctx, "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'positions'::regclass ORDER BY indexrelid")
	if err != nil {
		return c, fmt.Errorf("compact: list indexes: %w", err)
	}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return c, fmt.Errorf("compact: list indexes: %w", err)
		}
		defs = append(defs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("compact: list indexes: %w", err)
	}
	// Lock first, so that no batch lands between the copy and the swap.
	steps := []string{
		"LOCK TABLE positions IN ACCESS EXCLUSIVE MODE",
		"SELECT set_config('work_mem', '256MB', true)",
		"CREATE TABLE positions_compact (LIKE positions INCLUDING ALL EXCLUDING INDEXES)",
	}
	var args []any
	if d == nil {
		steps = append(steps, "INSERT INTO positions_compact SELECT * FROM positions ORDER BY mmsi, ts")
	} else {
		// events keep MMSIs as bigint, positions as integer with the
		// unsigned value's bit pattern. Spans are merged, so the span
		// starting last at or before a fix is the only one that can hold
		// it: one probe of the index per old fix.
		steps = append(steps,
			"CREATE TEMP TABLE evidence ON COMMIT DROP AS "+
				sqlstore.EvidenceSQL(d.Margin, "(CASE WHEN %[1]s >= 2147483648 THEN %[1]s - 4294967296 ELSE %[1]s END)::integer"),
			"CREATE INDEX ON evidence (mmsi, a)",
			"ANALYZE evidence",
			fmt.Sprintf(`INSERT INTO positions_compact
SELECT ts, mmsi, flags, sog, cog, heading, status, station, geom FROM (
	SELECT p.*, row_number() OVER (PARTITION BY mmsi, floor(extract(epoch FROM ts) / %d) ORDER BY ts, station) AS k
	FROM positions p) p
WHERE ts >= $1 OR flags <> 0 OR k = 1
	OR (SELECT e.b FROM evidence e WHERE e.mmsi = p.mmsi AND e.a <= p.ts ORDER BY e.a DESC LIMIT 1) >= p.ts
ORDER BY mmsi, ts`, int64(d.Every/time.Second)))
		args = []any{d.Before.UTC()}
	}
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM positions").Scan(&c.Before); err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	steps = append(steps, "DROP TABLE positions", "ALTER TABLE positions_compact RENAME TO positions")
	// Built on the sorted table, each index is written in one pass, and
	// BRIN's ranges come out summarised.
	steps = append(steps, defs...)
	// The planner learns that mmsi now follows row order.
	steps = append(steps, "ANALYZE positions")
	for _, q := range steps {
		var a []any
		if strings.Contains(q, "$1") {
			a = args
		}
		if _, err := tx.Exec(ctx, q, a...); err != nil {
			return c, fmt.Errorf("compact: %s: %w", q, err)
		}
	}
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM positions").Scan(&c.After); err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return c, fmt.Errorf("compact: commit: %w", err)
	}
	return c, nil
}

var _ store.Compactor = (*Store)(nil)
