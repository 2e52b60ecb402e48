package alert

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/risk"
)

// Alert is one rule firing for one vessel.
type Alert struct {
	// ID is stable for the same firing (rule and event ID, or rule, vessel,
	// kind and time), so deliveries can be deduplicated anywhere downstream.
	ID    string    `json:"id"`
	Rule  string    `json:"rule"`
	Kind  string    `json:"kind"`
	MMSI  uint32    `json:"mmsi"`
	Time  time.Time `json:"time"`
	Lat   float64   `json:"lat"`
	Lon   float64   `json:"lon"`
	Text  string    `json:"text"`
	Score float64   `json:"score,omitempty"`
	// Event is the event that fired the rule, if any.
	Event   *event.Event `json:"event,omitempty"`
	EventID string       `json:"event_id,omitempty"`
}

// Lister says whether a vessel is on the sanctions lists
// (sanctions.Default() is one).
type Lister interface {
	Listed(mmsi, imo uint32) bool
}

// Options tune an Engine.
type Options struct {
	Lists Lister
	// DarkAfter is how long a vessel last seen in or near a dark rule's
	// area must stay silent before the rule fires without waiting for the
	// gap event (which comes only when the vessel reappears). Default 2 h.
	DarkAfter time.Duration
	Risk      risk.Config
}

type ident struct {
	imo  uint32
	name string
}

type lastSeen struct {
	t        time.Time
	lat, lon float64
}

// Engine evaluates rules. Feed it identities, positions and events in
// (roughly) time order from one goroutine; each call returns the new
// alerts, never one with an ID it returned before.
type Engine struct {
	f      *File
	opt    Options
	ids    map[uint32]ident
	inside map[string]bool // rule + MMSI: last position inside the area
	last   map[uint32]lastSeen
	events map[uint32][]event.Event // per vessel, for risk scores
	seen   map[string]bool
	now    time.Time
}

// New returns an engine for the rules in f.
func New(f *File, opt Options) *Engine {
	if opt.DarkAfter <= 0 {
		opt.DarkAfter = 2 * time.Hour
	}
	if opt.Risk.Rules == nil {
		opt.Risk = risk.DefaultConfig()
	}
	return &Engine{f: f, opt: opt, ids: map[uint32]ident{}, inside: map[string]bool{},
		last: map[uint32]lastSeen{}, events: map[uint32][]event.Event{}, seen: map[string]bool{}}
}

// Identity records what a vessel says it is (static reports), for rules
// that select by IMO or name and for list membership by IMO.
func (e *Engine) Identity(mmsi, imo uint32, name string) {
	id := e.ids[mmsi]
	if imo != 0 {
		id.imo = imo
	}
	if name = ais.Text(name); name != "" {
		id.name = name
	}
	e.ids[mmsi] = id
}

func (e *Engine) listed(mmsi uint32) bool {
	return e.opt.Lists != nil && e.opt.Lists.Listed(mmsi, e.ids[mmsi].imo)
}

func (e *Engine) selects(r *Rule, mmsi uint32) bool {
	v := &r.Vessels
	if v.empty() {
		return true
	}
	if slices.Contains(v.MMSI, mmsi) {
		return true
	}
	id := e.ids[mmsi]
	if id.imo != 0 && slices.Contains(v.IMO, id.imo) {
		return true
	}
	for _, n := range v.Name {
		if id.name != "" && strings.EqualFold(strings.TrimSpace(n), id.name) {
			return true
		}
	}
	return v.Listed && e.listed(mmsi)
}

func (e *Engine) add(out []Alert, a Alert) []Alert {
	if e.seen[a.ID] {
		return out
	}
	e.seen[a.ID] = true
	return append(out, a)
}

func key(rule, kind string, mmsi uint32, t time.Time) string {
	return rule + "/" + kind + "/" + strconv.FormatUint(uint64(mmsi), 10) + "/" + strconv.FormatInt(t.Unix(), 10)
}

// Position evaluates enter and leave rules on one position and fires dark
// rules whose vessels have been silent long enough by t (the stream's
// clock: the latest receive time seen).
func (e *Engine) Position(mmsi uint32, t time.Time, lat, lon float64) []Alert {
	var out []Alert
	if t.After(e.now) {
		out = e.Tick(t)
	}
	e.last[mmsi] = lastSeen{t, lat, lon}
	for _, r := range e.f.Rules {
		if (r.Kind != KindEnter && r.Kind != KindLeave) || !e.selects(r, mmsi) {
			continue
		}
		k := r.Name + "/" + strconv.FormatUint(uint64(mmsi), 10)
		in := r.area.Near(lat, lon, r.NearKm)
		was, known := e.inside[k]
		e.inside[k] = in
		// A vessel first seen inside has not been seen entering.
		if !known || was == in || (r.Kind == KindEnter) != in {
			continue
		}
		verb := "entered"
		if !in {
			verb = "left"
		}
		out = e.add(out, Alert{ID: key(r.Name, r.Kind, mmsi, t), Rule: r.Name, Kind: r.Kind, MMSI: mmsi, Time: t,
			Lat: lat, Lon: lon, Text: fmt.Sprintf("%s %s %s", e.who(mmsi), verb, r.Area)})
	}
	return out
}

