package duckdb

import (
	"context"
	"fmt"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

// Final events replace a provisional one with the same ID (the later run's
// longer version of an event that was open) and are otherwise stored once;
// provisional events replace all earlier provisional ones and never a final
// event.
const (
	insertEvent = `INSERT INTO events (id, type, mmsi, other_mmsi, start_time, end_time, lat, lon, port, port_id, port_group,
		from_port, from_port_id, from_group, confidence, source, evidence, provisional)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) `
	onConflictFinal = `ON CONFLICT (id) DO UPDATE SET type = excluded.type, mmsi = excluded.mmsi, other_mmsi = excluded.other_mmsi,
		start_time = excluded.start_time, end_time = excluded.end_time, lat = excluded.lat, lon = excluded.lon,
		port = excluded.port, port_id = excluded.port_id, port_group = excluded.port_group, from_port = excluded.from_port,
		from_port_id = excluded.from_port_id, from_group = excluded.from_group, confidence = excluded.confidence,
		source = excluded.source, evidence = excluded.evidence, provisional = false
		WHERE events.provisional`
	onConflictProvisional = `ON CONFLICT DO NOTHING`
)

func (s *Store) writeEvents(ctx context.Context, evs []event.Event, provisional bool) (int64, error) {
	if provisional {
		if _, err := s.conn.ExecContext(ctx, "DELETE FROM events WHERE provisional"); err != nil {
			return 0, fmt.Errorf("replace provisional events: %w", err)
		}
	}
	if len(evs) == 0 {
		return 0, nil
	}
	q := insertEvent + onConflictFinal
	if provisional {
		q = insertEvent + onConflictProvisional
	}
	stmt, err := s.conn.PrepareContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("prepare event insert: %w", err)
	}
	defer stmt.Close()
	rows, err := sqlstore.DedupEvents(evs)
	if err != nil {
		return 0, err
	}
	var added int64
	for _, r := range rows {
		res, err := stmt.ExecContext(ctx, r.ID, r.Type, r.MMSI, nullU32(r.OtherMMSI), r.Start, r.End, r.Lat, r.Lon,
			nullStr(r.Port), nullStr(r.PortID), nullStr(r.PortGroup), nullStr(r.FromPort), nullStr(r.FromPortID), nullStr(r.FromGroup),
			r.Confidence, nullStr(r.Source), nullStr(r.Evidence), provisional)
		if err != nil {
			return 0, fmt.Errorf("insert event %s: %w", r.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("insert event %s: %w", r.ID, err)
		}
		added += n
	}
	return added, nil
}
