package eval

import (
	"github.com/lookout-osint/lookout/event"
)

// Identity kinds scored on their own (issue 18): an identity_change is a
// cloned MMSI (two hulls using one number at once) or flag hopping (one
// hull re-registered under a new number, flag and name) whatever else the
// two sides put in the evidence; the other changes (renames, numbers
// linked otherwise) are only scored with the type.
const (
	KindClonedMMSI  = "cloned_mmsi"
	KindFlagHopping = "flag_hopping"
)

var identityKinds = []string{KindClonedMMSI, KindFlagHopping}

// IdentityKind is the kind of an identity_change: the simulator's truth
// says it in evidence.reason, the detector says cloned_mmsi there and
// marks flag hopping with evidence.flag_hopping (its reason being how the
// hull was known: imo_reused, hull_reappeared).
func IdentityKind(e *event.Event) string {
	r, _ := e.Evidence["reason"].(string)
	if r == KindClonedMMSI || r == KindFlagHopping {
		return r
	}
	if f, _ := e.Evidence["flag_hopping"].(bool); f {
		return KindFlagHopping
	}
	return ""
}

// IdentityCounts is how many identity_change events were detected for how
// many real changes (truth events), and the most detections that could
// match one real change: more than one is an alternation storm (two hulls
// sending their static data in turn made 167 changes of one MMSI).
type IdentityCounts struct {
	Truth       int `json:"truth"`
	Detected    int `json:"detected"`
	MaxPerTruth int `json:"max_per_truth"`
}

// kindScores scores each identity kind: a true positive is a matched pair
// of that kind on both sides; the rest of that kind's truth events are
// missed and the rest of its detections spurious.
func kindScores(res *Result, truth, detected []event.Event, excluded []bool) []Score {
	var out []Score
	for _, k := range identityKinds {
		s := Score{Type: event.Type(string(event.IdentityChange) + "/" + k)}
		for i := range truth {
			if truth[i].Type == event.IdentityChange && !excluded[i] && IdentityKind(&truth[i]) == k {
				s.Truth++
			}
		}
		for i := range detected {
			if detected[i].Type == event.IdentityChange && IdentityKind(&detected[i]) == k {
				s.Detected++
			}
		}
		for i := range res.Matches {
			m := &res.Matches[i]
			if m.Truth.Type == event.IdentityChange && IdentityKind(&m.Truth) == k && IdentityKind(&m.Detection) == k {
				s.TP++
			}
		}
		if s.Truth+s.Detected == 0 {
			continue
		}
		s.FN, s.FP = s.Truth-s.TP, s.Detected-s.TP
		s.ratios()
		out = append(out, s)
	}
	return out
}

// identityCounts counts identity changes per real change; nil when
// neither side has any.
func identityCounts(truth, detected []event.Event, cfg *Config) *IdentityCounts {
	c := &IdentityCounts{}
	var det []event.Event
	for i := range detected {
		if detected[i].Type == event.IdentityChange {
			c.Detected++
			det = append(det, detected[i])
		}
	}
	byKey := index(det)
	for i := range truth {
		t := &truth[i]
		if t.Type != event.IdentityChange {
			continue
		}
		c.Truth++
		n := 0
		for _, j := range byKey[keyOf(t)] {
			if _, reason := check(t, &det[j], cfg); reason == "" {
				n++
			}
		}
		c.MaxPerTruth = max(c.MaxPerTruth, n)
	}
	if c.Truth+c.Detected == 0 {
		return nil
	}
	return c
}
