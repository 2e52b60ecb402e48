package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

func TestConformance(t *testing.T) {
	base := storetest.PostgresURL(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresSchema(t, base, "lookout_test"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// A database written before positions lost their lat and lon columns is
// moved to the current layout when opened, keeping every row.
func TestOpenMovesFirstLayout(t *testing.T) {
	ctx := context.Background()
	u := storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_test")
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis;
		CREATE TABLE positions (
			mmsi bigint NOT NULL, ts timestamptz NOT NULL, lat double precision NOT NULL, lon double precision NOT NULL,
			sog real, cog real, heading smallint, status smallint, station text, flags integer NOT NULL,
			geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED);
		CREATE INDEX positions_mmsi_ts ON positions (mmsi, ts);
		CREATE INDEX positions_ts ON positions USING brin (ts);
		INSERT INTO positions (mmsi, ts, lat, lon, sog, cog, heading, status, station, flags) VALUES
			(273000001, '2026-03-01 10:00:00+00', 42.73, 133.07, 11.5, 90, 88, 0, 'rxA', 2),
			(273000001, '2026-03-01 09:00:00+00', 42.70, 133.01, NULL, NULL, NULL, NULL, NULL, 0),
			(3000000000, '2026-03-01 09:00:00+00', -12.5, -170.25, 3, 4, 5, 1, 'rxB', 1)`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	got, err := s.Track(ctx, 273000001, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Position{
		{MMSI: 273000001, Time: t0, Lat: 42.70, Lon: 133.01, SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15},
		{MMSI: 273000001, Time: t0.Add(time.Hour), Lat: 42.73, Lon: 133.07, SOG: 11.5, COG: 90, Heading: 88, Station: "rxA", Flags: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("track after moving: %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.MMSI != w.MMSI || !g.Time.Equal(w.Time) || g.Lat != w.Lat || g.Lon != w.Lon || g.Heading != w.Heading ||
			g.Status != w.Status || g.Station != w.Station || g.Flags != w.Flags ||
			!(g.SOG == w.SOG || store.IsNaN32(g.SOG) && store.IsNaN32(w.SOG)) {
			t.Errorf("position %d after moving: %+v, want %+v", i, g, w)
		}
	}
	big, err := s.Track(ctx, 3000000000, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(big) != 1 || big[0].MMSI != 3000000000 || big[0].Lat != -12.5 || big[0].Lon != -170.25 {
		t.Errorf("MMSI beyond int4 after moving: %+v", big)
	}
	if ms, err := s.FindVessels(ctx, "3000000000"); err != nil || !slices.Equal(ms, []uint32{3000000000}) {
		t.Errorf("find MMSI beyond int4 after moving: %v, %v", ms, err)
	}
	// Opening again finds the new layout and leaves it alone.
	s2, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	c, err := s2.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Positions != 3 {
		t.Errorf("%d positions after reopening, want 3", c.Positions)
	}
}

// PostgreSQL text refuses invalid UTF-8 and NUL bytes; a station name with
// either is stored cleaned instead of failing the batch.
func TestOddStationName(t *testing.T) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_test"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ps := []store.Position{
		{MMSI: 273000001, Time: t0, Lat: 42.7, Lon: 133, Heading: -1, Station: "rx\xffA"},
		{MMSI: 273000001, Time: t0.Add(time.Minute), Lat: 42.7, Lon: 133, Heading: -1, Station: "rx\x00B"},
	}
	if _, err := s.Write(ctx, &store.Batch{Positions: ps}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Track(ctx, 273000001, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var stations []string
	for _, p := range got {
		stations = append(stations, p.Station)
	}
	if !slices.Equal(stations, []string{"rx\uFFFDA", "rxB"}) {
		t.Errorf("stations stored as %q", stations)
	}
}

// A write after the server ended the store's session (as a restart does)
// fails at most once, and the next one reconnects and stores: a live ingest
// retrying its writes recovers instead of failing forever.
func TestWriteReconnects(t *testing.T) {
	ctx := context.Background()
	base := storetest.PostgresURL(t)
	s, err := postgres.Open(ctx, storetest.PostgresSchema(t, base, "lookout_test"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	pos := func(i int) *store.Batch {
		return &store.Batch{Positions: []store.Position{{MMSI: 273000001, Time: t0.Add(time.Duration(i) * time.Minute), Lat: 42.7, Lon: 133, Heading: -1}}}
	}
	if _, err := s.Write(ctx, pos(0)); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var ended bool
	if err := admin.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int(s.BackendPID())).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate the store's session: %v %v", ended, err)
	}
	stored := 1
	for i := 1; i <= 3; i++ {
		if _, err := s.Write(ctx, pos(i)); err != nil {
			if i > 1 {
				t.Fatalf("write %d after the session ended: %v", i, err)
			}
			continue // the first write may be the one that finds the connection dead
		}
		stored++
	}
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Positions != int64(stored) || stored < 3 {
		t.Errorf("stored %d positions, counted %d; want the 3 or 4 writes that succeeded", c.Positions, stored)
	}
}

// Compact keeps every position and every index (one added by hand too) and
// leaves the table in vessel and time order.
func TestCompact(t *testing.T) {
	ctx := context.Background()
	u := storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_test")
	s, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var all []store.Position
	for b := range 3 {
		var ps []store.Position
		for i := range 40 {
			ps = append(ps, store.Position{MMSI: 273000000 + uint32(i%4), Time: t0.Add(time.Duration(b*40+i) * time.Minute),
				Lat: 42 + float64(i)/100, Lon: 133, SOG: 5, COG: store.NaN32, Heading: -1, Station: "rx"})
		}
		if _, err := s.Write(ctx, &store.Batch{Positions: ps}); err != nil {
			t.Fatal(err)
		}
		all = append(all, ps...)
	}
	before := map[uint32][]store.Position{}
	for m := uint32(273000000); m < 273000004; m++ {
		if before[m], err = s.Track(ctx, m, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE INDEX positions_mmsi_btree ON positions (mmsi)"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Compact(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for m, want := range before {
		got, err := s.Track(ctx, m, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) != 30 {
			t.Fatalf("vessel %d: %d positions after compacting, %d before, want 30", m, len(got), len(want))
		}
		for i := range got {
			if !got[i].Time.Equal(want[i].Time) || got[i].Lat != want[i].Lat || got[i].MMSI != m {
				t.Errorf("vessel %d position %d: %+v after compacting, %+v before", m, i, got[i], want[i])
			}
		}
	}
	var idx []string
	rows, err := conn.Query(ctx, "SELECT indexname FROM pg_indexes WHERE tablename = 'positions' AND schemaname = current_schema() ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		idx = append(idx, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(idx, []string{"positions_brin", "positions_mmsi_btree"}) {
		t.Errorf("indexes after compacting: %v", idx)
	}
	// Rows now follow (mmsi, ts): reading in physical order never goes back.
	var unordered int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT mmsi, ts, lag(mmsi) OVER w AS pm, lag(ts) OVER w AS pt
		FROM positions WINDOW w AS (ORDER BY ctid)) x WHERE (mmsi, ts) < (pm, pt)`).Scan(&unordered); err != nil {
		t.Fatal(err)
	}
	if unordered != 0 {
		t.Errorf("%d rows out of (mmsi, ts) order after compacting", unordered)
	}
	// The store still writes and reopens after the swap.
	if _, err := s.Write(ctx, &store.Batch{Positions: all[:1]}); err != nil {
		t.Fatal(err)
	}
	s2, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if c, err := s2.Counts(ctx); err != nil || c.Positions != int64(len(all)+1) {
		t.Errorf("counts after compacting and one more write: %+v, %v; want %d positions", c, err, len(all)+1)
	}
}
