package analyze

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lookout-osint/lookout/eval"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/sim"
)

// TestSimulatedEncounters runs a short simulated scenario (five days, 40
// hulls: about two seconds) through the whole chain and checks that every
// ship-to-ship transfer AIS shows on both sides is found, and nothing else.
// Seed 11 once had only satellite-only transfers, so the detector was never
// exercised by a simulated stream; the test insists on a visible one.
func TestSimulatedEncounters(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	dir := t.TempDir()
	if _, err := sim.Run(sim.Config{Seed: 11, Days: 5, Vessels: 40, Workers: 2}, dir); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	truth, _, err := event.ReadAll(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	visible := 0
	for _, e := range truth {
		if e.Type == event.Encounter && e.Source == event.SourceAIS {
			visible++
		}
	}
	if visible == 0 {
		t.Fatal("the scenario has no ship-to-ship transfer visible in AIS, so it cannot test the detector")
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
	a.Finish()

	cfg := eval.DefaultConfig()
	cfg.Types = []event.Type{event.Encounter}
	res := eval.Evaluate(truth, got, cfg)
	for _, m := range res.Missed {
		t.Errorf("missed encounter %d/%d %s..%s: %s", m.Event.MMSI, m.Event.OtherMMSI, m.Event.Start, m.Event.End, m.Reason)
	}
	for _, m := range res.Spurious {
		t.Errorf("spurious encounter %d/%d %s..%s: %s", m.Event.MMSI, m.Event.OtherMMSI, m.Event.Start, m.Event.End, m.Reason)
	}
	if len(res.Types) != 1 || res.Types[0].TP != visible {
		t.Fatalf("encounters: %+v, want %d true positives", res.Types, visible)
	}
}
