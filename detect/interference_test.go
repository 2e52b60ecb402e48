package detect

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/internal/memtest"
)

// For four hours every ship near a point reports its position displaced
// to (about) that point, each from when it comes within reach: one
// gnss_interference event for the area and period, listing them.
func TestGNSSInterferenceIsOneEvent(t *testing.T) {
	w := newWorld()
	pLat, pLon := 40.30, 131.30
	w.add(interferedLanes(pLat, pLon)...)
	evs := w.run(t)
	// Put on one spot at 0 kn for hours, they are not loitering there.
	if lo := only(evs, event.Loitering); len(lo) != 0 {
		t.Errorf("%d loitering events on displaced positions: %+v", len(lo), lo[0])
	}
	gi := only(evs, event.GNSSInterference)
	if len(gi) != 1 {
		t.Fatalf("%d gnss_interference events, want 1: %+v", len(gi), gi)
	}
	e := gi[0]
	if n, _ := e.Evidence["vessel_count"].(int); n != 6 {
		t.Errorf("vessels %v, want all 6", e.Evidence["vessels"])
	}
	if geo.DistanceKm(e.Lat, e.Lon, pLat, pLon) > 1 || e.Start.Before(t0.Add(2*time.Hour)) || e.End.Before(t0.Add(5*time.Hour+50*time.Minute)) {
		t.Errorf("area %.3f,%.3f %s–%s, want %.2f,%.2f from 02:00 to about 06:00", e.Lat, e.Lon, e.Start, e.End, pLat, pLon)
	}
}

// The first vessel put in the area, heard every 40 minutes, jumps there at
// 34 kn (under SpoofSpeedKn, flagged displaced by the tracker) before any
// area is open: it is listed too, as the vessels after it are, so it gets
// no spoofing risk points (fresh seed 9603: a class B ship 51 km away 34
// minutes before was the one vessel of 15 left out).
func TestGNSSInterferenceListsASlowFirstJump(t *testing.T) {
	w := newWorld()
	pLat, pLon := 40.30, 131.30
	for i := range 4 {
		mmsi := uint32(273000100 + i)
		lat, lon := geo.Destination(pLat, pLon, float64(i)*90, 20)
		s := newScript(mmsi, time.Duration(i)*time.Minute, lat, lon)
		on := t0.Add(2*time.Hour + time.Duration(i)*5*time.Minute)
		brg := 90.0
		if i == 0 {
			// 40 km west of the point, due north at 10 kn, heard every
			// 40 min: 34 kn to the point from the fix before, 47 km off
			// where it was going.
			lat, lon = geo.Destination(pLat, pLon, 270, 40)
			s = newScript(mmsi, 0, lat, lon)
			s.every = 40 * time.Minute
			on, brg = t0.Add(80*time.Minute), 0
		} else {
			s.every = 3 * time.Minute
		}
		tLat, tLon := geo.Destination(lat, lon, brg, 150)
		s.sail(tLat, tLon, 10) // about 8 h
		off := t0.Add(6 * time.Hour)
		for k := range s.fixes {
			if f := &s.fixes[k]; !f.Time.Before(on) && f.Time.Before(off) {
				f.Lat, f.Lon = geo.Destination(pLat, pLon, float64(k*37%360), 0.3)
				f.SOG, f.COG = 0, 0
			}
		}
		w.add(s)
	}
	evs := w.run(t)
	gi := only(evs, event.GNSSInterference)
	if len(gi) != 1 {
		t.Fatalf("%d gnss_interference events, want 1: %+v", len(gi), gi)
	}
	if n, _ := gi[0].Evidence["vessel_count"].(int); n != 4 {
		t.Errorf("vessels %v, want all 4 (273000100 first, at 34 kn)", gi[0].Evidence["vessels"])
	}
}

