// Package duckdb is the embedded Lookout store: one DuckDB file, no server.
// Positions go in through a table function that fills DuckDB's vectors
// directly (positions.go), inside the same transaction as the rest of their
// batch, so a batch is stored whole or not at all. Compact rewrites the
// positions in vessel and time order for fast vessel queries on a big store.
package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/internal/bytesize"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

//go:embed schema.sql
var schema string

// Store is a store.Store on a DuckDB database file. Its reads are safe
// for concurrent use, with each other and with one Write or Compact at a
// time.
type Store struct {
	db *sql.DB
	// conn is the one connection writes go through: the appender and the
	// positions function must share the batch's transaction. Reads take
	// connections of their own from db, so that they can run beside each
	// other and beside a write (DuckDB's MVCC shows each the data committed
	// when it began): a server answering the map and a report's scan at
	// once need not queue.
	conn *sql.Conn
	// pending hands batches to the positions table function (positions.go).
	pending *pendingBatches
	// rows holds the memory positions are sorted in (positions.go).
	rows chan *rowBuf
	// readOnly stores refuse Write and Compact.
	readOnly bool
	// memLimit is DuckDB's memory_limit in bytes as set at open (0: not
	// known); a write of checkpoints raises it for its own duration.
	memLimit int64
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the DuckDB database at path for reading
// and writing; ":memory:" or "" opens a private in-memory database. A file
// another process holds fails with a *LockedError, a file that may not be
// written with a *ReadOnlyError.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, false)
}

// OpenReadOnly opens an existing database file for reading only: DuckDB
// lets any number of processes read a file this way at once, and a file
// that may not be written (mode 0444, a read-only filesystem) can still be
// read. Write fails with ErrReadOnly.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, true)
}

func open(ctx context.Context, path string, readOnly bool) (*Store, error) {
	if path == ":memory:" {
		path = ""
	}
	dsn := path
	if readOnly {
		if path == "" {
			return nil, errors.New("open duckdb: an in-memory database cannot be opened read-only")
		}
		dsn += "?access_mode=read_only"
	} else if path != "" {
		if why := notWritable(path); why != "" {
			return nil, &ReadOnlyError{Path: path, Why: why}
		}
	}
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, openError(path, err)
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	s := &Store{db: db, conn: conn, readOnly: readOnly}
	if readOnly {
		return s, nil
	}
	lim := memoryLimit()
	if _, err := conn.ExecContext(ctx, "SET memory_limit = '"+lim+"'"); err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("open duckdb %q: LOOKOUT_DUCKDB_MEMORY_LIMIT: %w", path, err)
	}
	s.memLimit, _ = bytesize.Parse(lim)
	if _, err := conn.ExecContext(ctx, schema); err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("create schema in %q: %w", path, err)
	}
	s.pending = &pendingBatches{}
	s.rows = make(chan *rowBuf, 1)
	if err := registerPositionsFunc(conn, s.pending); err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("register %s in %q: %w", positionsFunc, path, err)
	}
	return s, nil
}

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.conn.Close(), s.db.Close())
}

// DB returns the underlying database, for exports that use DuckDB SQL.
func (s *Store) DB() *sql.DB { return s.db }

// Write stores b in one transaction.
func (s *Store) Write(ctx context.Context, b *store.Batch) (w store.Written, err error) {
	if s.readOnly {
		return w, ErrReadOnly
	}
	// The transaction holds the checkpoints it writes until it commits
	// (see withMemory).
	var cpBytes int64
	for i := range b.Checkpoints {
		cpBytes += int64(len(b.Checkpoints[i].Data))
	}
	err = s.withMemory(ctx, 2*cpBytes, func() error {
		if w, err = s.write(ctx, b); err != nil || cpBytes == 0 {
			return err
		}
		// Committed rows stay in memory until DuckDB writes them to
		// the file; under the limit again, they would leave no room for
		// the next query.
		if _, err := s.conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
			return fmt.Errorf("checkpoint the database: %w", err)
		}
		return nil
	})
	return w, err
}

func (s *Store) write(ctx context.Context, b *store.Batch) (w store.Written, err error) {
	if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return w, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			if _, rerr := s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	if err := s.insertPositions(ctx, b.Positions); err != nil {
		return w, err
	}
	if err := s.appendIdentities(b.Identities); err != nil {
		return w, err
	}
	for _, k := range b.Quarantined {
		if _, err = s.conn.ExecContext(ctx, "DELETE FROM positions WHERE mmsi = ? AND ts = ?", int64(k.MMSI), k.Time.UTC()); err != nil {
			return w, fmt.Errorf("delete quarantined position: %w", err)
		}
	}
	if w.Events, err = s.writeEvents(ctx, b.Events, b.Provisional, b.AddProvisional, b.Replace); err != nil {
		return w, err
	}
	if err := s.writeCheckpoints(ctx, b.Checkpoints); err != nil {
		return w, err
	}
	for _, l := range b.Lists {
		if _, err = s.conn.ExecContext(ctx, "INSERT OR REPLACE INTO sanctions_lists VALUES (?, ?, ?, ?, ?, ?)",
			l.Name, l.Source, l.Imported.UTC(), l.Hash, l.Entries, l.Data); err != nil {
			return w, fmt.Errorf("write sanctions list %s: %w", l.Name, err)
		}
	}
	if f := b.File; f != nil {
		_, err = s.conn.ExecContext(ctx, "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			f.Hash, f.Name, f.Size, f.Positions, f.Identities, f.Events, f.Done, time.Now().UTC())
		if err != nil {
			return w, fmt.Errorf("write file record: %w", err)
		}
	}
	if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return w, fmt.Errorf("commit: %w", err)
	}
	w.Positions, w.Identities = int64(len(b.Positions)), int64(len(b.Identities))
	return w, nil
}

