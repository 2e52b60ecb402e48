// Package eval scores detected events against ground truth (the simulator's
// truth.jsonl) with precision, recall and F1 per event type and overall.
//
// # Matching rules
//
// A detection D can match a truth event T only when all of these hold:
//
//   - Same type.
//   - Same vessel. For encounters the unordered pair {mmsi, other_mmsi} must
//     be equal (A meets B is B meets A). For identity_change the unordered
//     pair {mmsi, other_mmsi} must be equal too, so a hull that moved from
//     number X to Y matches whether the detector reports mmsi=Y other_mmsi=X
//     (the documented order) or the reverse; a change without a second number
//     (other_mmsi 0) needs the same mmsi and no other_mmsi on either side. For
//     every other type the mmsi must be equal.
//   - Time. The intervals [start, end] overlap, or the time between them
//     (from the end of the earlier to the start of the later) is at most the
//     type's tolerance (Config.Tolerance, default 1 h, overridable per type
//     in Config.TypeTolerance). For near-instant events (start == end, such
//     as identity changes) this means the starts lie within the tolerance.
//   - Place, for port_visit and possible_dark_port_visit: the same port_id,
//     or, when the ids differ or one is missing, port positions (lat/lon)
//     within Config.PortKm (default 5 km): World Port Index points are
//     rounded to an arc-minute and neighbouring terminals carry different
//     numbers, so the same call can be attributed to a neighbouring entry.
//     For possible_dark_port_visit, a port of the same port_group also
//     matches (unless Config.DarkSamePort): the visit is inferred from a
//     gap, so which of several reachable neighbouring ports (Rajin or
//     Sonbong) cannot be told from AIS; the claim is "possibly in KP".
//     For voyages, port_group and from_group must agree when both sides give
//     them.
//
// Each truth event is matched at most once and each detection at most once.
// Among all admissible pairs the assignment is greedy: pairs are taken in
// order of decreasing overlap (intersection over union of the two
// intervals), then increasing time distance between the intervals, then
// increasing difference of start times, then input order. A second detection
// of an already matched truth event is a false positive.
//
// Truth events with source "satellite" describe behaviour AIS cannot show
// (a visit made with the transponder off). By default they are left out of
// recall, and a detection whose only admissible partner is such an event is
// neither a true nor a false positive (it is counted as Ignored); set
// Config.IncludeSatellite to score them like any other truth event. The
// exception is possible_dark_port_visit: it is inferred from what AIS shows
// (a gap long enough to reach the port), so it is always scored even when
// truth marks it satellite because the visit behind it was seen only from
// space.
//
// Precision is TP/(TP+FP) and recall TP/(TP+FN); with an empty denominator
// (nothing detected, or nothing to find) the value is 1, so a type that is
// neither present nor detected does not drag the overall figures. F1 is their
// harmonic mean. Overall figures are micro-averaged: counts are summed over
// types before the ratios are taken.
//
// Two kinds of identity_change are also scored on their own (see
// IdentityKind): a true positive of a kind is a matched pair of that kind on
// both sides. Identity changes are counted per real change (IdentityCounts)
// so that many detections on one change, an alternation storm, show.
package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// Config holds the matching tolerances.
type Config struct {
	// Tolerance is how far apart two intervals that do not overlap may be.
	Tolerance time.Duration
	// TypeTolerance overrides Tolerance for some types.
	TypeTolerance map[event.Type]time.Duration
	// PortKm is how far apart two port positions may be and still be taken
	// for the same port when their ids differ.
	PortKm float64
	// IncludeSatellite scores truth events that only a satellite could see.
	IncludeSatellite bool
	// DarkSamePort holds possible dark port visits to the port rule of port
	// visits instead of accepting any port of the same group.
	DarkSamePort bool
	// Types restricts scoring to these types; events of other types are
	// counted in Result.Skipped. Empty means event.Types.
	Types []event.Type
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{Tolerance: time.Hour, PortKm: 5}
}

// Score holds the counts and ratios for one type or overall.
type Score struct {
	Type      event.Type `json:"type"`
	Truth     int        `json:"truth"`
	Detected  int        `json:"detected"`
	TP        int        `json:"tp"`
	FP        int        `json:"fp"`
	FN        int        `json:"fn"`
	Ignored   int        `json:"ignored,omitempty"`
	Precision float64    `json:"precision"`
	Recall    float64    `json:"recall"`
	F1        float64    `json:"f1"`
}

