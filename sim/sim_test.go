package sim

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
)

// The short scenario shared by the tests: small but long enough for every
// kind of covert behaviour to have a chance.
func shortConfig(seed uint64) Config {
	return Config{Seed: seed, Days: 5, Vessels: 28, Workers: 2}
}

var (
	shortOnce sync.Once
	shortDir  string
	shortErr  error
)

func shortRun(t *testing.T) string {
	t.Helper()
	shortOnce.Do(func() {
		shortDir, shortErr = os.MkdirTemp("", "simtest")
		if shortErr == nil {
			_, shortErr = Run(shortConfig(11), shortDir)
		}
	})
	if shortErr != nil {
		t.Fatal(shortErr)
	}
	return shortDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shortDir != "" {
		os.RemoveAll(shortDir)
	}
	os.Exit(code)
}

func TestEncodeRoundTrip(t *testing.T) {
	var buf []byte
	pa, fa := encodeType1(1, posReport{mmsi: 273123456, status: 5, sog: 11.3, cog: 123.4, heading: 123, lat: 42.75, lon: 133.083333, second: 17})
	buf = appendLines(buf, 1700000000, "RS-TEST", pa, fa, 'A', 0)
	sd := staticData{mmsi: 667123457, imo: 1234567, callSign: "9LAB12", name: "GOLDEN STAR 7", shipType: 80,
		bow: 90, stern: 16, port: 8, starbrd: 9, draught: 6.4, destination: "NAKHODKA", etaMonth: 3, etaDay: 4, etaHour: 5, etaMinute: 6}
	p5, f5 := encodeType5(sd)
	buf = appendLines(buf, 1700000001, "SAT-1", p5, f5, 'B', 3)
	pb, fb := encodeType18(posReport{mmsi: 412000001, sog: 3.2, cog: 10, heading: 10, lat: -33.5, lon: -70.25, second: 59})
	buf = appendLines(buf, 1700000002, "RS-TEST", pb, fb, 'A', 0)
	p24a, f24a := encodeType24A(sd)
	buf = appendLines(buf, 1700000003, "RS-TEST", p24a, f24a, 'A', 0)
	p24b, f24b := encodeType24B(sd)
	buf = appendLines(buf, 1700000003, "RS-TEST", p24b, f24b, 'A', 0)
	p4, f4 := encodeType4(baseReport{mmsi: 2734001, unix: 1700000004, lat: 43.1, lon: 131.9})
	buf = appendLines(buf, 1700000004, "RS-TEST", p4, f4, 'A', 0)

	r := ais.NewReader(bytes.NewReader(buf))
	var got []ais.Message
	for r.Next() {
		got = append(got, *r.Message())
	}
	if st := r.Stats(); st.RejectedTotal() != 0 || len(got) != 6 {
		t.Fatalf("decoded %d messages, rejected %v", len(got), st.Rejected)
	}
	a := got[0]
	if a.Type != 1 || a.MMSI != 273123456 || a.PosA.Status != 5 || math.Abs(a.PosA.Speed-11.3) > 0.01 ||
		math.Abs(a.PosA.Lat-42.75) > 1e-5 || math.Abs(a.PosA.Lon-133.083333) > 1e-5 || math.Abs(a.PosA.Course-123.4) > 0.01 ||
		a.PosA.Heading != 123 || a.PosA.Second != 17 || a.Station != "RS-TEST" || a.RxTime.Unix() != 1700000000 {
		t.Errorf("type 1 round trip: %+v %+v", a, a.PosA)
	}
	s := got[1].StaticA
	if got[1].Type != 5 || got[1].MMSI != 667123457 || s.IMO != 1234567 || s.CallSign != "9LAB12" || s.ShipName != "GOLDEN STAR 7" ||
		s.ShipType != 80 || s.Dim.ToBow != 90 || s.Dim.ToStarboard != 9 || math.Abs(s.Draught-6.4) > 0.01 || s.Destination != "NAKHODKA" ||
		s.ETAMonth != 3 || s.ETAMinute != 6 || got[1].Station != "SAT-1" {
		t.Errorf("type 5 round trip: %+v", s)
	}
	b := got[2]
	if b.Type != 18 || b.MMSI != 412000001 || math.Abs(b.PosB.Lat+33.5) > 1e-5 || math.Abs(b.PosB.Lon+70.25) > 1e-5 || math.Abs(b.PosB.Speed-3.2) > 0.01 {
		t.Errorf("type 18 round trip: %+v", b.PosB)
	}
	if got[3].Type != 24 || got[3].StaticB.PartNo != 0 || got[3].StaticB.ShipName != "GOLDEN STAR 7" {
		t.Errorf("type 24A round trip: %+v", got[3].StaticB)
	}
	if got[4].StaticB.PartNo != 1 || got[4].StaticB.CallSign != "9LAB12" || got[4].StaticB.ShipType != 80 || got[4].StaticB.Dim.ToBow != 90 {
		t.Errorf("type 24B round trip: %+v", got[4].StaticB)
	}
	if got[5].Type != 4 || math.Abs(got[5].Base.Lat-43.1) > 1e-5 {
		t.Errorf("type 4 round trip: %+v", got[5].Base)
	}
	if tm, ok := got[5].Base.Time(); !ok || tm.Unix() != 1700000004 {
		t.Errorf("type 4 time %v %v", tm, ok)
	}
}

