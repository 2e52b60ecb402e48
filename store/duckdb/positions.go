package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-osint/lookout/store"
)

// Positions reach DuckDB through a table function, lookout_positions(token),
// that writes the batch, sorted by vessel, straight into DuckDB's vectors
// (vector.go): INSERT INTO positions SELECT * FROM lookout_positions(token).
// The row-at-a-time appender boxed every value into an interface and made a
// cgo call per row (twice, for the string), which cost more CPU than
// DuckDB's own work of storing the rows.

// positionsFunc is the name of the table function in the store's database.
const positionsFunc = "lookout_positions"

// pendingBatches hands a batch to the table function: Write registers it
// under a token, the INSERT names the token, and the function's bind looks
// it up. A token rather than a field on Store keeps two Stores (or two
// writes) from ever reading each other's rows.
type pendingBatches struct {
	next atomic.Int64
	m    sync.Map // int64 -> *positionSource
}

func (p *pendingBatches) add(src *positionSource) int64 {
	tok := p.next.Add(1)
	p.m.Store(tok, src)
	return tok
}

func (p *pendingBatches) remove(tok int64) { p.m.Delete(tok) }

func registerPositionsFunc(conn *sql.Conn, pending *pendingBatches) error {
	bigint, err := duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
	if err != nil {
		return err
	}
	f := duckdb.ParallelChunkTableFunction{
		Config: duckdb.TableFunctionConfig{Arguments: []duckdb.TypeInfo{bigint}},
		BindArguments: func(_ map[string]any, args ...any) (duckdb.ParallelChunkTableSource, error) {
			tok, ok := args[0].(int64)
			if !ok {
				return nil, fmt.Errorf("%s: token is %T", positionsFunc, args[0])
			}
			src, ok := pending.m.Load(tok)
			if !ok {
				return nil, fmt.Errorf("%s: no batch %d", positionsFunc, tok)
			}
			return src.(*positionSource), nil
		},
	}
	return duckdb.RegisterTableUDF(conn, positionsFunc, f)
}

// positionSource serves one batch's positions in MMSI order (time order kept
// within a vessel, as the batch has it).
type positionSource struct {
	// rows is the batch, sorted, in the layout FillChunk reads in turn.
	rows []row
	// stations lists the batch's station names; a row holds its 1-based
	// index, 0 for none. The function returns the index and the INSERT
	// looks the name up inside DuckDB: a string per row through the Go API
	// costs a cgo call.
	stations []string
	// next is the start (in rows) of the next range a DuckDB thread claims.
	next    atomic.Int64
	columns []duckdb.ColumnInfo
}

// rangeRows is how many rows a thread claims at a time: one row group, so
// that each row group DuckDB writes covers one contiguous stretch of the
// MMSI order (and a narrow MMSI range) although two threads insert at once.
const rangeRows = 122_880

// threadState is one DuckDB thread's range of the batch.
type threadState struct{ from, to int }

// row is a position as the table function hands it over.
type row struct {
	ts                   int64 // microseconds since 1970
	lat, lon             float64
	mmsi, station, flags uint32
	sog, cog             float32
	heading              int16
	status               uint8
	nulls                uint8 // nullSOG | nullCOG | nullHeading | nullStation
}

const (
	nullSOG = 1 << iota
	nullCOG
	nullHeading
	nullStation
)

// rowBuf is the memory of one batch's sorted rows, which a Store reuses
// batch after batch (12 MB at the default batch size: allocated afresh,
// or kept in a sync.Pool, which the collector empties, it was faulted in
// afresh).
type rowBuf struct {
	rows   []row
	vessel []int32 // each position's vessel, by first appearance
}

