// Package oilcap estimates how much refined petroleum product reached the
// DPRK each year, from the draught changes AIS shows, against the cap of
// 500,000 barrels a year set by UN Security Council resolution 2397 (2017).
//
// A delivery is one of:
//   - port: a tanker's draught falls across a visit to a port of the
//     watched group (KP);
//   - dark_port: its draught falls across a possible dark visit to KP
//     (the draught change says so in its context, or it spans a
//     possible_dark_port_visit event of the same vessel);
//   - sts: a ship-to-ship meeting after which the receiving vessel visits
//     KP (in AIS or as a possible dark visit) within Config.STSWindow; the
//     receiver's draught rise is used, else the giver's fall;
//   - trip: a voyage into KP whose ship loaded (draught rose) at its
//     origin and shows no draught change at KP (DPRK-bound ships often
//     leave the draught field alone), counting the loaded amount.
//
// Each cargo is counted once: a receiver that takes cargo at sea and then
// discharges at a KP port shows the same barrels twice, as a rise at the
// meeting and a fall in port. The discharge is counted (it is the cargo
// entering KP, read from the draught the receiver shows there) and cites
// the meeting; the receipt is left out as counted_at_discharge. Only a
// receipt whose receiver is never seen discharging in KP before loading
// again counts as an sts delivery.
//
// Volume is length × beam × draught change × block coefficient × water
// density, in tonnes, then barrels through the product's density. Each
// delivery has a low, central and high figure from the ranges in Config;
// the low and high totals are sums of the per-delivery bounds, so the
// range is wide (the errors are not independent: the same ships recur).
// AIS draught is typed in by the crew and often stale, and deliveries made
// with AIS off are not seen: the figure is what AIS shows, a lower bound on
// what was delivered.
package oilcap

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// CapBarrels is the yearly cap on refined petroleum products supplied to
// the DPRK, UN Security Council resolution 2397 (2017), paragraph 5.
const CapBarrels = 500_000

// Range is a low, central and high value.
type Range struct{ Low, Central, High float64 }

// Config holds the assumptions, stated in every report.
type Config struct {
	Group string // the receiving port group (KP)
	// BlockCoefficient of a loaded product tanker.
	BlockCoefficient Range
	// WaterDensity in t/m³ (fresh to sea water): displaced water mass is
	// the cargo mass.
	WaterDensity Range
	// BarrelsPerTonne of the product: 1 / (density × 0.158987 m³/bbl).
	// Low is a heavy product (gas oil, 0.86 t/m³), high a light one
	// (gasoline, 0.73 t/m³), central diesel (0.84 t/m³).
	BarrelsPerTonne Range
	// DraughtErrorM is the reading error on a draught change: AIS draught
	// has 0.1 m steps, so each end is ±0.05 m.
	DraughtErrorM float64
	// STSWindow: a meeting counts as a KP delivery if the receiver reaches
	// KP within it.
	STSWindow time.Duration
	// MinChangeM ignores smaller draught changes (trim, squat, typing).
	MinChangeM float64
}

// DefaultConfig returns the assumptions Lookout states.
func DefaultConfig() Config {
	return Config{
		Group:            "KP",
		BlockCoefficient: Range{0.75, 0.80, 0.85},
		WaterDensity:     Range{1.000, 1.025, 1.025},
		BarrelsPerTonne:  Range{1 / (0.86 * 0.158987), 1 / (0.84 * 0.158987), 1 / (0.73 * 0.158987)},
		DraughtErrorM:    0.1,
		STSWindow:        30 * 24 * time.Hour,
		MinChangeM:       0.3,
	}
}

// Delivery is one estimated delivery into the group.
type Delivery struct {
	Kind     string    `json:"kind"` // port, sts, trip
	MMSI     uint32    `json:"mmsi"` // the vessel whose draught changed
	Receiver uint32    `json:"receiver,omitempty"`
	Time     time.Time `json:"time"`
	Port     string    `json:"port,omitempty"`
	// STS lists, for a discharge in port, the ship-to-ship receipts whose
	// cargo it discharged (their draught change and meeting events): one
	// cargo, counted here once.
	STS     []string `json:"sts_event_ids,omitempty"`
	ChangeM float64  `json:"change_m"`
	LengthM float64  `json:"length_m"`
	BeamM   float64  `json:"beam_m"`
	Tonnes  Range    `json:"tonnes"`
	Barrels Range    `json:"barrels"`
	// EventIDs: the draught change, and the meeting, visit or voyage that
	// makes it a delivery into the group.
	EventIDs []string `json:"event_ids"`
}

