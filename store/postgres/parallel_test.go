package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// A batch split over two connections that dies between their commits (as
// under kill -9) leaves half its positions stored; writing the file's
// positions again, in batches of other sizes, stores each exactly once.
func TestSplitBatchLostBetweenCommits(t *testing.T) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_test"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 3000
	ps := make([]store.Position, n)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range ps {
		ps[i] = store.Position{MMSI: 273000000 + uint32(i*7919%300), Time: t0.Add(time.Duration(i) * time.Second),
			Lat: 42 + float64(i%100)/100, Lon: 133, SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15}
	}
	file := func(upto int) *store.File {
		return &store.File{Hash: "feedface", Name: "feed.nmea", Size: 1, Positions: int64(upto)}
	}
	crash := errors.New("killed between commits")
	restore := postgres.SplitBatches(100, func() error { return crash })
	_, err = s.Write(ctx, &store.Batch{Positions: ps[:2000], File: file(2000)})
	restore()
	if !errors.Is(err, crash) {
		t.Fatalf("write: %v, want the stop between commits", err)
	}
	stored := count(t, s)
	if stored == 0 || stored >= 2000 {
		t.Fatalf("after the lost batch %d positions are stored, want a part of 2000", stored)
	}
	if _, err := s.File(ctx, "feedface"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("file record after the lost batch: %v, want none", err)
	}

	defer postgres.SplitBatches(100, nil)()
	for _, cut := range [][2]int{{0, 700}, {700, 1500}, {1500, n}} {
		if _, err := s.Write(ctx, &store.Batch{Positions: ps[cut[0]:cut[1]], File: file(cut[1])}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[[2]int64]int{}
	err = s.ScanPositions(ctx, t0, t0.Add(n*time.Second), func(p *store.Position) error {
		seen[[2]int64{int64(p.MMSI), p.Time.Unix()}]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		if k := [2]int64{int64(ps[i].MMSI), ps[i].Time.Unix()}; seen[k] != 1 {
			t.Fatalf("position %d stored %d times", i, seen[k])
		}
	}
	if len(seen) != n {
		t.Fatalf("%d distinct positions stored, want %d", len(seen), n)
	}
}

func count(t *testing.T, s *postgres.Store) int {
	t.Helper()
	st, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(st.Positions)
}
