package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
)

// TestFastFill stores one batch by writing DuckDB's vectors directly and
// once more through duckdb-go's setters, and wants the same table: NULLs
// placed at the edges of the validity bitmap's words and of DuckDB's
// vectors, a vector all NULL followed by one with none (a bitmap left as
// the previous chunk had it would show), stations and their absence. It
// fails too when the vectors cannot be reached any more (a driver release
// that renamed what rawVectors looks for), which would otherwise only show
// as a slower ingest.
func TestFastFill(t *testing.T) {
	if !rawVectors.ok {
		t.Fatal("duckdb-go's vector fields were not found: positions are written through the slow setters (see rawVectors)")
	}
	ctx := context.Background()
	t0 := time.Date(2026, 2, 3, 4, 5, 6, 789000, time.UTC)
	// Three vessels' reports interleaved, as a feed has them; stored in
	// vessel order, input i becomes row r below, which places the NULLs.
	const n, vessels = 3*2048 + 100, 3
	var offset [vessels]int
	for v := 1; v < vessels; v++ {
		offset[v] = offset[v-1] + (n-(v-1)+vessels-1)/vessels
	}
	var ps []store.Position
	for i := range n {
		p := store.Position{MMSI: 211000000 + uint32(i%vessels), Time: t0.Add(time.Duration(i) * 1001 * time.Millisecond),
			Lat: 54 + float64(i)/1e4, Lon: 10 - float64(i)/3e4, SOG: float32(i%200) / 10, COG: float32(i % 360), Heading: int16(i % 360),
			Status: uint8(i % 16), Station: fmt.Sprintf("S%d", i%4), Flags: uint32(i % 3)}
		switch r := offset[i%vessels] + i/vessels; {
		case r < 2048: // the first vector: every speed unknown
			p.SOG = store.NaN32
		case r%64 == 0 || r%64 == 63: // a bitmap word's first and last bit
			p.COG, p.Heading, p.Station = store.NaN32, -1, ""
		case r == 2048*2-1 || r == 2048*2:
			p.Heading = -1
		}
		ps = append(ps, p)
	}
	dump := func(slow bool) string {
		t.Helper()
		slowFill = slow
		defer func() { slowFill = false }()
		s, err := Open(ctx, filepath.Join(t.TempDir(), "fill.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Write(ctx, &store.Batch{Positions: ps}); err != nil {
			t.Fatal(err)
		}
		rows, err := s.DB().QueryContext(ctx, "SELECT * FROM positions ORDER BY mmsi, ts")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var sb strings.Builder
		n := 0
		for rows.Next() {
			var (
				mmsi, flags uint32
				ts          time.Time
				lat, lon    float64
				sog, cog    *float32
				heading     *int16
				status      uint8
				station     *string
			)
			if err := rows.Scan(&mmsi, &ts, &lat, &lon, &sog, &cog, &heading, &status, &station, &flags); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sb, "%d %s %v %v %v %v %v %d %v %d\n", mmsi, ts.Format(time.RFC3339Nano), lat, lon,
				deref(sog), deref(cog), deref(heading), status, deref(station), flags)
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != len(ps) {
			t.Fatalf("stored %d positions, want %d", n, len(ps))
		}
		return sb.String()
	}
	fast, slow := dump(false), dump(true)
	if fast != slow {
		a, b := strings.Split(fast, "\n"), strings.Split(slow, "\n")
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("row %d written directly:\n%s\nthrough the setters:\n%s", i, a[i], b[i])
			}
		}
	}
	// Both could be wrong alike: count the NULLs against the input's.
	var want [4]int
	for _, p := range ps {
		for i, null := range []bool{store.IsNaN32(p.SOG), store.IsNaN32(p.COG), p.Heading < 0, p.Station == ""} {
			if null {
				want[i]++
			}
		}
	}
	var got [4]int
	for _, line := range strings.Split(strings.TrimSpace(fast), "\n") {
		f := strings.Fields(line)
		for i, col := range []int{4, 5, 6, 8} {
			if f[col] == "<nil>" {
				got[i]++
			}
		}
	}
	if got != want {
		t.Fatalf("NULL speeds, courses, headings, stations: %v, want %v", got, want)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
