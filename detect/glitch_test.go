package detect

import (
	"bufio"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/track"
)

// Single-fix GPS glitches are not spoofing (issue 18): cargo ships on a
// lane, each with two isolated fixes 5–20 km off its track hours apart,
// are flagged on the track and nothing more.
func TestIsolatedGlitchesAreNotSpoofing(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 1))
	w := glitchedLanes(rng, 412000000, 40, 136, 11, func() time.Duration { return time.Duration(2+rng.IntN(5)) * time.Minute },
		func(n int) []int { return []int{n/6 + rng.IntN(n/6), n/2 + rng.IntN(n/3)} })
	evs := w.run(t)
	if sp := only(evs, event.Spoofing); len(sp) != 0 {
		t.Errorf("%d spoofing events from isolated glitches; first %+v", len(sp), sp[0])
	}
	if gi := only(evs, event.GNSSInterference); len(gi) != 0 {
		t.Errorf("%d gnss_interference events from isolated glitches; first %+v", len(gi), gi[0])
	}
}

// glitchedLanes: ships sailing east on parallel lanes at kn to kn+4
// knots, a fix every every(), each fix at(n) of the n put 5-20 km off in
// any direction (a lone GPS glitch).
func glitchedLanes(rng *rand.Rand, mmsi0 uint32, ships int, toLon, kn float64, every func() time.Duration, at func(n int) []int) *world {
	w := newWorld()
	for i := range ships {
		lat := 35.0 + float64(i)*0.1
		s := newScript(mmsi0+uint32(i), time.Duration(i)*time.Minute, lat, 131.0)
		s.every = every()
		s.sail(lat+rng.Float64()*0.5, toLon, kn+rng.Float64()*4)
		for _, k := range at(len(s.fixes)) {
			f := &s.fixes[k]
			f.Lat, f.Lon = geo.Destination(f.Lat, f.Lon, rng.Float64()*360, 5+rng.Float64()*15)
		}
		w.add(s)
	}
	return w
}

// At real reporting rates (a fix every 6 s) a ship sends several lone
// glitches a day (the simulator's real-rate demo day: 104 heard on 300
// ships), and the tracker may put several of them on one stream, dead
// reckoned between them: 3 glitches within SpoofWindow were
// impossible_speed, and a stream of 3 glitches two_places (9 false events
// on that day). Glitches come back nowhere: none is spoofing.
func TestRealRateGlitchesAreNotSpoofing(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 2))
	// Five glitches, 10-50 minutes apart, from the second hour.
	w := glitchedLanes(rng, 413000000, 20, 134, 12, func() time.Duration { return 6 * time.Second }, func(n int) []int {
		var at []int
		k := n / 8
		for range 5 {
			k += (600 + rng.IntN(2400)) / 6
			at = append(at, k)
		}
		return at
	})
	evs := w.run(t)
	if sp := only(evs, event.Spoofing); len(sp) != 0 {
		t.Errorf("%d spoofing events from lone glitches at real rate; first %+v", len(sp), sp[0])
	}
}

// A harbour cruise, a pilot or a tug loops at speed in a small area, but
// not on one radius: not a drawn circle (San Francisco Bay, 2020-01-01:
// a cruise looped twice at 0.4–4.7 km from its centre). The same number
// of turns on one radius is.
func TestIrregularLoopsAreNotCircling(t *testing.T) {
	w := newWorld()
	for i, spread := range []float64{0.6, 0} {
		s := newScript(uint32(366000001+i), 0, 37.8, 131.0+float64(i))
		s.every = 70 * time.Second
		for k := 0; k < 240; k++ {
			a := float64(k) * 2 * math.Pi / 60 // a turn every 70 min
			dy := 2.5*math.Sin(a) + 2.5*spread*math.Sin(3*a)
			dx := 2.5*math.Cos(a) + 2.5*spread*math.Cos(3*a)
			s.lat, s.lon = 37.8+dy/111.2, 131.0+float64(i)+dx/(111.2*math.Cos(37.8*math.Pi/180))
			s.add(8, math.Mod(float64(k)*6, 360))
			s.t = s.t.Add(s.every)
		}
		w.add(s)
	}
	got := map[uint32]int{}
	for _, e := range only(w.run(t), event.Spoofing) {
		got[e.MMSI]++
	}
	if got[366000001] != 0 {
		t.Errorf("irregular loops reported as spoofing")
	}
	if got[366000002] != 1 {
		t.Errorf("a round circle: %d spoofing events, want 1", got[366000002])
	}
}

