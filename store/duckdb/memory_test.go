package duckdb_test

import (
	"bytes"
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// setting is DuckDB's memory_limit as it reports it after SET size, for
// comparison (it reports sizes in its own units).
func setting(t *testing.T, size string) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SET memory_limit = '" + size + "'; SELECT current_setting('memory_limit')").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A store opened for writing bounds DuckDB's memory: with DuckDB's default
// (80% of RAM) the buffer pool kept every block an ingest wrote, so the
// process grew with the input. LOOKOUT_DUCKDB_MEMORY_LIMIT overrides it.
func TestMemoryLimit(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"", duckdb.DefaultMemoryLimit},
		{"1GB", "1GB"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			t.Setenv("LOOKOUT_DUCKDB_MEMORY_LIMIT", tc.env)
			s, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "m.duckdb"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var got string
			if err := s.DB().QueryRow("SELECT current_setting('memory_limit')").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := setting(t, tc.want); got != want {
				t.Errorf("memory_limit %q, want %q (%s)", got, want, tc.want)
			}
		})
	}
}

// The detectors' checkpoints (one row per live vessel, written with a
// file's last batch) may need more than the limit: DuckDB fails a write it
// cannot fit, and at the end of a national feed's day it failed the
// ingest. The write gets what it needs, and the limit is back after it.
func TestCheckpointsBeyondMemoryLimit(t *testing.T) {
	t.Setenv("LOOKOUT_DUCKDB_MEMORY_LIMIT", "16MB")
	ctx := context.Background()
	s, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "m.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	var cps []store.Checkpoint
	want := map[uint32][]byte{}
	for m := range uint32(2000) {
		data := make([]byte, 20_000) // 40 MB in all, incompressible
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		cps = append(cps, store.Checkpoint{MMSI: m + 1, Data: data})
		want[m+1] = data
	}
	if _, err := s.Write(ctx, &store.Batch{Checkpoints: cps}); err != nil {
		t.Fatalf("write 40 MB of checkpoints under a 16 MB limit: %v", err)
	}
	n := 0
	err = s.Checkpoints(ctx, func(c store.Checkpoint) error {
		if !bytes.Equal(c.Data, want[c.MMSI]) {
			t.Errorf("checkpoint of %d differs", c.MMSI)
		}
		n++
		return nil
	})
	if err != nil || n != len(cps) {
		t.Fatalf("read back %d of %d checkpoints (%v)", n, len(cps), err)
	}
	var got string
	if err := s.DB().QueryRow("SELECT current_setting('memory_limit')").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := setting(t, "16MB"); got != want {
		t.Errorf("memory_limit after the write %q, want %q", got, want)
	}
}
