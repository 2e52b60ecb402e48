// Package report builds what analysts publish: one self-contained HTML
// dossier (figures, a map, trips per month, a per-vessel table, the evidence
// behind every claim, data coverage and methodology), and KML and GeoJSON
// exports of the same content.
//
// The report computes nothing of its own that another package already
// defines: trips and their counts come from package trips (the same numbers
// lookout trips prints for the same events and rules), the volume estimate
// from oilcap, risk factors from risk, sanctions matches from sanctions.
// What it adds is the selection of what to show, the map and the layout.
// Every claim cites event IDs (event.Event.ID), and every event in the
// evidence list carries its ID as an anchor, so a figure can be traced to
// the positions and thresholds behind it.
package report

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/oilcap"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/risk"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/output"
	"github.com/lookout-osint/lookout/trips"
)

// Source is where a report's data comes from: a store (StoreSource) or
// event files (EventSource).
type Source interface {
	// Events returns every event the source holds. Trips need the calls
	// before the period too (a departure may precede it), so the report
	// filters by period itself.
	Events(ctx context.Context) ([]event.Event, error)
	// Identities returns one vessel's identity history in time order
	// (nil when the source has none).
	Identities(ctx context.Context, mmsi uint32) ([]store.Identity, error)
	// Track returns one vessel's positions with since <= time < until; a
	// source may keep only the first position of each step.
	Track(ctx context.Context, mmsi uint32, since, until time.Time, step time.Duration) ([]store.Position, error)
	// Coverage says what data the source holds and where and when it is
	// missing.
	Coverage(ctx context.Context, since, until time.Time) (Coverage, error)
}

// Options select what a report covers and state the rules used.
type Options struct {
	Title string
	// Trips are the trip rules: From, To, Since, Until and the rest, as
	// for lookout trips. Since and Until also bound the period of every
	// other section (events overlapping it).
	Trips trips.Config
	// MMSI, when set, makes a one-vessel dossier. Numbers linked to it by
	// identity_change events are included.
	MMSI uint32
	// Fleet limits a fleet report to some vessels (as lookout trips
	// does): their trips, their table rows and their oil deliveries.
	Fleet trips.Fleet
	// Detect is the detector configuration the events were found with,
	// stated in the methodology.
	Detect detect.Config
	Oilcap oilcap.Config
	Risk   risk.Config
	// Sanctions screens the identities of the vessels in the report; nil
	// uses only the sanctions_match events the source holds.
	Sanctions *sanctions.Index
	Catalog   *ref.Catalog // nil: ref.Default()
	// MaxVessels bounds the per-vessel table of a fleet report (highest
	// risk first after every vessel that made a trip); 0 means 60.
	MaxVessels int
	// Now is the generation time printed in the report (zero: time.Now()).
	Now time.Time
}

// DefaultOptions returns the options of lookout report: trips RU-FE→KP
// with lookout trips' defaults, and every package's default configuration.
func DefaultOptions() Options {
	return Options{
		Trips:  trips.Config{From: "RU-FE", To: "KP", Slack: 6 * time.Hour},
		Detect: detect.DefaultConfig(),
		Oilcap: oilcap.DefaultConfig(),
		Risk:   risk.DefaultConfig(),
	}
}

// Report is a built report: everything the HTML, KML and GeoJSON show.
type Report struct {
	Title     string
	Dossier   bool
	MMSI      uint32
	From, To  string
	Since     time.Time
	Until     time.Time
	Generated time.Time

	Trips trips.Result
	// Fleet says whose trips are counted ("" for every vessel).
	Fleet string
	// Total is the From→To row of Trips.Total (the headline figures).
	Total trips.Tally
	// TripVessels counts the vessels with at least one trip.
	TripVessels int
	// EventVessels counts the vessels with events in the period.
	EventVessels int
	Oil          []oilcap.Year
	OilSkipped   oilcap.Skipped
	Vessels      []Vessel
	Evidence     []Evidence
	Months       []Month
	Tracks       map[uint32][]store.Position
	Coverage     Coverage
	Method       []Section

	opt     Options
	byID    map[string]int // index in Evidence
	colours map[uint32]string
}

