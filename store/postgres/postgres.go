// Package postgres is the Lookout store for teams: PostgreSQL with PostGIS.
// Positions go in with binary COPY inside the batch's transaction, sorted
// by vessel (a big batch of a file's, over two connections; parallel.go
// says how that stays safe against crashes), and are found through one
// BRIN index (vessel, time, place);
// Compact puts a big table in vessel order. Events use INSERT … ON
// CONFLICT so that writing one twice is harmless. Tables with a place
// carry a geometry(Point, 4326) column and a spatial index (GiST; BRIN on
// positions), so QGIS opens them as layers.
package postgres

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

//go:embed schema.sql
var schema string

// eventColumns is sqlstore.EventColumns with evidence read as text, so
// that the shared scanner can decode it.
const eventColumns = "id, type, mmsi, other_mmsi, start_time, end_time, lat, lon, port, port_id, port_group, from_port, from_port_id, from_group, confidence, source, evidence::text, provisional"

// Store is a store.Store on a PostgreSQL database with PostGIS.
type Store struct {
	conn *pgx.Conn
	// conn2 copies half of a big batch's positions (parallel.go); opened
	// by the first such batch.
	conn2 *pgx.Conn
	url   string
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres://…) and creates the
// schema if needed. PostGIS must be installed on the server; the extension
// is created in the database when missing, which needs the right to do so.
func Open(ctx context.Context, url string) (*Store, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	var hasPostGIS bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')").Scan(&hasPostGIS); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("check for postgis: %w", err)
	}
	if !hasPostGIS {
		if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
			conn.Close(ctx)
			return nil, fmt.Errorf("create extension postgis (install PostGIS on the server, e.g. Debian's postgresql-15-postgis-3): %w", err)
		}
	}
	if err := createSchema(ctx, conn); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return &Store{conn: conn, url: url}, nil
}

// reconnect replaces a connection the server has closed (a restart, a
// failover, an administrator ending the session): pgx never reopens one,
// so without it a live ingest or a worker retrying its writes would fail
// on the dead connection forever. The schema exists already; only the
// connection is new.
func (s *Store) reconnect(ctx context.Context) error {
	if !s.conn.IsClosed() {
		return nil
	}
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return fmt.Errorf("reconnect to postgres: %w", err)
	}
	s.conn = conn
	return nil
}

