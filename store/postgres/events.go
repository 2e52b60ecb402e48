package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

// Final events replace a provisional one with the same ID (the later run's
// longer version of an event that was open) and are otherwise stored once;
// provisional events replace all earlier provisional ones (those with their
// IDs only, with store.Batch.AddProvisional) and never a final event.
const (
	insertEvent = `INSERT INTO events (id, type, mmsi, other_mmsi, start_time, end_time, lat, lon, port, port_id, port_group,
		from_port, from_port_id, from_group, confidence, source, evidence, provisional)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18) `
	// onConflictReplace replaces any stored event (Batch.Replace).
	onConflictReplace = `ON CONFLICT (id) DO UPDATE SET type = excluded.type, mmsi = excluded.mmsi, other_mmsi = excluded.other_mmsi,
		start_time = excluded.start_time, end_time = excluded.end_time, lat = excluded.lat, lon = excluded.lon,
		port = excluded.port, port_id = excluded.port_id, port_group = excluded.port_group, from_port = excluded.from_port,
		from_port_id = excluded.from_port_id, from_group = excluded.from_group, confidence = excluded.confidence,
		source = excluded.source, evidence = excluded.evidence, provisional = false`
	onConflictFinal = onConflictReplace + `
		WHERE events.provisional`
	onConflictProvisional = `ON CONFLICT (id) DO NOTHING`
)

// queueEvents queues one INSERT per event on batch, whose results Write
// reads first; replacing the provisional set is done on tx right away. It
// returns how much the events will change the number stored
// (store.Written): those whose IDs are stored replace them or are skipped,
// and dropped provisional ones count against it.
func queueEvents(ctx context.Context, tx pgx.Tx, batch *pgx.Batch, evs []sqlstore.EventRow, provisional, add, replace bool) (int64, error) {
	insert := insertEvent + onConflictFinal
	if replace {
		insert = insertEvent + onConflictReplace
	}
	var dropped int64
	if provisional && !add {
		tag, err := tx.Exec(ctx, "DELETE FROM events WHERE provisional")
		if err != nil {
			return 0, fmt.Errorf("replace provisional events: %w", err)
		}
		dropped = tag.RowsAffected()
	}
	if provisional {
		insert = insertEvent + onConflictProvisional
	}
	if len(evs) == 0 {
		return -dropped, nil
	}
	ids := make([]string, len(evs))
	for i := range evs {
		ids[i] = evs[i].ID
	}
	if provisional && add {
		// This writer's newer provisional versions replace its older ones.
		tag, err := tx.Exec(ctx, "DELETE FROM events WHERE provisional AND id = ANY($1)", ids)
		if err != nil {
			return 0, fmt.Errorf("replace provisional events: %w", err)
		}
		dropped = tag.RowsAffected()
	}
	var known int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM events WHERE id = ANY($1)", ids).Scan(&known); err != nil {
		return 0, fmt.Errorf("insert events: %w", err)
	}
	for _, r := range evs {
		batch.Queue(insert,
			r.ID, r.Type, int64(r.MMSI), nullInt(r.OtherMMSI), r.Start, r.End, r.Lat, r.Lon,
			nullStr(r.Port), nullStr(r.PortID), nullStr(r.PortGroup), nullStr(r.FromPort), nullStr(r.FromPortID), nullStr(r.FromGroup),
			r.Confidence, nullStr(r.Source), nullStr(r.Evidence), provisional)
	}
	return int64(len(evs)) - known - dropped, nil
}
