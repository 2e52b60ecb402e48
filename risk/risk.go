// Package risk scores vessels for sanctions-evasion risk as a transparent
// sum of named factors. Every factor says how its points were counted and
// lists the IDs of the events behind them, so an analyst can open each one;
// the only factor not backed by events is the flag of convenience, which
// is backed by the flag the vessel broadcast (its MMSI's MID).
//
// The weights are judgements, not a fitted model; they are in Config and
// printed with every score so they can be argued with.
package risk

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/sanctions"
)

// Factor names, in the order scores list them.
const (
	Listed          = "listed"
	WatchedVisit    = "watched_port_visit"
	WatchedTrip     = "watched_trip"
	MeetListed      = "meeting_listed_vessel"
	MeetHighRisk    = "meeting_high_risk_vessel"
	DeliberateGap   = "deliberate_gap"
	DarkVisit       = "possible_dark_port_visit"
	Spoofing        = "spoofing"
	IdentityChange  = "identity_change"
	FlagChange      = "flag_change"
	STSCargo        = "cargo_change_at_sea"
	FlagConvenience = "flag_of_convenience"
)

// Rule is how one factor turns its events into points: Per points each
// (times the event's strength where the factor says so), at most Cap.
type Rule struct {
	Per float64
	Cap float64
}

// Config holds the weights and the places and lists the factors refer to.
type Config struct {
	Rules map[string]Rule
	// WatchedGroups are port groups whose visits count (default KP).
	WatchedGroups []string
	// Trips are the group pairs whose voyages count, either direction
	// (default RU-FE↔KP).
	Trips [][2]string
	// ListedMin is the weakest sanctions match that makes a vessel count as
	// listed for its partners in a meeting.
	ListedMin float64
	// HighRisk is the score (before meeting factors) from which a partner
	// counts as high-risk.
	HighRisk float64
	// FOC lists flags of convenience as ISO alpha-2 codes.
	FOC []string
	// UndeliberateDark scales a possible dark port visit whose gap the gap
	// detector judged not deliberate (others fell silent too).
	UndeliberateDark float64
}

// DefaultConfig returns the weights Lookout uses.
func DefaultConfig() Config {
	return Config{
		Rules: map[string]Rule{
			// A match counts Per × its strength once: the strongest match.
			Listed:         {Per: 50, Cap: 50},
			WatchedVisit:   {Per: 15, Cap: 45},
			WatchedTrip:    {Per: 10, Cap: 40},
			MeetListed:     {Per: 20, Cap: 40}, // × the partner's match strength
			MeetHighRisk:   {Per: 10, Cap: 30},
			DeliberateGap:  {Per: 8, Cap: 24},
			DarkVisit:      {Per: 12, Cap: 36}, // × the event's confidence
			Spoofing:       {Per: 10, Cap: 20},
			IdentityChange: {Per: 5, Cap: 20},
			FlagChange:     {Per: 8, Cap: 16},
			STSCargo:       {Per: 10, Cap: 20},
			// Once per vessel.
			FlagConvenience: {Per: 5, Cap: 5},
		},
		WatchedGroups:    []string{"KP"},
		Trips:            [][2]string{{"RU-FE", "KP"}},
		ListedMin:        0.5,
		HighRisk:         30,
		FOC:              slices.Clone(ITFFlagsOfConvenience2013),
		UndeliberateDark: 0.5,
	}
}

var factorOrder = []string{Listed, WatchedVisit, WatchedTrip, MeetListed, MeetHighRisk, DeliberateGap,
	DarkVisit, Spoofing, IdentityChange, FlagChange, STSCargo, FlagConvenience}

// Factor is one named part of a score.
type Factor struct {
	Name   string  `json:"name"`
	Points float64 `json:"points"`
	// Count is how many events (or flags) contributed.
	Count int `json:"count"`
	// Detail says how the points were counted.
	Detail   string   `json:"detail"`
	EventIDs []string `json:"event_ids,omitempty"`
}

// Score is one vessel's risk.
type Score struct {
	MMSI uint32 `json:"mmsi"`
	// Name is the vessel's latest reported name, when the caller knows it.
	Name    string   `json:"name,omitempty"`
	Total   float64  `json:"total"`
	Factors []Factor `json:"factors"`
}

// Vessel is what risk knows of a vessel besides its events.
type Vessel struct {
	MMSI uint32
	// Flag as ISO alpha-2 or a country name (from the MMSI's MID).
	Flag string
}

type contrib struct {
	id     string
	weight float64 // 1, or a strength/confidence
	note   string
}

