package detect

import (
	"sort"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// Two tugs of one class (same length, beam and type) that broadcast
// different valid IMO numbers are two hulls: one falling silent and the
// other first heard nearby hours later is no reappearance (issue 14). The
// refusal is named in the evidence of a link made instead.
func TestNoLinkBetweenDifferentIMOs(t *testing.T) {
	w := newWorld()
	w.add(newScript(1, 0, 40.5, 133.0).sail(40.5, 133.2, 8))
	w.static(track.Static{MMSI: 1, Time: t0.Add(time.Minute), Name: "SVITZER A", IMO: 9074729, Length: 32, Beam: 12, ShipType: 52})
	w.add(newScript(2, 10*time.Hour, 40.5, 133.25).sail(40.5, 133.5, 8))
	w.static(track.Static{MMSI: 2, Time: t0.Add(10*time.Hour + time.Minute), Name: "SVITZER B", IMO: 9321483, Length: 32, Beam: 12, ShipType: 52})
	if ic := only(w.run(t), event.IdentityChange); len(ic) != 0 {
		t.Fatalf("two hulls with different IMO numbers linked: %+v", ic)
	}

	// A third tug of the class, no IMO broadcast, heard further away: the
	// link goes to the hull that may be it, naming the one refused.
	w = newWorld()
	w.add(newScript(1, 0, 40.5, 133.0).sail(40.5, 133.2, 8))
	w.static(track.Static{MMSI: 1, Time: t0.Add(time.Minute), Name: "SVITZER A", IMO: 9074729, Length: 32, Beam: 12, ShipType: 52})
	w.add(newScript(3, 0, 40.0, 133.0).sail(40.0, 133.2, 8))
	w.static(track.Static{MMSI: 3, Time: t0.Add(2 * time.Minute), Name: "TUG C", Length: 32, Beam: 12, ShipType: 52})
	w.add(newScript(2, 10*time.Hour, 40.5, 133.25).sail(40.5, 133.5, 8))
	w.static(track.Static{MMSI: 2, Time: t0.Add(10*time.Hour + time.Minute), Name: "SVITZER B", IMO: 9321483, Length: 32, Beam: 12, ShipType: 52})
	ic := only(w.run(t), event.IdentityChange)
	if len(ic) != 1 || ic[0].MMSI != 2 || ic[0].OtherMMSI != 3 {
		t.Fatalf("want one link 3 -> 2, got %+v", ic)
	}
	ref, _ := ic[0].Evidence["refused"].([]map[string]any)
	if len(ref) != 1 || ref[0]["mmsi"] != uint32(1) || ref[0]["reason"] != "different_imo" {
		t.Errorf("refused link not named: %v", ic[0].Evidence)
	}
}

// One MMSI used by two ships 300 km apart, both transmitting for eight
// hours, each its own static data (issue 18): one cloned_mmsi finding with
// both identities, not an identity change per alternating report.
func TestClonedMMSIIsOneFinding(t *testing.T) {
	w := newWorld()
	a := newScript(412000001, 0, 38.0, 131.0).sail(38.0, 132.0, 10)
	b := newScript(412000001, 2*time.Minute, 40.7, 131.0).sail(40.7, 132.0, 10)
	w.add(a, b)
	for m := time.Duration(0); m < 8*time.Hour; m += 6 * time.Minute {
		w.static(track.Static{MMSI: 412000001, Time: t0.Add(m + time.Minute), Name: "HAI XING", IMO: 9074729, Length: 180, Beam: 30, ShipType: 80})
		w.static(track.Static{MMSI: 412000001, Time: t0.Add(m + 4*time.Minute), Name: "SEA DRAGON", IMO: 9321483, Length: 120, Beam: 20, ShipType: 70})
	}
	// The same MMSI renamed for good a week later: one real change.
	w.static(track.Static{MMSI: 412000001, Time: t0.Add(7 * 24 * time.Hour), Name: "HAI XING", IMO: 9074729, Length: 180, Beam: 30, ShipType: 80})
	for h := time.Duration(0); h < 6; h++ {
		w.static(track.Static{MMSI: 412000001, Time: t0.Add(7*24*time.Hour + (h+1)*time.Hour), Name: "HAI XING 2", IMO: 9074729, Length: 180, Beam: 30, ShipType: 80})
	}
	ic := only(w.run(t), event.IdentityChange)
	var clones, changes []event.Event
	for _, e := range ic {
		if e.Evidence["reason"] == "cloned_mmsi" {
			clones = append(clones, e)
		} else {
			changes = append(changes, e)
		}
	}
	if len(clones) != 1 {
		t.Fatalf("%d cloned_mmsi findings, want 1 (%d identity events in all)", len(clones), len(ic))
	}
	c := clones[0]
	ids, _ := c.Evidence["identities"].([]map[string]any)
	if len(ids) != 2 || ids[0]["imo"] == ids[1]["imo"] {
		t.Errorf("both identities wanted: %v", c.Evidence)
	}
	if c.End.Sub(c.Start) < 7*time.Hour {
		t.Errorf("finding spans %s–%s, want the eight hours both were heard", c.Start, c.End)
	}
	if len(changes) != 1 || changes[0].Evidence["new_name"] != "HAI XING 2" {
		// HAI XING heard again after the clone stopped (after CloneIdle:
		// its hull out of reach meanwhile, as on seeds 8004 and 8006) is
		// one of the two hulls the finding names, no change; the rename
		// is one.
		t.Errorf("%d identity changes beside the clone, want the rename alone: %+v", len(changes), changes)
	}
}

// Flag hopping (issue 18): the same hull (same IMO) re-registered under a
// new MMSI, flag and name two weeks after its old number fell silent is
// linked, with the reason.
func TestFlagHopping(t *testing.T) {
	w := newWorld()
	w.flag = func(m uint32) string {
		switch m / 1000000 {
		case 412:
			return "China"
		case 667:
			return "Sierra Leone"
		}
		return ""
	}
	w.add(newScript(412000009, 0, 40.5, 133.0).sail(40.5, 133.5, 10))
	w.static(track.Static{MMSI: 412000009, Time: t0.Add(time.Minute), Name: "HAI XING", IMO: 9074729, Length: 180, Beam: 30, ShipType: 80})
	w.add(newScript(667000009, 14*24*time.Hour, 40.6, 133.6).sail(40.6, 134, 10))
	w.static(track.Static{MMSI: 667000009, Time: t0.Add(14*24*time.Hour + time.Minute), Name: "OCEAN GLORY", IMO: 9074729, Length: 180, Beam: 30, ShipType: 80})
	ic := only(w.run(t), event.IdentityChange)
	if len(ic) != 1 || ic[0].MMSI != 667000009 || ic[0].OtherMMSI != 412000009 {
		t.Fatalf("want one link 412000009 -> 667000009, got %+v", ic)
	}
	if ic[0].Evidence["flag_hopping"] != true || ic[0].Evidence["reason"] != "imo_reused" {
		t.Errorf("evidence %v, want flag_hopping, reason imo_reused", ic[0].Evidence)
	}
}

// A clone with a number of its own (issue 18, the simulator's case): hull
// B sails under its own MMSI, broadcasts A's MMSI with its own name and
// IMO for eight hours 300 km from A (its first static report before its
// first position there), then goes back to its own number. That is one
// cloned_mmsi finding naming B's own number, not B "re-registered" as A
// and back (two imo_reused links) nor a change at the first switch.
func TestCloneWithANumberOfItsOwn(t *testing.T) {
	const a, x = 412000001, 273000002
	w := newWorld()
	w.add(newScript(a, 0, 38.0, 130.5).sail(38.0, 135.5, 10))
	own1 := newScript(x, 0, 40.7, 130.5).sail(40.7, 132.7, 10)
	clone := newScript(a, own1.t.Sub(t0), own1.lat, own1.lon).sail(40.7, 134.4, 10)
	own2 := newScript(x, clone.t.Sub(t0), clone.lat, clone.lon).sail(40.7, 135.5, 10)
	w.add(own1, clone, own2)
	idA := track.Static{Name: "HAI XING", IMO: 9074729, CallSign: "BOAA", Length: 180, Beam: 30, ShipType: 80}
	idB := track.Static{Name: "SEA DRAGON", IMO: 9321483, CallSign: "UBAA", Length: 120, Beam: 20, ShipType: 80}
	at := func(id track.Static, mmsi uint32, tt time.Time) {
		id.MMSI, id.Time = mmsi, tt
		w.static(id)
	}
	for m := time.Minute; m < 24*time.Hour; m += time.Hour {
		at(idA, a, t0.Add(m))
		tb := t0.Add(m + 30*time.Minute)
		switch {
		case tb.Before(own1.t):
			at(idB, x, tb)
		case tb.Before(clone.t):
			at(idB, a, tb)
		default:
			at(idB, x, tb)
		}
	}
	// Sent at once under the new number, before the first position there.
	at(idB, a, own1.t)
	at(idB, x, clone.t)
	sort.SliceStable(w.statics, func(i, j int) bool { return w.statics[i].Time.Before(w.statics[j].Time) })
	ic := only(w.run(t), event.IdentityChange)
	if len(ic) != 1 || ic[0].MMSI != a || ic[0].Evidence["reason"] != "cloned_mmsi" {
		t.Fatalf("want one cloned_mmsi finding of %d, got %d identity events: %+v", a, len(ic), ic)
	}
	ids, _ := ic[0].Evidence["identities"].([]map[string]any)
	own := map[any]any{}
	for _, id := range ids {
		own[id["imo"]] = id["own_mmsi"]
	}
	if len(ids) != 2 || own[uint32(9321483)] != uint32(x) || own[uint32(9074729)] != nil {
		t.Errorf("identities %v: want the clone's own number %d named, none for the owner's", ids, x)
	}
}

// A clone whose owner is heard less often (seed 9401: the owner's static
// data four hours apart, out of reach of most stations, while the clone
// sent its own every hour): the first switch, held past IdentityConfirm
// while both still send positions, is part of the one cloned_mmsi
// finding, not an identity change beside it.
func TestCloneWithARarelyHeardOwner(t *testing.T) {
	w := newWorld()
	w.add(newScript(412000001, 0, 38.0, 131.0).sail(38.0, 132.5, 10))
	w.add(newScript(412000001, 2*time.Minute, 40.7, 131.0).sail(40.7, 132.5, 10))
	for m := time.Duration(0); m < 12*time.Hour; m += time.Hour {
		if m%(4*time.Hour) == 0 {
			w.static(track.Static{MMSI: 412000001, Time: t0.Add(m + time.Minute), Name: "HAI XING", IMO: 9074729, Length: 180, Beam: 30, ShipType: 80})
		}
		w.static(track.Static{MMSI: 412000001, Time: t0.Add(m + 8*time.Minute), Name: "SEA DRAGON", IMO: 9321483, Length: 120, Beam: 20, ShipType: 70})
	}
	ic := only(w.run(t), event.IdentityChange)
	if len(ic) != 1 || ic[0].Evidence["reason"] != "cloned_mmsi" {
		t.Fatalf("want one cloned_mmsi finding, got %d identity events: %+v", len(ic), ic)
	}
	if !ic[0].Start.Equal(t0.Add(8 * time.Minute)) {
		t.Errorf("finding starts %s, want the clone's first static report %s", ic[0].Start, t0.Add(8*time.Minute))
	}
}

// Two hulls' static reports in turn under one number, both heard seldom
// at the end: one last at 5:10, the other's switch back at 9:00, then the
// first again 24.8 h after it was last heard, and on (fresh seed 10024:
// 27 h). The finding's latest switch was 21 h before: one more switch of
// it, not an identity change.
func TestCloneSwitchAfterALongSilenceOfOneHull(t *testing.T) {
	w := newWorld()
	a := newScript(412000001, 0, 38.0, 131.0).sail(38.0, 136.0, 10)
	b := newScript(412000001, 2*time.Minute, 40.7, 131.0).sail(40.7, 136.0, 10)
	w.add(a, b)
	hai := func(at time.Duration) track.Static {
		return track.Static{MMSI: 412000001, Time: t0.Add(at), Name: "HAI XING", IMO: 9074729, Length: 180, Beam: 30, ShipType: 80}
	}
	sea := func(at time.Duration) track.Static {
		return track.Static{MMSI: 412000001, Time: t0.Add(at), Name: "SEA DRAGON", IMO: 9321483, Length: 120, Beam: 20, ShipType: 70}
	}
	for m := time.Duration(0); m < 5*time.Hour; m += time.Hour {
		w.static(hai(m + 10*time.Minute))
		w.static(sea(m + 40*time.Minute))
	}
	w.static(hai(5*time.Hour + 10*time.Minute))
	w.static(sea(9 * time.Hour))
	for m := 30 * time.Hour; m < 36*time.Hour; m += time.Hour {
		w.static(hai(m))
	}
	ic := only(w.run(t), event.IdentityChange)
	if len(ic) != 1 || ic[0].Evidence["reason"] != "cloned_mmsi" || ic[0].End.Before(t0.Add(30*time.Hour)) {
		t.Fatalf("identity events %+v, want one cloned_mmsi finding to the last switch", ic)
	}
}