// positionColumns are the table function's columns, in the order of the
// positions table.
var positionColumns = func() []duckdb.ColumnInfo {
	types := []duckdb.Type{duckdb.TYPE_UINTEGER, duckdb.TYPE_TIMESTAMP, duckdb.TYPE_DOUBLE, duckdb.TYPE_DOUBLE,
		duckdb.TYPE_FLOAT, duckdb.TYPE_FLOAT, duckdb.TYPE_SMALLINT, duckdb.TYPE_UTINYINT, duckdb.TYPE_UINTEGER, duckdb.TYPE_UINTEGER}
	names := []string{"mmsi", "ts", "lat", "lon", "sog", "cog", "heading", "status", "station", "flags"}
	cols := make([]duckdb.ColumnInfo, len(types))
	for i, t := range types {
		info, err := duckdb.NewTypeInfo(t)
		if err != nil {
			panic(err) // a primitive type: cannot fail
		}
		cols[i] = duckdb.ColumnInfo{Name: names[i], T: info}
	}
	return cols
}()

// newPositionSource sorts ps by vessel into rows: a counting sort, whose
// one pass over the batch writes each row after the last of its vessel.
// Gathering the rows in MMSI order at insert time instead missed the cache
// on nearly every row (a busy day's batch interleaves thousands of vessels
// over 20 MB), which was most of the Go side's cost.
func newPositionSource(ps []store.Position, buf *rowBuf) *positionSource {
	if cap(buf.rows) < len(ps) {
		buf.rows, buf.vessel = make([]row, len(ps)), make([]int32, len(ps))
	}
	src := &positionSource{rows: buf.rows[:len(ps)], stations: []string{}, columns: positionColumns}
	vessel := buf.vessel[:len(ps)]
	slot := map[uint32]int32{}
	var mmsis []uint32
	var count []int
	prev, prevSlot := uint32(0), int32(-1)
	for i := range ps {
		m := ps[i].MMSI
		if m != prev || prevSlot < 0 {
			s, ok := slot[m]
			if !ok {
				s = int32(len(mmsis))
				slot[m] = s
				mmsis, count = append(mmsis, m), append(count, 0)
			}
			prev, prevSlot = m, s
		}
		vessel[i] = prevSlot
		count[prevSlot]++
	}
	bySlot := make([]int32, len(mmsis))
	for i := range bySlot {
		bySlot[i] = int32(i)
	}
	slices.SortFunc(bySlot, func(a, b int32) int { return cmp.Compare(mmsis[a], mmsis[b]) })
	next := make([]int, len(mmsis)) // where each vessel's next row goes
	at := 0
	for _, s := range bySlot {
		next[s] = at
		at += count[s]
	}
	index := map[string]uint32{}
	var prevSt string
	var prevIdx uint32
	for i := range ps {
		p := &ps[i]
		var st uint32
		// A file's consecutive reports often come from one station:
		// compare with the last before hashing.
		if p.Station != "" {
			if p.Station != prevSt {
				idx, ok := index[p.Station]
				if !ok {
					// DuckDB takes only UTF-8 (the driver crashes binding
					// anything else), so a garbled name is stored repaired.
					src.stations = append(src.stations, strings.ToValidUTF8(p.Station, "\uFFFD"))
					idx = uint32(len(src.stations))
					index[p.Station] = idx
				}
				prevSt, prevIdx = p.Station, idx
			}
			st = prevIdx
		}
		var nulls uint8
		if store.IsNaN32(p.SOG) {
			nulls |= nullSOG
		}
		if store.IsNaN32(p.COG) {
			nulls |= nullCOG
		}
		if p.Heading < 0 {
			nulls |= nullHeading
		}
		if st == 0 {
			nulls |= nullStation
		}
		s := vessel[i]
		src.rows[next[s]] = row{ts: p.Time.UnixMicro(), lat: p.Lat, lon: p.Lon, mmsi: p.MMSI, station: st, flags: p.Flags,
			sog: p.SOG, cog: p.COG, heading: p.Heading, status: p.Status, nulls: nulls}
		next[s]++
	}
	return src
}

