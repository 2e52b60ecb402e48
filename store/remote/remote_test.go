package remote_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/remote"
	"github.com/lookout-osint/lookout/store/storetest"
)

// served serves a fresh DuckDB store on its socket, as lookout serve does,
// and returns a client of it and the served store.
func served(t testing.TB) (*remote.Client, *duckdb.Store) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.duckdb")
	st, err := duckdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := remote.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	done := make(chan error, 1)
	go func() {
		done <- remote.Serve(ln, path, "", func(_ context.Context, _ *remote.Change, fn func(store.Store) error) error {
			mu.Lock()
			defer mu.Unlock()
			return fn(st)
		})
	}()
	c, err := remote.Dial(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		ln.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
		st.Close()
	})
	return c, st
}

// TestConformance: through the socket, the store behaves as every store
// must (store/storetest).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		c, _ := served(t)
		return c
	})
}

// TestStopEarly: a caller that stops a scan early gets its own error
// back, and the connection serves the next call.
func TestStopEarly(t *testing.T) {
	ctx := context.Background()
	c, _ := served(t)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var b store.Batch
	for i := range 50000 {
		b.Positions = append(b.Positions, store.Position{MMSI: uint32(1 + i%7), Time: t0.Add(time.Duration(i) * time.Second), Lat: 1, Lon: 2, COG: store.NaN32, SOG: 1, Heading: -1})
	}
	if _, err := c.Write(ctx, &b); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("enough")
	n := 0
	err := c.ScanPositions(ctx, time.Time{}, time.Time{}, func(*store.Position) error {
		if n++; n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("ScanPositions = %v, want the caller's error", err)
	}
	if cnt, err := c.Counts(ctx); err != nil || cnt.Positions != 50000 {
		t.Errorf("Counts after a stopped scan = %+v, %v", cnt, err)
	}
}

// TestNoServer: dialling a file nobody serves fails at once.
func TestNoServer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.duckdb")
	if _, err := remote.Dial(context.Background(), path); err == nil {
		t.Fatal("Dial with no server succeeded")
	}
	// A socket left by a server that died is not a server either.
	ln, err := net.Listen("unix", remote.SocketPath(path))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := remote.Dial(context.Background(), path); err == nil {
		t.Fatal("Dial of a dead socket succeeded")
	}
	if ln, err := remote.Listen(path); err != nil {
		t.Fatalf("Listen over a dead socket: %v", err)
	} else {
		ln.Close()
	}
}

// BenchmarkScan reads positions through the socket.
func BenchmarkScan(b *testing.B) {
	ctx := context.Background()
	c, st := served(b)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch store.Batch
	for i := range 200000 {
		batch.Positions = append(batch.Positions, store.Position{MMSI: uint32(1 + i%97), Time: t0.Add(time.Duration(i) * time.Second), Lat: 1, Lon: 2, COG: 3, SOG: 1, Heading: -1, Station: "s"})
	}
	if _, err := st.Write(ctx, &batch); err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name string
		st   store.Store
	}{{"direct", st}, {"socket", c}} {
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				if err := s.st.ScanPositions(ctx, time.Time{}, time.Time{}, func(*store.Position) error { n++; return nil }); err != nil || n != 200000 {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/200000, "ns/position")
		})
	}
}
