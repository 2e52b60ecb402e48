package risk

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

func ev(typ event.Type, mmsi uint32, h int, f func(*event.Event)) event.Event {
	e := event.Event{Type: typ, MMSI: mmsi, Start: t0.Add(time.Duration(h) * time.Hour), End: t0.Add(time.Duration(h+5) * time.Hour), Confidence: 1}
	if f != nil {
		f(&e)
	}
	return e
}

// scenario: 1 is listed and shuttles RU-FE↔KP; 2 meets it at sea, goes dark
// deliberately and changes flag; 3 meets 2; 4 does nothing of note.
func scenario() []event.Event {
	return []event.Event{
		ev(event.SanctionsMatch, 1, 0, func(e *event.Event) {
			e.Confidence = 0.95
			e.Evidence = map[string]any{"entry_name": "CHON MYONG 1"}
		}),
		ev(event.PortVisit, 1, 10, func(e *event.Event) { e.Port, e.PortID, e.PortGroup = "NAMPO", "1", "KP" }),
		ev(event.PortVisit, 1, 100, func(e *event.Event) { e.Port, e.PortID, e.PortGroup = "NAMPO", "1", "KP" }),
		ev(event.PortVisit, 1, 200, func(e *event.Event) { e.Port, e.PortID, e.PortGroup = "NAMPO", "1", "KP" }),
		ev(event.PortVisit, 1, 300, func(e *event.Event) { e.Port, e.PortID, e.PortGroup = "NAMPO", "1", "KP" }),
		ev(event.PortVisit, 1, 50, func(e *event.Event) { e.Port, e.PortID, e.PortGroup = "VOSTOCHNYY", "2", "RU-FE" }),
		ev(event.Voyage, 1, 60, func(e *event.Event) { e.FromGroup, e.PortGroup, e.PortID = "RU-FE", "KP", "1" }),
		ev(event.Voyage, 1, 160, func(e *event.Event) { e.FromGroup, e.PortGroup, e.PortID = "KP", "RU-FE", "2" }),
		ev(event.Voyage, 1, 260, func(e *event.Event) { e.FromGroup, e.PortGroup, e.PortID = "CN-NE", "KP", "1" }),
		ev(event.Encounter, 2, 400, func(e *event.Event) { e.OtherMMSI = 1 }),
		ev(event.Gap, 2, 420, func(e *event.Event) { e.Evidence = map[string]any{"deliberate": true} }),
		ev(event.Gap, 2, 500, func(e *event.Event) { e.Evidence = map[string]any{"deliberate": false} }),
		ev(event.IdentityChange, 2, 600, func(e *event.Event) {
			e.Evidence = map[string]any{"fields": []any{"name", "flag"}}
		}),
		ev(event.DraughtChange, 2, 401, func(e *event.Event) { e.Evidence = map[string]any{"context": "encounter"} }),
		ev(event.PossibleDarkPortVisit, 2, 700, func(e *event.Event) { e.Confidence = 0.5; e.Port, e.PortGroup = "NAMPO", "KP" }),
		// A dark visit in a gap that looks like a reception hole counts half.
		ev(event.PossibleDarkPortVisit, 2, 500, func(e *event.Event) { e.Confidence = 0.5; e.Port, e.PortGroup = "NAMPO", "KP" }),
		ev(event.Encounter, 3, 800, func(e *event.Event) { e.OtherMMSI = 2 }),
		ev(event.Spoofing, 4, 900, nil),
	}
}

func byMMSI(ss []Score) map[uint32]Score {
	m := map[uint32]Score{}
	for _, s := range ss {
		m[s.MMSI] = s
	}
	return m
}

func TestScores(t *testing.T) {
	evs := scenario()
	ss := Scores(DefaultConfig(), evs, []Vessel{{MMSI: 2, Flag: "Panama"}, {MMSI: 5, Flag: "JP"}})
	got := byMMSI(ss)
	want := map[uint32]map[string]float64{
		// listed by an IMO-strength match (0.95: counts in full, 50); 4 KP
		// visits capped at 45; 2 RU-FE↔KP trips (CN-NE→KP is not one); met 2,
		// whose score before meetings is 40 ≥ 30.
		1: {Listed: 50, WatchedVisit: 45, WatchedTrip: 20, MeetHighRisk: 10},
		// meets listed 1 (20, an IMO-strength match); one deliberate gap; flag change; cargo at
		// sea; dark visits 12×0.5 and 12×0.5×0.5; Panama FOC.
		2: {MeetListed: 20, DeliberateGap: 8, FlagChange: 8, STSCargo: 10, DarkVisit: 9, FlagConvenience: 5},
		// meets 2, whose score before meetings is 40 ≥ 30.
		3: {MeetHighRisk: 10},
		4: {Spoofing: 10},
		5: {},
	}
	if len(got) != len(want) {
		t.Errorf("scored %d vessels, want %d", len(got), len(want))
	}
	for mmsi, fs := range want {
		s := got[mmsi]
		have := map[string]float64{}
		for _, f := range s.Factors {
			have[f.Name] = f.Points
		}
		if !reflect.DeepEqual(have, fs) && !(len(have) == 0 && len(fs) == 0) {
			t.Errorf("vessel %d factors %v, want %v", mmsi, have, fs)
		}
	}
	if ss[0].MMSI != 1 || ss[0].Total != 125 {
		t.Errorf("top = %d %.2f", ss[0].MMSI, ss[0].Total)
	}
}

