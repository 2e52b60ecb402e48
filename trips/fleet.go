package trips

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/lookout-osint/lookout/event"
)

// Fleet selects whose trips are counted: a published figure is about a
// fleet ("North Korean tankers' trips to Russian ports"), not every hull
// that called at both ends. Each criterion that is set must hold (a KP
// flag and a tanker type is North Korea's tankers); Listed and MetListed
// together mean either (the listed vessels and those that met them). The
// zero Fleet is every vessel.
type Fleet struct {
	// Listed keeps vessels with a sanctions_match event (their identity
	// matched a sanctions list).
	Listed bool
	// MetListed keeps vessels that met a listed vessel (an encounter with
	// one).
	MetListed bool
	// Flags keeps vessels whose flag (from the MMSI's MID, ISO alpha-2,
	// as the VesselInfo gives it) is one of these, case-insensitive.
	Flags []string
	// ShipTypes keeps vessels whose latest reported AIS ship type lies in
	// one of these ranges.
	ShipTypes []TypeRange
	// MMSIs keeps these vessels (the analyst's own list).
	MMSIs map[uint32]bool
}

// VesselInfo is what the fleet needs to know of a vessel besides its
// events: its flag and its latest reported AIS ship type (0 unknown).
type VesselInfo func(mmsi uint32) (flag string, shipType uint8)

// TypeRange is an inclusive range of AIS ship type codes.
type TypeRange struct{ Lo, Hi uint8 }

// shipTypeNames are the AIS ship type groups by first digit (ITU-R M.1371
// table 53), by the names analysts use.
var shipTypeNames = map[string]TypeRange{
	"wig": {20, 29}, "fishing": {30, 30}, "towing": {31, 32}, "tug": {52, 52},
	"hsc": {40, 49}, "passenger": {60, 69}, "cargo": {70, 79}, "tanker": {80, 89},
}

// ParseShipTypes reads a comma-separated list of ship types: a name
// (tanker, cargo, passenger, fishing, tug, towing, hsc, wig), a code (80)
// or a range of codes (80-84).
func ParseShipTypes(s string) ([]TypeRange, error) {
	var out []TypeRange
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if r, ok := shipTypeNames[f]; ok {
			out = append(out, r)
			continue
		}
		lo, hi, isRange := strings.Cut(f, "-")
		if !isRange {
			hi = lo
		}
		a, err1 := strconv.ParseUint(lo, 10, 8)
		b, err2 := strconv.ParseUint(hi, 10, 8)
		if err1 != nil || err2 != nil || a > b || b > 99 {
			names := slices.Sorted(maps.Keys(shipTypeNames))
			return nil, fmt.Errorf("ship type %q: want a name (%s), an AIS code (80) or a range (80-89)", f, strings.Join(names, ", "))
		}
		out = append(out, TypeRange{uint8(a), uint8(b)})
	}
	return out, nil
}

// Numbers are the vessel numbers of a list file.
type Numbers struct {
	MMSIs, IMOs []uint32
}

// ReadNumbers reads a list of vessels, one a line: an MMSI (nine digits)
// or an IMO number (seven digits, "IMO" before it allowed), in the first
// comma- or tab-separated field, so a spreadsheet's column can be pasted
// as it is. Blank lines, lines starting with # and a header line whose
// first field is not a number are skipped; any other line that is not a
// vessel number is an error naming it, since a list silently missing a
// vessel gives a figure that looks right and is not.
func ReadNumbers(r io.Reader) (Numbers, error) {
	var n Numbers
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if i := strings.IndexAny(s, ",\t;"); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		s = strings.Trim(s, `"`)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		digits := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(s), "IMO"))
		v, err := strconv.ParseUint(digits, 10, 32)
		switch {
		case err != nil && line == 1:
			continue // a header
		case err == nil && len(digits) == 9:
			n.MMSIs = append(n.MMSIs, uint32(v))
		case err == nil && len(digits) == 7:
			n.IMOs = append(n.IMOs, uint32(v))
		default:
			return n, fmt.Errorf("line %d: %q is neither an MMSI (9 digits) nor an IMO number (7 digits)", line, s)
		}
	}
	if err := sc.Err(); err != nil {
		return n, err
	}
	if len(n.MMSIs)+len(n.IMOs) == 0 {
		return n, fmt.Errorf("no vessel numbers in the list")
	}
	return n, nil
}

// Empty reports whether the fleet is every vessel.
func (f *Fleet) Empty() bool {
	return !f.Listed && !f.MetListed && len(f.Flags) == 0 && len(f.ShipTypes) == 0 && f.MMSIs == nil
}