// Six ships put into one GNSS interference report from it every 10 s
// (real rates) for a day, and for four: what the detectors hold after
// four days is within 25% of what they hold after one. The movement
// detectors take none of those fixes, so each ship's last credible fix
// stays where the interference began; every fix 30 min after it was a
// stand-in, kept a month (9 MB held after four days, 2.4 MB after one).
func TestInterferenceStateFlat(t *testing.T) {
	pLat, pLon := 40.30, 131.30
	held := func(days int) uint64 {
		w := newWorld()
		for i := range 6 {
			lat, lon := geo.Destination(pLat, pLon, float64(i)*60, 30)
			s := newScript(uint32(273000100+i), time.Duration(i)*time.Second, lat, lon)
			s.every = 10 * time.Second
			s.sail(lat+0.1, lon+0.1, 10)
			n := len(s.fixes)
			s.stay(time.Duration(days)*24*time.Hour, 10)
			for k := n; k < len(s.fixes); k++ {
				f := &s.fixes[k]
				f.Lat, f.Lon = geo.Destination(pLat, pLon, float64(k*37%360), 0.05)
			}
			w.add(s)
		}
		// The world, holding its input (held before and after) and
		// its last run's detector.
		return memtest.Retained(func() any {
			w.run(t)
			return w
		})
	}
	one, four := held(1), held(4)
	t.Logf("held after one day %d B, after four %d B", one, four)
	if float64(four) > 1.25*float64(one) {
		t.Errorf("the detectors hold %d B after four days in an interference, %.1fx the %d B after one (flat: within 1.25x)", four, float64(four)/float64(one), one)
	}
}

// farTest may rule out only points further than its radius, and withinKm
// must answer as the distance does: checked
// against the great-circle distance on points scattered at every latitude,
// across the antimeridian and around the radius itself, and it must rule
// out most far points (else it saves nothing).
func TestFarTestIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	farOnes, ruled := 0, 0
	for i := 0; i < 200000; i++ {
		lat, lon := rng.Float64()*178-89, rng.Float64()*360-180
		km := []float64{0.5, 5, 50}[i%3]
		// Within a few radii, so that many land on either side of it.
		dLat := (rng.Float64()*2 - 1) * 3 * km / kmPerDegLat
		dLon := (rng.Float64()*2 - 1) * 3 * km / kmPerDegLat / math.Max(math.Cos(lat*math.Pi/180), 0.01)
		lat2, lon2 := math.Max(-90, math.Min(90, lat+dLat)), geo.NormLon(lon+dLon)
		ft := newFarTest(lat, lon, km)
		d := geo.DistanceKm(lat, lon, lat2, lon2)
		if w := withinKm(lat, lon, lat2, lon2, km); w != (d <= km) {
			t.Fatalf("(%v,%v) to (%v,%v): %v km, withinKm(%v) says %v", lat, lon, lat2, lon2, d, km, w)
		}
		if ft.far(lat2, lon2) {
			ruled++
			if d <= km {
				t.Fatalf("(%v,%v) to (%v,%v): %v km, within %v, ruled out", lat, lon, lat2, lon2, d, km)
			}
		}
		if d > km {
			farOnes++
		}
	}
	if ruled < farOnes*3/4 {
		t.Errorf("ruled out %d of %d far points", ruled, farOnes)
	}
	// Its cosine bound never exceeds the cosine, at any latitude.
	for lat := -90.0; lat <= 90; lat += 0.001 {
		ft := newFarTest(lat, 0, 5)
		if c := math.Cos(math.Min(90, math.Abs(lat)+ft.latDeg) * math.Pi / 180); ft.c > c {
			t.Fatalf("latitude %v: cosine bound %v over the cosine %v", lat, ft.c, c)
		}
	}
}

// The grid finds the same area as measuring to every one, in order:
// areas scattered over a region (some across the antimeridian, some near
// a pole), points around them, areas moving and closing in between. And
// so it does with no area near a pole or the antimeridian, where every
// area is listed by cell.
func TestGNSSNearAgreesWithScan(t *testing.T) {
	for _, centres := range [][][2]float64{
		{{35, 130}, {0.01, 179.99}, {-60, -179.98}, {88.9, 10}},
		{{35, 130}, {55.7, 12.6}, {-33.9, 151.2}, {70.1, 20.3}},
	} {
		gnssNearAgreesWithScan(t, centres)
	}
}

