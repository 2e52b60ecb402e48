package detect

import (
	"maps"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// receptionTap records every positioned, unflagged fix the detector is
// given into a Reception, as a second stage gathering them would.
type receptionTap struct {
	d    *Detector
	rx   *Reception
	keep func(mmsi uint32) bool
}

func (s receptionTap) Point(p *track.Point) {
	s.d.Point(p)
	if p.HasPos && p.Flag == track.OK && s.keep(p.MMSI) {
		c, h := ReceptionCell(p.Lat, p.Lon, p.Time)
		s.rx.Add(c, h, p.MMSI)
	}
}
func (s receptionTap) Static(x *track.Static) { s.d.Static(x) }

// TestGradeGapAsOneDetector: gaps graded from reception evidence gathered
// outside the detector get exactly the detector's own figures, and from
// evidence lacking the vessel that kept transmitting nearby they are no
// longer deliberate.
func TestGradeGapAsOneDetector(t *testing.T) {
	w := newWorld()
	w.add(newScript(1, 0, 40.5, 133.0).sail(40.5, 133.2, 10).silent(20*time.Hour).sail(40.5, 133.5, 10))
	w.add(newScript(2, 0, 40.6, 133.0).stay(30*time.Hour, 0.1))
	w.add(newScript(3, 0, 35.0, 140.0).sail(35.0, 140.2, 10).silent(20*time.Hour).sail(35.0, 140.5, 10))
	w.add(newScript(4, 0, 35.1, 140.0).sail(35.1, 140.2, 10).silent(20*time.Hour).sail(35.1, 140.5, 10))
	w.add(newScript(5, 0, 41.0, 131.3).sail(41.0, 131.4, 10).silent(60*time.Hour).sail(41.0, 131.6, 10))
	w.add(newScript(6, 0, 41.1, 131.3).stay(80*time.Hour, 0.1))
	// Inshore, deliberate only for the watched port 40 km away.
	w.add(newScript(7, 0, 40.3, 130.5).sail(40.3, 130.6, 10).silent(20*time.Hour).sail(40.3, 130.7, 10))
	w.add(newScript(8, 0, 40.4, 130.5).stay(30*time.Hour, 0.1))

	var out []event.Event
	d := New(w.cfg, NewPortIndex(testPorts, 20), fakeShore{}, func(e *event.Event) { out = append(out, *e) })
	all, without2 := NewReception(), NewReception()
	tr := track.New(track.DefaultConfig(), fakeShore{}, receptionTap{d, all, func(uint32) bool { return true }})
	tr2 := track.New(track.DefaultConfig(), fakeShore{}, receptionTap{New(w.cfg, nil, nil, func(*event.Event) {}), without2, func(m uint32) bool { return m != 2 }})
	for _, f := range sortedFixes(w.fixes) {
		tr.AddFix(f)
		tr2.AddFix(f)
	}
	tr.Flush()
	d.Flush()

	grader := New(w.cfg, NewPortIndex(testPorts, 20), fakeShore{}, nil)
	gaps, dark := 0, 0
	for _, e := range out {
		switch e.Type {
		case event.Gap:
			gaps++
			g := e
			g.Evidence = maps.Clone(e.Evidence)
			g.Confidence, g.Evidence["others_heard_fraction"], g.Evidence["deliberate"] = 0, -1.0, nil
			grader.GradeGap(&g, all)
			if !reflect.DeepEqual(g, e) {
				t.Errorf("graded apart:\n %+v\nby the detector:\n %+v", g, e)
			}
			if GapGradable(&e).After(e.End) || !GapGradable(&e).After(e.End.Add(-time.Hour)) {
				t.Errorf("gap ending %v gradable once reception is complete to %v", e.End, GapGradable(&e))
			}
			if e.MMSI == 7 && e.Evidence["deliberate"] != true {
				t.Errorf("vessel 7's gap should be deliberate (near a watched port): %v", e.Evidence)
			}
			if e.MMSI == 1 {
				if e.Evidence["deliberate"] != true {
					t.Fatalf("vessel 1's gap should be deliberate: %v", e.Evidence)
				}
				if grader.GradeGap(&g, without2) {
					t.Errorf("vessel 1's gap deliberate without the vessel heard next to it: %v", g.Evidence)
				}
			}
		case event.PossibleDarkPortVisit:
			dark++
			v := e
			v.Evidence = maps.Clone(e.Evidence)
			GradeDarkVisit(&v, !e.Evidence["gap_deliberate"].(bool))
			if v.Evidence["gap_deliberate"] == e.Evidence["gap_deliberate"] {
				t.Error("GradeDarkVisit did not set gap_deliberate")
			}
		}
	}
	if gaps != 5 || dark != 1 {
		t.Fatalf("%d gaps and %d dark visits, want 5 and 1: %+v", gaps, dark, out)
	}
}

func sortedFixes(fs []track.Fix) []track.Fix {
	out := append([]track.Fix(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// TestLatestActivity: a Detector deciding draught changes it did not see
// confirmed takes, of the vessel's port visit and its encounter, the one
// one Detector would hold last: the one reported later, the port visit
// when both were reported at once (the point that ended the visit moved
// the encounters first).
func TestLatestActivity(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	enc := &event.Event{Type: event.Encounter}
	visit := &event.Event{Type: event.PortVisit}
	v := &vessel{moveState: &moveState{activity: enc, activityAt: stampOf(t0)}}
	for _, c := range []struct {
		visitAt time.Time
		want    *event.Event
	}{
		{t0.Add(-time.Minute), enc},
		{t0, visit},
		{t0.Add(time.Minute), visit},
	} {
		if got := latestActivity(v, visit, c.visitAt); got != c.want {
			t.Errorf("visit reported at %s, encounter at %s: took %s, want %s", c.visitAt, t0, got.Type, c.want.Type)
		}
	}
	if got := latestActivity(v, nil, time.Time{}); got != enc {
		t.Errorf("no visit: took %v, want the encounter", got)
	}
}
