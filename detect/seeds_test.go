package detect

import (
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// Cases found by scoring simulator scenarios (scripts/eval-seeds), each on a
// hand-built track.

func TestReappearSkipsANumberAlreadySucceeded(t *testing.T) {
	w := newWorld()
	// One hull, three numbers, each taking over the IMO of the last: 1, then
	// 2 (20 h later), then 3 (40 h later), 3 starting next to where 1 fell
	// silent. 1 is accounted for by 2: linking 3 to 1 would report a change
	// that skips the step through 2.
	w.add(newScript(1, 0, 40.5, 133.0).sail(40.5, 133.2, 10))
	w.static(track.Static{MMSI: 1, Time: t0.Add(time.Minute), Name: "ONE", IMO: 9000001, Length: 120, Beam: 20, ShipType: 80})
	w.add(newScript(2, 20*time.Hour, 40.5, 133.9).sail(40.5, 134.1, 10))
	w.static(track.Static{MMSI: 2, Time: t0.Add(20*time.Hour + time.Minute), Name: "TWO", IMO: 9000001, Length: 120, Beam: 20, ShipType: 80})
	w.add(newScript(3, 40*time.Hour, 40.5, 133.25).sail(40.5, 133.5, 10))
	w.static(track.Static{MMSI: 3, Time: t0.Add(40*time.Hour + time.Minute), Name: "THREE", IMO: 9000001, Length: 120, Beam: 20, ShipType: 80})
	ic := only(w.run(t), event.IdentityChange)
	pairs := map[[2]uint32]bool{}
	for _, e := range ic {
		pairs[[2]uint32{e.MMSI, e.OtherMMSI}] = true
	}
	if len(ic) != 2 || !pairs[[2]uint32{2, 1}] || !pairs[[2]uint32{3, 2}] {
		t.Fatalf("identity changes %+v, want 1→2 and 2→3 only", ic)
	}
}

func TestDarkVisitNotToTheGroupItReappearsIn(t *testing.T) {
	w := newWorld()
	// 60 h dark 100 km off BRAVO (KP), reappearing berthed at ALPHA (RU-FE):
	// a hidden call at BRAVO (or DELTA) fits.
	w.add(newScript(1, 0, 41.0, 131.3).sail(41.0, 131.4, 10).silent(60*time.Hour).
		add1(40.0, 130.06).stay(2*time.Hour, 0))
	// 60 h dark 100 km off BRAVO, reappearing berthed at DELTA (KP, 70 km
	// from BRAVO): the call in the KP group is in plain view at the end, so
	// the silence does not suggest a hidden one at BRAVO.
	w.add(newScript(2, 0, 41.0, 131.3).sail(41.0, 131.4, 10).silent(60*time.Hour).
		add1(41.6, 130.36).stay(2*time.Hour, 0))
	dv := only(w.runWith(t, append(testPorts[:3:3], Port{ID: "4", Name: "DELTA", Lat: 41.6, Lon: 130.35, Groups: []string{"KP"}})),
		event.PossibleDarkPortVisit)
	if len(dv) != 1 || dv[0].MMSI != 1 || dv[0].PortGroup != "KP" {
		t.Fatalf("dark visits %+v, want vessel 1 at a KP port only", dv)
	}
}

// add1 puts the vessel at (lat, lon), stopped.
func (s *script) add1(lat, lon float64) *script {
	s.lat, s.lon = lat, lon
	s.add(0, 0)
	s.t = s.t.Add(s.every)
	return s
}

// runWith is run with another port list.
func (w *world) runWith(t *testing.T, ports []Port) []event.Event {
	t.Helper()
	saved := testPorts
	testPorts = ports
	defer func() { testPorts = saved }()
	return w.run(t)
}

func TestSpoofCircleFromFiveSatelliteFixes(t *testing.T) {
	w := newWorld()
	// A 3 km circle at 6 kn heard five times in 2.5 days, once on each side
	// (and once more on the first): the fixes go round it.
	s := newScript(1, 0, 41.0, 130.5)
	for i, brg := range []float64{330, 215, 147, 290, 40} {
		s.lat, s.lon = geo.Destination(41.0, 130.5, brg, 3)
		s.add(6, brg+90)
		s.t = s.t.Add([]time.Duration{time.Hour, 4 * time.Hour, 46 * time.Hour, 6 * time.Hour, 0}[i])
	}
	// Five fixes at 6 kn within 10 km, all heading one way: not round.
	o := newScript(2, 0, 38.0, 131.0)
	for _, brg := range []float64{330, 215, 147, 290, 40} {
		o.lat, o.lon = geo.Destination(38.0, 131.0, brg, 3)
		o.add(6, 20)
		o.t = o.t.Add(12 * time.Hour)
	}
	w.add(s, o)
	sp := only(w.run(t), event.Spoofing)
	if len(sp) != 1 || sp[0].MMSI != 1 {
		t.Fatalf("spoofing %+v, want vessel 1's circle only", sp)
	}
}

func TestSharedMMSIMooredAndSailingIn(t *testing.T) {
	w := newWorld()
	// Hull A moored, heard every 20 min for three days.
	a := newScript(1, 0, 42.65, 130.80)
	a.every = 20 * time.Minute
	a.stay(72*time.Hour, 0)
	// Hull B under the same number, 600 km south: heard by satellites every
	// 8 h while it sails north at 11 kn, then every 10 min near the coast.
	b := newScript(1, 4*time.Hour, 37.05, 130.14)
	for i := 0; i < 4; i++ {
		b.add(11, 20)
		b.t = b.t.Add(8 * time.Hour)
		b.lat, b.lon = geo.Destination(b.lat, b.lon, 20, 8*11*kmPerNm)
	}
	b.every = 10 * time.Minute
	b.sail(42.75, 133.08, 11).stay(20*time.Hour, 0)
	w.add(a, b)
	sp := only(w.run(t), event.Spoofing)
	if len(sp) != 1 {
		t.Fatalf("got %d spoofing episodes, want 1: %+v", len(sp), sp)
	}
}

func TestSharedMMSITwoHullsMooredNearby(t *testing.T) {
	w := newWorld()
	// Two hulls moored 16 km apart under one number: A heard once, B 10 h
	// later (as if the ship had moved), A again 18 min after that (29 kn:
	// a second stream, not an impossible jump), then in turn every 7-13
	// min, some switches faster than 50 kn.
	a := newScript(1, 0, 42.802, 132.887)
	b := newScript(1, 10*time.Hour, 42.748, 133.074)
	a.add(0, 0)
	a.t = b.t.Add(18 * time.Minute)
	for i := 0; i < 60; i++ {
		b.add(0, 0)
		a.add(0, 0)
		b.t = a.t.Add(time.Duration(7+i%7) * time.Minute)
		a.t = b.t.Add(time.Duration(7+(i+3)%7) * time.Minute)
	}
	w.add(a, b)
	// One hull moored, heard every 20 min, whose berth is 16 km from where
	// it was first heard 10 h before: a ship that moved, not two.
	c := newScript(2, 0, 40.0, 133.0)
	c.add(0, 0)
	c.t = c.t.Add(10 * time.Hour)
	c.lat = 40.15
	c.every = 20 * time.Minute
	c.stay(10*time.Hour, 0)
	w.add(c)
	sp := only(w.run(t), event.Spoofing)
	if len(sp) != 1 || sp[0].MMSI != 1 {
		t.Fatalf("spoofing %+v, want one episode of vessel 1", sp)
	}
}

func TestDarkVisitNotOfLesserConcernThanWhereItWasSeen(t *testing.T) {
	w := newWorld()
	// Berthed at BRAVO (KP), silent 90 h, back 100 km off it: ALPHA
	// (RU-FE, of lesser concern) is well within reach, but a vessel seen in
	// the DPRK hides nothing by calling in Russia.
	w.add(newScript(1, 0, 41.0, 130.06).stay(6*time.Hour, 0).silent(90*time.Hour).
		add1(41.0, 131.3).sail(41.0, 131.5, 10))
	// Berthed at ALPHA (RU-FE), silent 90 h, back 100 km off BRAVO: a
	// hidden call at BRAVO (KP, greater concern) fits.
	w.add(newScript(2, 0, 40.0, 130.06).stay(6*time.Hour, 0).silent(90*time.Hour).
		add1(41.0, 131.3).sail(41.0, 131.5, 10))
	dv := only(w.run(t), event.PossibleDarkPortVisit)
	if len(dv) != 1 || dv[0].MMSI != 2 || dv[0].PortID != "2" {
		t.Fatalf("dark visits %+v, want vessel 2 at BRAVO only", dv)
	}
}

func TestLoiteringUnderAnIdentityDroppedMidRun(t *testing.T) {
	w := newWorld()
	// Vessel 1 drifts 6 h far offshore, then its MMSI falls silent for good
	// (the hull went back to its own number) while another hull under the
	// same MMSI, far away, is heard once more: the run ended in the data,
	// it was not cut by the data's end.
	w.add(newScript(1, 0, 40.5, 132.5).sail(40.5, 133.0, 10).stay(6*time.Hour, 1))
	w.add(newScript(1, 8*time.Hour+30*time.Minute, 44.0, 136.0).add1(44.0, 136.0))
	w.add(newScript(2, 0, 38.0, 135.0).stay(48*time.Hour, 12))
	lo := only(w.run(t), event.Loitering)
	if len(lo) != 1 || lo[0].MMSI != 1 || lo[0].Duration() < 5*time.Hour {
		t.Fatalf("loitering %+v, want vessel 1's 6 h drift", lo)
	}
}

func TestGapBeforeFirstPosition(t *testing.T) {
	w := newWorld()
	// Heard first by a static report, then silent 20 h before its first
	// position: the MMSI was silent 20 h, a gap placed where it came back.
	w.static(track.Static{MMSI: 1, Time: t0, Name: "ONE", Length: 120, Beam: 20, ShipType: 80})
	w.add(newScript(1, 20*time.Hour, 40.5, 133.0).sail(40.5, 133.2, 10))
	g := only(w.run(t), event.Gap)
	if len(g) != 1 || g[0].MMSI != 1 || !g[0].Start.Equal(t0) || g[0].Duration() < 20*time.Hour || g[0].Lon != 133.0 {
		t.Fatalf("gaps %+v, want one from the static report to the first position", g)
	}
}

func TestNoLoiteringOnAJumpedStream(t *testing.T) {
	w := newWorld()
	// Moored off the coast, its positions jump 2° out to sea for 5 h
	// (still at 0 kn), then back: the displaced stream is a spoof, not a
	// ship waiting far offshore.
	w.add(newScript(1, 0, 40.5, 130.1).stay(10*time.Hour, 0))
	w.add(newScript(1, 10*time.Hour, 40.5, 133.0).stay(5*time.Hour, 0))
	w.add(newScript(1, 15*time.Hour, 40.5, 130.1).stay(40*time.Hour, 0))
	if lo := only(w.run(t), event.Loitering); len(lo) != 0 {
		t.Fatalf("loitering %+v on a displaced stream", lo)
	}
}

// drawCircle adds fixes of a circle of rKm round 41.0 N 131.3 E drawn at
// 6 kn, heard at the bearings given (from its centre), each the hours
// given after the one before.
func drawCircle(s *script, rKm float64, brgs []float64, hours []time.Duration) {
	for i, brg := range brgs {
		s.t = s.t.Add(hours[i] * time.Hour)
		s.lat, s.lon = geo.Destination(41.0, 131.3, brg, rKm)
		s.add(6, brg+90)
	}
}

func TestDarkVisitBehindACircleHeardNowAndThen(t *testing.T) {
	w := newWorld()
	// 100 km off BRAVO (KP) the transponder draws a 3 km circle at 6 kn for
	// four days while the ship is in port; satellites hear it every 16-20 h,
	// so no single silence leaves a day in port. Its fixes go nowhere: the
	// absence of credible positions spans them all.
	s := newScript(1, 0, 41.0, 131.2).sail(41.0, 131.3, 10)
	drawCircle(s, 3, []float64{0, 100, 200, 300, 40}, []time.Duration{16, 18, 20, 17, 19})
	s.t = s.t.Add(10 * time.Hour)
	s.lat, s.lon = 41.0, 131.3
	s.sail(41.0, 131.6, 10)
	w.add(s)
	dv := only(w.run(t), event.PossibleDarkPortVisit)
	if len(dv) != 1 || dv[0].PortID != "2" || dv[0].Duration() < 90*time.Hour {
		t.Fatalf("dark visits %+v, want one at BRAVO over the whole circle", dv)
	}
}

// The circle's far side more than 2*SpoofCircleKm from the last fix of
// the way in, 6 km east of its centre (fresh seed 10002: a fix there cut
// a 5.3-day absence behind a circle in two, and its second half became a
// false call): the fixes still go round one place, the middle of those
// heard so far, and the absence spans them all.
func TestDarkVisitBehindACircleEnteredFromAside(t *testing.T) {
	w := newWorld()
	s := newScript(1, 0, 41.0, 131.5).sail(41.0, 131.372, 10)
	drawCircle(s, 4.5, []float64{0, 100, 270, 200, 300, 40}, []time.Duration{16, 18, 20, 17, 19, 16})
	s.t = s.t.Add(10 * time.Hour)
	s.lat, s.lon = 41.0, 131.3
	s.sail(41.0, 131.6, 10)
	w.add(s)
	if far := geo.DistanceKm(41.0, 131.372, 41.0, 131.3-4.5/84.0); far <= 2*w.cfg.SpoofCircleKm {
		t.Fatalf("test circle: far side %.1f km from the way in", far)
	}
	dv := only(w.run(t), event.PossibleDarkPortVisit)
	if len(dv) != 1 || dv[0].PortID != "2" || dv[0].Duration() < 100*time.Hour {
		t.Fatalf("dark visits %+v, want one at BRAVO over the whole circle", dv)
	}
}

func TestDarkVisitOfTwoDaysInAShortSilence(t *testing.T) {
	w := newWorld()
	// Seed 205: silent 62 h, 106 km from BRAVO (KP) at the start and 193 km
	// at the end, at 11.7 kn: two days in port leave 14 h to sail 299 km, a
	// detour of 0.36 of what 38 h (62 h less DarkMinDwell) could cover.
	la, lo := geo.Destination(41.0, 130.05, 90, 106)
	s := newScript(1, 0, la, lo+0.1).sail(la, lo, 11.7).silent(62 * time.Hour)
	s.lat, s.lon = geo.Destination(41.0, 130.05, 120, 193)
	la2, lo2 := geo.Destination(s.lat, s.lon, 120, 10)
	w.add(s.sail(la2, lo2, 11.7))
	dv := only(w.run(t), event.PossibleDarkPortVisit)
	if len(dv) != 1 || dv[0].PortID != "2" {
		t.Fatalf("dark visits %+v, want one at BRAVO", dv)
	}
}

func TestDarkVisitBehindACircleHeardWell(t *testing.T) {
	w := newWorld()
	// The same circle heard every 10 minutes for three days (no silence at
	// all): positions going nowhere at 6 kn for SpoofInPlaceMin and more are
	// an absence too.
	s := newScript(1, 0, 41.0, 131.2).sail(41.0, 131.3, 10)
	for brg := 0.0; s.t.Before(t0.Add(80 * time.Hour)); brg += 25 {
		s.lat, s.lon = geo.Destination(41.0, 131.3, brg, 3)
		s.add(6, brg+90)
		s.t = s.t.Add(10 * time.Minute)
	}
	s.lat, s.lon = 41.0, 131.3
	s.sail(41.0, 131.6, 10)
	w.add(s)
	dv := only(w.run(t), event.PossibleDarkPortVisit)
	if len(dv) != 1 || dv[0].PortID != "2" || dv[0].Duration() < 70*time.Hour {
		t.Fatalf("dark visits %+v, want one at BRAVO over the whole circle", dv)
	}
	// A ship sailing on at 10 kn is never absent.
	w = newWorld()
	w.add(newScript(2, 0, 41.0, 131.2).sail(41.0, 135.0, 10))
	if dv := only(w.run(t), event.PossibleDarkPortVisit); len(dv) != 0 {
		t.Fatalf("dark visits %+v for a ship in plain view", dv)
	}
}

func TestNoDarkVisitInAnAbsenceOpenAtTheEnd(t *testing.T) {
	// Seed 402: a tanker calls at BRAVO (KP) behind a fake circle 100 km
	// off, and the data ends before a credible position shows where it went
	// next: no reach can be judged, so no possible visit. Neither when the
	// data ends in a plain silence heard only by static reports.
	w := newWorld()
	s := newScript(1, 0, 41.0, 131.2).sail(41.0, 131.3, 10)
	drawCircle(s, 3, []float64{0, 100, 200, 300, 40}, []time.Duration{16, 18, 20, 17, 19})
	w.add(s)
	s2 := newScript(2, 0, 41.0, 131.2).sail(41.0, 131.3, 10)
	for h := 20; h <= 100; h += 20 {
		w.static(track.Static{MMSI: 2, Time: s2.t.Add(time.Duration(h) * time.Hour), Name: "TWO", Length: 120, Beam: 20, ShipType: 80})
	}
	w.add(s2)
	evs := w.run(t)
	if dv := only(evs, event.PossibleDarkPortVisit); len(dv) != 0 {
		t.Fatalf("dark visits %+v in absences the data ends in", dv)
	}
	// The silences themselves are still gaps.
	if g := only(evs, event.Gap); len(g) < 2 {
		t.Fatalf("gaps %+v, want the silences of both vessels", g)
	}
}

func TestSharedMMSITwoShipsLeavingTogether(t *testing.T) {
	w := newWorld()
	// Seed 402: two tankers under one number leave port 4 km apart at
	// 11 kn, heard in turn every 6 min, 72 s apart: 4 km in 72 s is 108 kn,
	// but not over SpoofSwitchMin (22 kn). No place is shown where a ship
	// could not be.
	a := newScript(1, 0, 42.757, 132.937)
	b := newScript(1, 72*time.Second, 42.732, 132.974)
	a.every, b.every = 6*time.Minute, 6*time.Minute
	la, lo := geo.Destination(a.lat, a.lon, 216, 40)
	a.sail(la, lo, 11)
	la, lo = geo.Destination(b.lat, b.lon, 215, 40)
	b.sail(la, lo, 11)
	w.add(a, b)
	if sp := only(w.run(t), event.Spoofing); len(sp) != 0 {
		t.Fatalf("spoofing %+v for two ships 4 km apart", sp)
	}
}

func TestSpoofFirstStreamLeftByAJump(t *testing.T) {
	w := newWorld()
	// Seed 405: a tanker takes a new number and is first heard 250 km off
	// its real course, sailing on for 7 h; then its positions jump to where
	// it really is and go on from there, for a day and more (SpoofSegmentIdle,
	// so the first stream is known not to come back). The first stream was
	// faked.
	a := newScript(1, 0, 40.02, 132.72)
	la, lo := geo.Destination(a.lat, a.lon, 32, 7*10.5*kmPerNm)
	a.sail(la, lo, 10.5)
	b := newScript(1, a.t.Sub(t0)+5*time.Minute, 42.59, 131.24)
	la, lo = geo.Destination(b.lat, b.lon, 36, 30*10.5*kmPerNm)
	b.sail(la, lo, 10.5)
	w.add(a, b)
	// A first stream left by a lone glitch that comes straight back is no
	// spoofing.
	c := newScript(2, 0, 35.0, 140.0)
	c.sail(35.0, 140.3, 10)
	c.lat += 2
	c.add(10, 90)
	c.lat -= 2
	c.t = c.t.Add(5 * time.Minute)
	c.sail(35.0, 140.6, 10)
	w.add(c)
	sp := only(w.run(t), event.Spoofing)
	if len(sp) != 1 || sp[0].MMSI != 1 || !sp[0].Start.Equal(t0) || sp[0].End.After(b.fixes[0].Time) {
		t.Fatalf("spoofing %+v, want vessel 1's first stream", sp)
	}
}

func TestDraughtOfTwoHullsAlikeUnderOneMMSI(t *testing.T) {
	w := newWorld()
	// Seed 404: two tankers of one size share an MMSI in port; their
	// static reports come in turn, 3.3 m and 5.9 m, every 10-40 min. Not a
	// change on every report. Then one loads (3.3 m reported twice in a
	// row, then 5.9 m twice): one change, from the last 3.3 m report to the
	// first 5.9 m one.
	w.add(newScript(1, 0, 40.0, 131.0).sail(40.0, 130.06, 10).stay(30*time.Hour, 0).sail(40.0, 131.5, 10))
	at := t0.Add(6 * time.Hour)
	for i := 0; i < 24; i++ {
		m := 3.3
		if i%2 == 1 {
			m = 5.9
		}
		w.static(track.Static{MMSI: 1, Time: at, Length: 110, Beam: 18, Draught: m})
		at = at.Add(time.Duration(10+i%4*10) * time.Minute)
	}
	at = at.Add(time.Hour)
	for i, m := range []float64{3.3, 3.3, 5.9, 5.9, 5.9, 5.9, 5.9} {
		w.static(track.Static{MMSI: 1, Time: at.Add(time.Duration(i) * 30 * time.Minute), Length: 110, Beam: 18, Draught: m})
	}
	dc := only(w.run(t), event.DraughtChange)
	if len(dc) != 1 || !dc[0].Start.Equal(at.Add(30*time.Minute)) || !dc[0].End.Equal(at.Add(time.Hour)) {
		t.Fatalf("draught changes %+v, want one from %v to %v", dc, at.Add(30*time.Minute), at.Add(time.Hour))
	}
}

func TestDraughtOfTwoHullsAlikeReportingHourly(t *testing.T) {
	w := newWorld()
	// Seed 8201: a covert tanker used another tanker's MMSI, name, IMO
	// and size while both lay in Vostochnyy; each sent its static data
	// about once an hour (4.6 m and 2.6 m), heard by one shore station,
	// once by a satellite too. Whenever one hull's report was missed or
	// came after the other's, two of the other's came in a row, and each
	// pair made a draught change: 16 in 23 h. Neither hull's draught
	// changed. The reports as received (seconds after the first):
	reports := []struct {
		s int
		m float64
	}{{0, 4.6}, {643, 2.6}, {3147, 4.6}, {3804, 2.6}, {7205, 4.6}, {11209, 2.6}, {14329, 2.6}, {14467, 4.6},
		{17828, 4.6}, {18872, 2.6}, {21366, 4.6}, {22264, 2.6}, {25216, 2.6}, {25281, 4.6}, {28507, 4.6},
		{29559, 2.6}, {29560, 2.6}, {32179, 4.6}, {32535, 2.6}, {36341, 4.6}, {37104, 2.6}, {39677, 4.6},
		{40237, 2.6}, {42689, 2.6}, {42796, 4.6}, {43838, 2.6}, {46795, 2.6}, {47446, 4.6}, {49841, 4.6},
		{50965, 2.6}, {54038, 2.6}, {54309, 4.6}, {57107, 4.6}, {57525, 2.6}, {61176, 4.6}, {61891, 2.6},
		{64553, 4.6}, {65253, 2.6}, {67976, 4.6}, {68633, 2.6}, {72055, 2.6}, {72573, 4.6}, {75956, 4.6},
		{76291, 2.6}, {79335, 2.6}, {79350, 4.6}}
	w.add(newScript(1, 0, 40.0, 131.0).sail(40.0, 130.06, 10).stay(30*time.Hour, 0).sail(40.0, 131.5, 10))
	at := t0.Add(4 * time.Hour)
	for _, r := range reports {
		w.static(track.Static{MMSI: 1, Time: at.Add(time.Duration(r.s) * time.Second), Name: "SEO DAWN", IMO: 1583920,
			Length: 78, Beam: 12, Draught: r.m})
	}
	if dc := only(w.run(t), event.DraughtChange); len(dc) != 0 {
		t.Fatalf("%d draught changes %+v, want none", len(dc), dc)
	}
}

func TestLoiteringOfAHullUnderAClonedMMSI(t *testing.T) {
	w := newWorld()
	// Seed 8206: a clone far away is heard under the MMSI now and then;
	// the tanker that owns it drifts 5 h at 1 kn, 80 nm out (its stream
	// began with a jump from the clone's), then goes dark. The clone is
	// heard again 2.5 h later, and 14 h later: the drift was a hull's,
	// not a displaced stream's, which would have jumped back at once.
	w.add(newScript(1, 0, 44.0, 134.0).sail(44.0, 134.2, 10))
	tk := newScript(1, 80*time.Minute, 40.5, 132.0).sail(40.5, 132.1, 10)
	w.add(tk.sail(40.58, 132.1, 1))
	w.add(newScript(1, 9*time.Hour, 44.0, 134.3).sail(44.0, 134.4, 10))
	w.add(newScript(1, 20*time.Hour, 44.0, 134.6).sail(44.0, 134.8, 10))
	if lo := only(w.run(t), event.Loitering); len(lo) != 1 || lo[0].Duration() < 4*time.Hour {
		t.Fatalf("loitering %+v, want the tanker's 5 h drift", lo)
	}
}

func TestLoiteringAcrossSilences(t *testing.T) {
	// Seed 8208: a tanker waited 7 days 100 km out, drifting at 0.6 kn,
	// heard only by satellites, 12-16 h apart at times: each such silence
	// ended the run, and one wait made two events (the simulator's truth,
	// from the true track, one). Here it drifts 3 days heard every 14 h,
	// then sails off: one loitering over the whole wait.
	w := newWorld()
	lon := 130 + kmEast(150)
	tk := newScript(1, 0, 45.0, lon+0.3).sail(45.0, lon, 10).stay(2*time.Hour, 0.6)
	start := tk.t.Add(-2 * time.Hour)
	tk.every = 14 * time.Hour
	tk.sail(45.0+0.6*72*kmPerNm/111.195, lon, 0.6)
	end := tk.fixes[len(tk.fixes)-1].Time
	tk.every = 5 * time.Minute
	tk.sail(46.5, lon, 10)
	w.add(tk)
	// A second tanker drifts 5 h, falls silent 14 h and is heard again
	// 100 km away, drifting another 5 h: it sailed off in between, two
	// runs.
	b := newScript(2, 0, 43.0, lon+0.3).sail(43.0, lon, 10).stay(5*time.Hour, 0.5).silent(14 * time.Hour)
	b.lat += 0.9
	b.stay(5*time.Hour, 0.5).sail(43.9, lon+0.5, 10)
	w.add(b)
	lo := only(w.run(t), event.Loitering)
	var one []event.Event
	two := 0
	for _, e := range lo {
		switch e.MMSI {
		case 1:
			one = append(one, e)
		case 2:
			two++
		}
	}
	if len(one) != 1 || one[0].Start.After(start.Add(10*time.Minute)) || one[0].End.Before(end) {
		t.Fatalf("loitering of 1 %+v, want one from %v to %v", one, start, end)
	}
	if two != 2 {
		t.Errorf("loitering of 2: %d, want 2 (it moved 100 km during its silence)", two)
	}
}

func TestSpoofedStreamAfterALongSilence(t *testing.T) {
	// Seed 9643: a tanker went dark 107 h (a possible dark port visit),
	// then its AIS showed it 280 km away sailing south at 11.7 kn for
	// 2.8 h, then jumped 370 km (93 kn) to where it was and went on from
	// there. The faked stream began after a silence longer than any
	// stream is remembered (SpoofSegmentIdle): like an MMSI's first
	// stream it has no track before it to come back to, and it was left
	// for good by an impossible jump. One spoofing event on it.
	w := newWorld()
	a := newScript(1, 0, 36.0, 135.8).sail(36.9, 135.8, 11.7).silent(100 * time.Hour)
	a.lat, a.lon = 38.68, 133.46
	from := a.t
	a.sail(38.14, 133.46, 11.7)
	to := a.fixes[len(a.fixes)-1].Time
	a.silent(2 * time.Hour)
	a.lat, a.lon = 35.29, 135.86
	a.sail(29.0, 135.86, 11.7)
	w.add(a)
	sp := only(w.run(t), event.Spoofing)
	if len(sp) != 1 || !sp[0].Start.Equal(from) || !sp[0].End.Equal(to) {
		t.Fatalf("spoofing %+v, want one from %v to %v", sp, from, to)
	}
}

func TestFishingGroundHeardNowAndThenIsNoCircle(t *testing.T) {
	// Seed 9645: a Class B boat working a ground off Longkou at 3-4 kn,
	// heard 18 times in 21 h with silences of 6 and 10 h, every course,
	// within 10 km: its fixes lie scattered over a disc (a fitted circle's
	// band holds most of them) but head every way across it, not round a
	// circle. No spoofing. Its fixes as received (seconds after the first,
	// latitude, longitude, knots, course), moved 14° east onto the test
	// world's sea.
	fixes := []struct{ s, lat, lon, sog, cog float64 }{{0, 37.487195, 119.137490, 3.8, 2.4},
		{640, 37.498497, 119.138095, 3.8, 2.4}, {2814, 37.536493, 119.139428, 3.8, 0.9},
		{4132, 37.556835, 119.134157, 3.3, 331.1}, {4677, 37.564040, 119.129133, 3.3, 331.1},
		{26217, 37.590935, 119.123790, 3.3, 138.9}, {26968, 37.582360, 119.133213, 3.3, 138.9},
		{27720, 37.573727, 119.142700, 3.3, 138.9}, {29915, 37.543260, 119.160108, 3.5, 167.0},
		{31187, 37.523130, 119.162282, 3.8, 198.7}, {31968, 37.510255, 119.156798, 3.8, 198.7},
		{67438, 37.528540, 119.133275, 3.9, 64.3}, {69724, 37.546180, 119.179570, 3.9, 64.3},
		{70527, 37.550143, 119.193077, 3.0, 70.2}, {71797, 37.556148, 119.214100, 3.0, 70.2},
		{72563, 37.559778, 119.226807, 3.0, 70.2}, {75406, 37.590587, 119.266108, 3.6, 38.2},
		{76070, 37.600832, 119.272750, 3.8, 25.5}}
	w := newWorld()
	b := newScript(1, 0, 0, 0)
	for _, f := range fixes {
		b.t, b.lat, b.lon = t0.Add(time.Duration(f.s)*time.Second), f.lat, f.lon+14
		b.add(f.sog, f.cog)
	}
	w.add(b)
	if sp := only(w.run(t), event.Spoofing); len(sp) != 0 {
		t.Fatalf("spoofing %+v, want none", sp)
	}
}