// insertPositions stores ps sorted by vessel and time: each row group then
// covers a narrow MMSI range, and DuckDB's min/max statistics let a vessel
// query skip most of the table without an index (an index would slow
// appends several times over).
func (s *Store) insertPositions(ctx context.Context, ps []store.Position) error {
	if len(ps) == 0 {
		return nil
	}
	// The buffer is taken while it is used: a Store is not to be written
	// by two at once, but if it is, the second allocates its own.
	var buf *rowBuf
	select {
	case buf = <-s.rows:
	default:
		buf = new(rowBuf)
	}
	defer func() {
		select {
		case s.rows <- buf:
		default:
		}
	}()
	src := newPositionSource(ps, buf)
	tok := s.pending.add(src)
	defer s.pending.remove(tok)
	// DuckDB inserts on several threads only when it need not keep the
	// rows in the order the function returns them; each thread keeps the
	// order within its ranges (positions.go), which is what the row groups'
	// statistics need. The insert writes its row groups to the file as it
	// goes, trying every compression method on every column
	// (positionsSkipCompression).
	if _, err := s.conn.ExecContext(ctx, "SET threads = "+strconv.Itoa(insertThreads)+"; SET preserve_insertion_order = false; "+
		"SET disabled_compression_methods = '"+positionsSkipCompression+"'"); err != nil {
		return fmt.Errorf("insert positions: %w", err)
	}
	_, err := s.conn.ExecContext(ctx, insertSQL(tok), src.stations)
	if _, rerr := s.conn.ExecContext(context.WithoutCancel(ctx), "RESET threads; RESET preserve_insertion_order; RESET disabled_compression_methods"); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("insert positions: %w", err)
	}
	return nil
}

// appendIdentities appends through DuckDB's appender on the transaction's
// connection.
func (s *Store) appendIdentities(ids []store.Identity) error {
	if len(ids) == 0 {
		return nil
	}
	return s.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("duckdb connection is %T", dc)
		}
		return appendIdentities(conn, ids)
	})
}

func appendIdentities(conn driver.Conn, ids []store.Identity) error {
	a, err := duckdb.NewAppenderFromConn(conn, "", "identities")
	if err != nil {
		return fmt.Errorf("identities appender: %w", err)
	}
	for i := range ids {
		id := &ids[i]
		if err := a.AppendRow(id.MMSI, id.Time.UTC(), nullU32(id.IMO), nullStr(id.Name), nullStr(id.CallSign),
			nullU8(id.ShipType), nullF32(id.Length), nullF32(id.Beam), nullF32(id.Draught), nullStr(id.Destination)); err != nil {
			a.Close()
			return fmt.Errorf("append identity: %w", err)
		}
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("flush identities: %w", err)
	}
	return nil
}

// File returns the ingest record of a file.
func (s *Store) File(ctx context.Context, hash string) (store.File, error) {
	var f store.File
	err := s.db.QueryRowContext(ctx, "SELECT hash, name, size, positions, identities, events, done, updated FROM files WHERE hash = ?", hash).
		Scan(&f.Hash, &f.Name, &f.Size, &f.Positions, &f.Identities, &f.Events, &f.Done, &f.Updated)
	if errors.Is(err, sql.ErrNoRows) {
		return f, store.ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("file %s: %w", hash, err)
	}
	f.Updated = f.Updated.UTC()
	return f, nil
}

// Lists returns the stored sanctions lists in name order.
func (s *Store) Lists(ctx context.Context) ([]store.List, error) {
	rows, err := s.conn.QueryContext(ctx, sqlstore.ListsSQL)
	if err != nil {
		return nil, fmt.Errorf("sanctions lists: %w", err)
	}
	defer rows.Close()
	return sqlstore.ScanLists(rows)
}

// readCheckpointsMemory is what reading the checkpoints may add to DuckDB's
// memory limit: it reads a vector of 2,048 blobs at a time, tens of
// megabytes for a fleet's state, and a restore failed under the limit
// where the write had succeeded (see withMemory). DuckDB takes only what
// it needs, and gives it back when the limit is lowered again.
const readCheckpointsMemory = 1 << 30

