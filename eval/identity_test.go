package eval

import (
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/event"
)

// The identity kinds of issue 18 are scored on their own, and identity
// changes are counted per real change so an alternation storm shows.
func TestIdentityKindsAndStorms(t *testing.T) {
	clone := ev(event.IdentityChange, 5, 10, 18)
	clone.Evidence = map[string]any{"reason": "cloned_mmsi"}
	hop := ev(event.IdentityChange, 6, 40, 41)
	hop.OtherMMSI, hop.Evidence = 7, map[string]any{"reason": "flag_hopping"}
	truth := []event.Event{clone, hop}

	// The detector: the hop found (its reason says how, flag_hopping is a
	// mark), the clone found once but also as a storm of changes.
	dhop := hop
	dhop.Evidence = map[string]any{"reason": "imo_reused", "flag_hopping": true}
	det := []event.Event{clone, dhop}
	for h := 10.0; h < 18; h += 0.5 {
		det = append(det, ev(event.IdentityChange, 5, h, h))
	}
	r := Evaluate(truth, det, DefaultConfig())
	want := map[event.Type][3]int{"identity_change/cloned_mmsi": {1, 1, 1}, "identity_change/flag_hopping": {1, 1, 1}}
	if len(r.Kinds) != 2 {
		t.Fatalf("kinds %+v, want cloned_mmsi and flag_hopping", r.Kinds)
	}
	for _, k := range r.Kinds {
		if w := want[k.Type]; k.Truth != w[0] || k.Detected != w[1] || k.TP != w[2] {
			t.Errorf("%s: %+v, want truth/detected/tp %v", k.Type, k, w)
		}
	}
	if c := r.Identity; c == nil || c.Truth != 2 || c.Detected != 18 || c.MaxPerTruth != 17 {
		t.Errorf("identity counts %+v, want 18 detected for 2, 17 on the clone", c)
	}
	// A hop found without its mark is the type's, not the kind's.
	dhop.Evidence = map[string]any{"reason": "imo_reused"}
	r = Evaluate(truth, []event.Event{clone, dhop}, DefaultConfig())
	for _, k := range r.Kinds {
		if k.Type == "identity_change/flag_hopping" && (k.TP != 0 || k.FN != 1 || k.Detected != 0) {
			t.Errorf("unmarked hop scored as flag hopping: %+v", k)
		}
	}
	if s := score(t, r, event.IdentityChange); s.TP != 2 {
		t.Errorf("identity_change %+v, want both matched", s)
	}
	var b strings.Builder
	if err := WriteTable(&b, r, false); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"identity_change/cloned_mmsi", "identity_change/flag_hopping", "identity changes: 2 detected for 2 real changes, at most 1 on one real change"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("table lacks %q:\n%s", w, b.String())
		}
	}
}
