package detect

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
)

// Single-fix GPS glitches are not spoofing (issue 18): cargo ships on a
// lane, each with two isolated fixes 5–20 km off its track hours apart,
// are flagged on the track and nothing more.
func TestIsolatedGlitchesAreNotSpoofing(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 1))
	w := newWorld()
	for i := range 40 {
		mmsi := uint32(412000000 + i)
		lat := 35.0 + float64(i)*0.1
		s := newScript(mmsi, time.Duration(i)*time.Minute, lat, 131.0)
		s.every = time.Duration(2+rng.IntN(5)) * time.Minute
		s.sail(lat+rng.Float64()*0.5, 136.0, 11+rng.Float64()*4)
		n := len(s.fixes)
		for _, k := range []int{n/6 + rng.IntN(n/6), n/2 + rng.IntN(n/3)} {
			f := &s.fixes[k]
			f.Lat, f.Lon = geo.Destination(f.Lat, f.Lon, rng.Float64()*360, 5+rng.Float64()*15)
		}
		w.add(s)
	}
	evs := w.run(t)
	if sp := only(evs, event.Spoofing); len(sp) != 0 {
		t.Errorf("%d spoofing events from isolated glitches; first %+v", len(sp), sp[0])
	}
	if gi := only(evs, event.GNSSInterference); len(gi) != 0 {
		t.Errorf("%d gnss_interference events from isolated glitches; first %+v", len(gi), gi[0])
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