func TestEveryPointTracesToAnEvent(t *testing.T) {
	evs := scenario()
	ids := map[string]event.Event{}
	for _, e := range evs {
		ids[e.ID()] = e
	}
	for _, s := range Scores(DefaultConfig(), evs, []Vessel{{MMSI: 2, Flag: "PA"}}) {
		sum := 0.0
		for _, f := range s.Factors {
			sum += f.Points
			if f.Name == FlagConvenience {
				continue // backed by the broadcast flag, said in Detail
			}
			if f.Points > 0 && len(f.EventIDs) == 0 {
				t.Errorf("vessel %d factor %s has %.1f points and no events", s.MMSI, f.Name, f.Points)
			}
			for _, id := range f.EventIDs {
				e, ok := ids[id]
				if !ok {
					t.Errorf("vessel %d factor %s cites unknown event %s", s.MMSI, f.Name, id)
				} else if e.MMSI != s.MMSI && e.OtherMMSI != s.MMSI {
					t.Errorf("vessel %d factor %s cites event of %d/%d", s.MMSI, f.Name, e.MMSI, e.OtherMMSI)
				}
			}
		}
		if round2(sum) != s.Total {
			t.Errorf("vessel %d total %.2f != sum of factors %.2f", s.MMSI, s.Total, sum)
		}
	}
}

func TestDeterministic(t *testing.T) {
	evs := scenario()
	want := Scores(DefaultConfig(), evs, nil)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20; i++ {
		sh := append([]event.Event(nil), evs...)
		r.Shuffle(len(sh), func(a, b int) { sh[a], sh[b] = sh[b], sh[a] })
		if got := Scores(DefaultConfig(), sh, nil); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d changed the scores:\n%+v\nwant\n%+v", i, got, want)
		}
	}
}

func TestFlagCode(t *testing.T) {
	for in, want := range map[string]string{
		"Panama": "PA", "pa": "PA", "Panama (Republic of)": "PA", "Korea (Democratic People's Republic of)": "KP",
		"Democratic People's Republic of Korea": "KP", "Korea (Republic of)": "KOREA",
		"United Kingdom of Great Britain and Northern Ireland - Gibraltar": "GI", "Japan": "JAPAN"} {
		if got := flagCode(in); got != want {
			t.Errorf("flagCode(%q) = %q", in, got)
		}
	}
	if len(ITFFlagsOfConvenience2013) != 32 {
		t.Errorf("FOC list has %d registers; the 2013 list's 34 less FIS and GIS is 32", len(ITFFlagsOfConvenience2013))
	}
}

// A UN-listed hull matched by its IMO number scores the listed factor in
// full whatever else it did; a match by name alone counts by its strength.
func TestListedByIMOCountsInFull(t *testing.T) {
	match := func(mmsi uint32, strength float64) event.Event {
		return ev(event.SanctionsMatch, mmsi, 0, func(e *event.Event) { e.Confidence = strength })
	}
	got := byMMSI(Scores(DefaultConfig(), []event.Event{match(1, 0.985), match(2, 0.7)}, nil))
	if s := got[1].Total; s != 50 {
		t.Errorf("IMO match 0.985: risk %.2f, want 50", s)
	}
	if s := got[2].Total; s != 35 {
		t.Errorf("name match 0.7: risk %.2f, want 35", s)
	}
}

// A vessel whose positions were displaced by GNSS interference gets no
// spoofing points for it; its spoofing elsewhere still counts, and so do
// vessels the interference did not list.
func TestNoSpoofingPointsFromInterference(t *testing.T) {
	gi := ev(event.GNSSInterference, 0, 1000, func(e *event.Event) {
		e.End = e.Start.Add(6 * time.Hour)
		e.Evidence = map[string]any{"vessels": []any{float64(7), float64(8)}}
	})
	evs := []event.Event{gi,
		ev(event.Spoofing, 7, 1000, func(e *event.Event) { e.Start = gi.Start.Add(time.Hour); e.End = gi.Start.Add(3 * time.Hour) }),
		ev(event.Spoofing, 8, 1000, func(e *event.Event) { e.Start = gi.Start.Add(30 * 24 * time.Hour); e.End = e.Start.Add(time.Hour) }),
		ev(event.Spoofing, 9, 1000, func(e *event.Event) { e.Start = gi.Start.Add(time.Hour); e.End = gi.Start.Add(3 * time.Hour) }),
		// Vessel 8's own land spoof, begun 2 h before the interference
		// and run into it (seed 7251): its own, so it counts.
		ev(event.Spoofing, 8, 1000, func(e *event.Event) { e.Start = gi.Start.Add(-2 * time.Hour); e.End = gi.Start.Add(time.Hour) }),
	}
	got := byMMSI(Scores(DefaultConfig(), evs, nil))
	points := func(m uint32) float64 {
		for _, f := range got[m].Factors {
			if f.Name == Spoofing {
				return f.Points
			}
		}
		return 0
	}
	if p := points(7); p != 0 {
		t.Errorf("vessel 7: %v spoofing points from an interference that listed it", p)
	}
	if points(8) != 20 || points(9) != 10 {
		t.Errorf("spoofing outside the interference, begun before it, or of a vessel not listed, must count: 8 %v (want 20), 9 %v", points(8), points(9))
	}
}