// String says which vessels the fleet is, for a reader: "ship type
// 80-89; flag KP".
func (f *Fleet) String() string {
	var parts []string
	switch {
	case f.Listed && f.MetListed:
		parts = append(parts, "listed vessels and those that met them")
	case f.Listed:
		parts = append(parts, "listed vessels")
	case f.MetListed:
		parts = append(parts, "vessels that met a listed vessel")
	}
	if len(f.Flags) > 0 {
		parts = append(parts, "flag "+strings.Join(f.Flags, " or "))
	}
	if len(f.ShipTypes) > 0 {
		var ts []string
		for _, r := range f.ShipTypes {
			t := strconv.Itoa(int(r.Lo))
			if r.Hi != r.Lo {
				t += "-" + strconv.Itoa(int(r.Hi))
			}
			ts = append(ts, t)
		}
		parts = append(parts, "AIS ship type "+strings.Join(ts, " or "))
	}
	if f.MMSIs != nil {
		parts = append(parts, fmt.Sprintf("%d MMSIs of a list", len(f.MMSIs)))
	}
	if len(parts) == 0 {
		return "every vessel"
	}
	return strings.Join(parts, "; ")
}

// Members returns the membership test of the fleet over these events:
// sanctions_match events say who is listed, encounters who met them.
func (f *Fleet) Members(events []event.Event, info VesselInfo) func(mmsi uint32) bool {
	if f.Empty() {
		return func(uint32) bool { return true }
	}
	listed, met := map[uint32]bool{}, map[uint32]bool{}
	for i := range events {
		if events[i].Type == event.SanctionsMatch {
			listed[events[i].MMSI] = true
		}
	}
	for i := range events {
		if e := &events[i]; e.Type == event.Encounter {
			if listed[e.OtherMMSI] {
				met[e.MMSI] = true
			}
			if listed[e.MMSI] {
				met[e.OtherMMSI] = true
			}
		}
	}
	memo := map[uint32]bool{}
	return func(m uint32) bool {
		if in, ok := memo[m]; ok {
			return in
		}
		in := f.member(m, listed, met, info)
		memo[m] = in
		return in
	}
}

func (f *Fleet) member(m uint32, listed, met map[uint32]bool, info VesselInfo) bool {
	if (f.Listed || f.MetListed) && !(f.Listed && listed[m] || f.MetListed && met[m]) {
		return false
	}
	if f.MMSIs != nil && !f.MMSIs[m] {
		return false
	}
	if len(f.Flags) == 0 && len(f.ShipTypes) == 0 {
		return true
	}
	flag, typ := info(m)
	if len(f.Flags) > 0 && !slices.ContainsFunc(f.Flags, func(g string) bool { return strings.EqualFold(g, flag) }) {
		return false
	}
	if len(f.ShipTypes) > 0 && !slices.ContainsFunc(f.ShipTypes, func(r TypeRange) bool { return typ >= r.Lo && typ <= r.Hi }) {
		return false
	}
	return true
}

// Only keeps the trips and counts of the vessels keep accepts; a hull
// followed across numbers (Config.FollowIdentity) is kept when any of its
// numbers is. Totals are summed again from the kept vessels' rows, so
// satellite-only visits (no vessel to name) drop out of them.
func (r Result) Only(keep func(mmsi uint32) bool) Result {
	hulls := map[uint32]bool{}
	for _, t := range r.Trips {
		if keep(t.MMSI) || slices.ContainsFunc(t.MMSIs, keep) {
			hulls[t.MMSI] = true
		}
	}
	kept := func(m uint32) bool { return hulls[m] || keep(m) }
	out := r
	out.Trips = nil
	for _, t := range r.Trips {
		if hulls[t.MMSI] {
			out.Trips = append(out.Trips, t)
		}
	}
	filter := func(ts []Tally) []Tally {
		var o []Tally
		for _, t := range ts {
			if kept(t.MMSI) {
				o = append(o, t)
			}
		}
		return o
	}
	out.ByVessel, out.ByVesselMonth = filter(r.ByVessel), filter(r.ByVesselMonth)
	sum := func(rows []Tally, key func(Tally) Tally) []Tally {
		acc := map[Tally]*Tally{}
		var keys []Tally
		for _, t := range rows {
			k := key(t)
			a := acc[k]
			if a == nil {
				a = &Tally{Month: k.Month, From: k.From, To: k.To}
				acc[k] = a
				keys = append(keys, k)
			}
			a.Trips += t.Trips
			a.DarkTrips += t.DarkTrips
			a.Visits += t.Visits
			a.DarkVisits += t.DarkVisits
		}
		var o []Tally
		for _, k := range keys {
			o = append(o, *acc[k])
		}
		return o
	}
	out.ByMonth = sum(out.ByVesselMonth, func(t Tally) Tally { return Tally{Month: t.Month, From: t.From, To: t.To} })
	slices.SortFunc(out.ByMonth, func(a, b Tally) int { return cmp.Compare(a.Month, b.Month) })
	total := sum(out.ByVessel, func(t Tally) Tally { return Tally{From: t.From, To: t.To} })
	out.Total = nil
	for _, t := range r.Total { // keep every direction, zero or not
		row := Tally{From: t.From, To: t.To}
		for _, s := range total {
			if s.From == t.From && s.To == t.To {
				row = s
			}
		}
		out.Total = append(out.Total, row)
	}
	return out
}
