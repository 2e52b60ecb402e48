package trips

import (
	"slices"
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/event"
)

// Three vessels make one trip each; the fleet decides whose count.
//   - 445000001: KP flag, tanker, on a sanctions list;
//   - 445000002: KP flag, cargo ship, met 445000001 at sea;
//   - 273000003: RU flag, tanker, nothing known against it.
func TestFleetSelectsWhoseTripsCount(t *testing.T) {
	var evs []event.Event
	dark := []bool{false, true, false}
	for i, m := range []uint32{445000001, 445000002, 273000003} {
		evs = append(evs, events(m,
			call{"Vostochny", "RU-FE", day(3, 1+i, 0), 20, false},
			call{"Nampo", "KP", day(3, 5+i, 0), 30, dark[i]},
		)...)
	}
	evs = append(evs,
		event.Event{Type: event.SanctionsMatch, MMSI: 445000001, Start: day(3, 1, 0), End: day(3, 9, 0), Confidence: 1},
		event.Event{Type: event.Encounter, MMSI: 273000009, OtherMMSI: 445000001, Start: day(2, 1, 0), End: day(2, 1, 3)},
		event.Event{Type: event.Encounter, MMSI: 445000002, OtherMMSI: 445000001, Start: day(2, 2, 0), End: day(2, 2, 3)},
	)
	info := func(m uint32) (string, uint8) {
		return map[uint32]string{445000001: "KP", 445000002: "KP", 273000003: "RU"}[m],
			map[uint32]uint8{445000001: 80, 445000002: 70, 273000003: 84}[m]
	}
	tanker, err := ParseShipTypes("tanker")
	if err != nil {
		t.Fatal(err)
	}
	all := Count(evs, cfg)
	for _, c := range []struct {
		name       string
		fleet      Fleet
		want       []uint32
		seen, dark int
	}{
		{"everyone", Fleet{}, []uint32{445000001, 445000002, 273000003}, 2, 1},
		{"DPRK tankers", Fleet{Flags: []string{"kp"}, ShipTypes: tanker}, []uint32{445000001}, 1, 0},
		{"flag KP", Fleet{Flags: []string{"KP"}}, []uint32{445000001, 445000002}, 1, 1},
		{"tankers", Fleet{ShipTypes: tanker}, []uint32{445000001, 273000003}, 2, 0},
		{"listed", Fleet{Listed: true}, []uint32{445000001}, 1, 0},
		{"met listed", Fleet{MetListed: true}, []uint32{445000002}, 0, 1},
		{"listed or met them", Fleet{Listed: true, MetListed: true}, []uint32{445000001, 445000002}, 1, 1},
		{"a list", Fleet{MMSIs: map[uint32]bool{273000003: true}}, []uint32{273000003}, 1, 0},
		{"a list and KP flag", Fleet{MMSIs: map[uint32]bool{273000003: true}, Flags: []string{"KP"}}, nil, 0, 0},
	} {
		got := all.Only(c.fleet.Members(evs, info))
		var ms []uint32
		for _, tr := range got.Trips {
			ms = append(ms, tr.MMSI)
		}
		slices.Sort(ms)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(ms, want) {
			t.Errorf("%s: trips of %v, want %v", c.name, ms, want)
		}
		tot := total(t, got, "RU-FE")
		if tot.Trips != c.seen || tot.DarkTrips != c.dark || len(got.ByVessel) != len(c.want) {
			t.Errorf("%s: total %+v, %d vessels; want %d seen, %d dark, %d vessels", c.name, tot, len(got.ByVessel), c.seen, c.dark, len(c.want))
		}
	}
}

func TestFleetString(t *testing.T) {
	tanker, _ := ParseShipTypes("tanker,31")
	f := Fleet{Listed: true, MetListed: true, Flags: []string{"KP", "KM"}, ShipTypes: tanker, MMSIs: map[uint32]bool{1: true}}
	if got := f.String(); got != "listed vessels and those that met them; flag KP or KM; AIS ship type 80-89 or 31; 1 MMSIs of a list" {
		t.Errorf("%q", got)
	}
	if got := (&Fleet{}).String(); got != "every vessel" {
		t.Errorf("%q", got)
	}
}

func TestParseShipTypes(t *testing.T) {
	got, err := ParseShipTypes("tanker, 70-74,31")
	if err != nil || !slices.Equal(got, []TypeRange{{80, 89}, {70, 74}, {31, 31}}) {
		t.Errorf("%v %v", got, err)
	}
	for _, bad := range []string{"tankers", "90-80", "100", "-"} {
		if _, err := ParseShipTypes(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestReadNumbers(t *testing.T) {
	n, err := ReadNumbers(strings.NewReader("mmsi,name\n# DPRK tankers\n445123000,CHON MA SAN\n\nIMO 8660313\n\"9123456\"\t\n"))
	if err != nil || !slices.Equal(n.MMSIs, []uint32{445123000}) || !slices.Equal(n.IMOs, []uint32{8660313, 9123456}) {
		t.Errorf("%+v %v", n, err)
	}
	if _, err := ReadNumbers(strings.NewReader("445123000\n44512300\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("an 8-digit number: %v", err)
	}
	if _, err := ReadNumbers(strings.NewReader("# nothing\n")); err == nil {
		t.Error("an empty list accepted")
	}
}