// Year is one year's total.
type Year struct {
	Year       int        `json:"year"`
	Deliveries []Delivery `json:"deliveries"`
	Barrels    Range      `json:"barrels"`
	// CapShare is Barrels.Central / CapBarrels (and the range likewise).
	CapShare Range `json:"cap_share"`
}

// Skipped counts draught changes that could not be used, by reason.
type Skipped map[string]int

// skipReasons say what each reason of Skipped means, for readers.
var skipReasons = map[string]string{
	"not_a_delivery":            "not at a port of the group, a dark visit there or a meeting (loading, trim, typing)",
	"change_below_minimum":      "too small to read (under the minimum change)",
	"no_dimensions":             "vessel size unknown",
	"sts_receiver_not_at_group": "ship-to-ship, the receiver did not reach the group in the window",
	"counted_at_discharge":      "ship-to-ship receipts counted once, at the receiver's discharge in the group",
}

// String lists the counts with what they mean, largest first, in one line:
// "4367 not at a port of the group…; 12 vessel size unknown".
func (s Skipped) String() string {
	keys := make([]string, 0, len(s))
	for k, n := range s {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if s[keys[i]] != s[keys[j]] {
			return s[keys[i]] > s[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		why := skipReasons[k]
		if why == "" {
			why = strings.ReplaceAll(k, "_", " ")
		}
		parts[i] = fmt.Sprintf("%d %s", s[k], why)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// Estimate finds the deliveries in events and totals them per year.
func Estimate(cfg Config, events []event.Event) ([]Year, Skipped) {
	skipped := Skipped{}
	evs := append([]event.Event(nil), events...)
	sort.SliceStable(evs, func(i, j int) bool {
		if !evs[i].Start.Equal(evs[j].Start) {
			return evs[i].Start.Before(evs[j].Start)
		}
		return evs[i].ID() < evs[j].ID()
	})
	// Arrivals at the group per vessel: port visits and dark visits.
	arrivals := map[uint32][]*event.Event{}
	var voyages []*event.Event
	for i := range evs {
		e := &evs[i]
		switch e.Type {
		case event.PortVisit, event.PossibleDarkPortVisit:
			if e.PortGroup == cfg.Group {
				arrivals[e.MMSI] = append(arrivals[e.MMSI], e)
			}
		case event.Voyage:
			if e.PortGroup == cfg.Group && e.FromGroup != cfg.Group {
				voyages = append(voyages, e)
			}
		}
	}
	var out []Delivery
	sts := map[string]int{}          // one delivery per transfer: index in out
	atKP := map[uint32][]time.Time{} // draught falls at KP, to spot trips already counted
	loads := map[uint32][]*event.Event{}
	for i := range evs {
		e := &evs[i]
		if e.Type != event.DraughtChange {
			continue
		}
		change, _ := num(e.Evidence["change_m"])
		ctx, _ := e.Evidence["context"].(string)
		if math.Abs(change) < cfg.MinChangeM {
			skipped["change_below_minimum"]++
			continue
		}
		l, b, ok := dimensions(cfg, e, change)
		if !ok {
			skipped["no_dimensions"]++
			continue
		}
		d := Delivery{MMSI: e.MMSI, Time: e.End, ChangeM: change, LengthM: l, BeamM: b, EventIDs: []string{e.ID()}}
		switch {
		case ctx == string(event.PortVisit) && e.PortGroup == cfg.Group && change < 0:
			d.Kind, d.Port = "port", e.Port
			atKP[e.MMSI] = append(atKP[e.MMSI], e.End)
		case isDark(ctx) && e.PortGroup == cfg.Group && change < 0:
			d.Kind, d.Port = "dark_port", e.Port
			atKP[e.MMSI] = append(atKP[e.MMSI], e.End)
		case (ctx == "" || isDark(ctx)) && change < 0 && darkWithin(arrivals[e.MMSI], e.Start, e.End) != nil:
			dv := darkWithin(arrivals[e.MMSI], e.Start, e.End)
			d.Kind, d.Port = "dark_port", dv.Port
			d.EventIDs = append(d.EventIDs, dv.ID())
			atKP[e.MMSI] = append(atKP[e.MMSI], e.End)
		case ctx == string(event.PortVisit) && e.PortGroup != cfg.Group && change > 0:
			loads[e.MMSI] = append(loads[e.MMSI], e)
			continue
		case ctx == string(event.Encounter) && e.OtherMMSI != 0:
			// The receiver is whoever loaded: this vessel if its draught
			// rose, else the other.
			recv := e.OtherMMSI
			if change > 0 {
				recv = e.MMSI
			}
			arr := firstAfter(arrivals[recv], e.End, cfg.STSWindow)
			if arr == nil {
				skipped["sts_receiver_not_at_group"]++
				continue
			}
			d.Kind, d.Receiver, d.Port = "sts", recv, arr.Port
			d.EventIDs = append(d.EventIDs, arr.ID())
			// Giver's fall and receiver's rise are one transfer: keep one,
			// the receiver's (its draught is the one read on arrival).
			key := pairKey(e.MMSI, e.OtherMMSI, arr.ID())
			if j, ok := sts[key]; ok {
				if change > 0 && out[j].ChangeM < 0 {
					fill(cfg, &d)
					out[j] = d
				}
				continue
			}
			sts[key] = len(out)
		default:
			skipped["not_a_delivery"]++
			continue
		}
		fill(cfg, &d)
		out = append(out, d)
	}
	out = countOnce(out, loads, skipped)
	// Trips into the group whose loading was seen but whose discharge was not.
	for _, v := range voyages {
		if hasBetween(atKP[v.MMSI], v.End, v.End.Add(cfg.STSWindow)) {
			continue
		}
		var load *event.Event
		for _, l := range loads[v.MMSI] {
			if !l.End.After(v.End) && !l.End.Before(v.Start.Add(-cfg.STSWindow)) {
				load = l
			}
		}
		if load == nil {
			continue
		}
		change, _ := num(load.Evidence["change_m"])
		l, b, _ := dimensions(cfg, load, change)
		d := Delivery{Kind: "trip", MMSI: v.MMSI, Time: v.End, Port: v.Port, ChangeM: change, LengthM: l, BeamM: b,
			EventIDs: []string{load.ID(), v.ID()}}
		fill(cfg, &d)
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].EventIDs[0] < out[j].EventIDs[0]
	})
	var years []Year
	for _, d := range out {
		y := d.Time.UTC().Year()
		if len(years) == 0 || years[len(years)-1].Year != y {
			years = append(years, Year{Year: y})
		}
		yr := &years[len(years)-1]
		yr.Deliveries = append(yr.Deliveries, d)
		yr.Barrels.Low += d.Barrels.Low
		yr.Barrels.Central += d.Barrels.Central
		yr.Barrels.High += d.Barrels.High
	}
	for i := range years {
		b := &years[i].Barrels
		b.Low, b.Central, b.High = math.Round(b.Low), math.Round(b.Central), math.Round(b.High)
		years[i].CapShare = Range{round3(b.Low / CapBarrels), round3(b.Central / CapBarrels), round3(b.High / CapBarrels)}
	}
	return years, skipped
}

// countOnce folds every ship-to-ship receipt into the receiver's next
// discharge in the group, when the receiver did not load in port in
// between: the barrels it took on at sea are the ones it discharged, and
// counting both would count one cargo twice.
func countOnce(out []Delivery, loads map[uint32][]*event.Event, skipped Skipped) []Delivery {
	discharges := map[uint32][]int{} // receiver -> indexes of its port and dark_port deliveries, in time order
	for i, d := range out {
		if d.Kind == "port" || d.Kind == "dark_port" {
			discharges[d.MMSI] = append(discharges[d.MMSI], i)
		}
	}
	drop := map[int]bool{}
	for i, d := range out {
		if d.Kind != "sts" {
			continue
		}
		var next *Delivery
		for _, j := range discharges[d.Receiver] {
			if out[j].Time.After(d.Time) && (next == nil || out[j].Time.Before(next.Time)) {
				next = &out[j]
			}
		}
		if next == nil || loadedBetween(loads[d.Receiver], d.Time, next.Time) {
			continue
		}
		next.STS = append(next.STS, d.EventIDs...)
		next.EventIDs = append(next.EventIDs, d.EventIDs...)
		drop[i] = true
		skipped["counted_at_discharge"]++
	}
	kept := out[:0]
	for i, d := range out {
		if !drop[i] {
			kept = append(kept, d)
		}
	}
	return kept
}

// loadedBetween reports whether one of the port loads ends within (a, b).
func loadedBetween(loads []*event.Event, a, b time.Time) bool {
	for _, l := range loads {
		if l.End.After(a) && l.End.Before(b) {
			return true
		}
	}
	return false
}

// fill computes the tonnes and barrels of d.
func fill(cfg Config, d *Delivery) {
	dd := math.Abs(d.ChangeM)
	lo := math.Max(0, dd-cfg.DraughtErrorM)
	hi := dd + cfg.DraughtErrorM
	v := d.LengthM * d.BeamM
	d.Tonnes = Range{
		Low:     math.Round(v * lo * cfg.BlockCoefficient.Low * cfg.WaterDensity.Low),
		Central: math.Round(v * dd * cfg.BlockCoefficient.Central * cfg.WaterDensity.Central),
		High:    math.Round(v * hi * cfg.BlockCoefficient.High * cfg.WaterDensity.High),
	}
	d.Barrels = Range{
		Low:     math.Round(d.Tonnes.Low * cfg.BarrelsPerTonne.Low),
		Central: math.Round(d.Tonnes.Central * cfg.BarrelsPerTonne.Central),
		High:    math.Round(d.Tonnes.High * cfg.BarrelsPerTonne.High),
	}
}

// dimensions returns the vessel's length and beam from a draught change's
// evidence. Without them, a stated cargo_t is turned back into an
// equivalent length × beam with the event's own block coefficient and
// water density (as the simulator's truth states them), so that the same
// ranges apply; beam is then 1 and length the area.
func dimensions(cfg Config, e *event.Event, change float64) (l, b float64, ok bool) {
	l, _ = num(e.Evidence["length_m"])
	b, _ = num(e.Evidence["beam_m"])
	if l > 0 && b > 0 {
		return l, b, true
	}
	t, ok := num(e.Evidence["cargo_t"])
	if !ok || t <= 0 || change == 0 {
		return 0, 0, false
	}
	cb, ok := num(e.Evidence["block_coefficient"])
	if !ok || cb <= 0 {
		cb = cfg.BlockCoefficient.Central
	}
	rho := cfg.WaterDensity.Central
	for _, k := range []string{"density_t_m3", "seawater_t_per_m3"} {
		if v, ok := num(e.Evidence[k]); ok && v > 0 {
			rho = v
			break
		}
	}
	return t / (math.Abs(change) * cb * rho), 1, true
}

func isDark(ctx string) bool {
	return ctx == string(event.PossibleDarkPortVisit) || ctx == "dark_port_visit"
}

// darkWithin returns a possible dark visit in es that lies within [a, b].
func darkWithin(es []*event.Event, a, b time.Time) *event.Event {
	for _, e := range es {
		if e.Type == event.PossibleDarkPortVisit && !e.Start.Before(a) && !e.End.After(b) {
			return e
		}
	}
	return nil
}

func firstAfter(es []*event.Event, t time.Time, within time.Duration) *event.Event {
	for _, e := range es {
		if !e.Start.Before(t.Add(-time.Hour)) && e.Start.Sub(t) <= within {
			return e
		}
	}
	return nil
}

func hasBetween(ts []time.Time, a, b time.Time) bool {
	for _, t := range ts {
		if !t.Before(a) && !t.After(b) {
			return true
		}
	}
	return false
}

func pairKey(a, b uint32, arrival string) string {
	if a > b {
		a, b = b, a
	}
	return fmt.Sprintf("%d|%d|%s", a, b, arrival)
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
