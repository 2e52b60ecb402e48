package eval

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

func ev(typ event.Type, mmsi uint32, startH, endH float64) event.Event {
	return event.Event{Type: typ, MMSI: mmsi, Start: at(startH), End: at(endH)}
}

func visit(mmsi uint32, startH, endH float64, id string, lat, lon float64) event.Event {
	e := ev(event.PortVisit, mmsi, startH, endH)
	e.PortID, e.Lat, e.Lon = id, lat, lon
	return e
}

func score(t *testing.T, r Result, typ event.Type) Score {
	t.Helper()
	for _, s := range r.Types {
		if s.Type == typ {
			return s
		}
	}
	t.Fatalf("no score for %s", typ)
	return Score{}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func sampleTruth() []event.Event {
	enc := ev(event.Encounter, 111, 10, 14)
	enc.OtherMMSI = 222
	id := ev(event.IdentityChange, 333, 30, 30)
	id.OtherMMSI = 444
	return []event.Event{
		visit(111, 0, 20, "12345", 42.75, 133.05),
		enc,
		ev(event.Gap, 111, 40, 60),
		id,
	}
}

func TestPerfectMatch(t *testing.T) {
	tr := sampleTruth()
	r := Evaluate(tr, tr, DefaultConfig())
	if r.Overall.TP != 4 || r.Overall.FP != 0 || r.Overall.FN != 0 || !near(r.Overall.F1, 1) {
		t.Fatalf("overall = %+v, want 4 TP and F1 1", r.Overall)
	}
	for _, typ := range []event.Type{event.PortVisit, event.Encounter, event.Gap, event.IdentityChange} {
		if s := score(t, r, typ); !near(s.F1, 1) || s.TP != 1 {
			t.Errorf("%s: %+v", typ, s)
		}
	}
}

func TestMissLowersRecall(t *testing.T) {
	tr := sampleTruth()
	r := Evaluate(tr, tr[1:], DefaultConfig())
	s := score(t, r, event.PortVisit)
	if s.FN != 1 || s.TP != 0 || !near(s.Recall, 0) {
		t.Fatalf("port visit = %+v, want one FN", s)
	}
	if !near(r.Overall.Recall, 0.75) || !near(r.Overall.Precision, 1) {
		t.Fatalf("overall = %+v, want recall 0.75 precision 1", r.Overall)
	}
	if len(r.Missed) != 1 || r.Missed[0].Event.Type != event.PortVisit {
		t.Fatalf("missed = %+v", r.Missed)
	}
}

func TestSpuriousLowersPrecision(t *testing.T) {
	tr := sampleTruth()
	det := append(append([]event.Event{}, tr...), ev(event.Loitering, 555, 5, 15))
	r := Evaluate(tr, det, DefaultConfig())
	s := score(t, r, event.Loitering)
	if s.FP != 1 || !near(s.Precision, 0) {
		t.Fatalf("loitering = %+v, want one FP", s)
	}
	if !near(r.Overall.Precision, 0.8) || !near(r.Overall.Recall, 1) {
		t.Fatalf("overall = %+v, want precision 0.8", r.Overall)
	}
	if len(r.Spurious) != 1 || r.Spurious[0].Event.MMSI != 555 {
		t.Fatalf("spurious = %+v", r.Spurious)
	}
}

func TestTimeTolerance(t *testing.T) {
	tr := []event.Event{ev(event.IdentityChange, 1, 10, 10)}
	cfg := DefaultConfig()
	for _, c := range []struct {
		shiftH float64
		match  bool
	}{{0.5, true}, {-0.9, true}, {1, true}, {1.5, false}, {-3, false}} {
		det := []event.Event{ev(event.IdentityChange, 1, 10+c.shiftH, 10+c.shiftH)}
		r := Evaluate(tr, det, cfg)
		if got := r.Overall.TP == 1; got != c.match {
			t.Errorf("shift %vh: matched=%v, want %v (%+v)", c.shiftH, got, c.match, r.Overall)
		}
	}
	// Per-type override tightens it.
	cfg.TypeTolerance = map[event.Type]time.Duration{event.IdentityChange: 10 * time.Minute}
	r := Evaluate(tr, []event.Event{ev(event.IdentityChange, 1, 10.5, 10.5)}, cfg)
	if r.Overall.TP != 0 || r.Overall.FP != 1 || r.Overall.FN != 1 {
		t.Fatalf("with 10 min tolerance a 30 min shift must not match: %+v", r.Overall)
	}
	if !strings.Contains(r.Missed[0].Reason, "time") {
		t.Errorf("reason %q should name time", r.Missed[0].Reason)
	}
}

func TestLongEventShiftedBeyondTolerance(t *testing.T) {
	tr := []event.Event{ev(event.Gap, 7, 0, 12)}
	r := Evaluate(tr, []event.Event{ev(event.Gap, 7, 15, 30)}, DefaultConfig())
	if r.Overall.TP != 0 {
		t.Fatalf("gap 3 h after the truth ended matched: %+v", r.Overall)
	}
	r = Evaluate(tr, []event.Event{ev(event.Gap, 7, 12.5, 30)}, DefaultConfig())
	if r.Overall.TP != 1 {
		t.Fatalf("gap 30 min after the truth ended did not match: %+v", r.Overall)
	}
	r = Evaluate(tr, []event.Event{ev(event.Gap, 7, 11, 30)}, DefaultConfig())
	if r.Overall.TP != 1 {
		t.Fatalf("overlapping gap did not match: %+v", r.Overall)
	}
}

func TestEncounterPairOrder(t *testing.T) {
	tr := ev(event.Encounter, 111, 0, 4)
	tr.OtherMMSI = 222
	d := ev(event.Encounter, 222, 0.2, 4.5)
	d.OtherMMSI = 111
	r := Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig())
	if r.Overall.TP != 1 {
		t.Fatalf("swapped pair did not match: %+v", r.Overall)
	}
	d.OtherMMSI = 333
	r = Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig())
	if r.Overall.TP != 0 {
		t.Fatalf("different partner matched: %+v", r.Overall)
	}
}

