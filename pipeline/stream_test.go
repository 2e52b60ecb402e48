package pipeline_test

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
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store"
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

func readAll(t *testing.T, s *pipeline.Stream, text string) {
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
	s := pipeline.NewStream(context.Background(), st, pipeline.StreamOptions{Interval: 20 * time.Millisecond,
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
	s := pipeline.NewStream(context.Background(), st, pipeline.StreamOptions{Interval: 10 * time.Millisecond, MaxHeld: 4})
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

// fakeState is a Checkpointer whose next Snapshot is set by the test.
type fakeState struct {
	next     map[uint32][]byte
	restored map[uint32]string
}

func (f *fakeState) Snapshot() (map[uint32][]byte, error) {
	n := f.next
	f.next = nil
	return n, nil
}

func (f *fakeState) Restore(mmsi uint32, data []byte) error {
	f.restored[mmsi] = string(data)
	return nil
}

// TestStreamCheckpoints: a live feed's state goes with the events emitted
// before it; two checkpoints held while the store is down are written as
// one (the later state of a vessel wins); what Emit gets after Open is
// stored provisional (Open) after everything else; the next run restores
// the last state, and the run's provisional events replace the previous
// run's.
func TestStreamCheckpoints(t *testing.T) {
	ctx := context.Background()
	st := &flaky{Store: openDuck(t, filepath.Join(t.TempDir(), "live.duckdb"))}
	defer st.Close()
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	gap := func(mmsi uint32, h int) *event.Event {
		return &event.Event{Type: event.Gap, MMSI: mmsi, Start: t0, End: t0.Add(time.Duration(h) * time.Hour), Lat: 40.5, Lon: 133}
	}
	run := func(fail int32, snaps []map[uint32][]byte, closed, open []*event.Event) map[uint32]string {
		t.Helper()
		st.fail.Store(fail)
		s := pipeline.NewStream(ctx, st, pipeline.StreamOptions{Interval: 10 * time.Millisecond})
		cp := &fakeState{restored: map[uint32]string{}}
		if err := s.Restore(ctx, cp, false); err != nil {
			t.Fatal(err)
		}
		for _, e := range closed {
			s.Emit(e)
		}
		for _, snap := range snaps {
			cp.next = snap
			if err := s.Checkpoint(cp); err != nil {
				t.Fatal(err)
			}
		}
		s.Open()
		for _, e := range open {
			s.Emit(e)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		return cp.restored
	}
	// Run 1: the store refuses the first writes, so both checkpoints wait
	// together; vessel 1's later state must be the one stored.
	got := run(3, []map[uint32][]byte{{1: []byte("v1 a"), 2: []byte("v2 a")}, {1: []byte("v1 b"), 3: []byte("v3 b")}},
		[]*event.Event{gap(1, 5)}, []*event.Event{gap(2, 7), gap(3, 1)})
	if len(got) != 0 {
		t.Fatalf("first run restored %v from an empty store", got)
	}
	evs, err := st.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	open := map[uint32]bool{}
	for _, e := range evs {
		open[e.MMSI] = e.Open
	}
	if len(evs) != 3 || open[1] || !open[2] || !open[3] {
		t.Fatalf("after run 1, events %v by MMSI are open; want 1 closed, 2 and 3 open", open)
	}

	// Run 2 restores run 1's last state, deletes vessel 3's, and stops
	// with only vessel 2's gap open: vessel 3's provisional gap goes.
	got = run(0, []map[uint32][]byte{{3: nil}}, nil, []*event.Event{gap(2, 9)})
	want := map[uint32]string{1: "v1 b", 2: "v2 a", 3: "v3 b"}
	if len(got) != len(want) {
		t.Fatalf("run 2 restored %v, want %v", got, want)
	}
	for m, w := range want {
		if got[m] != w {
			t.Fatalf("run 2 restored %v, want %v", got, want)
		}
	}
	got = run(0, nil, nil, nil)
	if _, ok := got[3]; ok || len(got) != 2 {
		t.Fatalf("run 3 restored %v: vessel 3's state was deleted by run 2", got)
	}
	evs, err = st.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// Run 3 stopped with nothing open: run 2's provisional gap went too.
	if len(evs) != 1 || evs[0].MMSI != 1 || evs[0].Open {
		t.Fatalf("after run 3, events %+v; want only vessel 1's closed gap", evs)
	}
}
