package detect

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// kmEast is the longitude step of km kilometres at latitude 45 (the test
// world's shore is the meridian 130°E, see fakeShore).
func kmEast(km float64) float64 { return km / (111.195 * 0.7071) }

// moored is a boat that arrives at (lat, lon) and lies there for dur.
func moored(mmsi uint32, lat, lon float64, dur time.Duration) *script {
	return newScript(mmsi, 0, lat, lon+0.02).sail(lat, lon, 4).stay(dur, 0)
}

func TestMooredInSmallHarbourIsNoEncounter(t *testing.T) {
	// Hvide Sande, Gilleleje, Dragør: boats moored 50–250 m apart in a
	// harbour the World Port Index does not list (here 300 km from any of
	// its ports), 0.6 km from the shore, for 2.5 h.
	w := newWorld()
	lon := 130 + kmEast(0.6)
	w.add(moored(1, 45.0, lon, 150*time.Minute), moored(2, 45.0005, lon, 150*time.Minute),
		moored(3, 45.001, lon+kmEast(0.1), 150*time.Minute), moored(4, 45.002, lon, 150*time.Minute))
	// Two boats alone in a marina at the shore (Coyote Point).
	w.add(moored(5, 46.0, 130+kmEast(0.3), 150*time.Minute), moored(6, 46.003, 130+kmEast(0.3), 150*time.Minute))
	if en := only(w.run(t), event.Encounter); len(en) != 0 {
		t.Fatalf("moored boats in small harbours: %d encounters, want 0: %+v", len(en), en)
	}
	d := w.detector(t)
	areas := d.LearnedAreas()
	sort.Slice(areas, func(i, j int) bool { return areas[i].Lat < areas[j].Lat })
	if len(areas) != 2 || areas[0].Vessels != 4 || areas[1].Vessels != 2 {
		t.Fatalf("learned areas %+v, want the harbour (4 vessels) and the marina (2)", areas)
	}
	if a := areas[0]; a.Lat < 44.99 || a.Lat > 45.01 || a.Lon < 130 || a.Lon > lon+0.01 {
		t.Errorf("harbour area at %.4f,%.4f", a.Lat, a.Lon)
	}
}

func TestTransferWithThirdShipOffshoreStaysEncounter(t *testing.T) {
	// Three tankers stationary together 100 km out: many vessels stopping
	// is what an anchorage looks like, but this far out it is a transfer
	// spot, which must not teach itself away.
	w := newWorld()
	lon := 130 + kmEast(100)
	w.add(moored(1, 45.0, lon, 5*time.Hour), moored(2, 45.001, lon, 5*time.Hour), moored(3, 45.002, lon, 5*time.Hour))
	if en := only(w.run(t), event.Encounter); len(en) != 3 {
		t.Fatalf("three tankers together offshore: %d encounters, want 3: %+v", len(en), en)
	}
	if a := w.detector(t).LearnedAreas(); len(a) != 0 {
		t.Fatalf("offshore transfer spot learned as a port area: %+v", a)
	}
}

func TestTransferJustOutsidePortIsFlaggedNearPort(t *testing.T) {
	// Two tankers at anchor 12 km east of ALPHA (beyond EncounterPortKm),
	// 16 km from the shore: still an encounter, with the port beside it.
	w := newWorld()
	lon := 130.05 + 12/(111.195*0.766)
	w.add(moored(1, 40.0, lon, 5*time.Hour), moored(2, 40.002, lon, 5*time.Hour))
	en := only(w.run(t), event.Encounter)
	if len(en) != 1 {
		t.Fatalf("transfer outside the port limit: %d encounters, want 1", len(en))
	}
	ev := en[0].Evidence
	if ev["near_port"] != true || ev["near_port_name"] != "ALPHA" || ev["near_port_km"].(float64) < 11 || ev["near_port_km"].(float64) > 13 {
		t.Fatalf("evidence %v, want near_port ALPHA at 12 km", ev)
	}
}

// anchorAt is a ship that comes at 8 kn from 4 km east, lies at (lat,
// lon) for dur from at on, and sails back east.
func anchorAt(mmsi uint32, at time.Duration, lat, lon float64, dur time.Duration) *script {
	return newScript(mmsi, at, lat, lon+0.05).sail(lat, lon, 8).stay(dur, 0).sail(lat, lon+0.05, 8)
}

