package analyze

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lookout-osint/lookout/eval"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/sim"
)

// TestSimulatedScenario runs the whole chain over a short simulated
// scenario and scores it against the simulator's truth. The seed is one
// the detectors were never tuned on (tuning used seeds 1–3).
func TestSimulatedScenario(t *testing.T) {
	// Simulating and indexing land take minutes under -race on a shared
	// machine: opt in (scripts/bench-analyze and release checks set it).
	if testing.Short() || os.Getenv("LOOKOUT_E2E") == "" {
		t.Skip("set LOOKOUT_E2E=1 to simulate a scenario and score analyze against its truth")
	}
	dir := t.TempDir()
	if _, err := sim.Run(sim.Config{Seed: 7, Days: 4, Vessels: 40, Workers: 2}, dir); err != nil {
		t.Fatal(err)
	}
	var got []event.Event
	a := New(DefaultOptions(), func(e *event.Event) { got = append(got, *e) })
	r, _, closeFn, err := Open(filepath.Join(dir, "ais.nmea.gz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Read(r); err != nil {
		t.Fatal(err)
	}
	closeFn()
	tot := a.Finish()
	if tot.Messages == 0 || tot.Vessels == 0 {
		t.Fatalf("nothing read: %+v", tot)
	}
	f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	truth, _, err := event.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	res := eval.Evaluate(truth, got, eval.DefaultConfig())
	for _, s := range res.Types {
		t.Logf("%-26s truth %4d detected %4d  P %.3f R %.3f F1 %.3f", s.Type, s.Truth, s.Detected, s.Precision, s.Recall, s.F1)
		if s.Truth >= 5 && s.F1 < 0.9 {
			t.Errorf("%s: F1 %.3f below 0.9", s.Type, s.F1)
		}
	}
	if res.Overall.F1 < 0.95 {
		t.Errorf("overall F1 %.3f below 0.95", res.Overall.F1)
	}
}