func gnssNearAgreesWithScan(t *testing.T, centres [][2]float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	d := New(DefaultConfig(), nil, nil, func(*event.Event) {})
	found := 0
	for round := 0; round < 200; round++ {
		// Move, add or drop a few areas, as jumps and closes do.
		for k := 0; k < 5; k++ {
			c := centres[rng.IntN(len(centres))]
			lat, lon := c[0]+rng.NormFloat64()*0.1, geo.NormLon(c[1]+rng.NormFloat64()*0.1)
			switch {
			case len(d.gnss) > 0 && rng.IntN(3) == 0:
				a := d.gnss[rng.IntN(len(d.gnss))]
				a.Lat, a.Lon = lat, lon
			case len(d.gnss) > 0 && rng.IntN(3) == 0:
				i := rng.IntN(len(d.gnss))
				d.gnss = append(d.gnss[:i], d.gnss[i+1:]...)
			default:
				d.gnss = append(d.gnss, &gnssArea{Lat: math.Min(lat, 89.99), Lon: lon})
			}
			d.gnssGrid.ok = false
		}
		for k := 0; k < 200; k++ {
			c := centres[rng.IntN(len(centres))]
			lat, lon := math.Min(c[0]+rng.NormFloat64()*0.1, 89.99), geo.NormLon(c[1]+rng.NormFloat64()*0.1)
			var want *gnssArea
			for _, a := range d.gnss {
				if geo.DistanceKm(a.Lat, a.Lon, lat, lon) <= d.cfg.InterferenceKm {
					want = a
					break
				}
			}
			if got := d.gnssNear(lat, lon); got != want {
				t.Fatalf("round %d: near (%v,%v) got area %+v, want %+v", round, lat, lon, got, want)
			}
			if want != nil {
				found++
			}
		}
	}
	if found < 1000 {
		t.Errorf("only %d points near an area: the test tells little", found)
	}
}

// lane is a ship moored at (40.3, 130.8) for an hour, then put on a
// circle around (pLat, pLon) for n fixes 10 min apart, then heard sailing
// east along latitude 40.3 from longitude 131.9 at 12 kn (further than it
// could have sailed from its berth: its track there is not continued).
func lane(mmsi uint32, at time.Duration, n int, pLat, pLon float64) *script {
	s := newScript(mmsi, at-time.Hour, 40.3, 130.8).stay(time.Hour, 0)
	for k := 0; k < n; k++ {
		s.lat, s.lon = geo.Destination(pLat, pLon, float64(k*53%360), 1)
		s.add(0, 0)
		s.t = s.t.Add(10 * time.Minute)
	}
	s.lat, s.lon = 40.3, 131.9
	return s.sail(40.3, 132.4, 12)
}

// Ships leaving an interference along one lane regain their positions in
// one place: those jumps back are no interference of their own (seed
// 9653), and a ship with a single displaced fix (seed 9652: it only
// brushed the interference's reach) is not one of its vessels.
func TestGNSSInterferenceReturnsAndBrushes(t *testing.T) {
	const pLat, pLon = 39.6, 131.2
	w := newWorld()
	for i := range 3 {
		w.add(lane(uint32(273000200+i), time.Duration(i)*20*time.Minute, 9, pLat, pLon))
	}
	gi := only(w.run(t), event.GNSSInterference)
	if len(gi) != 1 || gi[0].Evidence["vessel_count"] != 3 || geo.DistanceKm(gi[0].Lat, gi[0].Lon, pLat, pLon) > 2 {
		t.Fatalf("gnss_interference %+v, want one of 3 vessels at the circle", gi)
	}

	// Two ships displaced for 1.5 h, a third with one fix on the circle:
	// no interference of three vessels.
	w = newWorld()
	w.add(lane(273000300, 0, 9, pLat, pLon), lane(273000301, 20*time.Minute, 9, pLat, pLon),
		lane(273000302, 10*time.Minute, 1, pLat, pLon))
	if gi := only(w.run(t), event.GNSSInterference); len(gi) != 0 {
		t.Fatalf("interference of two vessels and one displaced fix: %+v", gi)
	}
}

