package detect

import (
	"testing"
	"time"
)

// TestInPlaceRunRoomFollowsLiveFixes: once a long run is cut to a ship
// sailing on, the room held follows the fixes still live, not the peak
// (the old rule reused a room up to four times what the live fixes need).
func TestInPlaceRunRoomFollowsLiveFixes(t *testing.T) {
	var r inPlaceRun
	ns := int64(0)
	add := func(cut int) {
		ns += int64(30 * time.Second)
		r.add(cut, inPlaceFix{}, ns, 48*time.Hour)
	}
	for range 400 {
		add(0)
	}
	// Sailing on: every fix drops the oldest once 100 are live.
	for range 2000 {
		cut := 0
		if live := len(r.live()); live >= 100 {
			cut = live - 99
		}
		add(cut)
	}
	live := len(r.live())
	if live != 100 {
		t.Fatalf("%d live fixes, want 100", live)
	}
	if c := cap(r.fixes); c > live+live/4 {
		t.Errorf("room for %d fixes held for %d live ones, want at most %d", c, live, live+live/4)
	}
	if r.clock.wide != nil {
		t.Errorf("times of whole seconds kept whole (%d)", len(*r.clock.wide))
	}
	for i := range r.live() {
		if f, want := r.ns(r.head+i), ns-int64(99-i)*int64(30*time.Second); f != want {
			t.Fatalf("live fix %d at %d, want %d", i, f, want)
		}
	}
}

// TestAddTurnRoom: turns dropped from the front leave a room an eighth
// larger than those live when it fills.
func TestAddTurnRoom(t *testing.T) {
	var ts turnRun
	for i := range 1000 {
		ts.add(turn{lat: int32(i)}, int64(i))
		if n := len(ts.at); n > 200 {
			ts.drop(n - 200)
		}
	}
	// (Times of a few nanoseconds: kept whole, beside the turns.)
	if c := cap(ts.at); c > 200+200/8+1 || ts.clock.wide == nil || cap(*ts.clock.wide) > c {
		t.Errorf("room for %d turns held for 200, and for their times %v", c, ts.clock.wide)
	}
	if ts.ns(0) != 800 || ts.ns(199) != 999 || ts.at[0].lat != 800 || ts.at[199].lat != 999 {
		t.Errorf("turns %d..%d kept, want 800..999", ts.ns(0), ts.ns(199))
	}
}

// TestRunClock: a run's times come back to the nanosecond, kept as
// seconds while they are whole seconds after the run's first, and whole
// from the first that is not (a fraction of a second, a time before the
// first, 136 years on) until the run empties.
func TestRunClock(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for _, odd := range []int64{t0 + 61e9 + 250e6, t0 - 5e9, t0 + (1<<32)*1e9} {
		ts := []int64{t0, t0 + 30e9, t0 + 60e9, odd, t0 + 90e9}
		var tr turnRun
		var ip inPlaceRun
		for i, ns := range ts {
			tr.add(turn{lat: int32(i)}, ns)
			ip.add(0, inPlaceFix{lon: int32(i)}, ns, 48*time.Hour)
			if wide := tr.clock.wide != nil || ip.clock.wide != nil; wide != (i >= 3) {
				t.Fatalf("%d: times kept whole (%v) at fix %d", odd, wide, i)
			}
		}
		tr.drop(2)
		for i := range tr.at {
			if tr.ns(i) != ts[i+2] || tr.at[i].lat != int32(i+2) {
				t.Errorf("turn %d at %d (lat %d), want %d", i+2, tr.ns(i), tr.at[i].lat, ts[i+2])
			}
		}
		for i := range ip.live() {
			if ip.ns(ip.head+i) != ts[i] || ip.live()[i].lon != int32(i) {
				t.Errorf("fix %d at %d, want %d", i, ip.ns(ip.head+i), ts[i])
			}
		}
		// Emptied, a run keeps seconds again.
		tr.reset()
		ip.reset()
		tr.add(turn{}, t0+1e9)
		tr.add(turn{}, t0+2e9)
		ip.add(0, inPlaceFix{}, t0+1e9, time.Hour)
		if tr.clock.wide != nil || ip.clock.wide != nil || tr.ns(1) != t0+2e9 || ip.ns(0) != t0+1e9 {
			t.Errorf("emptied run keeps whole times, or gives back %d, %d", tr.ns(1), ip.ns(0))
		}
	}
}

// TestInPlaceFixPacksQuadrant: a kept fix gives back its position in AIS
// units and its course's quadrant, south and west and at the poles too.
func TestInPlaceFixPacksQuadrant(t *testing.T) {
	for _, ll := range [][2]float64{{-54.123456, -179.5}, {90, 180}, {-90, -180}, {0, 0}, {38.2, 130.1}} {
		for q := range uint8(4) {
			at := placed{onUnits(ll[0]), onUnits(ll[1])}
			f := inPlaceAt(q, &at, 1)
			if f.lat() != toUnits(ll[0]) || f.lon != toUnits(ll[1]) || f.quad() != int(q) {
				t.Errorf("%v quadrant %d kept as %d, %d quadrant %d", ll, q, f.lat(), f.lon, f.quad())
			}
			if lat, lon := f.latLon(); lat != at.lat || lon != at.lon {
				t.Errorf("%v gave back %v, %v", ll, lat, lon)
			}
		}
	}
}

// TestStreams: a vessel's streams stay in segment order whatever order
// they open in (the order spoofPoint's findings are made in), and one
// forgotten is gone.
func TestStreams(t *testing.T) {
	var ss streams
	a, b, c := &segInfo{n: 1}, &segInfo{n: 2}, &segInfo{n: 3}
	ss.put(5, b)
	ss.put(9, c)
	ss.put(2, a)
	if len(ss) != 3 || ss[0].id != 2 || ss[1].id != 5 || ss[2].id != 9 || ss.get(5) != b || ss.get(2) != a || ss.get(7) != nil {
		t.Fatalf("streams %v", ss)
	}
	ss.del(5)
	if len(ss) != 2 || ss.get(5) != nil || ss.get(9) != c || ss[0].id != 2 {
		t.Fatalf("streams after forgetting 5: %v", ss)
	}
}
