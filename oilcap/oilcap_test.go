package oilcap

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

func at(d string) time.Time {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		panic(err)
	}
	return t
}

func draught(mmsi, other uint32, day, ctx, group string, change float64) event.Event {
	return event.Event{Type: event.DraughtChange, MMSI: mmsi, OtherMMSI: other, Start: at(day).Add(-24 * time.Hour), End: at(day),
		PortGroup: group, Port: map[string]string{"KP": "NAMPO", "RU-FE": "VOSTOCHNYY"}[group],
		Evidence: map[string]any{"change_m": change, "context": ctx, "length_m": 100.0, "beam_m": 16.0}}
}

func visit(mmsi uint32, day, group string) event.Event {
	return event.Event{Type: event.PortVisit, MMSI: mmsi, Start: at(day), End: at(day).Add(48 * time.Hour), PortGroup: group, Port: "P-" + group, PortID: group}
}

func TestEstimate(t *testing.T) {
	evs := []event.Event{
		// 1 discharges 2.0 m at Nampo.
		draught(1, 0, "2024-05-10", "port_visit", "KP", -2.0),
		// 2 gives 1.5 m to 3 at sea; 3 rises 1.4 m and reaches KP in 5 days.
		draught(2, 3, "2024-06-01", "encounter", "", -1.5),
		draught(3, 2, "2024-06-01", "encounter", "", 1.4),
		visit(3, "2024-06-06", "KP"),
		// 6 gives to 7, which never goes to KP.
		draught(6, 7, "2024-07-01", "encounter", "", -1.0),
		// 4 loads 3.0 m at Vostochnyy and sails to KP; no draught change there.
		draught(4, 0, "2024-08-01", "port_visit", "RU-FE", 3.0),
		{Type: event.Voyage, MMSI: 4, Start: at("2024-08-02"), End: at("2024-08-05"), FromGroup: "RU-FE", PortGroup: "KP", PortID: "KP"},
		// 5 loads, sails and discharges: counted once, at the port.
		draught(5, 0, "2024-09-01", "port_visit", "RU-FE", 2.5),
		{Type: event.Voyage, MMSI: 5, Start: at("2024-09-02"), End: at("2024-09-05"), FromGroup: "RU-FE", PortGroup: "KP", PortID: "KP"},
		draught(5, 0, "2024-09-06", "port_visit", "KP", -2.5),
		// 8 goes dark, visits KP unseen, and comes back 1.2 m lighter; the
		// change carries no context, only the dark visit explains it.
		{Type: event.PossibleDarkPortVisit, MMSI: 8, Start: at("2024-10-03"), End: at("2024-10-05"), PortGroup: "KP", Port: "NAMPO", PortID: "KP"},
		func() event.Event {
			e := draught(8, 0, "2024-10-07", "", "", -1.2)
			e.Start = at("2024-10-01") // last draught report before going dark
			return e
		}(),
		// 9: the simulator's truth form, with cargo_t and no dimensions.
		{Type: event.DraughtChange, MMSI: 9, Start: at("2024-11-01"), End: at("2024-11-03"), PortGroup: "KP", Port: "NAMPO",
			Evidence: map[string]any{"change_m": -1.0, "context": "dark_port_visit", "cargo_t": 1312.0, "block_coefficient": 0.8, "seawater_t_per_m3": 1.025}},
		// 2023: one delivery; a 0.1 m change is noise.
		draught(1, 0, "2023-03-01", "port_visit", "KP", -1.0),
		draught(1, 0, "2023-04-01", "port_visit", "KP", -0.1),
	}
	years, skipped := Estimate(DefaultConfig(), evs)
	if len(years) != 2 || years[0].Year != 2023 || years[1].Year != 2024 {
		t.Fatalf("years %+v", years)
	}
	if skipped["sts_receiver_not_at_group"] != 1 || skipped["change_below_minimum"] != 1 {
		t.Errorf("skipped %v", skipped)
	}
	kinds := map[string]int{}
	for _, d := range years[1].Deliveries {
		kinds[d.Kind]++
		if d.Kind == "sts" && (d.MMSI != 3 || d.ChangeM != 1.4 || d.Receiver != 3 || len(d.EventIDs) != 2) {
			t.Errorf("sts delivery %+v: want the receiver's rise", d)
		}
		if d.Kind == "trip" && (d.MMSI != 4 || d.ChangeM != 3.0 || len(d.EventIDs) != 2) {
			t.Errorf("trip delivery %+v", d)
		}
	}
	if kinds["port"] != 2 || kinds["sts"] != 1 || kinds["trip"] != 1 || kinds["dark_port"] != 2 {
		t.Errorf("2024 deliveries by kind %v, want port 2 (vessels 1, 5), sts 1, trip 1, dark_port 2 (8, 9)", kinds)
	}
	for _, d := range years[1].Deliveries {
		// 9's 1312 t at the truth's own coefficients is 2023's delivery again.
		if d.MMSI == 9 && (d.Tonnes.Central != 1312 || d.Tonnes.Low != 1080 || d.Tonnes.High != 1533) {
			t.Errorf("from cargo_t: %+v", d.Tonnes)
		}
		if d.MMSI == 8 && len(d.EventIDs) != 2 {
			t.Errorf("dark delivery cites %v", d.EventIDs)
		}
	}
	// 2023: 100 m × 16 m × 1.0 m. Central 0.80 × 1.025 t/m³ = 1312 t;
	// diesel 0.84 t/m³ → 1312 / (0.84 × 0.158987) bbl.
	d := years[0].Deliveries[0]
	if d.Tonnes.Central != 1312 || d.Barrels.Central != math.Round(1312/(0.84*0.158987)) {
		t.Errorf("central %v t, %v bbl", d.Tonnes.Central, d.Barrels.Central)
	}
	// Low: 0.9 m × 0.75 × 1.000 = 1080 t; high: 1.1 m × 0.85 × 1.025 = 1533 t.
	if d.Tonnes.Low != 1080 || d.Tonnes.High != 1533 {
		t.Errorf("range %v", d.Tonnes)
	}
	if !(d.Barrels.Low < d.Barrels.Central && d.Barrels.Central < d.Barrels.High) {
		t.Errorf("barrels not ordered %v", d.Barrels)
	}
	y := years[0]
	if y.Barrels.Central != d.Barrels.Central || y.CapShare.Central != math.Round(d.Barrels.Central/CapBarrels*1000)/1000 {
		t.Errorf("2023 total %+v", y)
	}
}

