package duckdb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/storetest"
)

// TestLockedSaysWhoAndWhat: a file another process writes is refused with
// the holder's PID and command line and what to do, not DuckDB's "Could
// not set lock … Conflicting lock is held".
func TestLockedSaysWhoAndWhat(t *testing.T) {
	path := storetest.DuckDBFile(t)
	pid := storetest.Hold(t, path, false)
	for name, open := range map[string]func(context.Context, string) (*duckdb.Store, error){
		"Open": duckdb.Open, "OpenReadOnly": duckdb.OpenReadOnly,
	} {
		st, err := open(context.Background(), path)
		if err == nil {
			st.Close()
			t.Fatalf("%s of a file another process writes succeeded", name)
		}
		var le *duckdb.LockedError
		if !errors.As(err, &le) {
			t.Fatalf("%s: %T %v, want a *LockedError", name, err, err)
		}
		msg := err.Error()
		if le.PID != pid || le.Command == "" || !strings.Contains(msg, path) || !strings.Contains(msg, "lookout serve") {
			t.Errorf("%s: PID %d (want %d), command %q; message: %s", name, le.PID, pid, le.Command, msg)
		}
		if strings.Contains(msg, "Could not set lock") {
			t.Errorf("%s: DuckDB's raw lock error reaches the user: %s", name, msg)
		}
	}
}

// TestReadersShare: readers open read-only, so two commands that only read
// (vessel and report, say) can use one file at once.
func TestReadersShare(t *testing.T) {
	path := storetest.DuckDBFile(t)
	storetest.Hold(t, path, true)
	st, err := duckdb.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	defer st.Close()
	if ms, err := st.FindVessels(context.Background(), "held"); err != nil || len(ms) != 1 {
		t.Errorf("FindVessels = %v, %v", ms, err)
	}
}

// TestReadOnlyFile: a file of mode 0444 is read, never written, even by
// root (who could write it anyway); a command that writes is told why it
// cannot.
func TestReadOnlyFile(t *testing.T) {
	ctx := context.Background()
	path := storetest.DuckDBFile(t)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	st, err := duckdb.Open(ctx, path)
	var ro *duckdb.ReadOnlyError
	if !errors.As(err, &ro) || !strings.Contains(err.Error(), "0444") {
		if st != nil {
			st.Close()
		}
		t.Fatalf("Open of a 0444 file: %v, want a *ReadOnlyError naming the mode", err)
	}
	st, err = duckdb.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if ms, err := st.FindVessels(ctx, "held"); err != nil || len(ms) != 1 {
		t.Errorf("FindVessels = %v, %v", ms, err)
	}
	if _, err := st.Write(ctx, &store.Batch{Identities: []store.Identity{{MMSI: 1, Time: time.Unix(1, 0)}}}); !errors.Is(err, duckdb.ErrReadOnly) {
		t.Errorf("Write on a read-only store: %v", err)
	}
	if _, err := st.Compact(ctx, nil); !errors.Is(err, duckdb.ErrReadOnly) {
		t.Errorf("Compact on a read-only store: %v", err)
	}
	st.Close()
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("reading the read-only file changed it")
	}
}

// TestConcurrentReads: reads run side by side and beside a writer (the
// race detector checks the store; the counts check what each read sees).
func TestConcurrentReads(t *testing.T) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "c.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := func(k int) *store.Batch {
		var b store.Batch
		for i := range 1000 {
			b.Positions = append(b.Positions, store.Position{MMSI: 1 + uint32(i%5), Time: t0.Add(time.Duration(k*1000+i) * time.Second), COG: store.NaN32, SOG: 1, Heading: -1})
		}
		return &b
	}
	if _, err := st.Write(ctx, batch(0)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := 1; k <= 10; k++ {
			if _, err := st.Write(ctx, batch(k)); err != nil {
				errs <- err
			}
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				n := 0
				if err := st.ScanPositions(ctx, time.Time{}, time.Time{}, func(*store.Position) error { n++; return nil }); err != nil {
					errs <- err
				} else if n%1000 != 0 || n == 0 {
					errs <- fmt.Errorf("a scan saw %d positions: part of a batch", n)
				}
				if ps, err := st.Track(ctx, 3, time.Time{}, time.Time{}); err != nil || len(ps) == 0 {
					errs <- fmt.Errorf("track: %d positions, %v", len(ps), err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
