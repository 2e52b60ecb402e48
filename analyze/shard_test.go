package analyze

import (
	"bytes"
	"testing"

	"github.com/lookout-osint/lookout/event"
)

// analyzeWith runs the simulated scenario through an Analyzer with shards
// spoofing shards and returns its events as JSON lines and the totals.
func analyzeWith(t *testing.T, shards int) ([]byte, Totals) {
	var out bytes.Buffer
	w := event.NewWriter(&out)
	opt := DefaultOptions()
	opt.Shards = shards
	a := New(opt, func(e *event.Event) {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	})
	if err := a.Read(simulatedReader(t)); err != nil {
		t.Fatal(err)
	}
	tot := a.Finish()
	return out.Bytes(), tot
}

// TestShardsSameBytes: spoofing sharded over goroutines must give the
// bytes of the run on one goroutine, events in the same order, and the
// same counts.
func TestShardsSameBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	want, wantTot := analyzeWith(t, 1)
	if wantTot.Events[event.Spoofing] == 0 {
		t.Fatal("the scenario has no spoofing: it cannot test the shards")
	}
	for _, n := range []int{2, 3} {
		got, tot := analyzeWith(t, n)
		if !bytes.Equal(got, want) {
			gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
			for i := range min(len(gl), len(wl)) {
				if !bytes.Equal(gl[i], wl[i]) {
					t.Fatalf("%d shards: event %d differs:\n got %s\nwant %s", n, i, gl[i], wl[i])
				}
			}
			t.Fatalf("%d shards: %d lines, want %d", n, len(gl), len(wl))
		}
		for ty, c := range wantTot.Events {
			if tot.Events[ty] != c {
				t.Errorf("%d shards: %d %s events counted, want %d", n, tot.Events[ty], ty, c)
			}
		}
	}
	t.Logf("%d bytes of events, %v", len(want), wantTot.Events)
}