// Vessel is one row of the per-vessel table.
type Vessel struct {
	MMSI   uint32
	Flag   string
	Colour string
	// Identities are the identity changes (consecutive identical reports
	// merged).
	Identities []store.Identity
	Trips      int
	DarkTrips  int
	Visits     int
	DarkVisits int
	Risk       risk.Score
	Sanctions  []Hit
	Events     int
}

// Name is the vessel's latest reported name.
func (v *Vessel) Name() string {
	for i := len(v.Identities) - 1; i >= 0; i-- {
		if n := v.Identities[i].Name; n != "" {
			return n
		}
	}
	return ""
}

// NameOf is the latest name of a vessel of the table, "" when it sent
// none or is not in the table.
func (r *Report) NameOf(mmsi uint32) string {
	for i := range r.Vessels {
		if r.Vessels[i].MMSI == mmsi {
			return r.Vessels[i].Name()
		}
	}
	return ""
}

// Hit is one sanctions match.
type Hit struct {
	EventID  string
	List     string
	EntryID  string
	Entry    string
	Strength float64
	Exact    bool
	Reason   string
}

// Evidence is one event in the evidence list.
type Evidence struct {
	ID    string
	Event event.Event
	// Figures are the event's evidence as sorted name/value pairs.
	Figures []Figure
	// CitedBy says which claims of the report rest on the event.
	CitedBy []string
}

// Figure is one named value of an event's evidence.
type Figure struct{ Name, Value string }

// Month is one bar of the trips-per-month chart.
type Month struct {
	Month       string
	Trips, Dark int
}

// Coverage is what data a report rests on.
type Coverage struct {
	// Files are the inputs (ingested files, or event files).
	Files []File
	// Stations are the receiving stations and when they were heard.
	Stations []Station
	// NoData lists whole UTC days in the period with no position at all.
	NoData []Span
	// Cells are the 0.5° cells in which any position was received (for
	// the map's reception layer); nil when unknown.
	Cells []Cell
	// Positions counts positions in the period.
	Positions int64
	// Notes say what is not known.
	Notes []string
}

// File is one input.
type File = store.File

// Station is one receiver.
type Station struct {
	Name        string
	First, Last time.Time
	Positions   int64
	Days        int
	// Silent lists runs of two or more whole days between First and Last
	// with nothing heard.
	Silent []Span
}

// Span is a time interval.
type Span struct{ From, To time.Time }

// Days is the span's length in days.
func (s Span) Days() int { return int(s.To.Sub(s.From).Hours()/24 + 0.5) }

// Cell is a 0.5° cell with received positions; Lat, Lon its south-west
// corner.
type Cell struct {
	Lat, Lon  float64
	Positions int64
}

// Section is one part of the methodology.
type Section struct {
	Title  string
	Text   string
	Params []Param
}

// Param is one threshold or parameter.
type Param struct{ Name, Value, Note string }

