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
// once, split by MMSI: one server backend parses and stores about 0.7M rows
// per CPU-second, so one COPY left the second core idle. The second
// connection's half commits in a transaction of its own, just before the
// batch's, together with a part record (file_parts: the file, the
// positions the batch covers, the MMSI where the half begins). Should the
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

// part is the second connection's uncommitted half of a batch.
type part struct {
	tx   pgx.Tx
	done chan error // the half's COPY and part record are sent
}

// copyHalf starts copying the rows of order on the second connection, with
// the half's part record, in a transaction it leaves open.
func (s *Store) copyHalf(ctx context.Context, b *store.Batch, order []int32) (*part, error) {
	if s.conn2 == nil || s.conn2.IsClosed() {
		conn, err := pgx.Connect(ctx, s.url)
		if err != nil {
			return nil, fmt.Errorf("connect to postgres (second connection): %w", err)
		}
		s.conn2 = conn
	}
	tx, err := s.conn2.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin second half of positions: %w", err)
	}
	p := &part{tx: tx, done: make(chan error, 1)}
	go func() {
		err := copyRows(ctx, s.conn2, b.Positions, order)
		if err == nil {
			_, err = tx.Exec(ctx, "INSERT INTO file_parts VALUES ($1, $2, $3, $4)",
				b.File.Hash, firstPosition(b), b.File.Positions, int64(b.Positions[order[0]].MMSI))
			if err != nil {
				err = fmt.Errorf("write part record: %w", err)
			}
		}
		p.done <- err
	}()
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
	split := 0
	if f := b.File; f != nil {
		from := firstPosition(b)
		var to, mmsi int64
		err := tx.QueryRow(ctx, "SELECT to_pos, split_mmsi FROM file_parts WHERE hash = $1 AND from_pos = $2", f.Hash, from).Scan(&to, &mmsi)
		switch {
		case err == nil:
			// An earlier write of these positions stored a half and was
			// lost: the rows it covered at or above its MMSI are stored.
			order = slices.DeleteFunc(order, func(i int32) bool { return int64(i) < to-from && int64(ps[i].MMSI) >= mmsi })
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
			if len(order) >= parallelMin {
				split = splitAt(ps, order)
			}
		default:
			return nil, fmt.Errorf("read part record: %w", err)
		}
	}
	var p *part
	if split > 0 {
		var err error
		if p, err = s.copyHalf(ctx, b, order[split:]); err != nil {
			return nil, err
		}
		order = order[:split]
	}
	err := copyRows(ctx, tx.Conn(), ps, order)
	if p != nil {
		if herr := <-p.done; herr != nil && err == nil {
			err = herr
		}
		if err != nil {
			p.rollback(ctx)
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	// Summarise the new pages now, in the batch's transaction: unsummarised
	// BRIN ranges are read in full by every query.
	if _, err := tx.Exec(ctx, "SELECT brin_summarize_new_values('positions_brin'::regclass)"); err != nil {
		p.rollback(ctx)
		return nil, fmt.Errorf("summarise position indexes: %w", err)
	}
	return p, nil
}

// splitAt returns where in order the second half begins: near the middle,
// at the first row of a vessel, so that the half is "every row from this
// MMSI up". 0 means the batch cannot be split (one vessel).
func splitAt(ps []store.Position, order []int32) int {
	k := len(order) / 2
	m := ps[order[k]].MMSI
	for k > 0 && ps[order[k-1]].MMSI == m {
		k--
	}
	return k
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
