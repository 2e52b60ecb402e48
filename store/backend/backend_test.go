package backend_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/lookout-osint/lookout/store/backend"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/storetest"
)

// TestServingReadOnlyFile: lookout serve and lookout vessel open a file of
// mode 0444 (they need not write it); lookout ingest is told why it cannot.
func TestServingReadOnlyFile(t *testing.T) {
	ctx := context.Background()
	path := storetest.DuckDBFile(t)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	st, writable, err := backend.OpenServing(ctx, path)
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	if writable {
		t.Error("a 0444 file served writable")
	}
	if ms, err := st.FindVessels(ctx, "held"); err != nil || len(ms) != 1 {
		t.Errorf("FindVessels = %v, %v", ms, err)
	}
	st.Close()
	if st, err = backend.OpenReadOnly(ctx, path); err != nil {
		t.Fatalf("vessel: %v", err)
	}
	st.Close()
	var ro *duckdb.ReadOnlyError
	if _, err := backend.Open(ctx, path); !errors.As(err, &ro) {
		t.Errorf("ingest: %v, want a *duckdb.ReadOnlyError", err)
	}
}

// TestHeldWithoutServer: a file held by a command that serves nothing is
// refused with the holder named, not DuckDB's raw lock error.
func TestHeldWithoutServer(t *testing.T) {
	path := storetest.DuckDBFile(t)
	pid := storetest.Hold(t, path, false)
	_, err := backend.OpenReadOnly(context.Background(), path)
	var le *duckdb.LockedError
	if !errors.As(err, &le) || le.PID != pid {
		t.Fatalf("%v, want a *duckdb.LockedError naming PID %d", err, pid)
	}
}
