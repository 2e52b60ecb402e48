package analyze

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/internal/runtest"
	"github.com/lookout-osint/lookout/source"
)

// splitDays simulates a short scenario and cuts its NMEA into one chunk per
// UTC day of the tag-block receive time, the way receiver logs are rotated.
func splitDays(t testing.TB, seed uint64, days, vessels int) [][]byte {
	t.Helper()
	chunks, _ := runtest.SplitDays(t, runtest.SimNMEA(t, seed, days, vessels))
	return chunks
}

func read(t *testing.T, a *Analyzer, data []byte) {
	t.Helper()
	r, _, err := source.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Read(r); err != nil {
		t.Fatal(err)
	}
}

// runSplit analyses the chunks as separate runs, carrying state through
// Snapshot and Restore when carry is set, and keeps events the way a store
// does: the first final version of an ID wins, and what a run emits when it
// finishes is provisional, replaced by the next run's.
func runSplit(t *testing.T, chunks [][]byte, carry bool) map[string]string {
	t.Helper()
	saved := map[uint32][]byte{}
	final := map[string]string{}
	var provisional map[string]string
	for _, c := range chunks {
		var evs []event.Event
		a := New(DefaultOptions(), func(e *event.Event) { evs = append(evs, *e) })
		if carry {
			for m, b := range saved {
				if err := a.Restore(m, b); err != nil {
					t.Fatal(err)
				}
			}
		}
		read(t, a, c)
		snap, err := a.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		for m, b := range snap {
			if b == nil {
				delete(saved, m)
			} else {
				saved[m] = b
			}
		}
		for id, e := range runtest.Canonical(t, evs) {
			if _, ok := final[id]; !ok {
				final[id] = e
			}
		}
		evs = evs[:0]
		a.Finish()
		provisional = runtest.Canonical(t, evs)
	}
	for id, e := range provisional {
		if _, ok := final[id]; !ok {
			final[id] = e
		}
	}
	return final
}

// TestCheckpointsResumeExactly: a scenario read as daily files, each by a
// new Analyzer restored from the previous one's snapshot, gives exactly the
// events of one pass over the whole scenario: same IDs, same spans, same
// evidence, including events that span midnight.
func TestCheckpointsResumeExactly(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario and loads the land index")
	}
	chunks := splitDays(t, 11, 4, 40)
	if len(chunks) < 4 {
		t.Fatalf("%d daily chunks, want 4", len(chunks))
	}
	var all []event.Event
	a := New(DefaultOptions(), func(e *event.Event) { all = append(all, *e) })
	read(t, a, bytes.Join(chunks, nil))
	a.Finish()
	want := runtest.Canonical(t, all)
	spanning := 0
	for _, e := range all {
		if e.Start.UTC().Truncate(24*time.Hour) != e.End.UTC().Truncate(24*time.Hour) {
			spanning++
		}
	}
	if spanning == 0 {
		t.Fatal("no event spans midnight: the scenario does not test carrying state")
	}

	got := runSplit(t, chunks, true)
	if diff := runtest.Text(runtest.Diff(got, want)); diff != "" {
		t.Fatalf("daily runs with checkpoints differ from one pass (%d events, %d spanning midnight):\n%s", len(want), spanning, diff)
	}
	t.Logf("%d events (%d spanning midnight) identical in daily runs and one pass", len(want), spanning)

	// Without the checkpoints the daily runs are wrong: the comparison
	// above can fail.
	if len(runtest.Diff(runSplit(t, chunks, false), want)) == 0 {
		t.Fatal("daily runs without checkpoints match one pass too: the test proves nothing")
	}
}

// firstDay returns an Analyzer that read the first of two days of 30
// simulated vessels, and both days.
func firstDay(t *testing.T) (*Analyzer, [][]byte) {
	t.Helper()
	if testing.Short() {
		t.Skip("simulates a scenario and loads the land index")
	}
	chunks := splitDays(t, 5, 2, 30)
	a := New(DefaultOptions(), func(*event.Event) {})
	read(t, a, chunks[0])
	return a, chunks
}