func TestSTSSpotUsedAgainStaysEncounter(t *testing.T) {
	// Issue 18: tankers at anchor side by side 12 km north of ALPHA
	// (beyond EncounterPortKm), 4.3 km from the shore, a pair at a time
	// and weeks apart, the second ship an hour after the first (as the
	// simulator has them: the first has lain there alone that long). The
	// second pair's stops made the spot a learned port area (three
	// vessels) and its encounter was dropped.
	w := newWorld()
	lat, lon := 40.0+12/111.195, 130.05
	for i, at := range []time.Duration{0, 16 * 24 * time.Hour, 30 * 24 * time.Hour} {
		a := uint32(2*i + 1)
		w.add(anchorAt(a, at, lat, lon, 7*time.Hour), anchorAt(a+1, at+time.Hour, lat+0.0009, lon, 6*time.Hour))
	}
	en := only(w.run(t), event.Encounter)
	if len(en) != 3 {
		t.Fatalf("three transfers at one spot: %d encounters, want 3: %+v", len(en), en)
	}
	for _, e := range en {
		if e.MMSI+1 != e.OtherMMSI || e.Evidence["near_port"] != true || e.Evidence["near_port_name"] != "ALPHA" {
			t.Errorf("encounter %d-%d evidence %v, want near_port ALPHA", e.MMSI, e.OtherMMSI, e.Evidence)
		}
	}
	if a := w.detector(t).LearnedAreas(); len(a) != 0 {
		t.Fatalf("a transfer spot learned as a port area: %+v", a)
	}
}

func TestAnchorageOfSeveralShipsStillSilencesPairs(t *testing.T) {
	// The same waters, 4.3 km off the shore: four ships at anchor 400 m
	// apart in a square, each beside two others, make an anchorage; two
	// tankers anchored 100 m apart in it a day later are no encounter,
	// nor are the four among themselves.
	w := newWorld()
	lat, lon := 40.0+12/111.195, 130.05
	dLat, dLon := 0.4/111.195, 0.4/(111.195*math.Cos(lat*math.Pi/180))
	for i := range 4 {
		w.add(anchorAt(uint32(i+1), time.Duration(i)*20*time.Minute, lat+float64(i/2)*dLat, lon+float64(i%2)*dLon, 8*time.Hour))
	}
	day := 24 * time.Hour
	w.add(anchorAt(5, day, lat+dLat/2, lon+dLon/2, 6*time.Hour), anchorAt(6, day, lat+dLat/2+0.0009, lon+dLon/2, 6*time.Hour))
	if en := only(w.run(t), event.Encounter); len(en) != 0 {
		t.Fatalf("ships at an anchorage: %d encounters, want 0: %+v", len(en), en)
	}
	if a := w.detector(t).LearnedAreas(); len(a) != 1 || a[0].Vessels < 4 {
		t.Fatalf("learned areas %+v, want the anchorage", a)
	}
}

func TestTugEscortIsNoEncounter(t *testing.T) {
	// A tug holding 100 m off a tanker at 1 kn for 3 h, 100 km out.
	w := newWorld()
	lon := 130 + kmEast(100)
	w.add(newScript(1, 0, 45.0, lon).sail(45.05, lon, 1), newScript(2, 0, 45.0009, lon).sail(45.0509, lon, 1))
	w.static(track.Static{MMSI: 1, Time: t0, Name: "TANKER", ShipType: 80, Length: 180, Beam: 30})
	w.static(track.Static{MMSI: 2, Time: t0, Name: "TUG", ShipType: 52, Length: 30, Beam: 10})
	if en := only(w.run(t), event.Encounter); len(en) != 0 {
		t.Fatalf("tug escort: %+v", en)
	}
}

func TestRestoredAreaSuppressesEncounterFromFirstFix(t *testing.T) {
	// An area learned in an earlier run and stored: this run learns nothing
	// (too few vessels), yet two boats moored there are no encounter.
	w := newWorld()
	w.cfg.LearnVessels, w.cfg.LearnCoastVessels = 99, 99
	lon := 130 + kmEast(3)
	w.add(moored(1, 45.0, lon, 3*time.Hour), moored(2, 45.002, lon, 3*time.Hour))
	if en := only(w.run(t), event.Encounter); len(en) != 1 {
		t.Fatalf("without the stored area: %d encounters, want 1", len(en))
	}
	w.restore = []LearnedArea{{Cells: []LearnedCell{{Lat: 45.001, Lon: lon, Vessels: 7}}}}
	if en := only(w.run(t), event.Encounter); len(en) != 0 {
		t.Fatalf("inside a restored area: %+v", en)
	}
	if a := w.detector(t).LearnedAreas(); len(a) != 1 || a[0].Vessels != 7 {
		t.Fatalf("restored areas listed as %+v", a)
	}
}