// The false spoofing events of development seeds 7003-7009 (sim v5, 30 d):
// ships on passage, each with one or two GPS glitches (a fix 5-20 km off,
// the next one right again), taken from the simulator's NMEA around the
// events (testdata/glitches.csv.gz: mmsi, Unix time, lat and lon in AIS
// units, SOG, COG). Three causes, all in the spoofing detector:
//   - two streams "at once" 9-13 km apart were judged against a 6-minute
//     switch whatever the time between their fixes: a glitch's stream,
//     dead-reckoned on beside the real track, took the real ship later in
//     port (7003: 18 minutes and 9.5 km apart, 17 kn, coherent);
//   - a glitch that the tracker put on the real track made the next fix a
//     jump to a new stream, and the first stream, never heard again, was
//     reported as put elsewhere for 23 days (7005);
//   - a glitch's switch between two streams that were both the real ship
//     marked one of them displaced (7009).
func TestSimulatedGlitchesAreNotSpoofing(t *testing.T) {
	fixes, ships := readFixes(t, "testdata/glitches.csv.gz")
	if ships != 8 {
		t.Fatalf("%d ships in testdata, want 8", ships)
	}
	out := runOpenSea(fixes)
	for _, e := range only(out, event.Spoofing) {
		t.Errorf("spoofing from glitches: %d %s..%s %v", e.MMSI, e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339), e.Evidence)
	}
}

// openSea has no land: the ships of glitches.csv sail between Korea, China
// and Japan, off the coasts (glitches are kept 40 km from ports).
type openSea struct{}

func (openSea) OnLand(lat, lon float64) bool               { return false }
func (openSea) DistanceToShoreKm(lat, lon float64) float64 { return 100 }

// readFixes reads a testdata file of fixes (mmsi, Unix time, lat and lon
// in AIS units, sog, cog; # comments), in time order, and counts the
// ships.
func readFixes(t *testing.T, name string) ([]track.Fix, int) {
	t.Helper()
	zr, err := source.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var fixes []track.Fix
	ships := map[uint32]bool{}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, ",")
		num := func(s string) float64 {
			if s == "" {
				return math.NaN()
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			return x
		}
		mmsi := uint32(num(c[0]))
		ships[mmsi] = true
		fixes = append(fixes, track.Fix{MMSI: mmsi, Time: time.Unix(int64(num(c[1])), 0).UTC(), Lat: num(c[2]) / 600000, Lon: num(c[3]) / 600000,
			HasPos: true, SOG: num(c[4]), COG: num(c[5]), Heading: -1, Status: 15, Class: 'A'})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(fixes, func(i, j int) bool { return fixes[i].Time.Before(fixes[j].Time) })
	return fixes, len(ships)
}

// runOpenSea tracks and detects fixes with no land.
func runOpenSea(fixes []track.Fix) []event.Event { return runOn(openSea{}, fixes) }

// runOn tracks and detects fixes on the land given.
func runOn(shore interface {
	Shore
	track.Land
}, fixes []track.Fix) []event.Event {
	var out []event.Event
	d := New(DefaultConfig(), NewPortIndex(testPorts, 20), shore, func(e *event.Event) { out = append(out, *e) })
	tr := track.New(track.DefaultConfig(), shore, sinkFn{d})
	for _, f := range fixes {
		tr.AddFix(f)
	}
	tr.Flush()
	d.Flush()
	return out
}

