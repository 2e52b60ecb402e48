package duckdb_test

import (
	"context"
	"errors"
	"os"
	"strings"
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
	if err := st.Compact(ctx); !errors.Is(err, duckdb.ErrReadOnly) {
		t.Errorf("Compact on a read-only store: %v", err)
	}
	st.Close()
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("reading the read-only file changed it")
	}
}