// createSchema creates what is missing and moves positions stored in the
// first layout (lat, lon and a generated geometry, MMSI as bigint, a btree
// on mmsi and ts) into the current one, in one transaction.
func createSchema(ctx context.Context, conn *pgx.Conn) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var old bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_attribute
		WHERE attrelid = to_regclass('positions') AND attname = 'lat' AND NOT attisdropped)`).Scan(&old); err != nil {
		return fmt.Errorf("check positions layout: %w", err)
	}
	if old {
		if _, err := tx.Exec(ctx, `ALTER TABLE positions RENAME TO positions_v1;
			DROP INDEX IF EXISTS positions_mmsi_ts, positions_ts, positions_geom`); err != nil {
			return fmt.Errorf("move old positions aside: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if old {
		// MMSIs above int4's range keep their bit pattern, as Write does.
		if _, err := tx.Exec(ctx, `INSERT INTO positions (ts, mmsi, flags, sog, cog, heading, status, station, geom)
			SELECT ts, (CASE WHEN mmsi > 2147483647 THEN mmsi - 4294967296 ELSE mmsi END)::integer, flags, sog, cog,
				heading, COALESCE(status, 15), station, ST_SetSRID(ST_MakePoint(lon, lat), 4326)
			FROM positions_v1 ORDER BY mmsi, ts;
			DROP TABLE positions_v1;
			SELECT brin_summarize_new_values('positions_brin'::regclass)`); err != nil {
			return fmt.Errorf("move positions to the new layout: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

// BackendPID is the process id of the server process serving this store
// (the benchmark reads its CPU time).
func (s *Store) BackendPID() uint32 { return s.conn.PgConn().PID() }

// BackendPIDs are the process ids of every server process serving this
// store, the second connection's included once it is open.
func (s *Store) BackendPIDs() []uint32 {
	pids := []uint32{s.conn.PgConn().PID()}
	if s.conn2 != nil {
		pids = append(pids, s.conn2.PgConn().PID())
	}
	return pids
}

// Close closes the connections.
func (s *Store) Close() error {
	err := s.conn.Close(context.Background())
	if s.conn2 != nil {
		err = errors.Join(err, s.conn2.Close(context.Background()))
	}
	return err
}

// Write stores b in one transaction.
func (s *Store) Write(ctx context.Context, b *store.Batch) (store.Written, error) {
	var w store.Written
	// Encode events first: an event that cannot be stored fails the batch
	// before anything is sent.
	evs, err := sqlstore.DedupEvents(b.Events)
	if err != nil {
		return w, err
	}
	if err := s.reconnect(ctx); err != nil {
		return w, err
	}
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return w, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // no-op after Commit
	half, err := s.copyPositions(ctx, tx, b)
	if err != nil {
		return w, err
	}
	defer half.rollback(ctx)
	if err := copyIdentities(ctx, tx, b.Identities); err != nil {
		return w, err
	}
	var batch pgx.Batch
	if w.Events, err = queueEvents(ctx, tx, &batch, evs, b.Provisional, b.AddProvisional, b.Replace); err != nil {
		return w, err
	}
	now := time.Now().UTC()
	for _, k := range b.Quarantined {
		batch.Queue("DELETE FROM positions WHERE mmsi = $1 AND ts = $2", int64(k.MMSI), k.Time.UTC())
	}
	for _, c := range b.Checkpoints {
		if c.Data == nil {
			batch.Queue("DELETE FROM checkpoints WHERE mmsi = $1", int64(c.MMSI))
		} else {
			batch.Queue(`INSERT INTO checkpoints VALUES ($1, $2, $3)
				ON CONFLICT (mmsi) DO UPDATE SET data = excluded.data, updated = excluded.updated`, int64(c.MMSI), c.Data, now)
		}
	}
	for _, l := range b.Lists {
		batch.Queue(`INSERT INTO sanctions_lists VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (name) DO UPDATE SET source = excluded.source, imported = excluded.imported,
			sha256 = excluded.sha256, entries = excluded.entries, data = excluded.data`,
			l.Name, l.Source, l.Imported.UTC(), l.Hash, l.Entries, l.Data)
	}
	if f := b.File; f != nil {
		batch.Queue(`INSERT INTO files VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (hash) DO UPDATE SET name = excluded.name, size = excluded.size, positions = excluded.positions,
			identities = excluded.identities, events = excluded.events, done = excluded.done, updated = excluded.updated`,
			f.Hash, f.Name, f.Size, f.Positions, f.Identities, f.Events, f.Done, now)
	}
	if batch.Len() > 0 {
		br := tx.SendBatch(ctx, &batch)
		for range evs {
			if _, err := br.Exec(); err != nil {
				br.Close()
				return w, fmt.Errorf("insert event: %w", err)
			}
		}
		if err := br.Close(); err != nil {
			return w, fmt.Errorf("write checkpoints, file record and deletions: %w", err)
		}
	}
	if half != nil {
		if err := half.commit(ctx, tx, b.File, firstPosition(b)); err != nil {
			return w, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return w, fmt.Errorf("commit: %w", err)
	}
	w.Positions, w.Identities = int64(len(b.Positions)), int64(len(b.Identities))
	return w, nil
}

func copyIdentities(ctx context.Context, tx pgx.Tx, ids []store.Identity) error {
	if len(ids) == 0 {
		return nil
	}
	cols := []string{"mmsi", "ts", "imo", "name", "callsign", "ship_type", "length", "beam", "draught", "destination"}
	src := pgx.CopyFromSlice(len(ids), func(i int) ([]any, error) {
		id := &ids[i]
		return []any{int64(id.MMSI), id.Time, nullInt(id.IMO), nullStr(id.Name), nullStr(id.CallSign),
			nullSmall(id.ShipType), nullF32(id.Length), nullF32(id.Beam), nullF32(id.Draught), nullStr(id.Destination)}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"identities"}, cols, src); err != nil {
		return fmt.Errorf("copy identities: %w", err)
	}
	return nil
}

// File returns the ingest record of a file.
func (s *Store) File(ctx context.Context, hash string) (store.File, error) {
	var f store.File
	err := s.conn.QueryRow(ctx, "SELECT hash, name, size, positions, identities, events, done, updated FROM files WHERE hash = $1", hash).
		Scan(&f.Hash, &f.Name, &f.Size, &f.Positions, &f.Identities, &f.Events, &f.Done, &f.Updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, store.ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("file %s: %w", hash, err)
	}
	f.Updated = f.Updated.UTC()
	return f, nil
}

// Checkpoints calls fn for every stored checkpoint, in MMSI order.
func (s *Store) Checkpoints(ctx context.Context, fn func(store.Checkpoint) error) error {
	rows, err := s.conn.Query(ctx, "SELECT mmsi, data FROM checkpoints ORDER BY mmsi")
	if err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			mmsi int64
			data []byte
		)
		if err := rows.Scan(&mmsi, &data); err != nil {
			return fmt.Errorf("checkpoints: %w", err)
		}
		if err := fn(store.Checkpoint{MMSI: uint32(mmsi), Data: data}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Lists returns the stored sanctions lists in name order.
func (s *Store) Lists(ctx context.Context) ([]store.List, error) {
	rows, err := s.conn.Query(ctx, sqlstore.ListsSQL)
	if err != nil {
		return nil, fmt.Errorf("sanctions lists: %w", err)
	}
	defer rows.Close()
	return sqlstore.ScanLists(rows)
}

// Events returns the events matching q.
func (s *Store) Events(ctx context.Context, q store.EventQuery) ([]event.Event, error) {
	query, args := sqlstore.EventsSQL(q, eventColumns, "events")
	rows, err := s.conn.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	return sqlstore.ScanEvents(rows)
}

// Identities returns a vessel's identity history in time order.
func (s *Store) Identities(ctx context.Context, mmsi uint32) ([]store.Identity, error) {
	rows, err := s.conn.Query(ctx, "SELECT "+sqlstore.IdentityColumns+" FROM identities WHERE mmsi = $1 ORDER BY ts", int64(mmsi))
	if err != nil {
		return nil, fmt.Errorf("identities of %d: %w", mmsi, err)
	}
	defer rows.Close()
	return sqlstore.ScanIdentities(rows)
}

// FindVessels resolves an MMSI, IMO or name to MMSIs, as sqlstore.VesselSQL
// does. A number is looked for in positions only when identities and events
// do not already have it as an MMSI: finding a vessel there scans the whole
// BRIN index, as long as fetching its track.
func (s *Store) FindVessels(ctx context.Context, query string) ([]uint32, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(query), 10, 32)
	if err != nil {
		q, args := sqlstore.VesselSQL(query)
		out, err := s.mmsis(ctx, s.conn, q, args...)
		if err != nil {
			return nil, fmt.Errorf("find vessel %q: %w", query, err)
		}
		return out, nil
	}
	out, err := s.mmsis(ctx, s.conn, `SELECT mmsi FROM identities WHERE mmsi = $1 OR imo = $1
		UNION SELECT mmsi FROM events WHERE mmsi = $1 ORDER BY mmsi`, int64(n))
	if err == nil && !slices.Contains(out, uint32(n)) {
		var inPositions []uint32
		err = s.vesselQuery(ctx, func(tx querier) error {
			inPositions, err = s.mmsis(ctx, tx, "SELECT mmsi FROM positions WHERE mmsi = $1 LIMIT 1", int32(n))
			return err
		})
		if len(inPositions) > 0 {
			out = append(out, uint32(n))
			slices.Sort(out)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("find vessel %q: %w", query, err)
	}
	return out, nil
}

func (s *Store) mmsis(ctx context.Context, q querier, query string, args ...any) ([]uint32, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return sqlstore.ScanMMSIs(rows)
}

// positionColumns reads positions in the order sqlstore.ScanPositions
// expects. A NaN coordinate is stored as an empty point, whose ST_Y is NULL.
const positionColumns = "mmsi, ts, COALESCE(ST_Y(geom), 'NaN'), COALESCE(ST_X(geom), 'NaN'), sog, cog, heading, status, station, flags"

// Track returns one vessel's positions in time order.
func (s *Store) Track(ctx context.Context, mmsi uint32, since, until time.Time) ([]store.Position, error) {
	query, args := positionsSQL("mmsi = "+strconv.Itoa(int(int32(mmsi))), since, until)
	var out []store.Position
	err := s.vesselQuery(ctx, func(q querier) error {
		return scan(ctx, q, query, args, func(p *store.Position) error {
			out = append(out, *p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("track of %d: %w", mmsi, err)
	}
	return out, nil
}

// ScanPositions calls fn for every position in the time window, in time
// order.
func (s *Store) ScanPositions(ctx context.Context, since, until time.Time, fn func(*store.Position) error) error {
	query, args := positionsSQL("", since, until)
	if err := scan(ctx, s.conn, query, args, fn); err != nil {
		return fmt.Errorf("scan positions: %w", err)
	}
	return nil
}

// positionsSQL is sqlstore.PositionsSQL with this schema's columns.
func positionsSQL(cond string, since, until time.Time) (string, []any) {
	query, args := sqlstore.PositionsSQL("positions", cond, since, until)
	return strings.Replace(query, sqlstore.PositionColumns, positionColumns, 1), args
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// vesselQuery runs fn in a read-only transaction that has sequential scans
// turned off, so that positions are found through the BRIN index on mmsi:
// the planner judges that index by the correlation of mmsi with row order,
// which is low (each batch is sorted by MMSI, the table is not), and would
// otherwise read the whole table for one vessel. The same misjudgement
// makes it start parallel workers, whose start-up (each loads PostGIS)
// costs more than the few pages read, and compile the query (JIT), which
// took up to 400 ms for a 10 ms query; both are turned off too.
func (s *Store) vesselQuery(ctx context.Context, fn func(querier) error) error {
	tx, err := s.conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT set_config('enable_seqscan', 'off', true),
		set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)`); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func scan(ctx context.Context, q querier, query string, args []any, fn func(*store.Position) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanPositions(rows, fn)
}

// Counts returns the number of rows per table.
func (s *Store) Counts(ctx context.Context) (store.Counts, error) {
	var c store.Counts
	err := s.conn.QueryRow(ctx, `SELECT
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

func nullInt(v uint32) any {
	if v == 0 {
		return nil
	}
	return int64(v)
}

func nullSmall(v uint8) any {
	if v == 0 {
		return nil
	}
	return int16(v)
}

func nullF32(v float32) any {
	if v == 0 {
		return nil
	}
	return v
}
