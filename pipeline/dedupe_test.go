package pipeline_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// The same position reports brought by a second file — the gzip of a file
// already ingested, or a capture overlapping it — are stored once: positions
// are unique per vessel, instant and station whatever file brought them.
func TestSamePositionsFromAnotherFileDuckDB(t *testing.T) {
	testSamePositions(t, openDuck(t, filepath.Join(t.TempDir(), "db.duckdb")))
}

func TestSamePositionsFromAnotherFilePostgres(t *testing.T) {
	u := storetest.PostgresSchema(t, storetest.PostgresURL(t), "ingest_test_dedup")
	st, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	testSamePositions(t, st)
}

func testSamePositions(t *testing.T, st store.Store) {
	ctx := context.Background()
	dir := t.TempDir()
	plain := filepath.Join(dir, "day.nmea")
	f := writeFeed(t, plain, 20, 120)
	raw, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	res, err := newIngester(st, 333, nil).File(ctx, plain)
	if err != nil || res.Positions != int64(f.positions) || res.KnownPositions != 0 {
		t.Fatalf("first file: %+v, %v", res, err)
	}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	zipped := filepath.Join(dir, "day.nmea.gz")
	if err := os.WriteFile(zipped, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = newIngester(st, 333, nil).File(ctx, zipped)
	if err != nil {
		t.Fatal(err)
	}
	// Its content is the file's: it is known as the same file, skipped
	// whole before a position is read.
	if !res.Skipped || res.Positions != 0 {
		t.Errorf("gzip of the same file: %+v; want already ingested", res)
	}

	// An overlapping capture: the second half of the day again, plus the
	// same reports as heard by a third station (a reception of its own).
	lines := strings.SplitAfter(string(raw), "\n")
	half := strings.Join(lines[len(lines)/2:], "")
	other := restation(half, "STN1", "STN9")
	overlap := filepath.Join(dir, "overlap.nmea")
	if err := os.WriteFile(overlap, []byte(half+"\n"+other), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = newIngester(st, 333, nil).File(ctx, overlap)
	if err != nil {
		t.Fatal(err)
	}
	newSTN9 := int64(strings.Count(other, "s:STN9*")) - int64(strings.Count(other, "AIVDM,1,1,,A,5")) // type 5 lines are no positions
	if res.KnownPositions == 0 || res.Positions == 0 {
		t.Fatalf("overlap: %+v", res)
	}
	t.Logf("overlap: %d stored, %d known", res.Positions, res.KnownPositions)
	if c := fingerprintOf(t, st).counts.Positions; c != int64(f.positions)+res.Positions || res.Positions > newSTN9 {
		t.Errorf("overlap stored %d (at most %d new STN9 receptions), store holds %d, first file %d", res.Positions, newSTN9, c, f.positions)
	}
}

// restation moves a log's reports from one station to another, with the
// tag blocks' checksums made good.
func restation(log, from, to string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(log, "\n") {
		tag, rest, ok := strings.Cut(strings.TrimPrefix(l, "\\"), "*")
		if !ok || !strings.HasPrefix(l, "\\") || !strings.HasSuffix(tag, "s:"+from) {
			b.WriteString(l)
			continue
		}
		tag = strings.TrimSuffix(tag, from) + to
		b.WriteString("\\" + tag + "*" + checksum(tag) + rest[2:])
	}
	return b.String()
}