// A tanker that takes cargo from another at sea and then discharges it at a
// KP port carries one cargo: it is counted once, at the discharge, which
// cites the meeting. A second receiver that loads in port between its
// receipt and its discharge carries two cargoes, and both count.
func TestSTSReceiverDischargingInPortCountsOnce(t *testing.T) {
	evs := []event.Event{
		draught(2, 3, "2024-06-01", "encounter", "", -1.5),
		draught(3, 2, "2024-06-01", "encounter", "", 1.4),
		visit(3, "2024-06-06", "KP"),
		draught(3, 0, "2024-06-07", "port_visit", "KP", -1.4),

		draught(12, 13, "2024-07-01", "encounter", "", 1.0),
		visit(12, "2024-07-03", "KP"),
		draught(12, 0, "2024-07-10", "port_visit", "RU-FE", 2.0),
		draught(12, 0, "2024-07-20", "port_visit", "KP", -3.0),
	}
	years, skipped := Estimate(DefaultConfig(), evs)
	if len(years) != 1 {
		t.Fatalf("years %+v", years)
	}
	var sts, port []Delivery
	for _, d := range years[0].Deliveries {
		switch d.Kind {
		case "sts":
			sts = append(sts, d)
		case "port":
			port = append(port, d)
		}
	}
	if len(sts) != 1 || sts[0].Receiver != 12 {
		t.Errorf("sts deliveries %+v: want only 12's (it loaded in port before discharging)", sts)
	}
	if len(port) != 2 {
		t.Fatalf("port deliveries %+v", port)
	}
	if port[0].MMSI != 3 || len(port[0].STS) != 2 || len(port[0].EventIDs) != 3 {
		t.Errorf("3's discharge %+v: want it to cite the receipt and its meeting", port[0])
	}
	if len(port[1].STS) != 0 {
		t.Errorf("12's discharge %+v took a receipt across a port load", port[1])
	}
	if skipped["counted_at_discharge"] != 1 {
		t.Errorf("skipped %v", skipped)
	}
	// 100 × 16 m × (1.4 + 1.0 + 3.0) m, each counted once.
	one := Range{}
	for _, m := range []float64{-1.4, 1.0, -3.0} {
		d := Delivery{ChangeM: m, LengthM: 100, BeamM: 16}
		fill(DefaultConfig(), &d)
		one.Central += d.Barrels.Central
	}
	if years[0].Barrels.Central != one.Central {
		t.Errorf("total %v bbl, want %v (each cargo once)", years[0].Barrels.Central, one.Central)
	}
}

func TestSkippedReadsAsText(t *testing.T) {
	got := Skipped{"not_a_delivery": 4367, "no_dimensions": 2, "odd_reason": 1}.String()
	want := "4367 not at a port of the group, a dark visit there or a meeting (loading, trim, typing); 2 vessel size unknown; 1 odd reason"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if s := (Skipped{}).String(); s != "none" {
		t.Errorf("empty: %q", s)
	}
}

func TestTableNamesVessels(t *testing.T) {
	evs := []event.Event{
		draught(3, 2, "2024-06-01", "encounter", "", 1.4),
		visit(3, "2024-06-06", "KP"),
		draught(3, 0, "2024-06-07", "port_visit", "KP", -1.4),
	}
	years, _ := Estimate(DefaultConfig(), evs)
	var b strings.Builder
	if err := WriteTable(&b, years, true, func(m uint32) string { return map[uint32]string{3: "CHON MA SAN"}[m] }); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "port (cargo from sts)  3 CHON MA SAN") {
		t.Errorf("table:\n%s", b.String())
	}
}