func TestIdentityChangeEitherOrder(t *testing.T) {
	tr := ev(event.IdentityChange, 900, 5, 5)
	tr.OtherMMSI = 800
	d := ev(event.IdentityChange, 800, 5.2, 5.2)
	d.OtherMMSI = 900
	if r := Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig()); r.Overall.TP != 1 {
		t.Fatalf("reversed identity change did not match: %+v", r.Overall)
	}
	d.OtherMMSI = 0
	if r := Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig()); r.Overall.TP != 0 {
		t.Fatalf("identity change without the old number matched a hull swap: %+v", r.Overall)
	}
}

func TestOneToOne(t *testing.T) {
	tr := []event.Event{ev(event.Loitering, 5, 0, 10)}
	det := []event.Event{ev(event.Loitering, 5, 0, 4), ev(event.Loitering, 5, 1, 10)}
	r := Evaluate(tr, det, DefaultConfig())
	s := score(t, r, event.Loitering)
	if s.TP != 1 || s.FP != 1 || s.FN != 0 {
		t.Fatalf("two detections for one truth: %+v, want 1 TP 1 FP", s)
	}
	// The better overlap (1..10, IoU 0.9) wins.
	if !r.Matches[0].Detection.Start.Equal(at(1)) {
		t.Errorf("matched %v, want the 1..10 detection", r.Matches[0].Detection.Start)
	}
	if !strings.Contains(r.Spurious[0].Reason, "already matched") {
		t.Errorf("reason %q", r.Spurious[0].Reason)
	}
}

func TestGreedyPrefersBestOverlap(t *testing.T) {
	// Two truth visits back to back; two detections each overlapping both
	// a little. Best overlap must pair them crosswise-free.
	tr := []event.Event{ev(event.Gap, 5, 0, 10), ev(event.Gap, 5, 10.5, 20)}
	det := []event.Event{ev(event.Gap, 5, 9.8, 20), ev(event.Gap, 5, 0, 10.2)}
	r := Evaluate(tr, det, DefaultConfig())
	if r.Overall.TP != 2 {
		t.Fatalf("%+v", r.Overall)
	}
	for _, m := range r.Matches {
		if m.IoU < 0.9 {
			t.Errorf("poor pairing %v..%v with %v..%v", m.Truth.Start, m.Truth.End, m.Detection.Start, m.Detection.End)
		}
	}
}

func TestPortRule(t *testing.T) {
	tr := []event.Event{visit(1, 0, 10, "100", 42.80, 132.90)}
	cases := []struct {
		name  string
		d     event.Event
		match bool
	}{
		{"same id", visit(1, 0, 10, "100", 0, 0), true},
		{"other id 2 km away", visit(1, 0, 10, "101", 42.80, 132.925), true},
		{"other id 30 km away", visit(1, 0, 10, "102", 42.80, 133.27), false},
		{"other id no position", visit(1, 0, 10, "103", 0, 0), false},
		{"other vessel", visit(2, 0, 10, "100", 42.80, 132.90), false},
	}
	for _, c := range cases {
		r := Evaluate(tr, []event.Event{c.d}, DefaultConfig())
		if got := r.Overall.TP == 1; got != c.match {
			t.Errorf("%s: matched=%v want %v", c.name, got, c.match)
		}
	}
}