// Scores scores every vessel that appears in events or vessels, highest
// first (ties by MMSI). The result depends only on the inputs, not on
// their order.
func Scores(cfg Config, events []event.Event, vessels []Vessel) []Score {
	per := map[uint32]map[string][]contrib{}
	add := func(mmsi uint32, factor string, c contrib) {
		if mmsi == 0 {
			return
		}
		m := per[mmsi]
		if m == nil {
			m = map[string][]contrib{}
			per[mmsi] = m
		}
		m[factor] = append(m[factor], c)
	}
	watched := func(g string) bool { return g != "" && slices.Contains(cfg.WatchedGroups, g) }
	trip := func(a, b string) bool {
		for _, t := range cfg.Trips {
			if (a == t[0] && b == t[1]) || (a == t[1] && b == t[0]) {
				return true
			}
		}
		return false
	}
	listed := map[uint32]float64{} // strongest sanctions match per vessel
	var encounters, darkVisits []*event.Event
	// Whether each gap looked deliberate, by vessel and start: a dark visit
	// inferred from a gap that looks like a reception hole is weaker.
	type gapKey struct {
		mmsi  uint32
		start int64
	}
	deliberate := map[gapKey]bool{}
	// GNSS interference by vessel: its spoofing then is not its own.
	interference := map[uint32][]*event.Event{}
	for i := range events {
		if e := &events[i]; e.Type == event.Gap {
			d, _ := e.Evidence["deliberate"].(bool)
			deliberate[gapKey{e.MMSI, e.Start.UnixNano()}] = d
		} else if e.Type == event.GNSSInterference {
			for _, m := range AffectedVessels(e) {
				interference[m] = append(interference[m], e)
			}
		}
	}
	for i := range events {
		e := &events[i]
		id := e.ID()
		switch e.Type {
		case event.SanctionsMatch:
			s := listedWeight(e.Confidence)
			if s > listed[e.MMSI] {
				listed[e.MMSI] = s
			}
			add(e.MMSI, Listed, contrib{id, s, fmt.Sprint(e.Evidence["entry_name"])})
		case event.PortVisit:
			if watched(e.PortGroup) {
				add(e.MMSI, WatchedVisit, contrib{id, 1, e.Port})
			}
		case event.Voyage:
			if trip(e.FromGroup, e.PortGroup) {
				add(e.MMSI, WatchedTrip, contrib{id, 1, e.FromGroup + "→" + e.PortGroup})
			}
		case event.Encounter:
			encounters = append(encounters, e)
		case event.Gap:
			if d, _ := e.Evidence["deliberate"].(bool); d {
				add(e.MMSI, DeliberateGap, contrib{id, 1, ""})
			}
		case event.PossibleDarkPortVisit:
			darkVisits = append(darkVisits, e)
		case event.Spoofing:
			if !interfered(e, interference) {
				add(e.MMSI, Spoofing, contrib{id, 1, ""})
			}
		case event.IdentityChange:
			factor := IdentityChange
			if flagChanged(e) {
				factor = FlagChange
			}
			// A hull that moved to a new MMSI: both numbers are that hull.
			add(e.MMSI, factor, contrib{id, 1, ""})
			add(e.OtherMMSI, factor, contrib{id, 1, ""})
		case event.DraughtChange:
			if ctx, _ := e.Evidence["context"].(string); ctx == string(event.Encounter) {
				add(e.MMSI, STSCargo, contrib{id, 1, ""})
			}
		}
	}
	for _, e := range darkVisits {
		w, note := clamp01(e.Confidence), e.Port
		if d, ok := deliberate[gapKey{e.MMSI, e.Start.UnixNano()}]; ok && !d {
			w *= cfg.UndeliberateDark
			note += " (gap not deliberate)"
		}
		add(e.MMSI, DarkVisit, contrib{e.ID(), round2(w), note})
	}
	flags := map[uint32]string{}
	for _, v := range vessels {
		if v.Flag != "" {
			flags[v.MMSI] = v.Flag
		}
		if per[v.MMSI] == nil {
			per[v.MMSI] = map[string][]contrib{}
		}
	}
	foc := map[string]bool{}
	for _, f := range cfg.FOC {
		foc[flagCode(f)] = true
	}

	// Meetings need each partner's standing: listed strength now, and the
	// score before meeting factors (so a score never feeds on itself).
	base := map[uint32]float64{}
	for mmsi, fs := range per {
		base[mmsi] = total(cfg, fs, flags[mmsi], foc)
	}
	for _, e := range encounters {
		id := e.ID()
		for _, pair := range [][2]uint32{{e.MMSI, e.OtherMMSI}, {e.OtherMMSI, e.MMSI}} {
			self, other := pair[0], pair[1]
			if self == 0 {
				continue
			}
			if per[self] == nil {
				per[self] = map[string][]contrib{}
			}
			switch {
			case listed[other] >= cfg.ListedMin:
				add(self, MeetListed, contrib{id, listed[other], fmt.Sprintf("with %d (listed, match %.2f)", other, listed[other])})
			case base[other] >= cfg.HighRisk:
				add(self, MeetHighRisk, contrib{id, 1, fmt.Sprintf("with %d (score %.1f)", other, base[other])})
			}
		}
	}

	out := make([]Score, 0, len(per))
	for mmsi, fs := range per {
		s := Score{MMSI: mmsi}
		for _, name := range factorOrder {
			if f, ok := factor(cfg, name, fs[name], flags[mmsi], foc); ok {
				s.Factors = append(s.Factors, f)
				s.Total += f.Points
			}
		}
		s.Total = round2(s.Total)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].MMSI < out[j].MMSI
	})
	return out
}

