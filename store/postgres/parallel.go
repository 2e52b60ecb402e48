package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

// A big batch of a file's positions is copied over two connections at
// once, the vessels with odd MMSIs on the second: one server backend
// parses and stores about 0.7M rows per CPU-second, so one COPY left the
// second core idle. The two copy the batch in MMSI order in step, a slice
// at a time, so the pages they fill side by side hold neighbouring vessels
// and the BRIN index on (mmsi, ts, geom) stays selective (split into a low
// and a high half, an 8-page range held both halves' MMSIs and a vessel
// query read 5-10x the pages). The second connection's half commits in a
// transaction of its own, just before the batch's, with a part record
// (file_parts: the file and the positions the batch covers). Should the
// batch's transaction not follow (kill -9 between the two commits), the
// part record says which rows are stored already, and the re-run's write
// of those positions skips them; the batch's transaction deletes the
// record. Readers may see such a half alone until the re-run.
//
// Only batches with a file record are split: without one nothing could tell
// a re-run which rows a lost batch had stored.

// parallelMin is the smallest batch copied over two connections; below it
// the second transaction costs more than it saves.
var parallelMin = 50_000

// stepRows is how many rows each connection copies before waiting for the
// other: small enough that the two stay near each other in MMSI order,
// large enough that a COPY statement's own cost vanishes.
const stepRows = 65_536

// part is the second connection's uncommitted half of a batch.
type part struct{ tx pgx.Tx }

// second reports whether a vessel's positions go over the second connection.
func second(mmsi uint32) bool { return mmsi%2 == 1 }

// copyHalves copies the rows of order over the two connections in step,
// leaving the second's in a transaction it returns open.
func (s *Store) copyHalves(ctx context.Context, tx pgx.Tx, ps []store.Position, order []int32) (*part, error) {
	var first, sec []int32
	for _, i := range order {
		if second(ps[i].MMSI) {
			sec = append(sec, i)
		} else {
			first = append(first, i)
		}
	}
	if len(first) == 0 || len(sec) == 0 {
		return nil, copyRows(ctx, tx.Conn(), ps, order)
	}
	if s.conn2 == nil || s.conn2.IsClosed() {
		conn, err := pgx.Connect(ctx, s.url)
		if err != nil {
			return nil, fmt.Errorf("connect to postgres (second connection): %w", err)
		}
		s.conn2 = conn
	}
	tx2, err := s.conn2.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin second half of positions: %w", err)
	}
	p := &part{tx: tx2}
	steps := (max(len(first), len(sec)) + stepRows - 1) / stepRows
	for k := range steps {
		a := first[len(first)*k/steps : len(first)*(k+1)/steps]
		b := sec[len(sec)*k/steps : len(sec)*(k+1)/steps]
		done := make(chan error, 1)
		go func() { done <- copyRows(ctx, s.conn2, ps, b) }()
		err := copyRows(ctx, tx.Conn(), ps, a)
		if err2 := <-done; err == nil {
			err = err2
		}
		if err != nil {
			p.rollback(ctx)
			return nil, err
		}
	}
	return p, nil
}

// commit commits the half just before the batch's own commit, and deletes
// its part record in the batch's transaction.
func (p *part) commit(ctx context.Context, tx pgx.Tx, f *store.File, from int64) error {
	if p == nil {
		return nil
	}
	if err := p.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit second half of positions: %w", err)
	}
	if afterPartCommit != nil {
		if err := afterPartCommit(); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM file_parts WHERE hash = $1 AND from_pos = $2", f.Hash, from); err != nil {
		return fmt.Errorf("delete part record: %w", err)
	}
	return nil
}

// rollback undoes an uncommitted half (a no-op after commit).
func (p *part) rollback(ctx context.Context) {
	if p != nil {
		p.tx.Rollback(context.WithoutCancel(ctx))
	}
}

// afterPartCommit, if set, runs between the two commits (tests stop a
// write there, as a crash would).
var afterPartCommit func() error

// firstPosition is the number (0-based, within the file) of a batch's first
// position: the ingester's batches hold the positions just before the count
// in their file record.
func firstPosition(b *store.Batch) int64 { return b.File.Positions - int64(len(b.Positions)) }

// copyPositions stores b's positions, in MMSI order, in tx, or half of them
// on the second connection (returned uncommitted); see the comment above.
func (s *Store) copyPositions(ctx context.Context, tx pgx.Tx, b *store.Batch) (*part, error) {
	ps := b.Positions
	if len(ps) == 0 {
		return nil, nil
	}
	order := sqlstore.OrderByMMSI(ps)
	split := false
	if f := b.File; f != nil {
		from := firstPosition(b)
		var to int64
		err := tx.QueryRow(ctx, "SELECT to_pos FROM file_parts WHERE hash = $1 AND from_pos = $2", f.Hash, from).Scan(&to)
		switch {
		case err == nil:
			// An earlier write of these positions stored its second half
			// and was lost.
			order = slices.DeleteFunc(order, func(i int32) bool { return int64(i) < to-from && second(ps[i].MMSI) })
			if to > f.Positions {
				// A smaller batch this time: the rest of the half is
				// skipped by the next one.
				_, err = tx.Exec(ctx, "UPDATE file_parts SET from_pos = $3 WHERE hash = $1 AND from_pos = $2", f.Hash, from, f.Positions)
			} else {
				_, err = tx.Exec(ctx, "DELETE FROM file_parts WHERE hash = $1 AND from_pos = $2", f.Hash, from)
			}
			if err != nil {
				return nil, fmt.Errorf("update part record: %w", err)
			}
		case errors.Is(err, pgx.ErrNoRows):
			split = len(order) >= parallelMin
		default:
			return nil, fmt.Errorf("read part record: %w", err)
		}
	}
	var p *part
	var err error
	if split {
		p, err = s.copyHalves(ctx, tx, ps, order)
	} else {
		err = copyRows(ctx, tx.Conn(), ps, order)
	}
	if err != nil {
		return nil, err
	}
	if p != nil {
		if _, err := p.tx.Exec(ctx, "INSERT INTO file_parts VALUES ($1, $2, $3)", b.File.Hash, firstPosition(b), b.File.Positions); err != nil {
			p.rollback(ctx)
			return nil, fmt.Errorf("write part record: %w", err)
		}
	}
	// Summarise the new pages now, in the batch's transaction: unsummarised
	// BRIN ranges are read in full by every query.
	if _, err := tx.Exec(ctx, "SELECT brin_summarize_new_values('positions_brin'::regclass)"); err != nil {
		p.rollback(ctx)
		return nil, fmt.Errorf("summarise position indexes: %w", err)
	}
	return p, nil
}

func copyRows(ctx context.Context, conn *pgx.Conn, ps []store.Position, order []int32) error {
	if len(order) == 0 {
		return nil
	}
	if _, err := conn.PgConn().CopyFrom(ctx, &positionRows{ps: ps, order: order}, copyPositionsSQL); err != nil {
		return fmt.Errorf("copy positions: %w", err)
	}
	return nil
}
