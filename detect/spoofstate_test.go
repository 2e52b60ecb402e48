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
	if cap(r.ns) != cap(r.fixes) || len(r.ns) != len(r.fixes) {
		t.Errorf("times %d of room %d beside fixes %d of room %d", len(r.ns), cap(r.ns), len(r.fixes), cap(r.fixes))
	}
	for i, f := range r.liveNs() {
		if want := ns - int64(99-i)*int64(30*time.Second); f != want {
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
	if c := cap(ts.at); c > 200+200/8+1 || cap(ts.ns) != c {
		t.Errorf("room for %d turns and %d times held for 200", c, cap(ts.ns))
	}
	if ts.ns[0] != 800 || ts.ns[199] != 999 || ts.at[0].lat != 800 || ts.at[199].lat != 999 {
		t.Errorf("turns %d..%d kept, want 800..999", ts.ns[0], ts.ns[199])
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