// Checkpoints calls fn for every stored checkpoint, in MMSI order, sorted
// here rather than by DuckDB, whose sort of the blobs must fit in memory.
func (s *Store) Checkpoints(ctx context.Context, fn func(store.Checkpoint) error) error {
	var cps []store.Checkpoint
	err := s.withMemory(ctx, readCheckpointsMemory, func() error {
		var err error
		cps, err = s.readCheckpoints(ctx)
		return err
	})
	if err != nil {
		return err
	}
	slices.SortFunc(cps, func(a, b store.Checkpoint) int { return cmp.Compare(a.MMSI, b.MMSI) })
	for _, c := range cps {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) readCheckpoints(ctx context.Context) ([]store.Checkpoint, error) {
	rows, err := s.conn.QueryContext(ctx, "SELECT mmsi, data FROM checkpoints")
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	defer rows.Close()
	var cps []store.Checkpoint
	for rows.Next() {
		var c store.Checkpoint
		if err := rows.Scan(&c.MMSI, &c.Data); err != nil {
			return nil, fmt.Errorf("checkpoints: %w", err)
		}
		cps = append(cps, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return cps, nil
}

// Events returns the events matching q.
func (s *Store) Events(ctx context.Context, q store.EventQuery) ([]event.Event, error) {
	query, args := sqlstore.EventsSQL(q, sqlstore.EventColumns, "events")
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	return sqlstore.ScanEvents(rows)
}

// Identities returns a vessel's identity history in time order.
func (s *Store) Identities(ctx context.Context, mmsi uint32) ([]store.Identity, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+sqlstore.IdentityColumns+" FROM identities WHERE mmsi = $1 ORDER BY ts", mmsi)
	if err != nil {
		return nil, fmt.Errorf("identities of %d: %w", mmsi, err)
	}
	defer rows.Close()
	return sqlstore.ScanIdentities(rows)
}

// FindVessels resolves an MMSI, IMO or name to MMSIs.
func (s *Store) FindVessels(ctx context.Context, query string) ([]uint32, error) {
	q, args := sqlstore.VesselSQL(query)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find vessel %q: %w", query, err)
	}
	defer rows.Close()
	return sqlstore.ScanMMSIs(rows)
}

// Track returns one vessel's positions in time order. The MMSI is written
// into the SQL as a literal so that DuckDB prunes row groups by their
// min/max statistics at planning time.
func (s *Store) Track(ctx context.Context, mmsi uint32, since, until time.Time) ([]store.Position, error) {
	query, args := sqlstore.PositionsSQL("positions", "mmsi = "+strconv.FormatUint(uint64(mmsi), 10), since, until)
	// Collected in fixed chunks and copied once: appending to one slice
	// reallocates and copies it a dozen times on the way to 20,000 points.
	const chunk = 4096
	var chunks [][]store.Position
	n := 0
	err := s.scanDriver(ctx, query, args, func(p *store.Position) error {
		if n%chunk == 0 {
			chunks = append(chunks, make([]store.Position, 0, chunk))
		}
		chunks[len(chunks)-1] = append(chunks[len(chunks)-1], *p)
		n++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("track of %d: %w", mmsi, err)
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]store.Position, 0, n)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

// ScanPositions calls fn for every position in the time window, in time
// order.
func (s *Store) ScanPositions(ctx context.Context, since, until time.Time, fn func(*store.Position) error) error {
	query, args := sqlstore.PositionsSQL("positions", "", since, until)
	if err := s.scan(ctx, query, args, fn); err != nil {
		return fmt.Errorf("scan positions: %w", err)
	}
	return nil
}

func (s *Store) scan(ctx context.Context, query string, args []any, fn func(*store.Position) error) error {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return sqlstore.ScanPositions(rows, fn)
}

// scanDriver runs a query of sqlstore.PositionsSQL, reading the rows from
// the driver itself (positions.go), on a connection of its own.
func (s *Store) scanDriver(ctx context.Context, query string, args []any, fn func(*store.Position) error) error {
	query, ok := strings.CutPrefix(query, "SELECT "+sqlstore.PositionColumns+" ")
	if !ok {
		return fmt.Errorf("unexpected positions query %q", query)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("duckdb connection is %T", dc)
		}
		return scanPositions(ctx, qc, positionQuery+" "+query, args, fn)
	})
}

// Counts returns the number of rows per table.
func (s *Store) Counts(ctx context.Context) (store.Counts, error) {
	var c store.Counts
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM positions), (SELECT count(*) FROM identities), (SELECT count(*) FROM events),
		(SELECT count(*) FROM files), (SELECT count(*) FROM checkpoints)`).
		Scan(&c.Positions, &c.Identities, &c.Events, &c.Files, &c.Checkpoints)
	if err != nil {
		return c, fmt.Errorf("counts: %w", err)
	}
	return c, nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullU32(v uint32) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullU8(v uint8) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullF32(v float32) any {
	if v == 0 {
		return nil
	}
	return v
}

var _ store.ConcurrentReads = (*Store)(nil)

// ConcurrentReads says that reads may run side by side (see Store).
func (*Store) ConcurrentReads() bool { return true }
