// Package trips counts trips between two port groups (for example RU-FE, the
// Russian Far East, and KP, North Korea) from Lookout events, per vessel and
// per month, with the event IDs behind every trip so the figure can be cited
// and checked.
//
// # What one trip is
//
// For each vessel the port calls are put in time order (by start). A call is
// either seen in AIS (a port_visit event) or dark: possible while dark (a
// possible_dark_port_visit event: a gap long enough to reach the port), or a
// port_visit with source "satellite" (seen only from space, as ground truth
// marks visits made with AIS off). A
// call is in a group when the event's port_group is that group, or when
// Config.GroupsOf lists the group for the event's port_id. Overlapping
// possible dark visits of one vessel (one gap that could have reached several
// ports) are one call with several candidate ports; it is in every group one
// of its candidates is in. A call overlapping the previous one in time at
// the same port is the same stay (a dark visit inferred over a gap that
// overlaps a recorded visit there): they are one call, seen if either was.
//
// A trip FROM→TO is a departure call in FROM followed by an arrival call in
// TO, where:
//
//   - the departure is the last FROM call before the arrival (a vessel moving
//     between two FROM ports, Vostochny then Nakhodka, departs from the
//     second);
//   - the arrival is the first TO call after the departure (calls at a second
//     TO port before leaving the group again are not new trips);
//   - by default the arrival is the very next call after the departure
//     (direct). With Config.AllowVia, calls at ports in neither group may lie
//     in between (FROM→Busan→TO counts, Busan listed as via); a call back in
//     FROM always restarts the trip from there.
//
// A trip is "seen" when both its departure and its arrival are AIS-seen port
// visits, and "possible dark" when either end is a possible dark visit. The
// two are always counted separately and never added up.
//
// A trip belongs to the UTC month of its arrival's start, and Config.Since
// and Config.Until select trips whose arrival starts in [Since, Until). A
// round trip FROM→TO→FROM is one FROM→TO trip and, when Config.Both is set,
// one TO→FROM trip; without Both only FROM→TO is reported.
//
// Visits are counted too: every call in TO (and in FROM with Both) whose
// start lies in [Since, Until), seen and possible dark separately, whether or
// not it ends a trip. Ships found in satellite images inside TO with no AIS
// to name them (dark_detection events) are counted as satellite-only visits,
// per month and in total only, since the vessel is unknown.
//
// A vessel is one MMSI. With Config.FollowIdentity, numbers linked by
// identity_change events (a hull that fell silent under one MMSI and came
// back under another) are one vessel, reported under its newest number
// (unless it went back to an older one), and
// a trip whose calls were made under several numbers lists them and the
// identity changes as evidence. This is off by default: an identity link is
// an inference, and a wrong one would merge two ships' trips.
//
// When a vessel has no port_visit events at all, its calls are rebuilt from
// its voyage events (from_port/from_group at the voyage start, port/port_group
// at its end). Otherwise voyages only add evidence: a voyage of the vessel
// that starts no earlier than the departure call and ends no later than the
// arrival call (each with Config.Slack) is listed with the trip.
package trips

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// Config selects the groups, period and rules.
type Config struct {
	From, To string
	// Since and Until bound the arrival time: Since <= start < Until. Zero
	// means unbounded.
	Since, Until time.Time
	// Both also reports trips To→From.
	Both bool
	// AllowVia lets calls at ports in neither group lie between departure
	// and arrival.
	AllowVia bool
	// GroupsOf lists the groups a port id belongs to (ref.Catalog.GroupsOf),
	// in addition to the event's own port_group. May be nil.
	GroupsOf func(portID string) []string
	// Slack widens the window in which a voyage is attached as evidence.
	Slack time.Duration
	// FollowIdentity joins the MMSIs that identity_change events link
	// (mmsi the new number, other_mmsi the old) into one hull.
	FollowIdentity bool
}