// A ship silent for 20 h in port and heard next on the interference's
// circle, 45 km away (a ship's speed would have reached it), is one of
// its vessels (seed 9653: it got spoofing risk points for it).
func TestGNSSInterferenceShipHeardFirstOnTheCircle(t *testing.T) {
	const pLat, pLon = 39.6, 131.2
	w := newWorld()
	for i := range 3 {
		w.add(lane(uint32(273000400+i), time.Duration(i)*20*time.Minute, 9, pLat, pLon))
	}
	s := newScript(273000409, -20*time.Hour, 40.0, 131.0).stay(10*time.Minute, 0)
	s.t = t0.Add(45 * time.Minute)
	for k := 0; k < 12; k++ {
		s.lat, s.lon = geo.Destination(pLat, pLon, float64(k*53%360), 1)
		s.add(0, 0)
		s.t = s.t.Add(10 * time.Minute)
	}
	s.lat, s.lon = 40.0, 131.0
	s.stay(time.Hour, 0)
	w.add(s)
	gi := only(w.run(t), event.GNSSInterference)
	if len(gi) != 1 {
		t.Fatalf("gnss_interference %+v, want one", gi)
	}
	if vs := gi[0].Evidence["vessels"].([]uint32); len(vs) != 4 || vs[3] != 273000409 {
		t.Errorf("vessels %v, want the three on the lane and 273000409", vs)
	}
}

// One ship's GPS glitch lands on a lane; ships heard again after a
// coverage hole pass through the spot: they arrived unseen, but none of
// them jumped there, so it is no interference (seed 9653).
func TestGNSSInterferenceNeedsVesselsThatJumped(t *testing.T) {
	w := newWorld()
	a := newScript(273000500, 0, 40.0, 131.0).sail(40.0, 132.0, 12)
	a.fixes[20].Lat, a.fixes[20].Lon = 40.3, 131.5
	w.add(a)
	for i := range 3 {
		s := newScript(uint32(273000510+i), time.Duration(i)*30*time.Minute, 40.3, 131.0).sail(40.3, 131.2, 12)
		s.silent(90 * time.Minute)
		s.lat, s.lon = 40.3, 131.45
		w.add(s.sail(40.3, 132.0, 12))
	}
	if gi := only(w.run(t), event.GNSSInterference); len(gi) != 0 {
		t.Fatalf("ships through the spot of a glitch: %+v", gi)
	}
}

// Seed 7251: a tanker showed itself inland for 5 h (a land spoof of its
// own) and went straight from there onto an interference's circle 76 km
// away, 20 minutes later. The tracker, which flags inland fixes and keeps
// them off the track, measured no jump (the track's last fix was 5 h
// old), so the tanker was not listed, and its land spoof's risk points
// looked like points for the interference. Jumping into the area from
// its previous fix, flagged or not, it is placed there.
func TestGNSSInterferenceAfterALandSpoof(t *testing.T) {
	w := newWorld()
	lanes := interferedLanes(40.30, 131.30)
	s := lanes[len(lanes)-1]
	on := t0.Add(2*time.Hour + 25*time.Minute) // when it is put on the circle
	for k := range s.fixes {
		if f := &s.fixes[k]; !f.Time.Before(on.Add(-90*time.Minute)) && f.Time.Before(on) {
			f.Lat, f.Lon = 40.5, 129.5 // inland, 150 km west
		}
	}
	w.add(lanes...)
	gi := only(w.run(t), event.GNSSInterference)
	if len(gi) != 1 {
		t.Fatalf("%d gnss_interference events, want 1: %+v", len(gi), gi)
	}
	if vs, _ := gi[0].Evidence["vessels"].([]uint32); !slices.Contains(vs, s.mmsi) {
		t.Errorf("vessels %v, want %d (from its land spoof) among them", vs, s.mmsi)
	}
}