func total(cfg Config, fs map[string][]contrib, flag string, foc map[string]bool) float64 {
	t := 0.0
	for _, name := range factorOrder {
		if f, ok := factor(cfg, name, fs[name], flag, foc); ok {
			t += f.Points
		}
	}
	return t
}

// factor builds one factor from its contributions.
func factor(cfg Config, name string, cs []contrib, flag string, foc map[string]bool) (Factor, bool) {
	r := cfg.Rules[name]
	if r.Per == 0 {
		return Factor{}, false
	}
	if name == FlagConvenience {
		code := flagCode(flag)
		if flag == "" || !foc[code] {
			return Factor{}, false
		}
		return Factor{Name: name, Points: math.Min(r.Per, r.Cap), Count: 1,
			Detail: fmt.Sprintf("flag %s is on the flags-of-convenience list (from the MMSI's MID, not an event)", flag)}, true
	}
	if len(cs) == 0 {
		return Factor{}, false
	}
	// Sort for determinism: by weight (strongest first), then event ID.
	cs = slices.Clone(cs)
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].weight != cs[j].weight {
			return cs[i].weight > cs[j].weight
		}
		return cs[i].id < cs[j].id
	})
	cs = slices.CompactFunc(cs, func(a, b contrib) bool { return a.id == b.id })
	f := Factor{Name: name, Count: len(cs)}
	raw := 0.0
	if name == Listed {
		// The strongest match counts; the others are the same fact.
		raw = r.Per * cs[0].weight
		f.Detail = fmt.Sprintf("strongest sanctions match %.2f (%s) × %g", cs[0].weight, cs[0].note, r.Per)
	} else {
		for _, c := range cs {
			raw += r.Per * c.weight
		}
		f.Detail = fmt.Sprintf("%d × %g", len(cs), r.Per)
		if name == MeetListed || name == DarkVisit {
			f.Detail += " × strength"
		}
	}
	f.Points = round2(math.Min(raw, r.Cap))
	if raw > r.Cap {
		f.Detail += fmt.Sprintf(" = %.1f, capped at %g", raw, r.Cap)
	}
	var notes []string
	for _, c := range cs {
		f.EventIDs = append(f.EventIDs, c.id)
		if c.note != "" && name != Listed {
			notes = append(notes, c.note)
		}
	}
	if len(notes) > 0 {
		slices.Sort(notes)
		notes = slices.Compact(notes)
		f.Detail += " (" + strings.Join(notes, "; ") + ")"
	}
	return f, true
}

// flagChanged: an identity change whose changed fields include the flag,
// or a hull that moved between MMSIs of different flags.
func flagChanged(e *event.Event) bool {
	if fs, ok := e.Evidence["fields"].([]any); ok {
		for _, f := range fs {
			if f == "flag" {
				return true
			}
		}
	}
	if fs, ok := e.Evidence["fields"].([]string); ok && slices.Contains(fs, "flag") {
		return true
	}
	o, _ := e.Evidence["old_flag"].(string)
	n, _ := e.Evidence["new_flag"].(string)
	return o != "" && n != "" && o != n
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// listedWeight is how much a sanctions match of this strength counts. A
// match as strong as an exact, valid IMO number (or stronger: several
// fields agree) identifies the listed hull itself, so it counts in full: a
// UN-listed tanker must not fall short of the listed factor because its
// match is scored 0.985 rather than 1. Weaker matches (names, bad check
// digits) count by their strength.
func listedWeight(strength float64) float64 {
	if strength >= sanctions.StrengthIMO {
		return 1
	}
	return strength
}

// AffectedVessels lists the MMSIs a gnss_interference event names, as
// emitted ([]uint32) or read back from JSON ([]any of numbers).
func AffectedVessels(e *event.Event) []uint32 {
	switch vs := e.Evidence["vessels"].(type) {
	case []uint32:
		return vs
	case []any:
		out := make([]uint32, 0, len(vs))
		for _, v := range vs {
			if f, ok := v.(float64); ok {
				out = append(out, uint32(f))
			}
		}
		return out
	}
	return nil
}

// interfered says whether spoofing event e came from a GNSS interference
// that affected its vessel (FromInterference).
func interfered(e *event.Event, by map[uint32][]*event.Event) bool {
	for _, g := range by[e.MMSI] {
		if FromInterference(e, g) {
			return true
		}
	}
	return false
}

// interferenceLead is how much earlier than the interference's own start a
// spoofing event it caused may start: the area opens at its first vessel's
// jump, and a vessel's displaced fixes may come a report before that.
const interferenceLead = 10 * time.Minute

// FromInterference says whether spoofing event e began within GNSS
// interference g, so the displacement is the interference's, not the
// vessel's. A spoof that began before the interference and ran into it
// (a ship already on land that was then put on the circle: seed 7251) is
// the vessel's own and keeps its points.
func FromInterference(e, g *event.Event) bool {
	return !e.Start.Before(g.Start.Add(-interferenceLead)) && !e.Start.After(g.End)
}
