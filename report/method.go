package report

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/oilcap"
	"github.com/lookout-osint/lookout/sanctions"
)

// figures formats an event's evidence map as sorted name/value pairs;
// nested values (a sanctions match's fields) are shown as JSON.
func figures(m map[string]any) []Figure {
	out := make([]Figure, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, Figure{Name: k, Value: event.FormatValue(m[k])})
	}
	return out
}

// params lists the fields of a configuration struct with their values and
// the help tags they carry.
func params(cfg any) []Param {
	v := reflect.ValueOf(cfg)
	t := v.Type()
	var out []Param
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || v.Field(i).Kind() == reflect.Func {
			continue
		}
		out = append(out, Param{Name: f.Name, Value: paramValue(v.Field(i).Interface()), Note: f.Tag.Get("help")})
	}
	return out
}

func paramValue(v any) string {
	switch x := v.(type) {
	case []string:
		return strings.Join(x, ", ")
	case time.Duration:
		return x.String()
	case oilcap.Range:
		return fmt.Sprintf("%.3g – %.3g – %.3g (low – central – high)", x.Low, x.Central, x.High)
	case float64:
		return strconv.FormatFloat(x, 'g', 6, 64)
	case time.Time:
		if x.IsZero() {
			return "unbounded"
		}
		return x.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// methodology states every rule and threshold the report's figures rest on.
func methodology(opt *Options) []Section {
	tc := opt.Trips
	tripParams := []Param{
		{"From", tc.From, "departure group"},
		{"To", tc.To, "arrival group"},
		{"Since", paramValue(tc.Since), "arrivals starting at or after"},
		{"Until", paramValue(tc.Until), "arrivals starting before"},
		{"Both", fmt.Sprint(tc.Both), "also count To→From"},
		{"AllowVia", fmt.Sprint(tc.AllowVia), "calls at ports in neither group may lie between departure and arrival"},
		{"FollowIdentity", fmt.Sprint(tc.FollowIdentity), "MMSIs linked by identity_change events are one hull"},
		{"Slack", tc.Slack.String(), "how far outside departure..arrival a voyage may reach and still be listed as evidence"},
	}
	var riskParams []Param
	for _, name := range slices.Sorted(maps.Keys(opt.Risk.Rules)) {
		r := opt.Risk.Rules[name]
		riskParams = append(riskParams, Param{name, fmt.Sprintf("%g per event, cap %g", r.Per, r.Cap), ""})
	}
	riskParams = append(riskParams,
		Param{"WatchedGroups", strings.Join(opt.Risk.WatchedGroups, ", "), "port groups whose visits count"},
		Param{"Trips", fmt.Sprint(opt.Risk.Trips), "group pairs whose voyages count, either direction"},
		Param{"ListedMin", fmt.Sprint(opt.Risk.ListedMin), "weakest sanctions match that makes a partner count as listed"},
		Param{"HighRisk", fmt.Sprint(opt.Risk.HighRisk), "score from which a meeting partner is high-risk (and a vessel joins this report's table)"},
		Param{"UndeliberateDark", fmt.Sprint(opt.Risk.UndeliberateDark), "scale of a dark visit whose gap was judged not deliberate"},
		Param{"FOC", strings.Join(opt.Risk.FOC, " "), "flags of convenience (ITF list of 2013)"},
	)
	sanc := []Param{
		{"DefaultMinStrength", fmt.Sprint(sanctions.DefaultMinStrength), "weakest match reported"},
	}
	screen := "The identities of the vessels in the table (every name, call sign and IMO they broadcast) were screened against the sanctions lists Lookout holds (the builtin lists and any imported with lookout sanctions import)."
	if opt.Sanctions == nil {
		screen = "No screening was run for this report: sanctions matches are those already stored as sanctions_match events."
	}
	return []Section{
		{Title: "Events (detectors)", Text: "Events were found by Lookout's detectors (package detect) with these thresholds; each event's evidence lists the figures that crossed them. Thresholds other than the defaults apply only if the events were produced with them (lookout analyze/ingest --set).", Params: params(opt.Detect)},
		{Title: "Trips (package trips)", Text: tripDefinition, Params: tripParams},
		{Title: "Volume against the UN cap (package oilcap)", Text: fmt.Sprintf("UN Security Council resolution 2397 (2017) caps refined petroleum products supplied to the DPRK at %d barrels a year. A delivery is a draught fall at a port of the group, across a possible dark visit there, at a ship-to-ship meeting whose receiver reaches the group within the window, or a loaded trip into the group with no draught change seen there. Volume = length × beam × draught change × block coefficient × water density (tonnes), then barrels through the product density. AIS draught is typed by crews and often stale, and deliveries with AIS off are not seen: the figure is what AIS shows, a lower bound.", oilcap.CapBarrels), Params: params(opt.Oilcap)},
		{Title: "Risk factors (package risk)", Text: "A vessel's risk score is a sum of named factors; each factor earns points per event (times the event's strength where stated) up to its cap, and cites its events. The weights are judgements, not a fitted model.", Params: riskParams},
		{Title: "Sanctions matching (package sanctions)", Text: screen + " " + sanctionsStrengths, Params: sanc},
		{Title: "Map and tracks", Text: "Mercator projection. Land: Natural Earth 1:10m land polygons (public domain), clipped to the map. Tracks are the positions stored for each vessel in the table, in the period; copies of one report heard by several stations and fixes less than a step after the previous one are not drawn (two minutes, or 1/20000 of the period when longer), and silences over three hours are drawn dotted. Shaded cells (0.5°) are where any position was received."},
	}
}

// sanctionsStrengths is read from package sanctions' constants, which the
// matcher uses, so the report cannot quote other values than it applied.
var sanctionsStrengths = fmt.Sprintf("Strengths of each kind of agreement on its own (judgements documented in package sanctions): "+
	"IMO number with a valid check digit %g (failing check digit %g), MMSI %g, call sign %g, "+
	"the same name %g (normalised %g, truncated to the 20 AIS characters %g, transliterated %g, one edit apart %g, number missing %g, a different number %g; "+
	"one-word names × %g, and × %g again when shorter than %d letters). "+
	"Field matches combine as independent evidence, 1 − Π(1 − s); every non-IMO match × %g when both sides carry different valid IMO numbers.",
	sanctions.StrengthIMO, sanctions.StrengthIMOBadCheck, sanctions.StrengthMMSI, sanctions.StrengthCallSign,
	sanctions.StrengthNameSame, sanctions.StrengthNameNorm, sanctions.StrengthNameTrunc, sanctions.StrengthNameTranslit,
	sanctions.StrengthNameOneEdit, sanctions.StrengthNameNoNumber, sanctions.StrengthNameOtherNum,
	sanctions.OneWordFactor, sanctions.ShortNameFactor, sanctions.ShortNameLetters,
	sanctions.IMOConflictFactor)

const tripDefinition = `For each vessel the port calls are put in time order. A call is seen in AIS (a port_visit event) or possibly dark (a possible_dark_port_visit: a gap long enough to reach the port, or a visit seen only by satellite). A trip From→To is a departure call in From followed by an arrival call in To: the departure is the last From call before the arrival, the arrival the first To call after it, and (unless AllowVia) no other call lies in between. A trip is "seen" when both ends are AIS-seen visits and "possible dark" when either end is a possible dark visit; the two are counted apart and never added up. A trip belongs to the UTC month of its arrival, and Since/Until select arrivals. These are exactly the numbers lookout trips prints for the same events and options.`
