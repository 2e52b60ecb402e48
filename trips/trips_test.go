package trips

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

func day(month time.Month, d int, h int) time.Time {
	return time.Date(2024, month, d, h, 0, 0, 0, time.UTC)
}

type call struct {
	port, group string
	start       time.Time
	hours       int
	dark        bool
}

func events(mmsi uint32, calls ...call) []event.Event {
	var out []event.Event
	for _, c := range calls {
		typ := event.PortVisit
		if c.dark {
			typ = event.PossibleDarkPortVisit
		}
		out = append(out, event.Event{
			Type: typ, MMSI: mmsi, Start: c.start, End: c.start.Add(time.Duration(c.hours) * time.Hour),
			Port: c.port, PortID: "id-" + c.port, PortGroup: c.group,
		})
	}
	return out
}

func total(t *testing.T, r Result, from string) Tally {
	t.Helper()
	for _, c := range r.Total {
		if c.From == from {
			return c
		}
	}
	t.Fatalf("no total for %s: %+v", from, r.Total)
	return Tally{}
}

var cfg = Config{From: "RU-FE", To: "KP"}

func TestShuttle(t *testing.T) {
	evs := events(1,
		call{"Vostochny", "RU-FE", day(3, 1, 0), 20, false},
		call{"Nampo", "KP", day(3, 5, 0), 30, false},
		call{"Vostochny", "RU-FE", day(3, 10, 0), 20, false},
		call{"Rajin", "KP", day(3, 13, 0), 10, true},
		call{"Vostochny", "RU-FE", day(3, 16, 0), 20, false},
		call{"Chongjin", "KP", day(4, 2, 0), 10, false},
	)
	r := Count(evs, cfg)
	tot := total(t, r, "RU-FE")
	if tot.Trips != 2 || tot.DarkTrips != 1 {
		t.Fatalf("total %+v, want 2 seen and 1 possible dark", tot)
	}
	if tot.Visits != 2 || tot.DarkVisits != 1 {
		t.Fatalf("visits %+v, want 2 seen and 1 dark visit in KP", tot)
	}
	if len(r.Trips) != 3 {
		t.Fatalf("trips %d", len(r.Trips))
	}
	tr := r.Trips[1]
	if !tr.Dark || tr.Arrive.Ports[0] != "Rajin" || tr.Depart.Ports[0] != "Vostochny" {
		t.Errorf("second trip %+v", tr)
	}
	if len(tr.Evidence) != 2 || tr.Evidence[0] != evs[2].ID() || tr.Evidence[1] != evs[3].ID() {
		t.Errorf("evidence %v, want the departure and arrival event IDs", tr.Evidence)
	}
	var march, april Tally
	for _, c := range r.ByMonth {
		switch c.Month {
		case "2024-03":
			march = c
		case "2024-04":
			april = c
		}
	}
	if march.Trips != 1 || march.DarkTrips != 1 || april.Trips != 1 {
		t.Errorf("by month: %+v", r.ByMonth)
	}
	if len(r.ByVessel) != 1 || r.ByVessel[0].Trips != 2 || r.ByVessel[0].MMSI != 1 {
		t.Errorf("by vessel: %+v", r.ByVessel)
	}
}

func TestViaOtherPort(t *testing.T) {
	evs := events(2,
		call{"Vostochny", "RU-FE", day(5, 1, 0), 20, false},
		call{"Busan", "", day(5, 4, 0), 20, false},
		call{"Nampo", "KP", day(5, 8, 0), 20, false},
	)
	if r := Count(evs, cfg); len(r.Trips) != 0 {
		t.Fatalf("direct rule counted FROM→other→TO: %+v", r.Trips)
	}
	c := cfg
	c.AllowVia = true
	r := Count(evs, c)
	if len(r.Trips) != 1 || len(r.Trips[0].Via) != 1 || r.Trips[0].Via[0].Ports[0] != "Busan" {
		t.Fatalf("via: %+v", r.Trips)
	}
	if len(r.Trips[0].Evidence) != 3 {
		t.Errorf("evidence %v, want three visits", r.Trips[0].Evidence)
	}
}