// Call is one port call: an AIS-seen visit or a possible dark visit.
type Call struct {
	// MMSI is the number the vessel used at this call.
	MMSI  uint32    `json:"mmsi"`
	Dark  bool      `json:"dark"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Ports are the port names (or ids) of the call; a possible dark visit
	// may have several candidates.
	Ports   []string `json:"ports"`
	PortIDs []string `json:"port_ids"`
	// Evidence are the IDs of the events behind the call.
	Evidence []string `json:"evidence"`

	groups []string
}

func (c *Call) in(g string) bool { return slices.Contains(c.groups, g) }

// Trip is one counted trip between two groups.
type Trip struct {
	// MMSI is the vessel; with Config.FollowIdentity, the hull's newest
	// number, and MMSIs lists the numbers its calls were made under when
	// there are several, IdentityLinks the identity_change events joining
	// them (also in Evidence).
	MMSI          uint32   `json:"mmsi"`
	MMSIs         []uint32 `json:"mmsis,omitempty"`
	IdentityLinks []string `json:"identity_links,omitempty"`
	From          string   `json:"from"`
	To            string   `json:"to"`
	Month         string   `json:"month"`
	Dark          bool     `json:"possible_dark"`
	Depart        Call     `json:"depart"`
	Arrive        Call     `json:"arrive"`
	Via           []Call   `json:"via,omitempty"`
	Voyages       []string `json:"voyages,omitempty"`
	Evidence      []string `json:"evidence"`
}

// Tally holds the figures of one row.
type Tally struct {
	MMSI  uint32 `json:"mmsi,omitempty"`
	Month string `json:"month,omitempty"`
	From  string `json:"from"`
	To    string `json:"to"`
	// Trips are seen in AIS at both ends; DarkTrips have a possible dark
	// visit at one end.
	Trips     int `json:"trips"`
	DarkTrips int `json:"possible_dark_trips"`
	// Visits and DarkVisits count calls in To in the period.
	Visits     int `json:"visits"`
	DarkVisits int `json:"possible_dark_visits"`
	// SatelliteVisits counts ships seen by satellite in To that no AIS
	// names (dark_detection events): visits, but of unknown vessels, so
	// only in the per-month and total rows, and never part of a trip.
	SatelliteVisits int `json:"satellite_only_visits"`
}

// Result holds the trips and their counts.
type Result struct {
	From          string     `json:"from"`
	To            string     `json:"to"`
	Since         *time.Time `json:"since,omitempty"`
	Until         *time.Time `json:"until,omitempty"`
	Trips         []Trip     `json:"trips"`
	ByVesselMonth []Tally    `json:"by_vessel_month"`
	ByVessel      []Tally    `json:"by_vessel"`
	ByMonth       []Tally    `json:"by_month"`
	// Total has one row per direction.
	Total []Tally `json:"total"`
	// Names are the vessels' latest reported names, when the caller knows
	// them (a store does, event files do not): tables show them beside
	// the numbers.
	Names map[uint32]string `json:"names,omitempty"`
	// Fleet says whose trips these are when the caller chose a fleet
	// (Fleet.String), "" for every vessel.
	Fleet string `json:"fleet,omitempty"`
}

// Name is a vessel's name, "" when unknown.
func (r *Result) Name(mmsi uint32) string { return r.Names[mmsi] }

// Vessels are the MMSIs the result names: every trip's vessel and the
// numbers it used, and every counted vessel.
func (r *Result) Vessels() []uint32 {
	var ms []uint32
	for _, t := range r.Trips {
		ms = append(ms, t.MMSI)
		ms = append(ms, t.MMSIs...)
	}
	for _, t := range r.ByVessel {
		ms = append(ms, t.MMSI)
	}
	slices.Sort(ms)
	return slices.Compact(ms)
}

// Count computes trips from events of any types; types other than
// port_visit, possible_dark_port_visit and voyage are ignored.
func Count(events []event.Event, cfg Config) Result {
	res := Result{From: cfg.From, To: cfg.To}
	if !cfg.Since.IsZero() {
		s := cfg.Since.UTC()
		res.Since = &s
	}
	if !cfg.Until.IsZero() {
		u := cfg.Until.UTC()
		res.Until = &u
	}
	type vessel struct {
		visits, dark, voyages []*event.Event
	}
	vessels := map[uint32]*vessel{}
	hulls := hullSet{}
	var links []*event.Event
	if cfg.FollowIdentity {
		for i := range events {
			if e := &events[i]; e.Type == event.IdentityChange && e.MMSI != 0 && e.OtherMMSI != 0 && e.MMSI != e.OtherMMSI {
				links = append(links, e)
			}
		}
		slices.SortStableFunc(links, func(a, b *event.Event) int { return a.Start.Compare(b.Start) })
		for _, e := range links {
			hulls.join(e.OtherMMSI, e.MMSI)
		}
	}
	for i := range events {
		e := &events[i]
		key := e.MMSI
		if cfg.FollowIdentity {
			key = hulls.find(e.MMSI)
		}
		v := vessels[key]
		if v == nil {
			v = &vessel{}
			vessels[key] = v
		}
		switch e.Type {
		case event.PortVisit:
			v.visits = append(v.visits, e)
		case event.PossibleDarkPortVisit:
			v.dark = append(v.dark, e)
		case event.Voyage:
			v.voyages = append(v.voyages, e)
		}
	}
	dirs := [][2]string{{cfg.From, cfg.To}}
	if cfg.Both {
		dirs = append(dirs, [2]string{cfg.To, cfg.From})
	}
	counts := map[Tally]*Tally{}
	bump := func(mmsi uint32, month string, d [2]string, f func(*Tally)) {
		for _, k := range []Tally{
			{MMSI: mmsi, Month: month, From: d[0], To: d[1]},
			{MMSI: mmsi, From: d[0], To: d[1]},
			{Month: month, From: d[0], To: d[1]},
			{From: d[0], To: d[1]},
		} {
			c := counts[k]
			if c == nil {
				c = &Tally{MMSI: k.MMSI, Month: k.Month, From: k.From, To: k.To}
				counts[k] = c
			}
			f(c)
		}
	}
	for _, d := range dirs {
		bump(0, "", d, func(*Tally) {}) // totals exist even when zero
	}

	for _, mmsi := range slices.Sorted(maps.Keys(vessels)) {
		v := vessels[mmsi]
		var calls []Call
		if len(v.visits) > 0 {
			for _, e := range v.visits {
				// A visit known only from satellite imagery (ground truth
				// marks it so) was not seen in AIS.
				calls = append(calls, cfg.call(e, e.Source == event.SourceSatellite))
			}
		} else {
			calls = callsFromVoyages(v.voyages, &cfg)
		}
		calls = append(calls, mergeDark(v.dark, &cfg)...)
		slices.SortStableFunc(calls, func(a, b Call) int { return a.Start.Compare(b.Start) })
		calls = mergeSamePort(calls)

		for _, d := range dirs {
			for i := range calls {
				c := &calls[i]
				if c.in(d[1]) && cfg.inPeriod(c.Start) {
					bump(mmsi, month(c.Start), d, func(n *Tally) {
						if c.Dark {
							n.DarkVisits++
						} else {
							n.Visits++
						}
					})
				}
			}
			for _, t := range walk(calls, d[0], d[1], cfg.AllowVia) {
				if !cfg.inPeriod(t.Arrive.Start) {
					continue
				}
				t.MMSI = mmsi
				if cfg.FollowIdentity {
					t.MMSIs, t.IdentityLinks = identities(&t, links)
				}
				if len(v.visits) > 0 {
					t.Voyages = voyagesBetween(v.voyages, &t.Depart, &t.Arrive, cfg.Slack)
					t.Evidence = append(t.Evidence, t.Depart.Evidence...)
					for _, c := range t.Via {
						t.Evidence = append(t.Evidence, c.Evidence...)
					}
					t.Evidence = append(t.Evidence, t.Arrive.Evidence...)
				} else {
					// Calls rebuilt from voyages carry the voyages on both
					// sides of them; the trip's own are those in between,
					// plus the possible dark visits at either end.
					t.Voyages = voyagesBetween(v.voyages, &t.Depart, &t.Arrive, 0)
					for _, c := range append([]Call{t.Depart, t.Arrive}, t.Via...) {
						if c.Dark {
							t.Evidence = append(t.Evidence, c.Evidence...)
						}
					}
				}
				t.Evidence = append(t.Evidence, t.Voyages...)
				t.Evidence = dedupe(append(t.Evidence, t.IdentityLinks...))
				res.Trips = append(res.Trips, t)
				bump(mmsi, t.Month, d, func(n *Tally) {
					if t.Dark {
						n.DarkTrips++
					} else {
						n.Trips++
					}
				})
			}
		}
	}

	for i := range events {
		e := &events[i]
		if e.Type != event.DarkDetection || !cfg.inPeriod(e.Start) {
			continue
		}
		c := cfg.call(e, true)
		for _, d := range dirs {
			if !c.in(d[1]) {
				continue
			}
			for _, k := range []Tally{{Month: month(e.Start), From: d[0], To: d[1]}, {From: d[0], To: d[1]}} {
				if counts[k] == nil {
					counts[k] = &Tally{Month: k.Month, From: k.From, To: k.To}
				}
				counts[k].SatelliteVisits++
			}
		}
	}

	for _, c := range counts {
		switch {
		case c.MMSI != 0 && c.Month != "":
			res.ByVesselMonth = append(res.ByVesselMonth, *c)
		case c.MMSI != 0:
			res.ByVessel = append(res.ByVessel, *c)
		case c.Month != "":
			res.ByMonth = append(res.ByMonth, *c)
		default:
			res.Total = append(res.Total, *c)
		}
	}
	order := func(a, b Tally) int {
		return cmp.Or(cmp.Compare(a.MMSI, b.MMSI), cmp.Compare(a.Month, b.Month), dirRank(a, &cfg)-dirRank(b, &cfg))
	}
	for _, s := range [][]Tally{res.ByVesselMonth, res.ByVessel, res.ByMonth, res.Total} {
		slices.SortFunc(s, order)
	}
	slices.SortStableFunc(res.Trips, func(a, b Trip) int {
		return cmp.Or(cmp.Compare(a.MMSI, b.MMSI), a.Arrive.Start.Compare(b.Arrive.Start))
	})
	return res
}

func dirRank(c Tally, cfg *Config) int {
	if c.From == cfg.From {
		return 0
	}
	return 1
}

// walk finds the trips from one group to another in a vessel's time-ordered
// calls, as the package documentation defines them.
func walk(calls []Call, from, to string, allowVia bool) []Trip {
	var trips []Trip
	var dep *Call
	var via []Call
	for i := range calls {
		c := &calls[i]
		switch {
		case dep != nil && c.in(to):
			trips = append(trips, Trip{
				From: from, To: to, Month: month(c.Start),
				Dark:   dep.Dark || c.Dark,
				Depart: *dep, Arrive: *c, Via: via,
			})
			dep, via = nil, nil
		case dep != nil && !c.in(from):
			if allowVia {
				via = append(via, *c)
			} else {
				dep = nil
			}
		}
		if c.in(from) {
			dep, via = c, nil
		}
	}
	return trips
}

func (cfg *Config) inPeriod(t time.Time) bool {
	return (cfg.Since.IsZero() || !t.Before(cfg.Since)) && (cfg.Until.IsZero() || t.Before(cfg.Until))
}

func month(t time.Time) string { return t.UTC().Format("2006-01") }

func (cfg *Config) groupsOf(group, portID string) []string {
	var gs []string
	if group != "" {
		gs = append(gs, group)
	}
	if cfg.GroupsOf != nil && portID != "" {
		for _, g := range cfg.GroupsOf(portID) {
			if !slices.Contains(gs, g) {
				gs = append(gs, g)
			}
		}
	}
	return gs
}

func (cfg *Config) call(e *event.Event, dark bool) Call {
	return Call{
		MMSI: e.MMSI, Dark: dark, Start: e.Start.UTC(), End: e.End.UTC(),
		Ports: []string{portName(e.Port, e.PortID)}, PortIDs: []string{e.PortID},
		Evidence: []string{e.ID()},
		groups:   cfg.groupsOf(e.PortGroup, e.PortID),
	}
}

func portName(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// mergeDark turns possible dark visits into calls, merging those whose
// intervals overlap: one gap that could have reached several ports is one
// possible call, not several.
func mergeDark(evs []*event.Event, cfg *Config) []Call {
	slices.SortStableFunc(evs, func(a, b *event.Event) int { return a.Start.Compare(b.Start) })
	var out []Call
	for _, e := range evs {
		c := cfg.call(e, true)
		if n := len(out); n > 0 && !c.Start.After(out[n-1].End) {
			out[n-1].absorb(c)
			continue
		}
		out = append(out, c)
	}
	return out
}

// absorb makes c one call with o, which overlaps it in time: the union of
// their ports, evidence and groups until the later end, seen when either
// was.
func (c *Call) absorb(o Call) {
	c.Dark = c.Dark && o.Dark
	if o.End.After(c.End) {
		c.End = o.End
	}
	for i, id := range o.PortIDs {
		if !slices.Contains(c.PortIDs, id) {
			c.PortIDs = append(c.PortIDs, id)
			c.Ports = append(c.Ports, o.Ports[i])
		}
	}
	c.Evidence = append(c.Evidence, o.Evidence...)
	for _, g := range o.groups {
		if !slices.Contains(c.groups, g) {
			c.groups = append(c.groups, g)
		}
	}
}

// mergeSamePort folds a call into the one before it when they overlap in
// time and share a port: a possible dark visit inferred across a gap that
// overlaps a visit to the same port (seen in AIS, or by satellite in ground
// truth) is the same stay, not a second one. The stay counts as seen when
// either was seen.
func mergeSamePort(calls []Call) []Call {
	out := calls[:0]
	for _, c := range calls {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if !c.Start.After(last.End) && slices.ContainsFunc(c.PortIDs, func(id string) bool { return slices.Contains(last.PortIDs, id) }) {
				last.absorb(c)
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// callsFromVoyages rebuilds port calls from voyages when a vessel has no
// port_visit events: each voyage departs at its start and arrives at its
// end; an arrival and the next voyage's departure from the same port are one
// call.
func callsFromVoyages(evs []*event.Event, cfg *Config) []Call {
	slices.SortStableFunc(evs, func(a, b *event.Event) int { return a.Start.Compare(b.Start) })
	var out []Call
	for _, e := range evs {
		id := e.ID()
		dep := Call{
			MMSI: e.MMSI, Start: e.Start.UTC(), End: e.Start.UTC(),
			Ports: []string{portName(e.FromPort, e.FromPortID)}, PortIDs: []string{e.FromPortID},
			Evidence: []string{id}, groups: cfg.groupsOf(e.FromGroup, e.FromPortID),
		}
		if n := len(out); n > 0 && out[n-1].PortIDs[0] == e.FromPortID && !out[n-1].Start.After(dep.Start) {
			out[n-1].End = dep.Start
			out[n-1].Evidence = append(out[n-1].Evidence, id)
		} else {
			out = append(out, dep)
		}
		out = append(out, Call{
			MMSI: e.MMSI, Start: e.End.UTC(), End: e.End.UTC(),
			Ports: []string{portName(e.Port, e.PortID)}, PortIDs: []string{e.PortID},
			Evidence: []string{id}, groups: cfg.groupsOf(e.PortGroup, e.PortID),
		})
	}
	return out
}

// voyagesBetween lists the IDs of voyages lying between a departure call and
// an arrival call.
func voyagesBetween(evs []*event.Event, dep, arr *Call, slack time.Duration) []string {
	var ids []string
	for _, e := range evs {
		if !e.Start.Before(dep.Start.Add(-slack)) && !e.End.After(arr.End.Add(slack)) {
			ids = append(ids, e.ID())
		}
	}
	return ids
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// hullSet joins MMSIs used by one hull; each set's root is the number it
// moved to last (unless it went back to a number it had used before).
type hullSet map[uint32]uint32

func (h hullSet) find(m uint32) uint32 {
	for {
		p, ok := h[m]
		if !ok || p == m {
			return m
		}
		if gp, ok := h[p]; ok && gp != p {
			h[m] = gp // path halving
		}
		m = p
	}
}

// join records that a hull moved from one number to another.
func (h hullSet) join(from, to uint32) {
	rf, rt := h.find(from), h.find(to)
	if rf != rt {
		h[rf] = rt
	}
}

// identities lists the numbers a trip's calls were made under, when more
// than one, and the identity changes that touch them.
func identities(t *Trip, links []*event.Event) ([]uint32, []string) {
	var ms []uint32
	for _, c := range append([]Call{t.Depart, t.Arrive}, t.Via...) {
		if !slices.Contains(ms, c.MMSI) {
			ms = append(ms, c.MMSI)
		}
	}
	if len(ms) < 2 {
		return nil, nil
	}
	slices.Sort(ms)
	var ids []string
	for _, e := range links {
		if slices.Contains(ms, e.MMSI) || slices.Contains(ms, e.OtherMMSI) {
			ids = append(ids, e.ID())
		}
	}
	return ms, ids
}