// Build gathers the data and computes every section.
func Build(ctx context.Context, src Source, opt Options) (*Report, error) {
	if opt.Trips.From == "" || opt.Trips.To == "" {
		return nil, fmt.Errorf("report: the trip groups (from, to) are required")
	}
	if opt.Catalog == nil {
		opt.Catalog = ref.Default()
	}
	if opt.Trips.GroupsOf == nil {
		opt.Trips.GroupsOf = opt.Catalog.GroupsOf
	}
	if opt.MaxVessels <= 0 {
		opt.MaxVessels = 60
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now().UTC()
	}
	if opt.Title == "" && opt.MMSI == 0 {
		opt.Title = fmt.Sprintf("Trips %s → %s: evidence report", opt.Trips.From, opt.Trips.To)
	}
	// Coverage is an independent scan of every position: run it beside
	// the rest when the source allows and the period is known.
	type covered struct {
		c   Coverage
		err error
	}
	var cov chan covered
	if cs, ok := src.(interface{ concurrentCoverage() bool }); ok && cs.concurrentCoverage() && !opt.Trips.Since.IsZero() && !opt.Trips.Until.IsZero() {
		cov = make(chan covered, 1)
		go func() {
			c, err := src.Coverage(ctx, opt.Trips.Since, opt.Trips.Until)
			cov <- covered{c, err}
		}()
	}
	all, err := src.Events(ctx)
	if err != nil {
		if cov != nil {
			<-cov
		}
		return nil, fmt.Errorf("report: events: %w", err)
	}
	r := &Report{
		Title: opt.Title, Dossier: opt.MMSI != 0, MMSI: opt.MMSI,
		From: opt.Trips.From, To: opt.Trips.To, Since: opt.Trips.Since, Until: opt.Trips.Until,
		Generated: opt.Now.UTC(), opt: opt, byID: map[string]int{}, colours: map[uint32]string{},
	}
	// The period defaults to the span of the data, so that every section
	// (and the chart's months) has bounds.
	if r.Since.IsZero() || r.Until.IsZero() {
		lo, hi := span(all)
		if r.Since.IsZero() {
			r.Since = lo
		}
		if r.Until.IsZero() {
			r.Until = hi
		}
	}
	inPeriod := make([]event.Event, 0, len(all))
	for _, e := range all {
		if overlaps(&e, opt.Trips.Since, opt.Trips.Until) {
			inPeriod = append(inPeriod, e)
		}
	}

	// Trips over every event: the same call as lookout trips makes.
	res := trips.Count(all, opt.Trips)
	hull := map[uint32]bool{}
	if r.Dossier {
		hull = linked(all, opt.MMSI)
		res = res.Only(func(m uint32) bool { return hull[m] })
	}
	inFleet := func(uint32) bool { return true }
	if !r.Dossier && !opt.Fleet.Empty() {
		var ierr error
		inFleet = opt.Fleet.Members(all, func(m uint32) (string, uint8) {
			hist, err := src.Identities(ctx, m)
			if err != nil && ierr == nil {
				ierr = fmt.Errorf("report: identities of %d: %w", m, err)
			}
			return opt.Catalog.FlagCode(m), output.Latest(hist).ShipType
		})
		res = res.Only(inFleet)
		res.Fleet = opt.Fleet.String()
		r.Fleet = res.Fleet
		if ierr != nil {
			return nil, ierr
		}
	}
	r.Trips = res
	for _, t := range res.Total {
		if t.From == opt.Trips.From && t.To == opt.Trips.To {
			r.Total = t
		}
	}
	r.Months = months(res, opt.Trips.From, r.Since, r.Until)
	tripsOf := map[uint32]*trips.Tally{}
	for i := range res.ByVessel {
		if t := &res.ByVessel[i]; t.From == opt.Trips.From {
			tripsOf[t.MMSI] = t
			if t.Trips+t.DarkTrips > 0 {
				r.TripVessels++
			}
		}
	}
	seen := map[uint32]bool{}
	for _, e := range inPeriod {
		seen[e.MMSI] = true
		if e.OtherMMSI != 0 {
			seen[e.OtherMMSI] = true
		}
	}
	r.EventVessels = len(seen)

	// The vessels of the table: the dossier's hull, or every vessel (of
	// the fleet) that made a trip or called in the destination group,
	// their meeting partners, and vessels (of the fleet) already matched
	// against sanctions lists.
	chosen := map[uint32]bool{}
	if r.Dossier {
		maps.Copy(chosen, hull)
	} else {
		for m, t := range tripsOf {
			if t.Trips+t.DarkTrips+t.Visits+t.DarkVisits > 0 {
				chosen[m] = true
			}
		}
		for _, e := range inPeriod {
			if e.Type == event.Encounter && (chosen[e.MMSI] || chosen[e.OtherMMSI]) {
				chosen[e.MMSI], chosen[e.OtherMMSI] = true, true
			}
			if e.Type == event.SanctionsMatch && inFleet(e.MMSI) {
				chosen[e.MMSI] = true
			}
		}
		delete(chosen, 0)
	}

	// Identities of the chosen vessels, screened against the lists.
	ids := map[uint32][]store.Identity{}
	var matches []event.Event
	have := map[string]bool{}
	for _, e := range inPeriod {
		if e.Type == event.SanctionsMatch {
			have[e.ID()] = true
		}
	}
	for _, m := range slices.Sorted(maps.Keys(chosen)) {
		hist, err := src.Identities(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("report: identities of %d: %w", m, err)
		}
		ids[m] = changes(hist)
		if opt.Sanctions == nil {
			continue
		}
		for _, id := range screenable(m, ids[m], opt.Catalog) {
			if ev, ok := sanctions.Event(id, opt.Sanctions.Match(id)); ok && !have[ev.ID()] {
				have[ev.ID()] = true
				matches = append(matches, ev)
			}
		}
	}
	scored := append(slices.Clip(inPeriod), matches...)

	// Risk over every vessel (a partner's risk feeds meeting factors).
	var rv []risk.Vessel
	for m := range seen {
		rv = append(rv, risk.Vessel{MMSI: m, Flag: opt.Catalog.FlagCode(m)})
	}
	slices.SortFunc(rv, func(a, b risk.Vessel) int { return cmp.Compare(a.MMSI, b.MMSI) })
	scores := risk.Scores(opt.Risk, scored, rv)
	scoreOf := map[uint32]risk.Score{}
	for _, s := range scores {
		scoreOf[s.MMSI] = s
	}
	if !r.Dossier {
		// Fill the table up with the highest-risk vessels of the rest.
		for _, s := range scores {
			if len(chosen) >= opt.MaxVessels {
				break
			}
			if !chosen[s.MMSI] && s.Total >= opt.Risk.HighRisk && inFleet(s.MMSI) {
				chosen[s.MMSI] = true
				hist, err := src.Identities(ctx, s.MMSI)
				if err != nil {
					return nil, fmt.Errorf("report: identities of %d: %w", s.MMSI, err)
				}
				ids[s.MMSI] = changes(hist)
			}
		}
	}

	// Oil volume: deliveries by the chosen vessels (all of them in a
	// fleet report, since only vessels calling in the group deliver).
	oilEvents := scored
	if r.Dossier || !opt.Fleet.Empty() {
		oilEvents = nil
		for _, e := range scored {
			if r.Dossier && (hull[e.MMSI] || hull[e.OtherMMSI]) || !r.Dossier && (inFleet(e.MMSI) || e.OtherMMSI != 0 && inFleet(e.OtherMMSI)) {
				oilEvents = append(oilEvents, e)
			}
		}
	}
	r.Oil, r.OilSkipped = oilcap.Estimate(opt.Oilcap, oilEvents)

	// The evidence list.
	for i := range scored {
		e := &scored[i]
		if chosen[e.MMSI] || (e.OtherMMSI != 0 && chosen[e.OtherMMSI]) {
			r.addEvidence(e, "")
		}
	}
	byID := map[string]*event.Event{}
	for i := range all {
		byID[all[i].ID()] = &all[i]
	}
	for i := range matches {
		byID[matches[i].ID()] = &matches[i]
	}
	cite := func(id, claim string) {
		if e := byID[id]; e != nil {
			r.addEvidence(e, claim)
		}
	}
	for i, t := range res.Trips {
		for _, id := range t.Evidence {
			cite(id, fmt.Sprintf("trip %d", i+1))
		}
	}
	for _, y := range r.Oil {
		for _, d := range y.Deliveries {
			for _, id := range d.EventIDs {
				cite(id, fmt.Sprintf("oil %d", y.Year))
			}
		}
	}

	// The table.
	order := slices.Collect(maps.Keys(chosen))
	slices.SortFunc(order, func(a, b uint32) int {
		ta, tb := tripsOf[a], tripsOf[b]
		na, nb := 0, 0
		if ta != nil {
			na = ta.Trips + ta.DarkTrips
		}
		if tb != nil {
			nb = tb.Trips + tb.DarkTrips
		}
		return cmp.Or(cmp.Compare(nb, na), cmp.Compare(scoreOf[b].Total, scoreOf[a].Total), cmp.Compare(a, b))
	})
	for i, m := range order {
		v := Vessel{MMSI: m, Flag: opt.Catalog.FlagCode(m), Colour: palette[i%len(palette)], Identities: ids[m], Risk: scoreOf[m]}
		r.colours[m] = v.Colour
		if t := tripsOf[m]; t != nil {
			v.Trips, v.DarkTrips, v.Visits, v.DarkVisits = t.Trips, t.DarkTrips, t.Visits, t.DarkVisits
		}
		for _, f := range v.Risk.Factors {
			for _, id := range f.EventIDs {
				cite(id, "risk "+f.Name)
			}
		}
		for i := range scored {
			e := &scored[i]
			if e.MMSI == m || e.OtherMMSI == m {
				v.Events++
			}
			if e.Type == event.SanctionsMatch && e.MMSI == m {
				v.Sanctions = append(v.Sanctions, hit(e))
				r.addEvidence(e, "sanctions")
			}
		}
		slices.SortFunc(v.Sanctions, func(a, b Hit) int { return cmp.Compare(b.Strength, a.Strength) })
		r.Vessels = append(r.Vessels, v)
	}
	if r.Title == "" { // a dossier: named once its identities are known
		r.Title = fmt.Sprintf("Vessel dossier: MMSI %d", opt.MMSI)
		if n := r.NameOf(opt.MMSI); n != "" {
			r.Title = fmt.Sprintf("Vessel dossier: %s (MMSI %d)", n, opt.MMSI)
		}
	}
	slices.SortFunc(r.Evidence, func(a, b Evidence) int {
		return cmp.Or(a.Event.Start.Compare(b.Event.Start), strings.Compare(a.ID, b.ID))
	})
	r.byID = nil // indexes into Evidence are stale after sorting

	// Tracks of the table's vessels in the period.
	r.Tracks = map[uint32][]store.Position{}
	step := max(2*time.Minute, r.Until.Sub(r.Since)/20000)
	for _, v := range r.Vessels {
		ps, err := src.Track(ctx, v.MMSI, r.Since, r.Until, step)
		if err != nil {
			return nil, fmt.Errorf("report: track of %d: %w", v.MMSI, err)
		}
		if len(ps) > 0 {
			r.Tracks[v.MMSI] = thin(ps, step)
		}
	}
	if cov != nil {
		got := <-cov
		r.Coverage, err = got.c, got.err
	} else {
		r.Coverage, err = src.Coverage(ctx, r.Since, r.Until)
	}
	if err != nil {
		return nil, fmt.Errorf("report: coverage: %w", err)
	}
	r.Method = methodology(&opt)
	return r, nil
}