// Tick advances the clock to now and fires dark rules for vessels last
// seen in or near their area more than DarkAfter before now.
func (e *Engine) Tick(now time.Time) []Alert {
	if !now.After(e.now) {
		return nil
	}
	e.now = now
	var out []Alert
	for _, r := range e.f.Rules {
		if r.Kind != KindDark {
			continue
		}
		for mmsi, ls := range e.last {
			if now.Sub(ls.t) < e.opt.DarkAfter || !e.selects(r, mmsi) || !r.area.Near(ls.lat, ls.lon, r.NearKm) {
				continue
			}
			out = e.add(out, Alert{ID: key(r.Name, r.Kind, mmsi, ls.t), Rule: r.Name, Kind: r.Kind, MMSI: mmsi,
				Time: now, Lat: ls.lat, Lon: ls.lon,
				Text: fmt.Sprintf("%s silent for %s since %s, last seen near %s", e.who(mmsi),
					now.Sub(ls.t).Round(time.Minute), ls.t.UTC().Format(time.RFC3339), r.Area)})
		}
	}
	slices.SortFunc(out, func(a, b Alert) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (e *Engine) who(mmsi uint32) string {
	s := "MMSI " + strconv.FormatUint(uint64(mmsi), 10)
	if n := e.ids[mmsi].name; n != "" {
		s = n + " (" + s + ")"
	}
	if e.listed(mmsi) {
		s += " [listed]"
	}
	return s
}

// Event evaluates every event-driven rule on one detected event.
func (e *Engine) Event(ev *event.Event) []Alert {
	var out []Alert
	id := ev.ID()
	evc := *ev
	mk := func(r *Rule, text string) Alert {
		return Alert{ID: r.Name + "/" + id, Rule: r.Name, Kind: r.Kind, MMSI: ev.MMSI, Time: ev.End,
			Lat: ev.Lat, Lon: ev.Lon, Text: text, Event: &evc, EventID: id}
	}
	riskRules := false
	for _, r := range e.f.Rules {
		switch r.Kind {
		case KindEvent:
			if (len(r.Events) > 0 && !slices.Contains(r.Events, ev.Type)) || !e.eitherSelected(r, ev) {
				continue
			}
			if r.area != nil && !r.area.Near(ev.Lat, ev.Lon, r.NearKm) {
				continue
			}
			out = e.add(out, mk(r, fmt.Sprintf("%s: %s", e.who(ev.MMSI), describe(ev))))
		case KindDark:
			if (ev.Type != event.Gap && ev.Type != event.PossibleDarkPortVisit) || !e.selects(r, ev.MMSI) ||
				!r.area.Near(ev.Lat, ev.Lon, r.NearKm) {
				continue
			}
			// Same ID as the live silence alert for this gap, so a vessel
			// reported dark while silent is not reported again when it
			// reappears.
			a := mk(r, fmt.Sprintf("%s went dark near %s: %s", e.who(ev.MMSI), r.Area, describe(ev)))
			a.ID = key(r.Name, r.Kind, ev.MMSI, ev.Start)
			out = e.add(out, a)
		case KindMeetsListed:
			if ev.Type != event.Encounter || ev.OtherMMSI == 0 {
				continue
			}
			for _, p := range [][2]uint32{{ev.MMSI, ev.OtherMMSI}, {ev.OtherMMSI, ev.MMSI}} {
				if e.listed(p[1]) && e.selects(r, p[0]) {
					a := mk(r, fmt.Sprintf("%s met listed %s: %s", e.who(p[0]), e.who(p[1]), describe(ev)))
					a.MMSI = p[0]
					a.ID = r.Name + "/" + strconv.FormatUint(uint64(p[0]), 10) + "/" + id
					out = e.add(out, a)
				}
			}
		case KindIdentityChange:
			if ev.Type == event.IdentityChange && e.eitherSelected(r, ev) {
				out = e.add(out, mk(r, fmt.Sprintf("%s changed identity: %s", e.who(ev.MMSI), describe(ev))))
			}
		case KindRisk:
			riskRules = true
		}
	}
	if riskRules {
		out = append(out, e.riskEvent(ev)...)
	}
	return out
}

func (e *Engine) eitherSelected(r *Rule, ev *event.Event) bool {
	return e.selects(r, ev.MMSI) || (ev.OtherMMSI != 0 && e.selects(r, ev.OtherMMSI))
}

// riskEvent rescores the vessels of ev and fires risk rules whose threshold
// a score has crossed; each rule fires once per vessel.
func (e *Engine) riskEvent(ev *event.Event) []Alert {
	var out []Alert
	for _, m := range []uint32{ev.MMSI, ev.OtherMMSI} {
		if m == 0 {
			continue
		}
		e.events[m] = append(e.events[m], *ev)
		sc := risk.Scores(e.opt.Risk, e.events[m], []risk.Vessel{{MMSI: m}})
		var total float64
		for _, s := range sc {
			if s.MMSI == m {
				total = s.Total
			}
		}
		for _, r := range e.f.Rules {
			if r.Kind != KindRisk || total <= r.Above || !e.selects(r, m) {
				continue
			}
			out = e.add(out, Alert{ID: r.Name + "/" + strconv.FormatUint(uint64(m), 10), Rule: r.Name, Kind: r.Kind,
				MMSI: m, Time: ev.End, Lat: ev.Lat, Lon: ev.Lon, Score: total, EventID: ev.ID(),
				Text: fmt.Sprintf("%s risk %.0f above %.0f after %s", e.who(m), total, r.Above, describe(ev))})
		}
	}
	return out
}

func describe(ev *event.Event) string {
	s := fmt.Sprintf("%s %s–%s at %.4f,%.4f", ev.Type, ev.Start.UTC().Format("2006-01-02 15:04"),
		ev.End.UTC().Format("2006-01-02 15:04"), ev.Lat, ev.Lon)
	if ev.OtherMMSI != 0 {
		s += fmt.Sprintf(" with MMSI %d", ev.OtherMMSI)
	}
	if ev.Port != "" {
		s += " port " + ev.Port
	}
	return s
}