// Match is one truth event paired with one detection.
type Match struct {
	Truth     event.Event `json:"truth"`
	Detection event.Event `json:"detection"`
	// IoU is the intersection over union of the two (unwidened) intervals.
	IoU float64 `json:"iou"`
	// StartDiff is detection start minus truth start.
	StartDiff time.Duration `json:"start_diff_ns"`
}

// Miss is an unmatched event with the reason the closest candidate of the
// same type and vessel failed, so a detector author can see why.
type Miss struct {
	Event  event.Event `json:"event"`
	Reason string      `json:"reason"`
}

// Rules records the tolerances a Result was computed with, so a published
// figure can be reproduced.
type Rules struct {
	Tolerance        string            `json:"tolerance"`
	TypeTolerance    map[string]string `json:"type_tolerance,omitempty"`
	PortKm           float64           `json:"port_km"`
	IncludeSatellite bool              `json:"include_satellite"`
	DarkSamePort     bool              `json:"dark_same_port"`
}

// Result is the outcome of Evaluate.
type Result struct {
	Rules   Rules   `json:"rules"`
	Types   []Score `json:"types"`
	Overall Score   `json:"overall"`
	Matches []Match `json:"matches,omitempty"`
	// Missed are truth events left unmatched (false negatives).
	Missed []Miss `json:"missed,omitempty"`
	// Spurious are detections left unmatched (false positives).
	Spurious []Miss `json:"spurious,omitempty"`
	// ExcludedTruth counts satellite-only truth events left out of recall.
	ExcludedTruth int `json:"excluded_truth"`
	// Skipped counts events of types outside Config.Types.
	Skipped map[event.Type]int `json:"skipped,omitempty"`
	// Interference is the per-vessel check that GNSS interference gave no
	// vessel spoofing risk points (nil when truth has no interference).
	Interference *InterferencePoints `json:"interference_spoofing_points,omitempty"`
	// Kinds scores the identity_change kinds of issue 18 on their own
	// (type "identity_change/cloned_mmsi", ".../flag_hopping"), present
	// when either side has one.
	Kinds []Score `json:"kinds,omitempty"`
	// Identity counts identity changes per real change (nil when neither
	// side has any).
	Identity *IdentityCounts `json:"identity_changes,omitempty"`
	// Glitches counts spoofing detections on simulated GPS glitches (set
	// by the caller from glitches.jsonl, see CheckGlitches).
	Glitches *GlitchSpoofing `json:"glitch_spoofing,omitempty"`
}

type cand struct {
	t, d      int
	iou       float64
	gap       time.Duration
	startDiff time.Duration
}

