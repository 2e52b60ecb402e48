package ingest_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/ingest"
)

// flaky fails its first fail writes, as a database being restarted does.
type flaky struct {
	store.Store
	fail   atomic.Int32
	writes atomic.Int32
}

func (f *flaky) Write(ctx context.Context, b *store.Batch) (store.Written, error) {
	f.writes.Add(1)
	if f.fail.Add(-1) >= 0 {
		return store.Written{}, errors.New("connection refused")
	}
	return f.Store.Write(ctx, b)
}

func readAll(t *testing.T, s *ingest.Stream, text string) {
	t.Helper()
	r := s.Watch(ais.NewReader(strings.NewReader(text)))
	for r.Next() {
	}
}

// TestStreamStoresLiveRows: positions, identity changes and events of a
// feed are stored while it runs (not only at the end), each once, and
// writes that fail are retried without losing or duplicating rows.
func TestStreamStoresLiveRows(t *testing.T) {
	st := &flaky{Store: openDuck(t, filepath.Join(t.TempDir(), "live.duckdb"))}
	defer st.Close()
	st.fail.Store(2)
	var failures atomic.Int32
	s := ingest.NewStream(context.Background(), st, ingest.StreamOptions{Interval: 20 * time.Millisecond,
		OnError: func(error, int) { failures.Add(1) }})
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	var in strings.Builder
	for i := 0; i < 10; i++ {
		in.WriteString(type1(t0.Add(time.Duration(i)*time.Minute), "st1", 273000001, 40.5, 133+0.01*float64(i), 10, 90))
	}
	in.WriteString(type5(t0, "st1", 273000001, 9000001, "UBCD", "SEA STAR", 80, 7.5, "NAKHODKA"))
	in.WriteString(type5(t0.Add(time.Minute), "st1", 273000001, 9000001, "UBCD", "SEA STAR", 80, 7.5, "NAKHODKA")) // unchanged: not stored again
	in.WriteString(type5(t0.Add(2*time.Minute), "st1", 273000001, 9000001, "UBCD", "OCEAN PEARL", 80, 7.5, "NAKHODKA"))
	in.WriteString("!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*00\n") // bad checksum: rejected by the decoder, not stored
	noTag := type1(t0, "st1", 273000002, 40, 133, 0, 0)
	in.WriteString(noTag[strings.LastIndexByte(noTag, '\\')+1:]) // no receive time: counted, not stored
	readAll(t, s, in.String())
	s.Emit(&event.Event{Type: event.IdentityChange, MMSI: 273000001, Start: t0, End: t0.Add(2 * time.Minute), Lat: 40.5, Lon: 133})

	// Stored while the stream is still open.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := st.Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.Positions == 10 && c.Identities == 2 && c.Events == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s the open stream has stored %+v", c)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Emit(&event.Event{Type: event.IdentityChange, MMSI: 273000001, Start: t0, End: t0.Add(2 * time.Minute), Lat: 40.5, Lon: 133})
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	c, _ := st.Counts(context.Background())
	if c.Positions != 10 || c.Identities != 2 || c.Events != 1 || c.Files != 0 {
		t.Fatalf("stored %+v, want 10 positions, 2 identities, 1 event, no file record", c)
	}
	ss := s.Stats()
	if ss.Positions != 10 || ss.Identities != 2 || ss.Events != 1 || ss.NoTime != 1 || ss.Failures != 2 || failures.Load() != 2 || ss.Held != 0 {
		t.Fatalf("stats %+v, %d errors reported", ss, failures.Load())
	}
}

// TestStreamBoundsHeldRows: while the store stays down, positions beyond
// MaxHeld are dropped oldest first and counted, and Close gives up when
// its context ends, saying why.
func TestStreamBoundsHeldRows(t *testing.T) {
	st := &flaky{Store: openDuck(t, filepath.Join(t.TempDir(), "down.duckdb"))}
	defer st.Close()
	st.fail.Store(1 << 30)
	s := ingest.NewStream(context.Background(), st, ingest.StreamOptions{Interval: 10 * time.Millisecond, MaxHeld: 4})
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	var in strings.Builder
	for i := 0; i < 10; i++ {
		in.WriteString(type1(t0.Add(time.Duration(i)*time.Minute), "st1", 273000001, 40.5, 133+0.01*float64(i), 10, 90))
	}
	readAll(t, s, in.String())
	for st.writes.Load() < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := s.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Close with the store down: %v", err)
	}
	if ss := s.Stats(); ss.Dropped != 6 || ss.Held != 4 {
		t.Fatalf("stats %+v, want 6 dropped, 4 held", ss)
	}
}
