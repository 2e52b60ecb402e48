package detect

import (
	"sort"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// A ship heard again on an interference's circle after a silence arrived
// there unseen: its fixes there are placed in the area, but make no
// interference, and its segment did not begin with a jump. It lay there
// 5 h at 0 kn and regained its position before a third vessel jumping
// there showed the interference: its run on the circle is displaced fixes
// too, no loitering. A tanker really drifting 100 km away meanwhile is
// loitering, reported when its run ends, not held.
func TestNoLoiteringOnAreaShownAfterShipsLeft(t *testing.T) {
	w, arrived, drift := leftBeforeShown(true)
	var at []time.Time
	d := New(w.cfg, NewPortIndex(testPorts, 20), fakeShore{}, nil)
	evs := w.runOn(t, d, func() { at = append(at, d.now) })
	if gi := only(evs, event.GNSSInterference); len(gi) != 1 || gi[0].Evidence["vessel_count"] != 4 {
		t.Fatalf("gnss_interference %+v, want one of 4 vessels", gi)
	}
	n := 0
	for i, e := range evs {
		t.Logf("%s %d %s-%s at %s", e.Type, e.MMSI, e.Start.Format("15:04"), e.End.Format("15:04"), at[i].Format("15:04"))
		if e.Type != event.Loitering {
			continue
		}
		if e.MMSI != drift {
			t.Errorf("loitering of %d on displaced positions (%d was heard there first): %+v", e.MMSI, arrived, e)
			continue
		}
		n++
		if late := at[i].Sub(e.End); late > time.Hour {
			t.Errorf("the drifting tanker's loitering reported %v after it ended", late)
		}
	}
	if n != 1 {
		t.Errorf("%d loitering events of the drifting tanker, want 1", n)
	}
}

// With no third ship jumping there, the circle is never shown an
// interference: the loitering held on it is reported once the area is
// given up (InterferenceIdle after the last fix placed there).
func TestLoiteringHeldOnAreaNeverShownIsReported(t *testing.T) {
	w, arrived, _ := leftBeforeShown(false)
	var at []time.Time
	d := New(w.cfg, NewPortIndex(testPorts, 20), fakeShore{}, nil)
	evs := w.runOn(t, d, func() { at = append(at, d.now) })
	var lo []event.Event
	for i, e := range evs {
		if e.Type == event.Loitering && e.MMSI == arrived {
			lo = append(lo, e)
			if wait := at[i].Sub(e.End); wait < w.cfg.InterferenceIdle {
				t.Errorf("loitering on the circle reported %v after it ended, before the area was given up", wait)
			}
		}
	}
	if len(lo) != 1 || lo[0].Evidence["duration_h"] != 4.83 {
		t.Errorf("loitering of %d on a circle no interference showed: %+v, want one of 4.83 h", arrived, lo)
	}
}

// leftBeforeShown builds the world of TestNoLoiteringOnAreaShownAfterShipsLeft
// (with the third ship jumping there if shown), and returns it with the
// ship heard first on the circle and the drifting tanker.
func leftBeforeShown(shown bool) (*world, uint32, uint32) {
	pLat, pLon := 40.30, 131.30
	w := newWorld()
	onCircle := func(s *script, i int, on, off time.Time) {
		for k := range s.fixes {
			if f := &s.fixes[k]; !f.Time.Before(on) && f.Time.Before(off) {
				f.Lat, f.Lon = geo.Destination(pLat, pLon, float64((k+40*i)*37%360), 2)
				f.SOG, f.COG = 0, 0
			}
		}
	}
	// Two ships jump onto the circle and off it again.
	for i := range 2 {
		s := newScript(uint32(273000700+i), time.Duration(i)*time.Minute, 39.5+0.2*float64(i), 130.6)
		s.every = 10 * time.Minute
		s.sail(39.5+0.2*float64(i), 133.5, 8)
		onCircle(s, i, t0.Add(time.Hour+time.Duration(i)*5*time.Minute), t0.Add(6*time.Hour))
		w.add(s)
	}
	// The ship heard again on the circle after 3 h.
	a := newScript(273000710, 3*time.Minute, 39.3, 130.6)
	a.every = 10 * time.Minute
	a.sail(39.3, 133.5, 8)
	var kept = a.fixes[:0]
	for _, f := range a.fixes {
		if f.Time.Before(t0.Add(time.Hour)) || !f.Time.Before(t0.Add(4*time.Hour)) {
			kept = append(kept, f)
		}
	}
	a.fixes = kept
	onCircle(a, 5, t0.Add(4*time.Hour), t0.Add(9*time.Hour))
	w.add(a)
	// The third ship jumping there, after the others left.
	if shown {
		c := newScript(273000702, 2*time.Minute, 39.9, 130.6)
		c.every = 10 * time.Minute
		c.sail(39.9, 133.5, 8)
		onCircle(c, 2, t0.Add(10*time.Hour), t0.Add(12*time.Hour))
		w.add(c)
	}
	tanker := newScript(273000799, time.Hour, 41.3, 132.5)
	tanker.sail(41.5, 132.5, 10).stay(6*time.Hour, 0.5).sail(43.0, 132.5, 10)
	w.add(tanker)
	return w, a.mmsi, tanker.mmsi
}

// The loitering held for an area, and the area's decision owed, are
// carried by the detectors' saved state: a run resumed from it while the
// arrived ship's run waits (after it left the circle, before the third
// ship showed the interference, or the area was given up unshown)
// reports what one run does.
func TestLoiteringHeldAcrossSavedState(t *testing.T) {
	for _, shown := range []bool{true, false} {
		if n := loiteringAfterSavedState(t, shown); n != map[bool]int{true: 0, false: 1}[shown] {
			t.Errorf("interference shown %v: %d loitering events on the circle after the saved state", shown, n)
		}
	}
}

// loiteringAfterSavedState runs leftBeforeShown(shown) through a Detector
// saved and restored while the loitering on the circle is held, and
// returns how many loitering events of the ship heard on the circle it
// reports.
func loiteringAfterSavedState(t *testing.T, shown bool) int {
	w, arrived, _ := leftBeforeShown(shown)
	rec := &recorder{}
	tr := track.New(track.DefaultConfig(), fakeShore{}, rec)
	sort.SliceStable(w.fixes, func(i, j int) bool { return w.fixes[i].Time.Before(w.fixes[j].Time) })
	for _, f := range w.fixes {
		tr.AddFix(f)
	}
	tr.Flush()
	var got []event.Event
	emit := func(e *event.Event) { got = append(got, *e) }
	d := New(w.cfg, NewPortIndex(testPorts, 20), fakeShore{}, emit)
	cut := t0.Add(9*time.Hour + 30*time.Minute)
	i := 0
	for ; i < len(rec.points) && rec.points[i].Time.Before(cut); i++ {
		d.Point(&rec.points[i])
	}
	v := d.vessels[arrived]
	if v == nil || len(v.pending) != 1 {
		t.Fatalf("at %s, %d has no loitering held: the case does not test saved state", cut.Format("15:04"), arrived)
	}
	shared, err := d.MarshalShared(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := New(w.cfg, NewPortIndex(testPorts, 20), fakeShore{}, emit)
	if err := e.UnmarshalShared(shared); err != nil {
		t.Fatal(err)
	}
	for _, m := range d.MMSIs() {
		b, _, err := d.MarshalVessel(nil, m)
		if err == nil {
			err = e.UnmarshalVessel(m, b)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for ; i < len(rec.points); i++ {
		e.Point(&rec.points[i])
	}
	e.Flush()
	n := 0
	for _, ev := range got {
		if ev.Type == event.Loitering && ev.MMSI == arrived {
			n++
		}
	}
	return n
}

// recorder keeps a tracker's points.
type recorder struct{ points []track.Point }

func (r *recorder) Point(p *track.Point)   { r.points = append(r.points, *p) }
func (r *recorder) Static(s *track.Static) {}
