// Package sqlstore holds the SQL both store backends share: column lists,
// query builders (with $n placeholders, which DuckDB and PostgreSQL both
// accept) and row scanners.
package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// Rows is what both database/sql and pgx result sets offer.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// EventFields lists the columns of an event's own fields (exports).
const EventFields = "id, type, mmsi, other_mmsi, start_time, end_time, lat, lon, port, port_id, port_group, from_port, from_port_id, from_group, confidence, source, evidence"

// EventColumns lists the events columns in the order ScanEvents reads
// them: EventFields, then whether the event is provisional (Event.Open).
const EventColumns = EventFields + ", provisional"

// EventRow is an event flattened into column values.
type EventRow struct {
	ID, Type                                                 string
	MMSI, OtherMMSI                                          uint32
	Start, End                                               time.Time
	Lat, Lon                                                 float64
	Port, PortID, PortGroup, FromPort, FromPortID, FromGroup string
	Confidence                                               float64
	Source, Evidence                                         string
}

// NewEventRow flattens e; its evidence becomes a JSON object.
func NewEventRow(e *event.Event) (EventRow, error) {
	r := EventRow{
		ID: e.ID(), Type: string(e.Type), MMSI: e.MMSI, OtherMMSI: e.OtherMMSI,
		Start: e.Start.UTC(), End: e.End.UTC(), Lat: e.Lat, Lon: e.Lon,
		Port: e.Port, PortID: e.PortID, PortGroup: e.PortGroup,
		FromPort: e.FromPort, FromPortID: e.FromPortID, FromGroup: e.FromGroup,
		Confidence: e.Confidence, Source: string(e.Source),
	}
	if len(e.Evidence) > 0 {
		b, err := json.Marshal(e.Evidence)
		if err != nil {
			return r, fmt.Errorf("event %s evidence: %w", r.ID, err)
		}
		r.Evidence = string(b)
	}
	return r, nil
}

// DedupEvents drops events whose ID repeats within one batch, keeping the
// first, so that a single INSERT … ON CONFLICT never meets the same key twice.
func DedupEvents(evs []event.Event) ([]EventRow, error) {
	seen := make(map[string]bool, len(evs))
	rows := make([]EventRow, 0, len(evs))
	for i := range evs {
		r, err := NewEventRow(&evs[i])
		if err != nil {
			return nil, err
		}
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		rows = append(rows, r)
	}
	return rows, nil
}

// EventsSQL builds the query for q; cols is EventColumns or the backend's
// equivalent (with casts) in the same order.
func EventsSQL(q store.EventQuery, cols, table string) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(q.Types) > 0 {
		ph := make([]string, len(q.Types))
		for i, t := range q.Types {
			ph[i] = arg(string(t))
		}
		where = append(where, "type IN ("+strings.Join(ph, ", ")+")")
	}
	if q.MMSI != 0 {
		m := arg(int64(q.MMSI))
		where = append(where, "(mmsi = "+m+" OR other_mmsi = "+m+")")
	}
	if !q.Since.IsZero() {
		where = append(where, "end_time >= "+arg(q.Since.UTC()))
	}
	if !q.Until.IsZero() {
		where = append(where, "start_time < "+arg(q.Until.UTC()))
	}
	if b := q.BBox; b != nil {
		where = append(where, "lat BETWEEN "+arg(b.MinLat)+" AND "+arg(b.MaxLat))
		if b.MinLon <= b.MaxLon {
			where = append(where, "lon BETWEEN "+arg(b.MinLon)+" AND "+arg(b.MaxLon))
		} else {
			where = append(where, "(lon >= "+arg(b.MinLon)+" OR lon <= "+arg(b.MaxLon)+")")
		}
	}
	query := "SELECT " + cols + " FROM " + table
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY start_time, id"
	if q.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(q.Limit)
	}
	return query, args
}