func TestConsecutiveCallsInGroup(t *testing.T) {
	// Two Russian ports then two Korean ports: one trip, from the second
	// Russian port to the first Korean one.
	evs := events(3,
		call{"Vostochny", "RU-FE", day(6, 1, 0), 10, false},
		call{"Nakhodka", "RU-FE", day(6, 2, 0), 10, false},
		call{"Nampo", "KP", day(6, 6, 0), 10, false},
		call{"Songrim", "KP", day(6, 8, 0), 10, false},
	)
	r := Count(evs, cfg)
	if len(r.Trips) != 1 || r.Trips[0].Depart.Ports[0] != "Nakhodka" || r.Trips[0].Arrive.Ports[0] != "Nampo" {
		t.Fatalf("%+v", r.Trips)
	}
	if tot := total(t, r, "RU-FE"); tot.Visits != 2 {
		t.Errorf("visits %+v, want both KP calls", tot)
	}
}

func TestBothDirectionsRoundTrip(t *testing.T) {
	evs := events(4,
		call{"Vostochny", "RU-FE", day(7, 1, 0), 10, false},
		call{"Nampo", "KP", day(7, 5, 0), 10, false},
		call{"Vostochny", "RU-FE", day(7, 9, 0), 10, false},
	)
	if r := Count(evs, cfg); len(r.Trips) != 1 {
		t.Fatalf("one direction: %d trips", len(r.Trips))
	}
	c := cfg
	c.Both = true
	r := Count(evs, c)
	if got := total(t, r, "RU-FE").Trips; got != 1 {
		t.Errorf("RU-FE→KP %d", got)
	}
	back := total(t, r, "KP")
	if back.Trips != 1 || back.To != "RU-FE" || back.Visits != 2 {
		t.Errorf("KP→RU-FE %+v, want 1 trip and 2 visits in RU-FE", back)
	}
}

func TestPeriodBoundary(t *testing.T) {
	evs := events(5,
		call{"Vostochny", "RU-FE", day(1, 25, 0), 10, false},
		call{"Nampo", "KP", day(2, 1, 0), 10, false}, // exactly at Since
		call{"Vostochny", "RU-FE", day(2, 10, 0), 10, false},
		call{"Nampo", "KP", day(3, 1, 0), 10, false}, // exactly at Until
	)
	c := cfg
	c.Since, c.Until = day(2, 1, 0), day(3, 1, 0)
	r := Count(evs, c)
	if len(r.Trips) != 1 || !r.Trips[0].Arrive.Start.Equal(day(2, 1, 0)) {
		t.Fatalf("want only the trip arriving at Since: %+v", r.Trips)
	}
	if tot := total(t, r, "RU-FE"); tot.Visits != 1 {
		t.Errorf("visits %+v", tot)
	}
}

func TestMonthInUTC(t *testing.T) {
	// 31 January 23:30 UTC is already February in Vladivostok; the month is
	// UTC's.
	vlad := time.FixedZone("VLAT", 10*3600)
	evs := events(6,
		call{"Vostochny", "RU-FE", day(1, 28, 0), 10, false},
		call{"Nampo", "KP", time.Date(2024, 2, 1, 9, 30, 0, 0, vlad), 10, false},
	)
	r := Count(evs, cfg)
	if len(r.Trips) != 1 || r.Trips[0].Month != "2024-01" {
		t.Fatalf("%+v", r.Trips)
	}
	if len(r.ByVesselMonth) != 1 || r.ByVesselMonth[0].Month != "2024-01" {
		t.Errorf("%+v", r.ByVesselMonth)
	}
}

func TestDarkCandidatesMerged(t *testing.T) {
	// One gap that could have reached Nampo or a Chinese port is one
	// possible call, in KP.
	evs := events(7,
		call{"Vostochny", "RU-FE", day(8, 1, 0), 10, false},
		call{"Nampo", "KP", day(8, 4, 0), 30, true},
		call{"Dalian", "CN", day(8, 4, 0), 30, true},
		call{"Nampo", "KP", day(8, 5, 0), 20, true},
	)
	r := Count(evs, cfg)
	if len(r.Trips) != 1 || !r.Trips[0].Dark || len(r.Trips[0].Arrive.Ports) != 2 || len(r.Trips[0].Evidence) != 4 {
		t.Fatalf("%+v", r.Trips)
	}
	if tot := total(t, r, "RU-FE"); tot.DarkVisits != 1 || tot.DarkTrips != 1 || tot.Trips != 0 {
		t.Errorf("%+v", tot)
	}
}