// tankerStatics reports draught m before at and m2 from at on, every 30 min
// over the first span hours.
func tankerStatics(w *world, mmsi uint32, at time.Duration, m, m2 float64, span time.Duration) {
	for t := time.Duration(0); t < span; t += 30 * time.Minute {
		dr := m
		if t >= at {
			dr = m2
		}
		w.static(track.Static{MMSI: mmsi, Time: t0.Add(t + time.Minute), Name: "TANKER", IMO: 9000001,
			ShipType: 80, Length: 150, Beam: 24, Draught: dr})
	}
}

func TestDarkTransferLoiteringWithDraughtChange(t *testing.T) {
	// A tanker 150 km out drifts at 1 kn for 7 h and its draught rises by
	// 3 m half way through, nobody alongside: its partner's AIS was off.
	w := newWorld()
	lon := 130 + kmEast(150)
	w.add(newScript(1, 0, 45.0, lon+0.3).sail(45.0, lon, 10).sail(45.1, lon, 1).sail(45.0, lon+0.5, 10))
	tankerStatics(w, 1, 6*time.Hour, 6, 9, 16*time.Hour)
	evs := w.run(t)
	dt := only(evs, event.PossibleDarkTransfer)
	if len(dt) != 1 {
		t.Fatalf("possible dark transfers %+v, want one", dt)
	}
	if e := dt[0]; e.Evidence["change_m"] != 3.0 || e.Evidence["loaded"] != true || e.Duration() < 5*time.Hour {
		t.Errorf("dark transfer %+v", e)
	}
	dc := only(evs, event.DraughtChange)
	if len(dc) != 1 || dc[0].Evidence["context"] != "loitering" {
		t.Fatalf("draught changes %+v, want one in the context of loitering", dc)
	}

	// The same with its partner alongside and transmitting: an encounter,
	// and no dark transfer.
	w = newWorld()
	w.add(newScript(1, 0, 45.0, lon+0.3).sail(45.0, lon, 10).sail(45.1, lon, 1).sail(45.0, lon+0.5, 10))
	w.add(newScript(2, 0, 45.0, lon-0.3).sail(45.0, lon+0.0015, 10).sail(45.1, lon+0.0015, 1).sail(45.0, lon-0.5, 10))
	tankerStatics(w, 1, 6*time.Hour, 6, 9, 16*time.Hour)
	evs = w.run(t)
	if dt := only(evs, event.PossibleDarkTransfer); len(dt) != 0 || len(only(evs, event.Encounter)) != 1 {
		t.Fatalf("visible transfer: dark transfers %+v, encounters %d", dt, len(only(evs, event.Encounter)))
	}
}

func TestPartnerArrivingLateIsNoDarkTransfer(t *testing.T) {
	// Seed 9650: a tanker waits 150 km out, drifting at 1 kn; after 3.5 h
	// its partner, transmitting, comes alongside for 2.5 h and the
	// tanker's draught rises; then both sail off. The new draught is
	// confirmed before the encounter detector has reached the partner's
	// arrival (it works 70 min behind the newest fix): an encounter, and
	// a draught change in its context, but no transfer with an unseen
	// partner.
	w := newWorld()
	lon := 130 + kmEast(150)
	// The tanker drifts 6 h from 45.0 to 45.1; the partner joins it where
	// it is after 3.5 h.
	joinLat := 45.0 + 0.1*3.5/6
	tk := newScript(1, 0, 45.0, lon+0.3).sail(45.0, lon, 10)
	arrive := tk.t.Sub(t0) + 210*time.Minute
	tk.sail(45.1, lon, 1).sail(45.1, lon+0.5, 10)
	pa := newScript(2, arrive-77*time.Minute, joinLat, lon-0.3).sail(joinLat, lon+0.0015, 10)
	pa.sail(45.1, lon+0.0015, 1).sail(45.1015, lon+0.1, 10).sail(46, lon+0.1, 10)
	w.add(tk, pa)
	// The draught reports every 30 min, the new one from the first report
	// after the partner arrived.
	tankerStatics(w, 1, arrive+10*time.Minute, 6, 9, 16*time.Hour)
	evs := w.run(t)
	if en := only(evs, event.Encounter); len(en) != 1 {
		t.Fatalf("encounters %+v, want one", en)
	}
	if dt := only(evs, event.PossibleDarkTransfer); len(dt) != 0 {
		t.Errorf("dark transfer beside a seen partner: %+v", dt)
	}
	dc := only(evs, event.DraughtChange)
	if len(dc) != 1 || dc[0].Evidence["context"] != string(event.Encounter) || dc[0].OtherMMSI != 2 {
		t.Fatalf("draught changes %+v, want one in the context of the encounter with 2", dc)
	}
	if len(only(evs, event.Loitering)) != 1 {
		t.Errorf("loitering %+v, want one", only(evs, event.Loitering))
	}
}

