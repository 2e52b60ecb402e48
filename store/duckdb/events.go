package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

// Events reach their table through a temporary staging table, filled by
// the appender and moved with one statement: a statement per row costs
// DuckDB milliseconds (its primary-key check), and a day's events made that
// seconds per file. Checkpoints need no staging (moveCheckpoints).
const staging = `CREATE TEMP TABLE IF NOT EXISTS events_in (
	id VARCHAR, type VARCHAR, mmsi UINTEGER, other_mmsi UINTEGER, start_time TIMESTAMP, end_time TIMESTAMP,
	lat DOUBLE, lon DOUBLE, port VARCHAR, port_id VARCHAR, port_group VARCHAR, from_port VARCHAR,
	from_port_id VARCHAR, from_group VARCHAR, confidence DOUBLE, source VARCHAR, evidence VARCHAR, provisional BOOLEAN)`

// Final events replace a provisional one with the same ID (the later run's
// longer version of an event that was open) and are otherwise stored once;
// provisional events replace all earlier provisional ones and never a final
// event.
const (
	moveEvents = `INSERT INTO events (id, type, mmsi, other_mmsi, start_time, end_time, lat, lon, port, port_id, port_group,
		from_port, from_port_id, from_group, confidence, source, evidence, provisional)
		SELECT * FROM events_in `
	// onConflictReplace replaces any stored event (Batch.Replace).
	onConflictReplace = `ON CONFLICT (id) DO UPDATE SET type = excluded.type, mmsi = excluded.mmsi, other_mmsi = excluded.other_mmsi,
		start_time = excluded.start_time, end_time = excluded.end_time, lat = excluded.lat, lon = excluded.lon,
		port = excluded.port, port_id = excluded.port_id, port_group = excluded.port_group, from_port = excluded.from_port,
		from_port_id = excluded.from_port_id, from_group = excluded.from_group, confidence = excluded.confidence,
		source = excluded.source, evidence = excluded.evidence, provisional = false`
	onConflictFinal = onConflictReplace + `
		WHERE events.provisional`
	onConflictProvisional = `ON CONFLICT DO NOTHING`
)

// stage appends rows to a staging table on the transaction's connection.
func (s *Store) stage(ctx context.Context, table string, n int, row func(i int) []driver.Value) error {
	if _, err := s.conn.ExecContext(ctx, staging); err != nil {
		return fmt.Errorf("staging tables: %w", err)
	}
	return s.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("duckdb connection is %T", dc)
		}
		a, err := duckdb.NewAppender(conn, "temp", "main", table)
		if err != nil {
			return fmt.Errorf("%s appender: %w", table, err)
		}
		for i := range n {
			if err := a.AppendRow(row(i)...); err != nil {
				a.Close()
				return fmt.Errorf("append to %s: %w", table, err)
			}
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("flush %s: %w", table, err)
		}
		return nil
	})
}

func (s *Store) writeEvents(ctx context.Context, evs []event.Event, provisional, add, replace bool) (int64, error) {
	var dropped int64
	if provisional && !add {
		res, err := s.conn.ExecContext(ctx, "DELETE FROM events WHERE provisional")
		if err == nil {
			dropped, err = res.RowsAffected()
		}
		if err != nil {
			return 0, fmt.Errorf("replace provisional events: %w", err)
		}
	}
	if len(evs) == 0 {
		return -dropped, nil
	}
	rows, err := sqlstore.DedupEvents(evs)
	if err != nil {
		return 0, err
	}
	err = s.stage(ctx, "events_in", len(rows), func(i int) []driver.Value {
		r := &rows[i]
		return []driver.Value{r.ID, r.Type, r.MMSI, nullU32(r.OtherMMSI), r.Start, r.End, r.Lat, r.Lon,
			nullStr(r.Port), nullStr(r.PortID), nullStr(r.PortGroup), nullStr(r.FromPort), nullStr(r.FromPortID), nullStr(r.FromGroup),
			r.Confidence, nullStr(r.Source), nullStr(r.Evidence), provisional}
	})
	if err != nil {
		return 0, err
	}
	if provisional && add {
		// This writer's newer provisional versions replace its older ones.
		res, err := s.conn.ExecContext(ctx, "DELETE FROM events WHERE provisional AND id IN (SELECT id FROM events_in)")
		if err == nil {
			dropped, err = res.RowsAffected()
		}
		if err != nil {
			return 0, fmt.Errorf("replace provisional events: %w", err)
		}
	}
	q := moveEvents + onConflictFinal
	switch {
	case provisional:
		q = moveEvents + onConflictProvisional
	case replace:
		q = moveEvents + onConflictReplace
	}
	// An event whose ID is stored replaces it or is skipped: only the
	// others add to the store (store.Written).
	var known int64
	if err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM events_in WHERE id IN (SELECT id FROM events)").Scan(&known); err != nil {
		return 0, fmt.Errorf("insert events: %w", err)
	}
	if _, err := s.conn.ExecContext(ctx, q); err != nil {
		return 0, fmt.Errorf("insert events: %w", err)
	}
	if _, err := s.conn.ExecContext(ctx, "DELETE FROM events_in"); err != nil {
		return 0, fmt.Errorf("clear staged events: %w", err)
	}
	return int64(len(rows)) - known - dropped, nil
}

// checkpointChunk bounds the bytes of checkpoints appended at once.
const checkpointChunk = 4 << 20

// writeCheckpoints replaces the checkpoints of cps' vessels; a nil Data
// deletes one. They are written a few megabytes at a time: a national
// feed's 3,000 vessels carry 40 MB of state, and written at once (then
// through a staging table) DuckDB refused it under its memory limit.
func (s *Store) writeCheckpoints(ctx context.Context, cps []store.Checkpoint) error {
	for len(cps) > 0 {
		n, size := 0, 0
		for n < len(cps) && (n == 0 || size+len(cps[n].Data) <= checkpointChunk) {
			size += len(cps[n].Data)
			n++
		}
		if err := s.moveCheckpoints(ctx, cps[:n]); err != nil {
			return err
		}
		cps = cps[n:]
	}
	return nil
}

// moveCheckpoints deletes the stored rows of cps' vessels and appends the
// new ones to the table itself. Staged and moved with INSERT OR REPLACE,
// every blob was copied twice more inside DuckDB, and the end of a national
// feed's file spent longer writing its 40 MB of state than a batch of
// 245,760 positions.
func (s *Store) moveCheckpoints(ctx context.Context, cps []store.Checkpoint) error {
	mmsis := make([]uint32, len(cps))
	for i := range cps {
		mmsis[i] = cps[i].MMSI
	}
	if _, err := s.conn.ExecContext(ctx, "DELETE FROM checkpoints WHERE mmsi IN (SELECT unnest($1::UINTEGER[]))", mmsis); err != nil {
		return fmt.Errorf("write checkpoints: %w", err)
	}
	now := time.Now().UTC()
	return s.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("duckdb connection is %T", dc)
		}
		a, err := duckdb.NewAppenderFromConn(conn, "", "checkpoints")
		if err != nil {
			return fmt.Errorf("checkpoints appender: %w", err)
		}
		for i := range cps {
			if cps[i].Data == nil {
				continue
			}
			if err := a.AppendRow(cps[i].MMSI, cps[i].Data, now); err != nil {
				a.Close()
				return fmt.Errorf("write checkpoint of %d: %w", cps[i].MMSI, err)
			}
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("write checkpoints: %w", err)
		}
		return nil
	})
}
