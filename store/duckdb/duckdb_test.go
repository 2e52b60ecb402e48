package duckdb_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "test.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestPositionsRoundTrip writes batches bigger than one DuckDB vector, with
// stations that need quoting, are not UTF-8 or are missing and every
// optional field unknown in turn, and reads each vessel's track back exactly,
// before and after Compact.
func TestPositionsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "rt.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stations := []string{"", "STN'A", "b\xffc", "Ålesund", `back\slash`}
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 123000, time.UTC)
	want := map[uint32][]store.Position{}
	for batch := range 3 {
		var ps []store.Position
		for i := range 5000 {
			k := batch*5000 + i
			p := store.Position{MMSI: 400000000 + uint32(k*7919%13), Time: t0.Add(time.Duration(k) * time.Second),
				Lat: -60 + float64(k)/777, Lon: 179.9 - float64(k)/333, SOG: float32(k%300) / 10, COG: float32(k%3600) / 10,
				Heading: int16(k % 360), Status: uint8(k % 16), Station: stations[k%len(stations)], Flags: uint32(k % 5)}
			switch k % 7 {
			case 1:
				p.SOG = store.NaN32
			case 2:
				p.COG = store.NaN32
			case 3:
				p.Heading = -1
			}
			ps = append(ps, p)
			want[p.MMSI] = append(want[p.MMSI], p)
		}
		if w, err := s.Write(ctx, &store.Batch{Positions: ps}); err != nil || w.Positions != int64(len(ps)) {
			t.Fatalf("write: %+v, %v", w, err)
		}
	}
	// A batch without any station.
	p := store.Position{MMSI: 400000099, Time: t0, Lat: 1, Lon: 2, SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15}
	if _, err := s.Write(ctx, &store.Batch{Positions: []store.Position{p}}); err != nil {
		t.Fatal(err)
	}
	want[p.MMSI] = []store.Position{p}
	check := func(when string) {
		t.Helper()
		for mmsi, ps := range want {
			got, err := s.Track(ctx, mmsi, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(ps) {
				t.Fatalf("%s: vessel %d: %d positions, want %d", when, mmsi, len(got), len(ps))
			}
			for i := range ps {
				w := ps[i]
				w.Station = strings.ToValidUTF8(w.Station, "\uFFFD")
				if !samePosition(got[i], w) {
					t.Fatalf("%s: vessel %d position %d:\n got %+v\nwant %+v", when, mmsi, i, got[i], w)
				}
			}
		}
	}
	check("written")
	if _, err := s.Compact(ctx, nil); err != nil {
		t.Fatal(err)
	}
	check("compacted")
	c, err := s.Counts(ctx)
	if err != nil || c.Positions != 15001 {
		t.Fatalf("counts after compact: %+v, %v", c, err)
	}
	if _, err := s.Write(ctx, &store.Batch{Positions: want[400000000][:1]}); err != nil {
		t.Fatalf("write after compact: %v", err)
	}
}

func samePosition(a, b store.Position) bool {
	f := func(x, y float32) bool { return x == y || store.IsNaN32(x) && store.IsNaN32(y) }
	return a.MMSI == b.MMSI && a.Time.Equal(b.Time) && a.Lat == b.Lat && a.Lon == b.Lon && f(a.SOG, b.SOG) && f(a.COG, b.COG) &&
		a.Heading == b.Heading && a.Status == b.Status && a.Station == b.Station && a.Flags == b.Flags
}