// positionsSkipCompression lists the compression methods DuckDB is told not
// to try while it inserts positions. It tries each method on each column of
// every row group it writes and keeps the smallest; these never won on
// positions, while trying them cost about a tenth of DuckDB's insert work
// (FSST's symbol table above all, built for the station column, which a
// dictionary of a few hundred receivers' names stores smaller): the file is
// the same size without them. FSST and ZSTD are for long, varied strings;
// Chimp and Patas are older float methods that ALP and ALP-RD beat (both
// stay: ALP wins on decimal coordinates, as CSV sources write them).
// Other tables, and what is read, are untouched: the setting is reset
// after the insert.
const positionsSkipCompression = "fsst,dict_fsst,zstd,chimp,patas"

// insertSQL is the statement that stores the source's rows; its one
// parameter is the list of station names.
func insertSQL(tok int64) string {
	// The token is a literal: a table function's arguments are needed when
	// the statement is bound, before parameters would be.
	return "INSERT INTO positions SELECT mmsi, ts, lat, lon, sog, cog, heading, status, list_extract($1::VARCHAR[], station), flags FROM " +
		positionsFunc + "(" + strconv.FormatInt(tok, 10) + ")"
}

func (s *positionSource) ColumnInfos() []duckdb.ColumnInfo { return s.columns }

func (s *positionSource) Cardinality() *duckdb.CardinalityInfo {
	return &duckdb.CardinalityInfo{Cardinality: uint(len(s.rows)), Exact: true}
}

// Init lets DuckDB fill and insert on two threads: with one, DuckDB's
// storing of the rows and the Go side's filling of them took turns on one
// core. Each thread claims contiguous ranges of the sorted batch.
func (s *positionSource) Init() duckdb.ParallelTableSourceInfo {
	return duckdb.ParallelTableSourceInfo{MaxThreads: insertThreads}
}

func (s *positionSource) NewLocalState() any { return &threadState{} }

// slowFill makes FillChunk write through duckdb-go's setters even when the
// vectors can be reached (tests compare the two).
var slowFill = false

// FillChunk writes the next vector's worth of the thread's range straight
// into DuckDB's vectors (rawColumns), or through the driver's typed setters
// when they cannot be reached.
func (s *positionSource) FillChunk(local any, c duckdb.DataChunk) error {
	t := local.(*threadState)
	if t.from == t.to {
		t.from = min(int(s.next.Add(rangeRows))-rangeRows, len(s.rows))
		t.to = min(t.from+rangeRows, len(s.rows))
	}
	n := min(duckdb.GetDataChunkCapacity(), t.to-t.from)
	rows := s.rows[t.from : t.from+n]
	t.from += n
	var cols [10]column
	if !slowFill && rawColumns(c, cols[:]) {
		fillRaw(rows, &cols)
	} else if err := fillSlow(rows, c); err != nil {
		return err
	}
	return c.SetSize(n)
}

func fillRaw(rows []row, cols *[10]column) {
	n := len(rows)
	mmsi, ts := values[uint32](cols[0], n), values[int64](cols[1], n)
	lat, lon := values[float64](cols[2], n), values[float64](cols[3], n)
	sog, cog := values[float32](cols[4], n), values[float32](cols[5], n)
	heading, status := values[int16](cols[6], n), values[uint8](cols[7], n)
	station, flags := values[uint32](cols[8], n), values[uint32](cols[9], n)
	sogOK, cogOK, headingOK, stationOK := validity(cols[4], n), validity(cols[5], n), validity(cols[6], n), validity(cols[8], n)
	for i := range rows {
		r := &rows[i]
		mmsi[i], ts[i], lat[i], lon[i] = r.mmsi, r.ts, r.lat, r.lon
		sog[i], cog[i], heading[i], status[i] = r.sog, r.cog, r.heading, r.status
		station[i], flags[i] = r.station, r.flags
		if r.nulls != 0 {
			w, bit := i/64, uint64(1)<<(i%64)
			if r.nulls&nullSOG != 0 {
				sogOK[w] &^= bit
			}
			if r.nulls&nullCOG != 0 {
				cogOK[w] &^= bit
			}
			if r.nulls&nullHeading != 0 {
				headingOK[w] &^= bit
			}
			if r.nulls&nullStation != 0 {
				stationOK[w] &^= bit
			}
		}
	}
}