func TestSatelliteExcluded(t *testing.T) {
	dark := visit(9, 0, 10, "200", 39.0, 125.0)
	dark.Source = event.SourceSatellite
	seen := visit(9, 20, 30, "201", 39.1, 125.1)
	tr := []event.Event{dark, seen}

	r := Evaluate(tr, []event.Event{seen}, DefaultConfig())
	if r.ExcludedTruth != 1 || r.Overall.FN != 0 || !near(r.Overall.Recall, 1) {
		t.Fatalf("default: %+v excluded %d", r.Overall, r.ExcludedTruth)
	}
	// A detection of the dark visit is neither rewarded nor punished.
	r = Evaluate(tr, []event.Event{seen, dark}, DefaultConfig())
	if r.Overall.FP != 0 || r.Overall.Ignored != 1 || r.Overall.TP != 1 {
		t.Fatalf("detected dark visit: %+v", r.Overall)
	}

	cfg := DefaultConfig()
	cfg.IncludeSatellite = true
	r = Evaluate(tr, []event.Event{seen}, cfg)
	if r.Overall.FN != 1 || !near(r.Overall.Recall, 0.5) {
		t.Fatalf("included: %+v", r.Overall)
	}
}

func TestVoyageGroups(t *testing.T) {
	tr := ev(event.Voyage, 1, 0, 50)
	tr.FromGroup, tr.PortGroup = "RU-FE", "KP"
	d := tr
	d.PortGroup = "CN"
	if r := Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig()); r.Overall.TP != 0 {
		t.Fatal("voyage to another group matched")
	}
	d.PortGroup = ""
	if r := Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig()); r.Overall.TP != 1 {
		t.Fatal("voyage without group did not match")
	}
}

func TestTypesFilterAndEmpty(t *testing.T) {
	tr := []event.Event{ev(event.DarkDetection, 1, 0, 0), ev(event.Gap, 1, 0, 20)}
	r := Evaluate(tr, nil, DefaultConfig())
	if r.Skipped[event.DarkDetection] != 1 {
		t.Errorf("skipped = %v", r.Skipped)
	}
	if s := score(t, r, event.Spoofing); !near(s.F1, 1) || s.Truth != 0 {
		t.Errorf("absent type should score 1: %+v", s)
	}
	if s := score(t, r, event.Gap); s.FN != 1 || !near(s.F1, 0) {
		t.Errorf("gap: %+v", s)
	}
	cfg := DefaultConfig()
	cfg.Types = []event.Type{event.DarkDetection}
	r = Evaluate(tr, tr[:1], cfg)
	if len(r.Types) != 1 || r.Types[0].TP != 1 || r.Skipped[event.Gap] != 1 {
		t.Errorf("filtered: %+v", r)
	}
}

func TestDarkVisitTruthAlwaysScored(t *testing.T) {
	tr := visit(9, 0, 30, "200", 39.0, 125.0)
	tr.Type, tr.Source = event.PossibleDarkPortVisit, event.SourceSatellite
	r := Evaluate([]event.Event{tr}, nil, DefaultConfig())
	if r.ExcludedTruth != 0 || r.Overall.FN != 1 {
		t.Fatalf("satellite-marked possible dark visit left out: %+v", r.Overall)
	}
	d := tr
	d.Source = event.SourceAIS
	if r := Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig()); r.Overall.TP != 1 {
		t.Fatalf("not matched: %+v", r.Overall)
	}
}

func TestDarkVisitGroupRule(t *testing.T) {
	tr := visit(9, 0, 30, "60510", 42.23, 130.30)
	tr.Type, tr.PortGroup = event.PossibleDarkPortVisit, "KP"
	d := visit(9, 0, 30, "60500", 41.77, 129.82) // another KP port, ~65 km away
	d.Type, d.PortGroup = event.PossibleDarkPortVisit, "KP"
	if r := Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig()); r.Overall.TP != 1 {
		t.Fatalf("same-group dark visit did not match: %+v", r.Missed)
	}
	cfg := DefaultConfig()
	cfg.DarkSamePort = true
	if r := Evaluate([]event.Event{tr}, []event.Event{d}, cfg); r.Overall.TP != 0 {
		t.Fatal("DarkSamePort ignored")
	}
	d.PortGroup = "RU-FE"
	if r := Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig()); r.Overall.TP != 0 {
		t.Fatal("dark visit in another group matched")
	}
	// Port visits keep the distance rule.
	tr.Type, d.Type, d.PortGroup = event.PortVisit, event.PortVisit, "KP"
	if r := Evaluate([]event.Event{tr}, []event.Event{d}, DefaultConfig()); r.Overall.TP != 0 {
		t.Fatal("port visit matched a port 65 km away")
	}
}