func TestIMOCheckDigit(t *testing.T) {
	if !ValidIMO(9074729) || ValidIMO(9074728) {
		t.Fatal("ValidIMO disagrees with the published example 9074729")
	}
	g := newIdentities(newRand(1))
	for i := 0; i < 1000; i++ {
		if n := g.imo(); !ValidIMO(n) {
			t.Fatalf("generated IMO %d has a bad check digit", n)
		}
	}
}

func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, n := range []string{"ais.nmea.gz", "truth.jsonl", "glitches.jsonl", "sar.jsonl", "vessels.json", "stations.json"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = b
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a := files(t, shortRun(t))
	dir := t.TempDir()
	cfg := shortConfig(11)
	cfg.Workers = 1 // a different schedule must not change a byte
	if _, err := Run(cfg, dir); err != nil {
		t.Fatal(err)
	}
	b := files(t, dir)
	for n := range a {
		if !bytes.Equal(a[n], b[n]) {
			t.Errorf("%s differs between two runs with the same seed", n)
		}
	}
	dir2 := t.TempDir()
	if _, err := Run(shortConfig(12), dir2); err != nil {
		t.Fatal(err)
	}
	c := files(t, dir2)
	if bytes.Equal(a["ais.nmea.gz"], c["ais.nmea.gz"]) || bytes.Equal(a["truth.jsonl"], c["truth.jsonl"]) {
		t.Error("different seeds gave identical output")
	}
}

func TestNoTruePositionOnLand(t *testing.T) {
	w, err := newWorld(shortConfig(11))
	if err != nil {
		t.Fatal(err)
	}
	land := geo.DefaultLand()
	checked := 0
	for _, h := range w.hulls {
		for i := 1; i < len(h.path); i++ {
			a, b := h.path[i-1], h.path[i]
			n := int(geo.DistanceKm(a.lat, a.lon, b.lat, b.lon)/0.25) + 1
			for k := 0; k <= n; k++ {
				f := float64(k) / float64(n)
				lat, lon := a.lat+(b.lat-a.lat)*f, a.lon+(b.lon-a.lon)*f
				checked++
				if land.OnLand(lat, lon) {
					t.Fatalf("hull %d (%s %s) on land at %.5f,%.5f, segment %d at %s", h.Index, h.Role, h.Kind, lat, lon, i, time.Unix(a.t, 0).UTC())
				}
			}
			if b.t < a.t {
				t.Fatalf("hull %d: time runs backwards at waypoint %d", h.Index, i)
			}
		}
	}
	if checked < 10000 {
		t.Fatalf("only %d points checked", checked)
	}
}

type decoded struct {
	t        int64
	lat, lon float64
	pos      bool
}

// readAIS opens a run's ais.nmea.gz for reading, closed at the test's end.
func readAIS(t *testing.T, dir string) *ais.Reader {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "ais.nmea.gz"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return ais.NewReader(z)
}

