package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

// Positions reach DuckDB through a table function, lookout_positions(token),
// that fills DuckDB's vectors straight from the batch with typed setters:
// INSERT INTO positions SELECT * FROM lookout_positions(token). The
// row-at-a-time appender boxed every value into an interface and made a cgo
// call per row (twice, for the string), which cost more CPU than DuckDB's
// own work of storing the rows.

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
// within a vessel; see sqlstore.OrderByMMSI).
type positionSource struct {
	ps    []store.Position
	order []int32
	// station holds each position's 1-based index into stations, 0 for
	// none. The function returns the index and the INSERT looks the name
	// up inside DuckDB: a string per row through the Go API costs a cgo call.
	station  []uint32
	stations []string
	// next is the start (in order) of the next range a DuckDB thread claims.
	next    atomic.Int64
	columns []duckdb.ColumnInfo
}

// rangeRows is how many rows a thread claims at a time: one row group, so
// that each row group DuckDB writes covers one contiguous stretch of the
// MMSI order (and a narrow MMSI range) although two threads insert at once.
const rangeRows = 122_880

// threadState is one DuckDB thread's range of the batch and its buffer.
type threadState struct {
	from, to int
	buf      []row
}

func newPositionSource(ps []store.Position) (*positionSource, error) {
	src := &positionSource{ps: ps, order: sqlstore.OrderByMMSI(ps), station: make([]uint32, len(ps)), stations: []string{}}
	index := map[string]uint32{}
	var prev string
	var prevIdx uint32
	for i := range ps {
		st := ps[i].Station
		if st == "" {
			continue
		}
		// A file's consecutive reports often come from one station: compare
		// with the last before hashing.
		if st != prev {
			idx, ok := index[st]
			if !ok {
				// DuckDB takes only UTF-8 (the driver crashes binding
				// anything else), so a garbled name is stored repaired.
				src.stations = append(src.stations, strings.ToValidUTF8(st, "\uFFFD"))
				idx = uint32(len(src.stations))
				index[st] = idx
			}
			prev, prevIdx = st, idx
		}
		src.station[i] = prevIdx
	}
	types := []duckdb.Type{duckdb.TYPE_UINTEGER, duckdb.TYPE_BIGINT, duckdb.TYPE_DOUBLE, duckdb.TYPE_DOUBLE,
		duckdb.TYPE_FLOAT, duckdb.TYPE_FLOAT, duckdb.TYPE_SMALLINT, duckdb.TYPE_UTINYINT, duckdb.TYPE_UINTEGER, duckdb.TYPE_UINTEGER}
	names := []string{"mmsi", "ts", "lat", "lon", "sog", "cog", "heading", "status", "station", "flags"}
	for i, t := range types {
		info, err := duckdb.NewTypeInfo(t)
		if err != nil {
			return nil, err
		}
		src.columns = append(src.columns, duckdb.ColumnInfo{Name: names[i], T: info})
	}
	return src, nil
}

// insertSQL is the statement that stores the source's rows; its one
// parameter is the list of station names.
func insertSQL(tok int64) string {
	// The token is a literal: a table function's arguments are needed when
	// the statement is bound, before parameters would be.
	return "INSERT INTO positions SELECT mmsi, make_timestamp(ts), lat, lon, sog, cog, heading, status, list_extract($1::VARCHAR[], station), flags FROM " +
		positionsFunc + "(" + strconv.FormatInt(tok, 10) + ")"
}

func (s *positionSource) ColumnInfos() []duckdb.ColumnInfo { return s.columns }

func (s *positionSource) Cardinality() *duckdb.CardinalityInfo {
	return &duckdb.CardinalityInfo{Cardinality: uint(len(s.ps)), Exact: true}
}

// Init lets DuckDB fill and insert on two threads: with one, DuckDB's
// storing of the rows and the Go side's filling of them took turns on one
// core. Each thread claims contiguous ranges of the sorted batch.
func (s *positionSource) Init() duckdb.ParallelTableSourceInfo {
	return duckdb.ParallelTableSourceInfo{MaxThreads: insertThreads}
}

func (s *positionSource) NewLocalState() any { return &threadState{} }

// row is a position as the table function hands it over.
type row struct {
	ts            int64 // microseconds since 1970
	lat, lon      float64
	mmsi, station uint32
	flags         uint32
	sog, cog      float32
	heading       int16
	status        uint8
	noSOG, noCOG  bool
	noHeading, _  bool
}

// FillChunk writes the next vector's worth of rows in two passes. The first
// gathers the rows, in MMSI order, from all over the batch into a small
// buffer: a loop that only loads lets the CPU wait for many cache misses
// at once, where interleaving the loads with the setters waited for each
// in turn (most of the function's time). The second writes the buffer
// with typed setters (SetChunkValue), which box nothing.
func (s *positionSource) FillChunk(local any, c duckdb.DataChunk) error {
	t := local.(*threadState)
	if t.from == t.to {
		t.from = min(int(s.next.Add(rangeRows))-rangeRows, len(s.order))
		t.to = min(t.from+rangeRows, len(s.order))
	}
	n := min(duckdb.GetDataChunkCapacity(), t.to-t.from)
	if cap(t.buf) < n {
		t.buf = make([]row, n)
	}
	buf := t.buf[:n]
	for r, i := range s.order[t.from : t.from+n] {
		p := &s.ps[i]
		buf[r] = row{ts: p.Time.UnixMicro(), lat: p.Lat, lon: p.Lon, mmsi: p.MMSI, station: s.station[i], flags: p.Flags,
			sog: p.SOG, cog: p.COG, heading: p.Heading, status: p.Status,
			noSOG: store.IsNaN32(p.SOG), noCOG: store.IsNaN32(p.COG), noHeading: p.Heading < 0}
	}
	for r := range buf {
		w := &buf[r]
		err := duckdb.SetChunkValue(c, 0, r, w.mmsi)
		if err == nil {
			err = duckdb.SetChunkValue(c, 1, r, w.ts)
		}
		if err == nil {
			err = duckdb.SetChunkValue(c, 2, r, w.lat)
		}
		if err == nil {
			err = duckdb.SetChunkValue(c, 3, r, w.lon)
		}
		if err == nil {
			if w.noSOG {
				err = c.SetValue(4, r, nil)
			} else {
				err = duckdb.SetChunkValue(c, 4, r, w.sog)
			}
		}
		if err == nil {
			if w.noCOG {
				err = c.SetValue(5, r, nil)
			} else {
				err = duckdb.SetChunkValue(c, 5, r, w.cog)
			}
		}
		if err == nil {
			if w.noHeading {
				err = c.SetValue(6, r, nil)
			} else {
				err = duckdb.SetChunkValue(c, 6, r, w.heading)
			}
		}
		if err == nil {
			err = duckdb.SetChunkValue(c, 7, r, w.status)
		}
		if err == nil {
			if w.station == 0 {
				err = c.SetValue(8, r, nil)
			} else {
				err = duckdb.SetChunkValue(c, 8, r, w.station)
			}
		}
		if err == nil {
			err = duckdb.SetChunkValue(c, 9, r, w.flags)
		}
		if err != nil {
			return fmt.Errorf("position of vessel %d: %w", w.mmsi, err)
		}
	}
	t.from += n
	return c.SetSize(n)
}

// positionColumns selects what scanPositions reads: the time as
// microseconds, which the driver hands over without building a time.Time.
const positionColumns = "SELECT mmsi, epoch_us(ts), lat, lon, sog, cog, heading, status, station, flags"

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
