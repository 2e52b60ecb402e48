package detect

import (
	"slices"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// clonedTankers is seed 10532's cloned MMSI: hull A (150×24 m) drifts at
// 1 kn 150 km out for 7 h, reporting draught 6 m, then 9 m (when aChange
// > 0) from hour aChange; hull B (80×13 m) under the same MMSI lies in
// port ALPHA, 500 km away, reporting 2.6 m, then 4.6 m from hour 5. Each
// hull sends its static report a second after one of its own fixes, as a
// transponder does, so the reports of both come in turn between the two
// streams of positions.
func clonedTankers(aChange time.Duration) *world {
	w := newWorld()
	lon := 130 + kmEast(150)
	a := newScript(1, 0, 45.0, lon+0.3).sail(45.0, lon, 10).sail(45.1, lon, 1).sail(45.0, lon+0.5, 10)
	b := newScript(1, 7*time.Minute, 40.0, 130.05)
	b.every = 15 * time.Minute
	b.stay(16*time.Hour, 0)
	w.add(a, b)
	for i, f := range a.fixes {
		if i%6 == 0 {
			dr := 6.0
			if aChange > 0 && f.Time.Sub(t0) >= aChange {
				dr = 9
			}
			w.static(track.Static{MMSI: 1, Time: f.Time.Add(time.Second), Name: "TANKER", IMO: 9000001,
				ShipType: 80, Length: 150, Beam: 24, Draught: dr})
		}
	}
	for i, f := range b.fixes {
		if i%4 == 1 {
			dr := 2.6
			if f.Time.Sub(t0) >= 5*time.Hour {
				dr = 4.6
			}
			w.static(track.Static{MMSI: 1, Time: f.Time.Add(time.Second), Name: "TANKER", IMO: 9000001,
				ShipType: 80, Length: 80, Beam: 13, Draught: dr})
		}
	}
	slices.SortStableFunc(w.statics, func(x, y track.Static) int { return x.Time.Compare(y.Time) })
	return w
}

// TestClonedHullsDraughtStaysWithItsHull: the draught of the hull in port
// changes while the other hull under its MMSI loiters at sea. That change
// is the port's (seed 10532: put at the loitering position, it made a
// possible dark transfer of a tanker whose own draught had not changed).
func TestClonedHullsDraughtStaysWithItsHull(t *testing.T) {
	evs := clonedTankers(0).run(t)
	if dt := only(evs, event.PossibleDarkTransfer); len(dt) != 0 {
		t.Errorf("possible dark transfers %+v, want none: the loitering hull's draught did not change", dt)
	}
	if len(only(evs, event.Loitering)) != 1 {
		t.Fatalf("loitering %+v, want one: the scenario does not test it", only(evs, event.Loitering))
	}
	dc := only(evs, event.DraughtChange)
	if len(dc) != 1 || dc[0].Evidence["context"] != "port_visit" || dc[0].Port != "ALPHA" || dc[0].Evidence["length_m"] != 80.0 {
		t.Fatalf("draught changes %+v, want the 80 m hull's, in port ALPHA", dc)
	}
}

// TestClonedHullsDarkTransferOfTheLoiteringHull: the same, with the
// loitering hull's own draught rising during its run: one possible dark
// transfer, the loitering hull's (its dimensions give the cargo), and the
// port hull's change stays in port.
func TestClonedHullsDarkTransferOfTheLoiteringHull(t *testing.T) {
	evs := clonedTankers(4 * time.Hour).run(t)
	dt := only(evs, event.PossibleDarkTransfer)
	if len(dt) != 1 || dt[0].Evidence["change_m"] != 3.0 {
		t.Fatalf("possible dark transfers %+v, want the loitering hull's (3 m)", dt)
	}
	ctx := map[any]any{}
	for _, e := range only(evs, event.DraughtChange) {
		ctx[e.Evidence["length_m"]] = e.Evidence["context"]
	}
	if len(ctx) != 2 || ctx[150.0] != "loitering" || ctx[80.0] != "port_visit" {
		t.Errorf("draught changes by hull length: %v, want 150 m loitering, 80 m in port", ctx)
	}
}

// TestOneLoiteringRunOneDarkTransfer: a tanker's draught rises twice while
// it drifts, the second change confirmed only after the run ended. One
// run is one transfer: one possible dark transfer, the latest change's
// (seed 10532 gave two for one run).
func TestOneLoiteringRunOneDarkTransfer(t *testing.T) {
	w := newWorld()
	lon := 130 + kmEast(150)
	w.add(newScript(1, 0, 45.0, lon+0.3).sail(45.0, lon, 10).sail(45.1, lon, 1).sail(45.0, lon+0.5, 10))
	for at := time.Duration(0); at < 16*time.Hour; at += 30 * time.Minute {
		dr := 6.0
		switch {
		case at >= 6*time.Hour+30*time.Minute:
			dr = 12
		case at >= 3*time.Hour:
			dr = 9
		}
		w.static(track.Static{MMSI: 1, Time: t0.Add(at + time.Minute), Name: "TANKER", IMO: 9000001,
			ShipType: 80, Length: 150, Beam: 24, Draught: dr})
	}
	evs := w.run(t)
	lo := only(evs, event.Loitering)
	if len(lo) != 1 || !lo[0].End.After(t0.Add(6*time.Hour+31*time.Minute)) || !lo[0].End.Before(t0.Add(7*time.Hour+31*time.Minute)) {
		t.Fatalf("loitering %+v, want one, ending before the second change is confirmed: the scenario does not test it", lo)
	}
	if dc := only(evs, event.DraughtChange); len(dc) != 2 {
		t.Fatalf("draught changes %+v, want two", dc)
	}
	dt := only(evs, event.PossibleDarkTransfer)
	if len(dt) != 1 || dt[0].Evidence["new_draught_m"] != 12.0 {
		t.Fatalf("possible dark transfers %+v, want one, of the change to 12 m", dt)
	}
}

// TestPassingAfterTheRunIsNoPartner: seed 10544's tanker drifts 150 km
// out, its draught falls during the run, then it sails off at 10 kn and a
// fishing boat going the other way crosses its track within 500 m, an
// hour and a half after the new draught was first reported and before it
// was confirmed. That crossing is no partner of the transfer (it came
// after the new draught): one possible dark transfer.
func TestPassingAfterTheRunIsNoPartner(t *testing.T) {
	w := newWorld()
	lon := 130 + kmEast(150)
	tanker := newScript(1, 0, 45.0, lon+0.1).sail(45.0, lon, 10).stay(4*time.Hour+35*time.Minute, 0.5).sail(45.5, lon, 10)
	var at track.Fix
	for _, f := range tanker.fixes {
		if f.Time.Equal(t0.Add(5*time.Hour + 30*time.Minute)) {
			at = f
		}
	}
	if at.Time.IsZero() {
		t.Fatal("no tanker fix at 5h30: the scenario does not test it")
	}
	fisher := &script{mmsi: 2, every: 5 * time.Minute}
	for m := -60; m <= 60; m += 5 {
		// South at 4 kn along the tanker's way, at its fix at 5h30 then.
		fisher.t, fisher.lat, fisher.lon = at.Time.Add(time.Duration(m)*time.Minute), at.Lat-float64(m)/60*4*kmPerNm/111.195, at.Lon
		fisher.add(4, 180)
	}
	w.add(tanker, fisher)
	w.static(track.Static{MMSI: 2, Time: t0.Add(4*time.Hour + 40*time.Minute), Name: "FISHER", ShipType: 30, Length: 40, Beam: 8})
	for _, m := range []time.Duration{1, 31, 61, 91, 121, 151, 181, 211, 241, 421, 451} {
		dr := 6.0
		if m >= 241 {
			dr = 3.5
		}
		w.static(track.Static{MMSI: 1, Time: t0.Add(m * time.Minute), Name: "TANKER", IMO: 9000001,
			ShipType: 80, Length: 150, Beam: 24, Draught: dr})
	}
	slices.SortStableFunc(w.statics, func(x, y track.Static) int { return x.Time.Compare(y.Time) })
	evs := w.run(t)
	if lo := only(evs, event.Loitering); len(lo) != 1 || lo[0].End.After(t0.Add(5*time.Hour+10*time.Minute)) {
		t.Fatalf("loitering %+v, want one ending by 5h10: the scenario does not test it", lo)
	}
	dc := only(evs, event.DraughtChange)
	if len(dc) != 1 || dc[0].Evidence["context"] != "loitering" || dc[0].OtherMMSI != 0 {
		t.Errorf("draught changes %+v, want one, of the loitering", dc)
	}
	if dt := only(evs, event.PossibleDarkTransfer); len(dt) != 1 {
		t.Errorf("possible dark transfers %+v, want one", dt)
	}
}

// closeClones is one MMSI used by two hulls 11 km apart at sea, each
// heard every 30 minutes, the one 15 minutes after the other: every fix
// of the MMSI is within a ship's reach of the one before, so the
// tracker's envelope alone keeps both hulls on one track, which zig-zags
// between them. Hull A (150×24 m, IMO 9074729) drifts for 6 h with
// tanker 2 alongside, whose AIS is on; hull B (80×13 m, IMO 9321483),
// 11 km east, drifts alone, its draught rising from 5 to 8 m at hour 3.
// Each hull sends its static report a second after one of its own fixes.
func closeClones() *world {
	w := newWorld()
	lon := 130 + kmEast(150)
	eastB := kmEast(11)
	a := newScript(1, 0, 45.0, lon+0.5)
	a.every = 30 * time.Minute
	a.sail(45.0, lon, 10).stay(6*time.Hour, 0.5).sail(45.3, lon, 10)
	b := newScript(1, 15*time.Minute, 45.0, lon+eastB+0.5)
	b.every = 30 * time.Minute
	b.sail(45.0, lon+eastB, 10).stay(6*time.Hour, 0.5).sail(44.7, lon+eastB, 10)
	c := newScript(2, 0, 45.4, lon+0.001).sail(45.0, lon+0.001, 10).stay(6*time.Hour, 0.5).sail(45.3, lon+0.5, 10)
	w.add(a, b, c)
	for _, f := range a.fixes {
		w.static(track.Static{MMSI: 1, Time: f.Time.Add(time.Second), Name: "TANKER A", IMO: 9074729,
			ShipType: 80, Length: 150, Beam: 24, Draught: 9})
	}
	for _, f := range b.fixes {
		dr := 5.0
		if f.Time.Sub(t0) >= 3*time.Hour {
			dr = 8
		}
		w.static(track.Static{MMSI: 1, Time: f.Time.Add(time.Second), Name: "TANKER B", IMO: 9321483,
			ShipType: 80, Length: 80, Beam: 13, Draught: dr})
	}
	w.static(track.Static{MMSI: 2, Time: t0.Add(time.Minute), Name: "PARTNER", IMO: 9514755, ShipType: 80, Length: 120, Beam: 20})
	slices.SortStableFunc(w.statics, func(x, y track.Static) int { return x.Time.Compare(y.Time) })
	return w
}

// TestCloseClonesDraughtStaysWithItsHull: hull B's draught change is its
// own, made drifting with nobody alongside (a possible dark transfer),
// not hull A's encounter with tanker 2, 11 km away.
func TestCloseClonesDraughtStaysWithItsHull(t *testing.T) {
	evs := closeClones().run(t)
	if en := only(evs, event.Encounter); len(en) != 1 || en[0].Duration() < 4*time.Hour {
		t.Fatalf("encounters %+v, want hull A's with tanker 2: the scenario does not test it", en)
	}
	dc := only(evs, event.DraughtChange)
	if len(dc) != 1 || dc[0].Evidence["length_m"] != 80.0 || dc[0].OtherMMSI != 0 || dc[0].Evidence["context"] != "loitering" {
		t.Fatalf("draught changes %+v, want hull B's (80 m), loitering alone", dc)
	}
	if dt := only(evs, event.PossibleDarkTransfer); len(dt) != 1 || dt[0].Evidence["change_m"] != 3.0 {
		t.Errorf("possible dark transfers %+v, want hull B's (3 m)", dt)
	}
}