func decodeAll(t *testing.T, dir string) (map[uint32][]decoded, ais.Stats) {
	t.Helper()
	r := readAIS(t, dir)
	out := map[uint32][]decoded{}
	for r.Next() {
		m := r.Message()
		d := decoded{t: m.RxTime.Unix()}
		switch m.Type {
		case 1, 3:
			d.lat, d.lon, d.pos = m.PosA.Lat, m.PosA.Lon, true
		case 18:
			d.lat, d.lon, d.pos = m.PosB.Lat, m.PosB.Lon, true
		case 4:
			continue
		}
		out[m.MMSI] = append(out[m.MMSI], d)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return out, r.Stats()
}

func readTruth(t *testing.T, dir string) []event.Event {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []event.Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e event.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	return evs
}

func TestOutputDecodesAndTruthAgrees(t *testing.T) {
	dir := shortRun(t)
	var sum Stats
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	msgs, st := decodeAll(t, dir)
	if st.RejectedTotal() != sum.Corrupt {
		t.Errorf("decoder rejected %d lines (%v), the simulator corrupted %d", st.RejectedTotal(), st.Rejected, sum.Corrupt)
	}
	if st.Sentences+st.RejectedTotal() != sum.Sentences {
		t.Errorf("decoder saw %d good + %d rejected sentences, simulator wrote %d", st.Sentences, st.RejectedTotal(), sum.Sentences)
	}
	for _, d := range msgs {
		sortDecoded(d)
	}
	evs := readTruth(t, dir)
	counts := map[event.Type]int{}
	for _, e := range evs {
		counts[e.Type]++
		switch e.Type {
		case event.Gap:
			if e.End.Sub(e.Start) < 12*time.Hour {
				t.Errorf("gap shorter than 12 h: %+v", e)
			}
			for _, d := range msgs[e.MMSI] {
				if d.t > e.Start.Unix() && d.t < e.End.Unix() {
					t.Errorf("gap %v–%v of %d has a received message at %v", e.Start, e.End, e.MMSI, time.Unix(d.t, 0).UTC())
					break
				}
			}
		case event.PortVisit:
			near := false
			for _, d := range msgs[e.MMSI] {
				if d.pos && d.t >= e.Start.Unix()-5 && d.t <= e.End.Unix()+5 && geo.DistanceKm(d.lat, d.lon, e.Lat, e.Lon) <= 4 {
					near = true
					break
				}
			}
			// Spoofed positions (and another hull's, under a shared MMSI)
			// may by chance lie near a port; truth does not count them.
			if near != (e.Source == event.SourceAIS) && !spoofedDuring(evs, e) {
				t.Errorf("port visit %s %d %v–%v source %q but received positions within 4 km: %v", e.Port, e.MMSI, e.Start, e.End, e.Source, near)
			}
		case event.IdentityChange:
			if e.OtherMMSI != 0 && (!heardAt(msgs[e.OtherMMSI], e.Start.Unix()) || !heardAt(msgs[e.MMSI], e.End.Unix())) {
				t.Errorf("identity change %d→%d: old not heard at start or new not heard at end: %+v", e.OtherMMSI, e.MMSI, e)
			}
		case event.Spoofing:
			if e.Evidence["kind"] == spoofLand {
				onLand := 0
				for _, d := range msgs[e.MMSI] {
					if d.pos && d.t >= e.Start.Unix() && d.t <= e.End.Unix() && geo.DefaultLand().OnLand(d.lat, d.lon) {
						onLand++
					}
				}
				if onLand < 2 {
					t.Errorf("positions-on-land spoofing with %d received positions on land: %+v", onLand, e)
				}
			}
		case event.Encounter:
			if e.End.Sub(e.Start) < 2*time.Hour || e.OtherMMSI == 0 {
				t.Errorf("bad encounter %+v", e)
			}
		}
	}
	for _, typ := range []event.Type{event.PortVisit, event.Gap, event.Voyage} {
		if counts[typ] == 0 {
			t.Errorf("no %s events in the short scenario", typ)
		}
	}
	t.Logf("truth: %v; decoder: %d messages, rejected %v", counts, st.Messages, st.Rejected)
}

func spoofedDuring(evs []event.Event, v event.Event) bool {
	for _, e := range evs {
		if e.Type == event.Spoofing && e.MMSI == v.MMSI && e.Start.Before(v.End.Add(time.Hour)) && v.Start.Before(e.End.Add(time.Hour)) {
			return true
		}
	}
	return false
}

func heardAt(d []decoded, t int64) bool {
	for _, x := range d {
		if x.t >= t-5 && x.t <= t+5 {
			return true
		}
	}
	return false
}

func sortDecoded(d []decoded) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].t < d[j-1].t; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

// TestDemoRoundTrips plans the eight-month demo (no emission) and counts
// the covert fleet's Primorye → DPRK → Primorye round trips on the true
// tracks.
func TestDemoRoundTrips(t *testing.T) {
	if testing.Short() {
		t.Skip("plans the full demo")
	}
	w, err := newWorld(DemoConfig())
	if err != nil {
		t.Fatal(err)
	}
	mask := w.portMask()
	trips := 0
	for _, h := range w.hulls {
		if h.Role != "covert" {
			continue
		}
		last := ""
		sawKP := false
		for _, v := range w.visits(h, mask) {
			g := ""
			if w.cat.InGroup(v.port.ID, "KP") {
				g = "KP"
			} else if w.cat.InGroup(v.port.ID, "RU-FE") {
				g = "RU-FE"
			}
			switch {
			case g == "KP" && last == "RU-FE":
				sawKP = true
			case g == "RU-FE" && sawKP:
				trips++
				sawKP = false
			}
			if g != "" {
				last = g
			}
		}
	}
	t.Logf("covert RU-FE→KP→RU-FE round trips: %d", trips)
	if trips < 40 {
		t.Errorf("%d round trips, want at least 40", trips)
	}
	// The identity cases are in the demo: one clone and one hopper per
	// 20 days, each hopper re-registered twice.
	hops := 0
	for _, h := range w.idCases.hop {
		hops += len(h.renames)
	}
	t.Logf("identity cases: %d clones, %d hops by %d hoppers", len(w.idCases.clones), hops, len(w.idCases.hop))
	if n := DemoDays / 20; len(w.idCases.clones) != n || hops != 2*n {
		t.Errorf("%d clones and %d hops, want %d and %d", len(w.idCases.clones), hops, n, 2*n)
	}
}