// Evaluate matches detections against truth under cfg and scores them.
func Evaluate(truth, detected []event.Event, cfg Config) Result {
	types := cfg.Types
	if len(types) == 0 {
		types = event.Types
	}
	res := Result{Skipped: map[event.Type]int{}, Rules: Rules{
		Tolerance: cfg.Tolerance.String(), PortKm: cfg.PortKm, IncludeSatellite: cfg.IncludeSatellite, DarkSamePort: cfg.DarkSamePort}}
	for t, d := range cfg.TypeTolerance {
		if res.Rules.TypeTolerance == nil {
			res.Rules.TypeTolerance = map[string]string{}
		}
		res.Rules.TypeTolerance[string(t)] = d.String()
	}
	res.Interference = checkInterference(truth, detected)
	scores := map[event.Type]*Score{}
	for _, t := range types {
		scores[t] = &Score{Type: t}
	}
	var tr, det []event.Event
	var excluded []bool
	for _, e := range truth {
		s, ok := scores[e.Type]
		if !ok {
			res.Skipped[e.Type]++
			continue
		}
		ex := e.Source == event.SourceSatellite && !cfg.IncludeSatellite && e.Type != event.PossibleDarkPortVisit
		if ex {
			res.ExcludedTruth++
		} else {
			s.Truth++
		}
		tr = append(tr, e)
		excluded = append(excluded, ex)
	}
	for _, e := range detected {
		s, ok := scores[e.Type]
		if !ok {
			res.Skipped[e.Type]++
			continue
		}
		s.Detected++
		det = append(det, e)
	}

	// Admissible pairs, bucketed by type and vessel key to avoid comparing
	// everything with everything.
	byKey := index(tr)
	var cands []cand
	for j := range det {
		for _, i := range byKey[keyOf(&det[j])] {
			if c, reason := check(&tr[i], &det[j], &cfg); reason == "" {
				c.t, c.d = i, j
				cands = append(cands, c)
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.iou != b.iou {
			return -cmp.Compare(a.iou, b.iou)
		}
		if a.gap != b.gap {
			return cmp.Compare(a.gap, b.gap)
		}
		if c := cmp.Compare(abs(a.startDiff), abs(b.startDiff)); c != 0 {
			return c
		}
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		return cmp.Compare(a.d, b.d)
	})

	tUsed := make([]bool, len(tr))
	dUsed := make([]bool, len(det))
	// Real truth first, so a detection is never spent on a satellite-only
	// event when it could have been a true positive.
	for pass := 0; pass < 2; pass++ {
		for _, c := range cands {
			if tUsed[c.t] || dUsed[c.d] || excluded[c.t] != (pass == 1) {
				continue
			}
			tUsed[c.t], dUsed[c.d] = true, true
			s := scores[tr[c.t].Type]
			if excluded[c.t] {
				s.Ignored++
				continue
			}
			s.TP++
			res.Matches = append(res.Matches, Match{Truth: tr[c.t], Detection: det[c.d], IoU: c.iou, StartDiff: c.startDiff})
		}
	}
	detKey := index(det)
	for i := range tr {
		if !tUsed[i] && !excluded[i] {
			scores[tr[i].Type].FN++
			res.Missed = append(res.Missed, Miss{Event: tr[i], Reason: why(&tr[i], det, dUsed, detKey, &cfg)})
		}
	}
	for j := range det {
		if !dUsed[j] {
			scores[det[j].Type].FP++
			res.Spurious = append(res.Spurious, Miss{Event: det[j], Reason: why(&det[j], tr, tUsed, byKey, &cfg)})
		}
	}

	// Misses grouped by type in report order, then by time, so a detector
	// author reads the ones of their type together.
	rank := map[event.Type]int{}
	for i, t := range types {
		rank[t] = i
	}
	byTypeTime := func(a, b Miss) int {
		return cmp.Or(cmp.Compare(rank[a.Event.Type], rank[b.Event.Type]), a.Event.Start.Compare(b.Event.Start), cmp.Compare(a.Event.MMSI, b.Event.MMSI))
	}
	slices.SortStableFunc(res.Missed, byTypeTime)
	slices.SortStableFunc(res.Spurious, byTypeTime)

	res.Kinds = kindScores(&res, tr, det, excluded)
	res.Identity = identityCounts(tr, det, &cfg)

	res.Overall.Type = "overall"
	for _, t := range types {
		s := scores[t]
		s.ratios()
		res.Types = append(res.Types, *s)
		o := &res.Overall
		o.Truth += s.Truth
		o.Detected += s.Detected
		o.TP += s.TP
		o.FP += s.FP
		o.FN += s.FN
		o.Ignored += s.Ignored
	}
	res.Overall.ratios()
	if len(res.Skipped) == 0 {
		res.Skipped = nil
	}
	return res
}

func (s *Score) ratios() {
	s.Precision, s.Recall = 1, 1
	if s.TP+s.FP > 0 {
		s.Precision = float64(s.TP) / float64(s.TP+s.FP)
	}
	if s.TP+s.FN > 0 {
		s.Recall = float64(s.TP) / float64(s.TP+s.FN)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
}

// key buckets events that may match: same type and same vessel identity.
type key struct {
	typ  event.Type
	a, b uint32
}

func keyOf(e *event.Event) key {
	switch e.Type {
	case event.Encounter, event.IdentityChange:
		a, b := e.MMSI, e.OtherMMSI
		if a > b {
			a, b = b, a
		}
		return key{e.Type, a, b}
	}
	return key{typ: e.Type, a: e.MMSI}
}

func index(evs []event.Event) map[key][]int {
	m := map[key][]int{}
	for i := range evs {
		k := keyOf(&evs[i])
		m[k] = append(m[k], i)
	}
	return m
}

func (c *Config) tolerance(t event.Type) time.Duration {
	if d, ok := c.TypeTolerance[t]; ok {
		return d
	}
	return c.Tolerance
}

// check applies the time and place rules to a truth event and a detection
// that already share type and vessel key. It returns the ranking figures,
// and a reason when the pair is not admissible.
func check(t, d *event.Event, cfg *Config) (cand, string) {
	var c cand
	tol := cfg.tolerance(t.Type)
	c.startDiff = d.Start.Sub(t.Start)
	c.gap = intervalGap(t.Start, t.End, d.Start, d.End)
	if c.gap > tol {
		return c, "time: intervals " + c.gap.Round(time.Second).String() + " apart, tolerance " + tol.String()
	}
	c.iou = iou(t.Start, t.End, d.Start, d.End)
	switch t.Type {
	case event.PortVisit, event.PossibleDarkPortVisit:
		if t.PortID != "" && t.PortID == d.PortID {
			break
		}
		if t.Type == event.PossibleDarkPortVisit && !cfg.DarkSamePort && t.PortGroup != "" && t.PortGroup == d.PortGroup {
			break
		}
		if !hasPos(t) || !hasPos(d) {
			return c, "port: " + t.PortID + " vs " + d.PortID + " and no position to compare"
		}
		if dist := distanceKm(t.Lat, t.Lon, d.Lat, d.Lon); !(dist <= cfg.PortKm) {
			return c, fmt.Sprintf("port: %s vs %s, %.1f km apart", t.PortID, d.PortID, dist)
		}
	case event.Voyage:
		if t.PortGroup != "" && d.PortGroup != "" && t.PortGroup != d.PortGroup {
			return c, "voyage: destination group " + t.PortGroup + " vs " + d.PortGroup
		}
		if t.FromGroup != "" && d.FromGroup != "" && t.FromGroup != d.FromGroup {
			return c, "voyage: origin group " + t.FromGroup + " vs " + d.FromGroup
		}
	}
	return c, ""
}

// why explains an unmatched event by the closest event of the same type and
// vessel on the other side.
func why(e *event.Event, others []event.Event, used []bool, idx map[key][]int, cfg *Config) string {
	best, bestGap := -1, time.Duration(math.MaxInt64)
	for _, i := range idx[keyOf(e)] {
		g := intervalGap(e.Start, e.End, others[i].Start, others[i].End)
		if g < bestGap {
			best, bestGap = i, g
		}
	}
	if best < 0 {
		return "no event of this type for this vessel on the other side"
	}
	o := &others[best]
	_, reason := check(e, o, cfg)
	if reason == "" {
		if used[best] {
			return "closest candidate (start " + o.Start.UTC().Format(time.RFC3339) + ") already matched to another event"
		}
		return "closest candidate (start " + o.Start.UTC().Format(time.RFC3339) + ") left unmatched by the assignment"
	}
	return "closest candidate (start " + o.Start.UTC().Format(time.RFC3339) + "): " + reason
}

func intervalGap(s1, e1, s2, e2 time.Time) time.Duration {
	if e1.Before(s1) {
		e1 = s1
	}
	if e2.Before(s2) {
		e2 = s2
	}
	if s2.After(e1) {
		return s2.Sub(e1)
	}
	if s1.After(e2) {
		return s1.Sub(e2)
	}
	return 0
}

func iou(s1, e1, s2, e2 time.Time) float64 {
	lo, hi := later(s1, s2), earlier(e1, e2)
	inter := hi.Sub(lo)
	if inter <= 0 {
		return 0
	}
	union := later(e1, e2).Sub(earlier(s1, s2))
	return float64(inter) / float64(union)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// hasPos treats 0,0 as "no position": the Gulf of Guinea point is where
// zeroed structs land, not where ports are.
func hasPos(e *event.Event) bool { return e.Lat != 0 || e.Lon != 0 }

// distanceKm is the haversine distance on a sphere of mean Earth radius.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dlat := (lat2 - lat1) * rad
	dlon := (lon2 - lon1) * rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}