// TestSnapshotRoundTrip: a restored Analyzer snapshots to the same bytes,
// so every field of the state survived (the codec carries unexported
// fields by reflection; a field it could not encode fails here).
func TestSnapshotRoundTrip(t *testing.T) {
	a, _ := firstDay(t)
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b := New(DefaultOptions(), func(*event.Event) {})
	for m, data := range snap {
		if err := b.Restore(m, data); err != nil {
			t.Fatal(err)
		}
	}
	b.cp = checkpoints{} // snapshot everything again, not only what changed
	again, err := b.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(snap) {
		t.Fatalf("restored state has %d blobs, saved %d", len(again), len(snap))
	}
	for m, data := range snap {
		if !bytes.Equal(again[m], data) {
			t.Fatalf("vessel %d: state changed in a save and restore (%d bytes -> %d)", m, len(data), len(again[m]))
		}
	}
	if !reflect.DeepEqual(a.tracker.MMSIs(), b.tracker.MMSIs()) {
		t.Fatal("tracker vessels differ after restore")
	}
}

// BenchmarkSnapshot saves the whole state of a day of 100 vessels (what a
// daily ingest stores after each file, at worst: every vessel changed).
func BenchmarkSnapshot(b *testing.B) {
	a, snap := benchState(b)
	b.ResetTimer()
	for range b.N {
		a.cp = checkpoints{}
		if _, err := a.Snapshot(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(snapBytes(snap))/1e6, "MB/snapshot")
}

// BenchmarkRestore loads it into a fresh Analyzer (made outside the timer).
func BenchmarkRestore(b *testing.B) {
	_, snap := benchState(b)
	for range b.N {
		b.StopTimer()
		a := New(DefaultOptions(), func(*event.Event) {})
		b.StartTimer()
		for m, data := range snap {
			if err := a.Restore(m, data); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func benchState(b *testing.B) (*Analyzer, map[uint32][]byte) {
	chunks := splitDays(b, 3, 2, 100)
	a := New(DefaultOptions(), func(*event.Event) {})
	r, _, err := source.NewReader(bytes.NewReader(chunks[0]))
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Read(r); err != nil {
		b.Fatal(err)
	}
	snap, err := a.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	return a, snap
}

func snapBytes(m map[uint32][]byte) int {
	n := 0
	for _, b := range m {
		n += len(b)
	}
	return n
}

// TestSnapshotPartsAgree: a Snapshot encoded in parts side by side (as
// on a national feed's thousands of vessels) is the one encoded serially,
// what changed included.
func TestSnapshotPartsAgree(t *testing.T) {
	a, chunks := firstDay(t)
	snaps := map[int]map[uint32][]byte{}
	for _, parts := range []int{1, 4, 31} {
		a.cp = checkpoints{}
		s, err := a.snapshot(parts, 1)
		if err != nil {
			t.Fatal(err)
		}
		snaps[parts] = s
	}
	if len(snaps[1]) < 20 {
		t.Fatalf("only %d blobs in a day of 30 vessels", len(snaps[1]))
	}
	for _, parts := range []int{4, 31} {
		if !reflect.DeepEqual(snaps[parts], snaps[1]) {
			t.Fatalf("%d parts: the snapshot differs from one part's", parts)
		}
	}
	// Only what changed: the next day's vessels, and the shared state.
	read(t, a, chunks[1])
	again, err := a.snapshot(4, 1)
	if err != nil {
		t.Fatal(err)
	}
	b := New(DefaultOptions(), func(*event.Event) {})
	for m, data := range snaps[31] {
		if err := b.Restore(m, data); err != nil {
			t.Fatal(err)
		}
	}
	read(t, b, chunks[1])
	serial, err := b.snapshot(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) == 0 || !reflect.DeepEqual(again, serial) {
		t.Fatalf("second snapshot: %d blobs in parts, %d serially", len(again), len(serial))
	}
	if _, ok := again[0]; !ok {
		t.Fatal("the shared state changed in a day and was not saved")
	}
}