// palette colours the vessels' tracks (distinguishable on land and sea).
var palette = []string{"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"}

func (r *Report) addEvidence(e *event.Event, claim string) {
	id := e.ID()
	i, ok := r.byID[id]
	if !ok {
		i = len(r.Evidence)
		r.byID[id] = i
		r.Evidence = append(r.Evidence, Evidence{ID: id, Event: *e, Figures: figures(e.Evidence)})
	}
	ev := &r.Evidence[i]
	if claim != "" && !slices.Contains(ev.CitedBy, claim) {
		ev.CitedBy = append(ev.CitedBy, claim)
	}
}

func hit(e *event.Event) Hit {
	s := func(k string) string { v, _ := e.Evidence[k].(string); return v }
	exact, _ := e.Evidence["exact"].(bool)
	return Hit{EventID: e.ID(), List: s("list"), EntryID: s("entry_id"), Entry: s("entry_name"),
		Strength: e.Confidence, Exact: exact, Reason: s("reason")}
}

func overlaps(e *event.Event, since, until time.Time) bool {
	return (since.IsZero() || !e.End.Before(since)) && (until.IsZero() || e.Start.Before(until))
}

func span(evs []event.Event) (lo, hi time.Time) {
	for _, e := range evs {
		if lo.IsZero() || e.Start.Before(lo) {
			lo = e.Start
		}
		if e.End.After(hi) {
			hi = e.End
		}
	}
	return lo.UTC(), hi.UTC()
}