func TestEncounterAcrossGridRowsFarEast(t *testing.T) {
	// Two tankers at anchor 100 m apart off Fukui (simulator seed 204): at
	// longitude 136° the encounter grid's rows number their columns more
	// than one apart, and the pair, in neighbouring rows, was never
	// compared.
	w := newWorld()
	w.add(newScript(1, 0, 36.293095, 136.05008666666666).stay(6*time.Hour, 0),
		newScript(2, 0, 36.292671666666664, 136.04910166666667).stay(6*time.Hour, 0))
	if en := only(w.run(t), event.Encounter); len(en) != 1 {
		t.Fatalf("pair 100 m apart in neighbouring grid rows: %d encounters, want 1", len(en))
	}
}

func TestConfigSetIntList(t *testing.T) {
	c := DefaultConfig()
	if err := c.Set("EncounterService", "52, 50"); err != nil || len(c.EncounterService) != 2 || c.EncounterService[1] != 50 {
		t.Fatalf("EncounterService %v, err %v", c.EncounterService, err)
	}
	if err := c.Set("EncounterService", "tug"); err == nil {
		t.Fatal("a ship type that is not a number was taken")
	}
	if err := c.Set("EncounterService", ""); err != nil || len(c.EncounterService) != 0 {
		t.Fatalf("empty list: %v, err %v", c.EncounterService, err)
	}
}

// Seed 8201: after a GNSS interference the tracker put a tanker's real
// track on its displaced segment (one that began with an impossible jump)
// and, when the tanker sailed off after a 5 h drift, went back to its old
// segment at a ship's speed. The drift ended there and is loitering; left
// open on the displaced segment, it was dropped with it.
func TestLoiteringOnTheSegmentOfADisplacedStream(t *testing.T) {
	var out []event.Event
	d := New(DefaultConfig(), NewPortIndex(testPorts, 20), fakeShore{}, func(e *event.Event) { out = append(out, *e) })
	lon := 130 + kmEast(150)
	var prev *track.Point
	feed := func(s *script, seg int, jump bool) {
		for i, f := range s.fixes {
			p := &track.Point{Fix: f, Seg: seg, Flag: track.OK, ImpliedKn: math.NaN()}
			if prev != nil {
				p.ImpliedKn = geo.DistanceKm(prev.Lat, prev.Lon, f.Lat, f.Lon) / kmPerNm / f.Time.Sub(prev.Time).Hours()
			}
			if i == 0 && jump {
				p.NewSeg, p.Flag = true, track.TooFast
			}
			d.Point(p)
			prev = p
		}
	}
	// Segment 1: sailing; segment 2: positions put 80 km away for 4 h.
	feed(newScript(1, 0, 45.0, lon+0.5).sail(45.0, lon+0.3, 10), 1, false)
	at := prev.Time.Sub(t0) + 10*time.Minute
	feed(newScript(1, at, 45.7, lon+0.3).stay(4*time.Hour, 0), 2, true)
	// The real track comes back on segment 2: sailing, then drifting 5 h.
	at = prev.Time.Sub(t0) + 10*time.Minute
	s := newScript(1, at, 45.0, lon+0.3)
	s.sail(45.0, lon, 10).sail(45.08, lon, 1)
	feed(s, 2, false)
	// Off at 10 kn, on segment 1 again, for a day.
	at = prev.Time.Sub(t0) + 5*time.Minute
	feed(newScript(1, at, 45.08, lon).sail(45.08, lon+2.5, 10), 1, false)
	d.Flush()
	lo := only(out, event.Loitering)
	if len(lo) != 1 || lo[0].Duration() < 4*time.Hour {
		t.Fatalf("loitering %+v, want the 5 h drift", lo)
	}
}