// Two ships moored at a berth are put by a GNSS interference on a 2 km
// circle 60-100 km away for 7 h (0 kn, each fix anywhere on it). The
// berth's stream, silent while the circle was heard, took displaced fixes
// once its envelope had grown that far (6 h). One ship is heard at its
// berth again (fresh seed 7201): that looked like a jump away from a
// stream heard since the first fix (the month before, reported as a first
// stream left for good). The other left port meanwhile and sailed to the
// next (7203): the circle's stream, silent for a day, took it leaving
// there, so the voyage between was 'put elsewhere'. The spoof is the time
// on the circle, once for each.
func TestDisplacedRunTakenByAnIdleStream(t *testing.T) {
	fixes, _ := readFixes(t, "testdata/gnss-berth.csv.gz")
	circle := map[uint32][2]time.Time{
		538708745: {time.Date(2024, 3, 28, 17, 51, 0, 0, time.UTC), time.Date(2024, 3, 29, 1, 18, 0, 0, time.UTC)},
		440803822: {time.Date(2024, 3, 18, 14, 10, 0, 0, time.UTC), time.Date(2024, 3, 18, 20, 57, 0, 0, time.UTC)},
	}
	got := map[uint32]int{}
	for _, e := range only(runOpenSea(fixes), event.Spoofing) {
		got[e.MMSI]++
		if c := circle[e.MMSI]; e.Start.Before(c[0]) || e.End.After(c[1]) {
			t.Errorf("%d: spoofing %s..%s %v, want within %s..%s", e.MMSI, e.Start, e.End, e.Evidence, c[0], c[1])
		}
	}
	for m := range circle {
		if got[m] != 1 {
			t.Errorf("%d: %d spoofing events, want 1", m, got[m])
		}
	}
}