func TestGroupsOfLookup(t *testing.T) {
	evs := events(8,
		call{"Vostochny", "", day(9, 1, 0), 10, false},
		call{"Nampo", "", day(9, 5, 0), 10, false},
	)
	if r := Count(evs, cfg); len(r.Trips) != 0 {
		t.Fatal("counted a trip without group information")
	}
	c := cfg
	c.GroupsOf = func(id string) []string {
		return map[string][]string{"id-Vostochny": {"RU-FE", "RU"}, "id-Nampo": {"KP"}}[id]
	}
	if r := Count(evs, c); len(r.Trips) != 1 {
		t.Fatalf("GroupsOf ignored: %+v", r.Trips)
	}
}

func TestFromVoyages(t *testing.T) {
	v := func(from, fromG, to, toG string, s, e time.Time) event.Event {
		return event.Event{Type: event.Voyage, MMSI: 9, Start: s, End: e,
			FromPort: from, FromPortID: "id-" + from, FromGroup: fromG, Port: to, PortID: "id-" + to, PortGroup: toG}
	}
	evs := []event.Event{
		v("Vostochny", "RU-FE", "Nampo", "KP", day(10, 1, 0), day(10, 4, 0)),
		v("Nampo", "KP", "Vostochny", "RU-FE", day(10, 6, 0), day(10, 9, 0)),
		v("Vostochny", "RU-FE", "Rajin", "KP", day(10, 12, 0), day(10, 14, 0)),
	}
	r := Count(evs, cfg)
	if len(r.Trips) != 2 {
		t.Fatalf("%+v", r.Trips)
	}
	if !slices.Equal(r.Trips[0].Evidence, []string{evs[0].ID()}) {
		t.Errorf("evidence %v, want the first voyage only", r.Trips[0].Evidence)
	}
	// With port visits present, voyages are evidence only.
	pv := events(9,
		call{"Vostochny", "RU-FE", day(10, 0, 12), 12, false},
		call{"Nampo", "KP", day(10, 4, 0), 40, false},
	)
	r = Count(append(pv, evs[0]), cfg)
	if len(r.Trips) != 1 || !slices.Equal(r.Trips[0].Voyages, []string{evs[0].ID()}) || len(r.Trips[0].Evidence) != 3 {
		t.Fatalf("voyage evidence: %+v", r.Trips)
	}
}

func TestSatelliteVisitIsDark(t *testing.T) {
	evs := events(10,
		call{"Vostochny", "RU-FE", day(11, 1, 0), 10, false},
		call{"Nampo", "KP", day(11, 4, 0), 30, false},
	)
	evs[1].Source = event.SourceSatellite
	r := Count(evs, cfg)
	tot := total(t, r, "RU-FE")
	if tot.Trips != 0 || tot.DarkTrips != 1 || tot.DarkVisits != 1 || tot.Visits != 0 {
		t.Fatalf("satellite-only visit counted as seen: %+v", tot)
	}
}

func TestReports(t *testing.T) {
	evs := events(12,
		call{"Vostochny", "RU-FE", day(3, 1, 0), 20, false},
		call{"Nampo", "KP", day(3, 5, 0), 30, false},
	)
	r := Count(evs, cfg)
	r.Names = map[uint32]string{12: "SHUN LIGHT 51"}
	var b strings.Builder
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "12,,RU-FE,KP,2024-03,seen,Vostochny,") || !strings.Contains(lines[1], evs[1].ID()) || !strings.HasSuffix(lines[1], ",SHUN LIGHT 51") {
		t.Errorf("csv:\n%s", b.String())
	}
	b.Reset()
	if err := WriteCountsCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "12,2024-03,RU-FE,KP,1,0,1,0,0,SHUN LIGHT 51\n") || !strings.Contains(b.String(), "all,all,RU-FE,KP,1,0,1,0,0,\n") {
		t.Errorf("counts csv:\n%s", b.String())
	}
	b.Reset()
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), evs[0].ID()) || !strings.Contains(b.String(), "RU-FE→KP") || strings.Count(b.String(), "SHUN LIGHT 51") != 3 {
		t.Errorf("table:\n%s", b.String())
	}
}

