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
		r.add(cut, inPlaceFix{ns: ns}, 48*time.Hour)
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
	for i, f := range r.live() {
		if want := ns - int64(99-i)*int64(30*time.Second); f.ns != want {
			t.Fatalf("live fix %d at %d, want %d", i, f.ns, want)
		}
	}
}

// TestAddTurnRoom: turns dropped from the front leave a room an eighth
// larger than those live when it fills.
func TestAddTurnRoom(t *testing.T) {
	var ts []turn
	for i := range 1000 {
		ts = addTurn(ts, turn{ns: int64(i)})
		if len(ts) > 200 {
			ts = ts[len(ts)-200:]
		}
	}
	if c := cap(ts); c > 200+200/8+1 {
		t.Errorf("room for %d turns held for 200", c)
	}
	if ts[0].ns != 800 || ts[199].ns != 999 {
		t.Errorf("turns %d..%d kept, want 800..999", ts[0].ns, ts[199].ns)
	}
}
