package report

import (
	"context"
	"database/sql"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// StoreSource reads a report's data from a store (lookout ingest).
type StoreSource struct {
	Store store.Store
}

// Events returns every stored event.
func (s StoreSource) Events(ctx context.Context) ([]event.Event, error) {
	return s.Store.Events(ctx, store.EventQuery{})
}

// Identities returns the stored identity history.
func (s StoreSource) Identities(ctx context.Context, mmsi uint32) ([]store.Identity, error) {
	return s.Store.Identities(ctx, mmsi)
}

// Track returns the stored positions, the first of each step when the
// store takes SQL: a map of eight months needs a fix every few minutes, not
// every report every station heard.
func (s StoreSource) Track(ctx context.Context, mmsi uint32, since, until time.Time, step time.Duration) ([]store.Position, error) {
	db, ok := s.Store.(sqlDB)
	if !ok || step <= 0 || since.IsZero() || until.IsZero() {
		return s.Store.Track(ctx, mmsi, since, until)
	}
	q := `SELECT min(ts) AS t, arg_min(lat, ts), arg_min(lon, ts), arg_min(sog, ts), arg_min(cog, ts), arg_min(COALESCE(station, ''), ts)
		FROM positions WHERE mmsi = ? AND ts >= ? AND ts < ? GROUP BY floor(epoch(ts) / ?) ORDER BY t`
	rows, err := db.DB().QueryContext(ctx, q, int64(mmsi), since.UTC(), until.UTC(), step.Seconds())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Position
	for rows.Next() {
		p := store.Position{MMSI: mmsi, Heading: -1, Status: 15}
		var sog, cog sql.NullFloat64
		if err := rows.Scan(&p.Time, &p.Lat, &p.Lon, &sog, &cog, &p.Station); err != nil {
			return nil, err
		}
		p.Time = p.Time.UTC()
		p.SOG, p.COG = store.NaN32, store.NaN32
		if sog.Valid {
			p.SOG = float32(sog.Float64)
		}
		if cog.Valid {
			p.COG = float32(cog.Float64)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// concurrentCoverage: Coverage may run beside the other reads when the
// store allows concurrent reads (DuckDB's connection pool).
func (s StoreSource) concurrentCoverage() bool {
	c, ok := s.Store.(store.ConcurrentReads)
	return ok && c.ConcurrentReads()
}

// sqlDB is what the DuckDB store offers for sampling a track in SQL, which
// the Store interface has no method for.
type sqlDB interface{ DB() *sql.DB }

// coverageCell is the side in degrees of the cells Coverage counts in.
const coverageCell = 0.5

// Coverage has the store count the positions per station and day and per
// cell where it can (store.ReceptionCounter: both backends and a served
// store, whose socket then carries counts, not positions), and otherwise
// scans every position.
func (s StoreSource) Coverage(ctx context.Context, since, until time.Time) (Coverage, error) {
	var c Coverage
	rc, ok := s.Store.(store.ReceptionCounter)
	if !ok {
		return s.scanCoverage(ctx, since, until)
	}
	got, err := rc.Reception(ctx, since, until, coverageCell)
	if err != nil {
		return c, err
	}
	c.Files = got.Files
	days := map[string]map[int64]int64{} // station -> day (unix/86400) -> positions
	for _, d := range got.Days {
		if days[d.Station] == nil {
			days[d.Station] = map[int64]int64{}
		}
		days[d.Station][d.Day.Unix()/86400] += d.Positions
	}
	for _, cell := range got.Cells {
		c.Cells = append(c.Cells, Cell{Lat: cell.Lat, Lon: cell.Lon, Positions: cell.Positions})
	}
	finishCoverage(&c, days, since, until)
	return c, nil
}

func (s StoreSource) scanCoverage(ctx context.Context, since, until time.Time) (Coverage, error) {
	var c Coverage
	days := map[string]map[int64]int64{}
	cells := map[[2]int64]int64{}
	err := s.Store.ScanPositions(ctx, since, until, func(p *store.Position) error {
		if days[p.Station] == nil {
			days[p.Station] = map[int64]int64{}
		}
		days[p.Station][p.Time.Unix()/86400]++
		cells[[2]int64{int64(math.Floor(p.Lat / coverageCell)), int64(math.Floor(p.Lon / coverageCell))}]++
		return nil
	})
	if err != nil {
		return c, err
	}
	for _, k := range slices.SortedFunc(maps.Keys(cells), func(a, b [2]int64) int {
		if a[0] != b[0] {
			return int(a[0] - b[0])
		}
		return int(a[1] - b[1])
	}) {
		c.Cells = append(c.Cells, Cell{Lat: float64(k[0]) * coverageCell, Lon: float64(k[1]) * coverageCell, Positions: cells[k]})
	}
	c.Notes = append(c.Notes, "The store lists no ingested files through this interface.")
	finishCoverage(&c, days, since, until)
	return c, nil
}

// finishCoverage turns per-station daily counts into stations with their
// periods and silent runs, and the days nothing at all was received.
func finishCoverage(c *Coverage, days map[string]map[int64]int64, since, until time.Time) {
	heard := map[int64]bool{}
	for _, name := range slices.Sorted(maps.Keys(days)) {
		ds := slices.Sorted(maps.Keys(days[name]))
		st := Station{Name: name, Days: len(ds)}
		if name == "" {
			st.Name = "(unknown station)"
		}
		for i, d := range ds {
			st.Positions += days[name][d]
			heard[d] = true
			// One quiet day is often just no traffic in range; two or
			// more in a row is worth a reader's attention.
			if i > 0 && d-ds[i-1] > 2 {
				st.Silent = append(st.Silent, Span{dayTime(ds[i-1] + 1), dayTime(d)})
			}
		}
		st.First, st.Last = dayTime(ds[0]), dayTime(ds[len(ds)-1]+1)
		c.Positions += st.Positions
		c.Stations = append(c.Stations, st)
	}
	if since.IsZero() || until.IsZero() {
		return
	}
	first, last := since.Unix()/86400, (until.Unix()-1)/86400
	var run *Span
	for d := first; d <= last; d++ {
		if heard[d] {
			run = nil
			continue
		}
		if run == nil {
			c.NoData = append(c.NoData, Span{From: dayTime(d)})
			run = &c.NoData[len(c.NoData)-1]
		}
		run.To = dayTime(d + 1)
	}
}

func dayTime(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

// EventSource is a report over events alone (event JSON lines): there are
// no tracks, identity histories or station logs, and the report says so.
type EventSource struct {
	List []event.Event
	// Files are the event files read, with the events each held.
	Files []File
}

// Events returns the events.
func (s *EventSource) Events(context.Context) ([]event.Event, error) { return s.List, nil }

// Identities returns nothing: event files carry no identity history.
func (s *EventSource) Identities(context.Context, uint32) ([]store.Identity, error) { return nil, nil }

// Track returns nothing: event files carry no positions.
func (s *EventSource) Track(context.Context, uint32, time.Time, time.Time, time.Duration) ([]store.Position, error) {
	return nil, nil
}

// Coverage lists the files and says what cannot be known from events.
func (s *EventSource) Coverage(context.Context, time.Time, time.Time) (Coverage, error) {
	return Coverage{Files: s.Files, Notes: []string{
		"Built from event files only: receiving stations, their periods and the areas without reception are not known, and no tracks are drawn. Ingest the AIS files (lookout ingest) and report from the store (--db) for them.",
	}}, nil
}