// linked is the set of MMSIs joined to m by identity_change events.
func linked(evs []event.Event, m uint32) map[uint32]bool {
	set := map[uint32]bool{m: true}
	for grew := true; grew; {
		grew = false
		for _, e := range evs {
			if e.Type != event.IdentityChange || e.OtherMMSI == 0 {
				continue
			}
			if set[e.MMSI] != set[e.OtherMMSI] {
				set[e.MMSI], set[e.OtherMMSI] = true, true
				grew = true
			}
		}
	}
	return set
}

// months is one bar per UTC month of the period.
func months(res trips.Result, from string, since, until time.Time) []Month {
	got := map[string]Month{}
	for _, t := range res.ByMonth {
		if t.From == from {
			got[t.Month] = Month{Month: t.Month, Trips: t.Trips, Dark: t.DarkTrips}
		}
	}
	var out []Month
	if !since.IsZero() && !until.IsZero() && until.Sub(since) < 20*365*24*time.Hour {
		for m := time.Date(since.Year(), since.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(until); m = m.AddDate(0, 1, 0) {
			k := m.Format("2006-01")
			row := got[k]
			row.Month = k
			out = append(out, row)
			delete(got, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		out = append(out, got[k])
	}
	slices.SortFunc(out, func(a, b Month) int { return strings.Compare(a.Month, b.Month) })
	return out
}

// changes keeps the reports that change who the vessel says it is (IMO,
// name, call sign, type, size): draught and destination change every
// voyage, and draught changes that matter are events of their own. Each
// kept report shows the draught and destination it was first seen with.
func changes(hist []store.Identity) []store.Identity {
	var out []store.Identity
	for _, id := range hist {
		if n := len(out); n > 0 {
			a := out[n-1]
			if a.IMO == id.IMO && a.Name == id.Name && a.CallSign == id.CallSign && a.ShipType == id.ShipType && a.Length == id.Length && a.Beam == id.Beam {
				continue
			}
		}
		out = append(out, id)
	}
	return out
}

// screenable turns a vessel's identity history into the identities the
// sanctions index matches, each with the period it was used.
func screenable(m uint32, hist []store.Identity, cat *ref.Catalog) []sanctions.Identity {
	var out []sanctions.Identity
	if len(hist) == 0 {
		return []sanctions.Identity{{MMSI: m, Flag: cat.FlagCode(m)}}
	}
	for i, h := range hist {
		last := h.Time
		if i+1 < len(hist) {
			last = hist[i+1].Time
		}
		id := sanctions.Identity{MMSI: m, IMO: h.IMO, Name: h.Name, CallSign: h.CallSign, Flag: cat.FlagCode(m), First: h.Time, Last: last}
		if n := len(out); n > 0 && out[n-1].IMO == id.IMO && out[n-1].Name == id.Name && out[n-1].CallSign == id.CallSign {
			out[n-1].Last = last
			continue
		}
		out = append(out, id)
	}
	return out
}

// thin drops positions that add nothing to a drawn track: copies of one
// report heard by several stations, and fixes less than a step after the
// last kept one.
func thin(ps []store.Position, step time.Duration) []store.Position {
	out := make([]store.Position, 0, len(ps)/4+2)
	for i, p := range ps {
		if n := len(out); n > 0 && p.Time.Sub(out[n-1].Time) < step && i != len(ps)-1 {
			continue
		}
		out = append(out, p)
	}
	return out
}