// A fishing boat towing west at 3.1-3.2 kn, silent for 9 h, then back
// east at 3.3-3.6 kn along the same line (fresh seed 7203): over 12 h it
// reports courses in all four quadrants (out at 256-276 deg, back at 55-92
// deg) without leaving 10 km, but its fixes lie along a line, not round a
// circle: no drawn circle.
func TestToAndFroIsNotACircle(t *testing.T) {
	at := func(hm string) time.Time {
		tm, err := time.Parse(time.RFC3339, "2024-03-"+hm+"Z")
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	var fixes []track.Fix
	for _, f := range []struct {
		t                  string
		lat, lon, sog, cog float64
	}{
		{"08T12:21:24", 37.620047, 119.421080, 3.2, 275.8},
		{"08T12:53:14", 37.622910, 119.385128, 3.2, 275.8},
		{"08T13:11:46", 37.623990, 119.364372, 3.1, 258.1},
		{"08T13:26:31", 37.621388, 119.348820, 3.1, 258.1},
		{"08T13:40:33", 37.618912, 119.334023, 3.1, 258.1},
		{"08T13:53:43", 37.616593, 119.320157, 3.1, 258.1},
		{"08T14:03:03", 37.614940, 119.310280, 3.1, 258.1},
		{"08T23:18:25", 37.594503, 119.317102, 3.6, 66.2},
		{"08T23:42:17", 37.605853, 119.343480, 3.6, 55.8},
		{"08T23:53:24", 37.612055, 119.355017, 3.6, 55.8},
		{"09T00:01:22", 37.616523, 119.363325, 3.6, 55.8},
		{"09T00:13:13", 37.616828, 119.376968, 3.3, 90.0},
		{"09T00:22:13", 37.616827, 119.387362, 3.3, 90.0},
		{"09T00:36:36", 37.616823, 119.403973, 3.3, 90.0},
		{"09T00:47:11", 37.616752, 119.415895, 3.3, 92.6},
	} {
		fixes = append(fixes, track.Fix{MMSI: 413142458, Time: at(f.t), Lat: f.lat, Lon: f.lon, HasPos: true, SOG: f.sog, COG: f.cog, Heading: -1, Status: 7, Class: 'A'})
	}
	if sp := only(runOpenSea(fixes), event.Spoofing); len(sp) != 0 {
		t.Errorf("towing to and fro reported as spoofing: %+v", sp)
	}
}

// A circle drawn for three and a half days, heard well for 5 h, by
// satellites three times the next day, and well again two days later
// (fresh seed 7205), is one episode: the fixes of the way in, kept in the
// run at speed, do not hide that it goes round (a centre taken from the
// area the fixes cover did, and the two stretches heard well became two
// episodes).
func TestCircleHeardTwiceIsOneEpisode(t *testing.T) {
	fixes, _ := readFixes(t, "testdata/circle-heard-twice.csv.gz")
	sp := only(runOpenSea(fixes), event.Spoofing)
	from, to := time.Date(2024, 3, 10, 4, 19, 0, 0, time.UTC), time.Date(2024, 3, 13, 16, 57, 0, 0, time.UTC)
	if len(sp) != 1 || sp[0].End.Before(to.Add(-time.Hour)) || sp[0].Start.After(from.Add(time.Hour)) {
		t.Fatalf("spoofing %+v, want one episode from about %s to %s", sp, from, to)
	}
}

// A ship under way is put on a GNSS interference's circle for 6 h while it
// berths 67 km away (fresh seed 9640, with the six other ships on the
// circle), is heard at its berth for 13 h, then leaves. Its stream from
// before the interference, dead-reckoned on, took displaced fixes after
// 5 h, so the return to the berth was no way back from the circle's
// stream, and the departure, joining that old stream, made the 13 h at the
// berth a second, false displaced run. One episode: the circle.
func TestBerthAfterInterferenceIsNoDisplacedRun(t *testing.T) {
	fixes, _ := readFixes(t, "testdata/gnss-berthed-meanwhile.csv.gz")
	on, off := time.Date(2024, 3, 27, 19, 28, 0, 0, time.UTC), time.Date(2024, 3, 28, 1, 21, 0, 0, time.UTC)
	var sp []event.Event
	// The real coast: the berth is on it.
	for _, e := range only(runOn(geo.DefaultLand(), fixes), event.Spoofing) {
		if e.MMSI == 432125642 {
			sp = append(sp, e)
		}
	}
	if len(sp) != 1 || sp[0].Start.Before(on) || sp[0].End.After(off) {
		t.Fatalf("spoofing %+v, want one episode within %s..%s", sp, on, off)
	}
}

// A tanker moored at Nakhodka, heard every 20-60 min, and another
// broadcasting its number 333 km away, heard by satellites five times in
// 33 h: twice at 11.7 kn, then moored 64 km on (fresh seed 9642). The
// second place stopped where it could have sailed: not a glitch, though
// it does not lie where its last fix's course would have taken it at
// 0 kn. Two places at once.
func TestSecondHullMooringIsNoGlitch(t *testing.T) {
	fixes, _ := readFixes(t, "testdata/clone-moors.csv.gz")
	sp := only(runOpenSea(fixes), event.Spoofing)
	if len(sp) != 1 || sp[0].Evidence["two_places_signals"] == nil {
		t.Fatalf("spoofing %+v, want one episode of two places", sp)
	}
}

// An MMSI heard for 28 h on a coherent track, then only 300 km away (a
// second hull going on under the number after the first fell silent):
// those 28 h were the MMSI's track, not a place faked from the start
// (fresh seed 7243 reported 4.6 days of the original of a cloned number).
func TestLongFirstStreamIsNotPutElsewhere(t *testing.T) {
	w := newWorld()
	s := newScript(1, 0, 40.0, 131.0).sail(40.0, 137.0, 10)
	far := newScript(1, 0, 37.3, 137.0)
	far.t = s.t.Add(10 * time.Minute)
	far.sail(37.3, 143.0, 10) // on for more than a day: the first stream is forgotten
	w.add(s, far)
	if sp := only(w.run(t), event.Spoofing); len(sp) != 0 {
		t.Errorf("spoofing %+v, want none", sp)
	}
}

// Three places one after the other: a position put 150 km north for
// 1.6 h, the ship's real track for 1.6 h, then put 150 km south for
// 1.6 h, and back on the real track (fresh seed 10013: a circle drawn
// while the ship lay in port, its voyage after, then a GNSS
// interference). The real track was entered by a jump and left by one,
// but the jump out went on to a third place, not back where it came
// from: it is no displaced run. The run put south is.
func TestRealTrackBetweenTwoSpoofsIsNotDisplaced(t *testing.T) {
	w := newWorld()
	s := newScript(1, 0, 36.0, 133.0).sail(36.0, 136.0, 10)
	n := len(s.fixes)
	north := n / 6 // fixes put north, from the first
	south := 2 * north
	displaced(s, 0, north, 1.35, 0)
	displaced(s, south, north, -1.35, 0)
	w.add(s)
	real0, real1 := s.fixes[north].Time, s.fixes[south-1].Time
	sp := only(w.run(t), event.Spoofing)
	found := false
	for _, e := range sp {
		if !e.Start.Before(real0) && !e.End.After(real1) {
			t.Errorf("the real track between the spoofs reported as spoofing: %s..%s %v", e.Start, e.End, e.Evidence)
		}
		if !e.Start.After(s.fixes[south].Time) && !e.End.Before(s.fixes[south+north-1].Time) {
			found = true
		}
	}
	if !found {
		t.Errorf("the run put south not reported: %+v", sp)
	}
}

// A class B ship moored at Longkou, heard every 30-45 min, is put by a
// GNSS interference on a 2 km circle 78 km away for 6 h (11 fixes at 0
// kn), 70 min after its last fix at the berth (31 kn: a ship could have
// sailed it, so the tracker measured no impossible jump), and is heard at
// its berth again 35 min after the last (72 kn). Seed 10510: the data show
// the displaced run, one spoofing episode.
func TestSlowJumpOutFastBack(t *testing.T) {
	fixes, _ := readFixes(t, "testdata/gnss-slow-jump.csv.gz")
	on, off := time.Date(2024, 3, 15, 11, 1, 0, 0, time.UTC), time.Date(2024, 3, 15, 16, 49, 0, 0, time.UTC)
	sp := only(runOn(geo.DefaultLand(), fixes), event.Spoofing)
	if len(sp) != 1 || sp[0].Start.Before(on) || sp[0].End.After(off) {
		t.Fatalf("spoofing %+v, want one episode within %s..%s", sp, on, off)
	}
}

// Two hulls under one MMSI, 770 km apart, each heard every 20 min for two
// days (seed 10503: a clone moored at Nakhodka while the other sailed
// along Korea). One episode, for as long as both are heard: it does not
// end a SpoofWindow after the two places were first told apart.
func TestTwoPlacesLastWhileBothHeard(t *testing.T) {
	w := newWorld()
	a := newScript(273000700, 0, 40.0, 131.0)
	a.every = 20 * time.Minute
	a.stay(48*time.Hour, 0)
	b := newScript(273000700, 10*time.Minute, 40.0, 140.0)
	b.every = 20 * time.Minute
	b.stay(48*time.Hour, 0)
	w.add(a, b)
	sp := only(w.run(t), event.Spoofing)
	if len(sp) != 1 || sp[0].End.Before(t0.Add(47*time.Hour)) {
		t.Fatalf("spoofing %+v, want one episode until both stop, at about %s", sp, t0.Add(48*time.Hour))
	}
}

// As above, but the second hull is not heard for 14 h after the first
// 20 (out of range, heard by satellites now and then at sea): still one
// episode, for as long as both are heard.
func TestTwoPlacesLastAcrossASilence(t *testing.T) {
	w := newWorld()
	a := newScript(273000710, 0, 40.0, 131.0)
	a.every = 20 * time.Minute
	a.stay(54*time.Hour, 0)
	b := newScript(273000710, 10*time.Minute, 40.0, 140.0)
	b.every = 20 * time.Minute
	b.stay(20*time.Hour, 0).silent(14*time.Hour).stay(20*time.Hour, 0)
	w.add(a, b)
	sp := only(w.run(t), event.Spoofing)
	if len(sp) != 1 || sp[0].End.Before(t0.Add(53*time.Hour)) {
		t.Fatalf("spoofing %+v, want one episode until both stop, at about %s", sp, t0.Add(54*time.Hour))
	}
}

// A ship heard for a day sails east, is silent 13.4 h (turning north
// meanwhile), and the first fix it sends after is a glitch 15 km off; it
// sails on north, and 13 h later a GNSS interference shows it 0.6° north
// for 30 fixes (held-out seed 10588). The glitch's stream, dead-reckoned
// on, took the displaced fixes: the ship's real track since the glitch
// was the displaced run, an episode 13 h early. One episode: the
// displaced run.
// Heard for 4 h only before the silence, the ship's first stream is no
// track put elsewhere from the start and left for good either.
func TestGlitchAfterLongSilenceTakesNoDisplacedRun(t *testing.T) {
	for _, east := range []float64{134.0, 132.0} {
		w := newWorld()
		s := newScript(1, 0, 35.0, 131.0).sail(35.0, east, 12).silent(13*time.Hour + 24*time.Minute)
		s.lat, s.lon = 36.0, 134.3
		g := len(s.fixes)
		s.sail(39.6, 134.3, 12)
		s.fixes[g].Lat, s.fixes[g].Lon = geo.Destination(s.fixes[g].Lat, s.fixes[g].Lon, 270, 15)
		run := g + 13*12
		displaced(s, run, 30, 0.6, 0)
		w.add(s)
		from, to := s.fixes[run].Time, s.fixes[run+29].Time
		sp := only(w.run(t), event.Spoofing)
		if len(sp) != 1 || !sp[0].Start.Equal(from) || !sp[0].End.Equal(to) {
			t.Errorf("heard from 131 to %.0f°E: spoofing %+v, want one episode from %v to %v", east, sp, from, to)
		}
	}
}