// ScanEvents reads rows of EventColumns.
func ScanEvents(rows Rows) ([]event.Event, error) {
	var out []event.Event
	for rows.Next() {
		var (
			e                                                        event.Event
			id, typ                                                  string
			mmsi                                                     int64
			other                                                    sql.NullInt64
			port, portID, portGroup, fromPort, fromPortID, fromGroup sql.NullString
			source, evidence                                         sql.NullString
			open                                                     sql.NullBool
		)
		if err := rows.Scan(&id, &typ, &mmsi, &other, &e.Start, &e.End, &e.Lat, &e.Lon,
			&port, &portID, &portGroup, &fromPort, &fromPortID, &fromGroup, &e.Confidence, &source, &evidence, &open); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		e.Type = event.Type(typ)
		e.MMSI = uint32(mmsi)
		e.OtherMMSI = uint32(other.Int64)
		e.Start, e.End = e.Start.UTC(), e.End.UTC()
		e.Port, e.PortID, e.PortGroup = port.String, portID.String, portGroup.String
		e.FromPort, e.FromPortID, e.FromGroup = fromPort.String, fromPortID.String, fromGroup.String
		e.Source = event.Source(source.String)
		e.Open = open.Bool
		if evidence.Valid && evidence.String != "" {
			if err := json.Unmarshal([]byte(evidence.String), &e.Evidence); err != nil {
				return nil, fmt.Errorf("event %s evidence: %w", id, err)
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// IdentityColumns lists the identities columns in the order ScanIdentities
// reads them.
const IdentityColumns = "mmsi, ts, imo, name, callsign, ship_type, length, beam, draught, destination"

// ScanIdentities reads rows of IdentityColumns.
func ScanIdentities(rows Rows) ([]store.Identity, error) {
	var out []store.Identity
	for rows.Next() {
		var (
			id                    store.Identity
			mmsi                  int64
			imo, shipType         sql.NullInt64
			name, callSign, dest  sql.NullString
			length, beam, draught sql.NullFloat64
		)
		if err := rows.Scan(&mmsi, &id.Time, &imo, &name, &callSign, &shipType, &length, &beam, &draught, &dest); err != nil {
			return nil, fmt.Errorf("scan identity: %w", err)
		}
		id.MMSI = uint32(mmsi)
		id.Time = id.Time.UTC()
		id.IMO = uint32(imo.Int64)
		id.Name, id.CallSign, id.Destination = name.String, callSign.String, dest.String
		id.ShipType = uint8(shipType.Int64)
		id.Length, id.Beam, id.Draught = float32(length.Float64), float32(beam.Float64), float32(draught.Float64)
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read identities: %w", err)
	}
	return out, nil
}

// PositionColumns lists the positions columns in the order ScanPositions
// reads them.
const PositionColumns = "mmsi, ts, lat, lon, sog, cog, heading, status, station, flags"

// timeWindow adds since <= ts < until to the conditions where (a zero
// bound does not filter), its arguments numbered after args.
func timeWindow(args []any, where []string, since, until time.Time) ([]any, []string) {
	if !since.IsZero() {
		args = append(args, since.UTC())
		where = append(where, "ts >= $"+strconv.Itoa(len(args)))
	}
	if !until.IsZero() {
		args = append(args, until.UTC())
		where = append(where, "ts < $"+strconv.Itoa(len(args)))
	}
	return args, where
}

// PositionsSQL builds a positions query in time order; cond, if not empty,
// is an extra condition written by the caller (never user text).
func PositionsSQL(table, cond string, since, until time.Time) (string, []any) {
	var where []string
	if cond != "" {
		where = append(where, cond)
	}
	args, where := timeWindow(nil, where, since, until)
	q := "SELECT " + PositionColumns + " FROM " + table
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q + " ORDER BY ts, mmsi", args
}

// ScanPositions reads rows of PositionColumns, calling fn with a reused
// Position. It scans into driver values and converts them itself: going
// through database/sql's Null types costs several times more per row, and
// a long track is many rows.
func ScanPositions(rows Rows, fn func(*store.Position) error) error {
	var (
		p    store.Position
		vals [10]any
		ptrs [10]any
	)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs[:]...); err != nil {
			return fmt.Errorf("scan position: %w", err)
		}
		mmsi, ok1 := asInt(vals[0])
		t, ok2 := vals[1].(time.Time)
		lat, ok3 := asFloat(vals[2])
		lon, ok4 := asFloat(vals[3])
		flags, ok5 := asInt(vals[9])
		if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
			return fmt.Errorf("scan position: unexpected column types %T %T %T %T %T", vals[0], vals[1], vals[2], vals[3], vals[9])
		}
		p.MMSI, p.Time, p.Lat, p.Lon = uint32(mmsi), t.UTC(), lat, lon
		p.SOG, p.COG = store.NaN32, store.NaN32
		if f, ok := asFloat(vals[4]); ok {
			p.SOG = float32(f)
		}
		if f, ok := asFloat(vals[5]); ok {
			p.COG = float32(f)
		}
		p.Heading = -1
		if h, ok := asInt(vals[6]); ok {
			p.Heading = int16(h)
		}
		status, _ := asInt(vals[7])
		p.Status = uint8(status)
		p.Station, _ = vals[8].(string)
		p.Flags = uint32(flags)
		if err := fn(&p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read positions: %w", err)
	}
	return nil
}

// asInt converts an integer driver value; false for NULL.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint64:
		return int64(x), true
	}
	return 0, false
}