// interferedLanes are six ships sailing about 8 h past (pLat, pLon), 20-30
// km off, that report their positions displaced to within 300 m of it from
// 2 h on (ship i from 5i minutes later) until 6 h.
func interferedLanes(pLat, pLon float64) []*script {
	var out []*script
	for i := range 6 {
		mmsi := uint32(273000100 + i)
		lat, lon := geo.Destination(pLat, pLon, float64(i)*60, 20+float64(i)*2)
		s := newScript(mmsi, time.Duration(i)*time.Minute, lat, lon)
		s.every = 3 * time.Minute
		s.sail(lat+0.6, lon+1.5, 12) // about 8 h
		on, off := t0.Add(2*time.Hour+time.Duration(i)*5*time.Minute), t0.Add(6*time.Hour)
		for k := range s.fixes {
			if f := &s.fixes[k]; !f.Time.Before(on) && f.Time.Before(off) {
				f.Lat, f.Lon = geo.Destination(pLat, pLon, float64(k*37%360), 0.3)
			}
		}
		out = append(out, s)
	}
	return out
}

// Seed 10511: two ships moored in port put on an interference's circle at
// sea, 80 km off, for 7 h, and a third put there only in the last 2.5 h,
// which showed the interference (three vessels) after the first two had
// been on the circle for 5 h at 0 kn. Their fixes before it was shown are
// displaced fixes as much as those after: no loitering there.
func TestNoLoiteringBeforeInterferenceShown(t *testing.T) {
	pLat, pLon := 40.30, 131.30
	w := newWorld()
	for i := range 3 {
		mmsi := uint32(273000600 + i)
		on, off := t0.Add(time.Hour+time.Duration(i)*5*time.Minute), t0.Add(8*time.Hour)
		var s *script
		if i < 2 {
			s = newScript(mmsi, time.Duration(i)*time.Minute, 40.0, 130.05+0.01*float64(i))
			s.every = 15 * time.Minute
			// Heard on in port for 8 days: the displaced stream left
			// waiting is given up a week after its last fix.
			s.stay(8*24*time.Hour, 0)
		} else {
			on = t0.Add(5*time.Hour + 30*time.Minute)
			s = newScript(mmsi, 0, 40.6, 130.5)
			s.sail(40.6, 132.5, 12) // about 10 h
		}
		for k := range s.fixes {
			if f := &s.fixes[k]; !f.Time.Before(on) && f.Time.Before(off) {
				f.Lat, f.Lon = geo.Destination(pLat, pLon, float64((k+40*i)*37%360), 2)
				f.SOG, f.COG = 0, 0
			}
		}
		w.add(s)
	}
	evs := w.run(t)
	if gi := only(evs, event.GNSSInterference); len(gi) != 1 || gi[0].Evidence["vessel_count"] != 3 {
		t.Fatalf("gnss_interference %+v, want one of 3 vessels", gi)
	}
	if lo := only(evs, event.Loitering); len(lo) != 0 {
		t.Errorf("%d loitering events on displaced positions: %+v", len(lo), lo)
	}
}

// pathKm must never fall below the great-circle distance (withinKm
// answers true on it without the formula), at every latitude, across the
// antimeridian and for points on one parallel (the worst case of the
// cosine's bound); and at Danish latitudes it must be well below upperKm
// for an east-west step, or it settles nothing more.
func TestPathKmBoundsDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300000; i++ {
		lat, lon := rng.Float64()*180-90, rng.Float64()*360-180
		step := []float64{1e-4, 1e-2, 1, 30}[i%4]
		lat2, lon2 := lat, geo.NormLon(lon+(rng.Float64()*2-1)*step)
		if i%2 == 0 {
			lat2 = math.Max(-90, math.Min(90, lat+(rng.Float64()*2-1)*step))
		}
		if u, d := pathKm(lat, lon, lat2, lon2), geo.DistanceKm(lat, lon, lat2, lon2); u < d {
			t.Fatalf("(%v,%v) to (%v,%v): pathKm %v below the distance %v", lat, lon, lat2, lon2, u, d)
		}
	}
	if p, u := pathKm(55, 10, 55, 10.01), upperKm(55, 10, 55, 10.01); p > 0.6*u {
		t.Errorf("pathKm %v against upperKm %v at 55°N: no tighter", p, u)
	}
}
