package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/store/duckdb"
)

// An input in an unknown dialect is skipped with its reason; the files
// around it are still stored, and the command fails at the end.
func TestUnreadableInputIsSkipped(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("MMSI,Time,Y,X\n235070762,2021-07-01T18:51:51,50.77,-1.09\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "t.duckdb")
	err := runErr(t, "ingest", "-q", "--no-events", "--db", db, bad, filepath.Join("..", "..", "testdata", "sample.nmea"))
	if err == nil || !strings.Contains(err.Error(), "1 of 2 inputs skipped") || !strings.Contains(err.Error(), "bad.csv") {
		t.Fatalf("err %v", err)
	}
	st, err := duckdb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Counts(context.Background())
	if err != nil || c.Positions == 0 || c.Files != 1 {
		t.Errorf("counts %+v, %v: the readable file must be stored, the other not recorded", c, err)
	}
}

func TestStartFlag(t *testing.T) {
	for _, c := range []struct {
		in    string
		clock bool
		err   bool
	}{{"", false, false}, {"auto", true, false}, {"2024-03-01T12:00:00Z", true, false}, {"2024-03-01", true, false}, {"yesterday", false, true}} {
		o, err := (&inputFlags{start: c.in}).options()
		if (err != nil) != c.err || o.Clock != c.clock {
			t.Errorf("--start %q: %+v, %v", c.in, o, err)
		}
	}
}