// asFloat converts a floating-point driver value; false for NULL.
func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	return 0, false
}

// VesselSQL builds the query that resolves what an analyst typed to MMSIs:
// a number is looked up as an MMSI (in every table) and as an IMO number; a
// name is matched as a case-insensitive substring of any name the vessel
// ever reported.
func VesselSQL(query string) (string, []any) {
	query = strings.TrimSpace(query)
	if n, err := strconv.ParseUint(query, 10, 32); err == nil {
		lit := strconv.FormatUint(n, 10)
		return `SELECT mmsi FROM (
			SELECT mmsi FROM identities WHERE mmsi = ` + lit + ` OR imo = ` + lit + `
			UNION SELECT mmsi FROM events WHERE mmsi = ` + lit + `
			UNION (SELECT mmsi FROM positions WHERE mmsi = ` + lit + ` LIMIT 1)
		) AS v ORDER BY mmsi`, nil
	}
	return `SELECT DISTINCT mmsi FROM identities WHERE upper(name) LIKE '%' || upper($1) || '%' ESCAPE '\' ORDER BY mmsi`, []any{escapeLike(query)}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ScanMMSIs reads a single column of MMSIs.
func ScanMMSIs(rows Rows) ([]uint32, error) {
	var out []uint32
	for rows.Next() {
		var m int64
		if err := rows.Scan(&m); err != nil {
			return nil, fmt.Errorf("scan mmsi: %w", err)
		}
		out = append(out, uint32(m))
	}
	return out, rows.Err()
}

// OrderByMMSI returns the indexes of ps ordered by MMSI, keeping the input
// order (normally time order) within a vessel. Both backends store each
// batch in this order, so that a vessel's rows sit together and block
// statistics (DuckDB's row-group min/max, PostgreSQL's BRIN) find them
// without a per-row index. A stable LSD radix sort over packed
// (MMSI, index) keys: a comparison sort would cost more than the append
// itself, and sorting indexes that point into ps would miss the cache on
// every read of a key.
func OrderByMMSI(ps []store.Position) []int32 {
	keys := make([]uint64, len(ps))
	for i := range ps {
		keys[i] = uint64(ps[i].MMSI)<<32 | uint64(i)
	}
	tmp := make([]uint64, len(ps))
	for shift := uint(32); shift < 64 && len(keys) > 0; shift += 8 {
		var count [257]int
		for _, k := range keys {
			count[(k>>shift)&0xff+1]++
		}
		if count[(keys[0]>>shift)&0xff+1] == len(keys) {
			continue // every key has the same byte here
		}
		for b := 1; b < 257; b++ {
			count[b] += count[b-1]
		}
		for _, k := range keys {
			b := (k >> shift) & 0xff
			tmp[count[b]] = k
			count[b]++
		}
		keys, tmp = tmp, keys
	}
	order := make([]int32, len(ps))
	for i, k := range keys {
		order[i] = int32(uint32(k))
	}
	return order
}

// ListsSQL reads the stored sanctions lists in the order ScanLists takes.
const ListsSQL = "SELECT name, source, imported, sha256, entries, data FROM sanctions_lists ORDER BY name"

// ScanLists reads the rows of ListsSQL.
func ScanLists(rows Rows) ([]store.List, error) {
	var out []store.List
	for rows.Next() {
		var l store.List
		if err := rows.Scan(&l.Name, &l.Source, &l.Imported, &l.Hash, &l.Entries, &l.Data); err != nil {
			return nil, fmt.Errorf("sanctions lists: %w", err)
		}
		l.Imported = l.Imported.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}