func fillSlow(rows []row, c duckdb.DataChunk) error {
	for i := range rows {
		r := &rows[i]
		err := duckdb.SetChunkValue(c, 0, i, r.mmsi)
		if err == nil {
			err = duckdb.SetChunkValue(c, 1, i, time.UnixMicro(r.ts).UTC())
		}
		if err == nil {
			err = duckdb.SetChunkValue(c, 2, i, r.lat)
		}
		if err == nil {
			err = duckdb.SetChunkValue(c, 3, i, r.lon)
		}
		if err == nil {
			err = setNullable(c, 4, i, r.sog, r.nulls&nullSOG != 0)
		}
		if err == nil {
			err = setNullable(c, 5, i, r.cog, r.nulls&nullCOG != 0)
		}
		if err == nil {
			err = setNullable(c, 6, i, r.heading, r.nulls&nullHeading != 0)
		}
		if err == nil {
			err = duckdb.SetChunkValue(c, 7, i, r.status)
		}
		if err == nil {
			err = setNullable(c, 8, i, r.station, r.nulls&nullStation != 0)
		}
		if err == nil {
			err = duckdb.SetChunkValue(c, 9, i, r.flags)
		}
		if err != nil {
			return fmt.Errorf("position of vessel %d: %w", r.mmsi, err)
		}
	}
	return nil
}

func setNullable[T any](c duckdb.DataChunk, col, i int, v T, null bool) error {
	if null {
		return c.SetValue(col, i, nil)
	}
	return duckdb.SetChunkValue(c, col, i, v)
}

// positionQuery selects what scanPositions reads: the time as
// microseconds, which the driver hands over without building a time.Time.
const positionQuery = "SELECT mmsi, epoch_us(ts), lat, lon, sog, cog, heading, status, station, flags"

// scanPositions reads positions from the driver's rows rather than through
// database/sql, whose locking and conversions per value cost more than
// DuckDB's own work on a long track.
func scanPositions(ctx context.Context, qc driver.QueryerContext, query string, args []any, fn func(*store.Position) error) error {
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	rows, err := qc.QueryContext(ctx, query, named)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		p    store.Position
		vals = make([]driver.Value, 10)
	)
	for {
		if err := rows.Next(vals); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("read positions: %w", err)
		}
		mmsi, ok1 := vals[0].(uint32)
		us, ok2 := vals[1].(int64)
		lat, ok3 := vals[2].(float64)
		lon, ok4 := vals[3].(float64)
		flags, ok5 := vals[9].(uint32)
		if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
			return fmt.Errorf("read positions: unexpected column types %T %T %T %T %T", vals[0], vals[1], vals[2], vals[3], vals[9])
		}
		p.MMSI, p.Time, p.Lat, p.Lon, p.Flags = mmsi, time.UnixMicro(us).UTC(), lat, lon, flags
		p.SOG, p.COG, p.Heading = store.NaN32, store.NaN32, -1
		if v, ok := vals[4].(float32); ok {
			p.SOG = v
		}
		if v, ok := vals[5].(float32); ok {
			p.COG = v
		}
		if v, ok := vals[6].(int16); ok {
			p.Heading = v
		}
		p.Status, _ = vals[7].(uint8)
		p.Station, _ = vals[8].(string)
		if err := fn(&p); err != nil {
			return err
		}
	}
}

// insertThreads is how many DuckDB threads insert positions.
var insertThreads = min(runtime.NumCPU(), 2)
