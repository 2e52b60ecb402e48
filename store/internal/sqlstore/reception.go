package sqlstore

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/store"
)

// Query runs a query on a backend's connection; done releases its rows.
type Query func(q string, args ...any) (rows Rows, done func(), err error)

// Reception is store.ReceptionCounter's Reception for a schema whose
// positions have the coordinates lat and lon (column expressions).
func Reception(query Query, lat, lon string, since, until time.Time, cellDeg float64) (store.Reception, error) {
	var r store.Reception
	q, args := ReceptionSQL(lat, lon, since, until, cellDeg)
	rows, done, err := query(q, args...)
	if err != nil {
		return r, fmt.Errorf("reception: %w", err)
	}
	err = ScanReception(rows, cellDeg, &r)
	done()
	if err != nil {
		return r, fmt.Errorf("reception: %w", err)
	}
	if rows, done, err = query(FilesSQL); err != nil {
		return r, fmt.Errorf("files: %w", err)
	}
	defer done()
	if r.Files, err = ScanFiles(rows); err != nil {
		return r, fmt.Errorf("files: %w", err)
	}
	return r, nil
}

// ReceptionSQL counts positions per station and day and per cell of
// cellDeg degrees in one scan (GROUPING SETS; the columns of the other
// grouping are NULL, and the last column says which grouping a row is
// of). lat and lon are the schema's expressions for a position's
// coordinates.
func ReceptionSQL(lat, lon string, since, until time.Time, cellDeg float64) (string, []any) {
	args, where := timeWindow([]any{cellDeg}, nil, since, until)
	st := `COALESCE(station, '')`
	day := `CAST(floor(EXTRACT(EPOCH FROM ts) / 86400) AS BIGINT)`
	la := `CAST(floor(` + lat + ` / $1) AS BIGINT)`
	lo := `CAST(floor(` + lon + ` / $1) AS BIGINT)`
	q := `SELECT ` + st + `, ` + day + `, ` + la + `, ` + lo + `, count(*), GROUPING(` + la + `) FROM positions`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q + ` GROUP BY GROUPING SETS ((` + st + `, ` + day + `), (` + la + `, ` + lo + `))`, args
}

// ScanReception reads ReceptionSQL's rows into r's Days and Cells, in
// their documented order. A position without coordinates counts for its
// station's day only.
func ScanReception(rows Rows, cellDeg float64, r *store.Reception) error {
	for rows.Next() {
		var st sql.NullString
		var d, la, lo sql.NullInt64
		var n, byDay int64
		if err := rows.Scan(&st, &d, &la, &lo, &n, &byDay); err != nil {
			return err
		}
		switch {
		case byDay == 1:
			r.Days = append(r.Days, store.StationDay{Station: st.String, Day: time.Unix(d.Int64*86400, 0).UTC(), Positions: n})
		case la.Valid && lo.Valid:
			r.Cells = append(r.Cells, store.CellCount{Lat: float64(la.Int64) * cellDeg, Lon: float64(lo.Int64) * cellDeg, Positions: n})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(r.Days, func(a, b store.StationDay) int {
		return cmp.Or(cmp.Compare(a.Station, b.Station), a.Day.Compare(b.Day))
	})
	slices.SortFunc(r.Cells, func(a, b store.CellCount) int {
		return cmp.Or(cmp.Compare(a.Lat, b.Lat), cmp.Compare(a.Lon, b.Lon))
	})
	return nil
}

// FilesSQL lists the ingest records in Reception's order.
const FilesSQL = `SELECT hash, name, size, positions, identities, events, done, updated FROM files ORDER BY updated, name`

// ScanFiles reads FilesSQL's rows.
func ScanFiles(rows Rows) ([]store.File, error) {
	var out []store.File
	for rows.Next() {
		var f store.File
		if err := rows.Scan(&f.Hash, &f.Name, &f.Size, &f.Positions, &f.Identities, &f.Events, &f.Done, &f.Updated); err != nil {
			return nil, err
		}
		f.Updated = f.Updated.UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}