func TestOverlappingSamePortIsOneCall(t *testing.T) {
	// Ground truth: a satellite-seen visit inside the gap that also yields a
	// possible dark visit to the same port; then an AIS visit in Russia.
	evs := events(13,
		call{"Senbong", "KP", day(3, 1, 18), 60, true},
		call{"Senbong", "KP", day(3, 2, 1), 50, false},
		call{"Slavyanka", "RU-FE", day(3, 5, 0), 50, false},
	)
	evs[1].Source = event.SourceSatellite
	c := cfg
	c.Both = true
	r := Count(evs, c)
	back := total(t, r, "KP")
	fwd := total(t, r, "RU-FE")
	if fwd.DarkVisits != 1 || fwd.Visits != 0 {
		t.Errorf("one dark stay counted %+v", fwd)
	}
	if back.DarkTrips != 1 || len(r.Trips) != 1 || len(r.Trips[0].Depart.Evidence) != 2 {
		t.Errorf("trip back %+v, trips %+v", back, r.Trips)
	}
	// Seen in AIS wins over a dark inference of the same stay.
	evs[1].Source = event.SourceAIS
	r = Count(evs, c)
	if got := total(t, r, "RU-FE"); got.Visits != 1 || got.DarkVisits != 0 {
		t.Errorf("seen stay: %+v", got)
	}
}

func TestFollowIdentity(t *testing.T) {
	// A tanker leaves Vostochny as 20, goes dark, and arrives in Nampo as
	// 21; later it sails back and calls at Nakhodka as 22.
	evs := events(20, call{"Vostochny", "RU-FE", day(4, 1, 0), 10, false})
	evs = append(evs, events(21, call{"Nampo", "KP", day(4, 5, 0), 20, false})...)
	evs = append(evs, events(22, call{"Nakhodka", "RU-FE", day(4, 9, 0), 20, false})...)
	link1 := event.Event{Type: event.IdentityChange, MMSI: 21, OtherMMSI: 20, Start: day(4, 4, 0), End: day(4, 4, 0)}
	link2 := event.Event{Type: event.IdentityChange, MMSI: 22, OtherMMSI: 21, Start: day(4, 8, 0), End: day(4, 8, 0)}
	evs = append(evs, link2, link1) // order of input must not matter

	c := cfg
	c.Both = true
	if r := Count(evs, c); len(r.Trips) != 0 {
		t.Fatalf("trips across MMSIs without FollowIdentity: %+v", r.Trips)
	}
	c.FollowIdentity = true
	r := Count(evs, c)
	if len(r.Trips) != 2 {
		t.Fatalf("%+v", r.Trips)
	}
	out := r.Trips[0]
	if out.MMSI != 22 || !slices.Equal(out.MMSIs, []uint32{20, 21}) || !slices.Equal(out.IdentityLinks, []string{link1.ID(), link2.ID()}) {
		t.Errorf("outbound trip %+v", out)
	}
	if !slices.Contains(out.Evidence, link1.ID()) {
		t.Errorf("identity change not in evidence: %v", out.Evidence)
	}
	if len(r.ByVessel) != 2 || r.ByVessel[0].MMSI != 22 {
		t.Errorf("by vessel %+v", r.ByVessel)
	}
	var b strings.Builder
	if err := WriteTable(&b, r); err != nil || !strings.Contains(b.String(), "22 (as 20,21)") {
		t.Errorf("table (%v):\n%s", err, b.String())
	}
}

func TestDarkDetectionsAreSatelliteOnlyVisits(t *testing.T) {
	evs := events(10,
		call{"Vostochny", "RU-FE", day(11, 1, 0), 10, false},
		call{"Nampo", "KP", day(11, 4, 0), 30, false},
	)
	det := func(group string, at time.Time) event.Event {
		return event.Event{Type: event.DarkDetection, Start: at, End: at, Port: "Nampo", PortID: "id-Nampo",
			PortGroup: group, Source: event.SourceSatellite}
	}
	evs = append(evs,
		det("KP", day(11, 20, 3)),
		det("KP", day(12, 2, 3)),
		det("RU-FE", day(11, 21, 3)), // in FROM: not a visit to TO
		det("KP", day(10, 1, 0)),     // before the period
	)
	c := cfg
	c.Since = day(11, 1, 0)
	r := Count(evs, c)
	tot := total(t, r, "RU-FE")
	if tot.SatelliteVisits != 2 || tot.Trips != 1 || tot.Visits != 1 {
		t.Fatalf("total %+v: want 2 satellite-only visits beside 1 seen trip and visit", tot)
	}
	months := map[string]int{}
	for _, m := range r.ByMonth {
		months[m.Month] = m.SatelliteVisits
	}
	if months["2024-11"] != 1 || months["2024-12"] != 1 {
		t.Errorf("satellite-only visits by month %v, want one in 2024-11 and one in 2024-12", months)
	}
	for _, v := range r.ByVessel {
		if v.SatelliteVisits != 0 {
			t.Errorf("vessel row %+v carries satellite-only visits of unknown ships", v)
		}
	}
}