func TestStationNames(t *testing.T) {
	dir := shortRun(t)
	b, err := os.ReadFile(filepath.Join(dir, "stations.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st []station
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if len(st) < 10 {
		t.Fatalf("only %d shore stations", len(st))
	}
	for _, s := range st {
		if !strings.HasPrefix(s.Name, "RS-") || s.RangeNM < 40 || s.RangeNM > 60 {
			t.Errorf("station %+v", s)
		}
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5DEECE66D)) }

func TestEnsureSkipsFinishedScenario(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Seed: 5, Days: 1, Vessels: 12, Workers: 2}
	made, err := ensure(dir, cfg)
	if err != nil || !made {
		t.Fatalf("first ensure: made=%v err=%v", made, err)
	}
	made, err = ensure(dir, cfg)
	if err != nil || made {
		t.Fatalf("second ensure regenerated: made=%v err=%v", made, err)
	}
	cfg.Days = 2
	if made, err = ensure(dir, cfg); err != nil || !made {
		t.Fatalf("changed settings not regenerated: made=%v err=%v", made, err)
	}
}

// TestTransferSpotsHeard checks that ship-to-ship transfers are planned
// where a shore station hears well. The spots were once searched only east
// of the DPRK coast, where no station reaches 50 km offshore, and the
// fallback to every spot made all transfers satellite-only (seeds 11–13).
func TestTransferSpotsHeard(t *testing.T) {
	for _, seed := range []uint64{11, 12, 13} {
		w, err := newWorld(Config{Seed: seed, Days: 1, Vessels: 20})
		if err != nil {
			t.Fatal(err)
		}
		spots := w.stsSpots()
		if len(spots) == 0 {
			t.Fatalf("seed %d: no transfer spots", seed)
		}
		for _, i := range spots {
			lat, lon := cellCentre(i/gridCols, i%gridCols)
			heard := false
			for _, s := range w.station {
				if geo.DistanceKm(lat, lon, s.Lat, s.Lon) < 0.7*s.RangeNM*1.852 {
					heard = true
					break
				}
			}
			if !heard {
				t.Fatalf("seed %d: transfer spot %.2f,%.2f (one of %d) is beyond 70%% of every station's range", seed, lat, lon, len(spots))
			}
			if d := w.land.DistanceToShoreKm(lat, lon); d < 50 {
				t.Fatalf("seed %d: transfer spot %.2f,%.2f is %.0f km from shore", seed, lat, lon, d)
			}
		}
	}
}

// TestEncounterCutByScenarioEnd checks that a transfer running past the end
// of the scenario is in the truth when 2 h of it lie inside (the emitted
// data shows that much, and a detector reports it when its input ends), and
// left out when less does.
func TestEncounterCutByScenarioEnd(t *testing.T) {
	w, err := newWorld(Config{Seed: 11, Days: 1, Vessels: 20})
	if err != nil {
		t.Fatal(err)
	}
	a, b := w.hulls[0], w.hulls[1]
	w.sts = []*stsPlan{
		{a: a, b: b, meet: span{w.t1 - 3*hour, w.t1 + hour}, lat: 42, lon: 132, gapM: 100, speedKn: 1},
		{a: a, b: b, meet: span{w.t1 - hour, w.t1 + 2*hour}, lat: 42, lon: 132, gapM: 100, speedKn: 1},
	}
	evs := w.encounterEvents()
	if len(evs) != 1 {
		t.Fatalf("got %d encounters, want the one with 3 h inside the scenario: %+v", len(evs), evs)
	}
	if e := evs[0]; e.Start.Unix() != w.t1-3*hour || e.End.Unix() != w.t1 {
		t.Errorf("encounter %s..%s, want it to end at the scenario's end %s", e.Start, e.End, time.Unix(w.t1, 0).UTC())
	}
}
