package sim

import (
	"testing"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
)

// The identity cases of issue 18 are planned: a clone sending its own
// static data under another ship's MMSI while both are under way far apart,
// and a hull re-registered under a new MMSI, flag and name (same IMO).
func TestIdentityCasesPlanned(t *testing.T) {
	w, err := newWorld(Config{Seed: 5, Days: 30, Vessels: 60, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := w.idCases
	if len(c.clones) != 1 {
		t.Fatalf("%d cloned MMSIs planned, want 1", len(c.clones))
	}
	cp := c.clones[0]
	owner, clone := cp.owner.identAt(cp.from), cp.clone.identAt(cp.from)
	if clone != cp.id || clone.MMSI != owner.MMSI || clone.IMO == owner.IMO || clone.Name == owner.Name {
		t.Fatalf("clone broadcasts %+v, owner %+v: want the owner's MMSI with its own IMO and name", clone, owner)
	}
	if own := cp.clone.identAt(cp.to); own.MMSI == owner.MMSI || own.IMO != clone.IMO {
		t.Errorf("after the episode the clone broadcasts %+v, want its own identity back", own)
	}
	if h := float64(cp.to-cp.from) / 3600; h < 8 || h > 12 {
		t.Errorf("clone lasts %.1f h, want 8–12", h)
	}
	for tt := cp.from; tt <= cp.to; tt += 300 {
		alat, alon, akn, _ := cp.owner.at(tt)
		blat, blon, bkn, _ := cp.clone.at(tt)
		if d := geo.DistanceKm(alat, alon, blat, blon); d < cloneApartKm {
			t.Fatalf("owner and clone %.0f km apart at +%d s, want ≥ %.0f", d, tt-cp.from, cloneApartKm)
		}
		if akn < 5 || bkn < 5 {
			t.Fatalf("owner %.1f kn, clone %.1f kn at +%d s: both should be under way", akn, bkn, tt-cp.from)
		}
	}

	if len(c.hop) != 1 {
		t.Fatalf("%d flag hoppers, want 1", len(c.hop))
	}
	h := c.hop[0]
	if len(h.renames) == 0 || len(h.renames) != len(h.off) {
		t.Fatalf("hopper renamed %d times with %d dark spells, want a dark spell per hop", len(h.renames), len(h.off))
	}
	for i, tt := range h.renames {
		old, nw := h.identAt(tt-1), h.identAt(tt)
		if old.MMSI == nw.MMSI || old.Flag == nw.Flag || old.Name == nw.Name || old.IMO != nw.IMO {
			t.Errorf("hop %d: %+v -> %+v, want a new MMSI, flag and name with the same IMO", i, old, nw)
		}
		if h.off[i].to != tt {
			t.Errorf("hop %d at %d, dark spell ends %d: the new identity comes on with the AIS", i, tt, h.off[i].to)
		}
		if i > 0 && (tt-h.renames[i-1] < 14*day || tt-h.renames[i-1] > 30*day) {
			t.Errorf("hops %.1f days apart, want within weeks (14–30)", float64(tt-h.renames[i-1])/float64(day))
		}
		// Off and on again at sea under way, outside any port circle.
		for _, at := range []int64{h.off[i].from, tt} {
			lat, lon, kn, _ := h.at(at)
			if d := w.nearestPortKm(lat, lon); d < 8 || kn < 5 {
				t.Errorf("hop %d: AIS switched at %.0f km from a port at %.1f kn, want at sea under way", i, d, kn)
			}
		}
	}
	for i := 1; i < len(h.path); i++ {
		if h.path[i].t < h.path[i-1].t {
			t.Fatalf("hopper goes back in time at waypoint %d", i)
		}
	}
}

// Truth of a clone: one cloned_mmsi identity change over the reports that
// switched the MMSI's identity, none when the MMSI never went back.
func TestCloneTruth(t *testing.T) {
	w := &world{t0: 0, t1: 10 * day}
	a := &Identity{MMSI: 7, IMO: 1000019, Name: "A"}
	b := &Identity{MMSI: 9, IMO: 1000027, Name: "B"}
	bc := &Identity{MMSI: 7, IMO: 1000027, Name: "B"}
	owner := &Hull{idents: []identStep{{0, a}}}
	clone := &Hull{idents: []identStep{{0, b}, {2 * day, bc}, {2*day + 8*hour, b}}}
	st := func(h *Hull, id *Identity, from, to int64) {
		for tt := from; tt < to; tt += hour {
			h.log = append(h.log, rx{t: tt, tLast: tt, id: id, kind: rxStatic})
		}
	}
	st(owner, a, day, 4*day)
	st(clone, b, day+1800, 2*day)
	st(clone, bc, 2*day+1800, 2*day+8*hour)
	st(clone, b, 2*day+8*hour+1800, 4*day)
	cp := clonePlan{owner: owner, clone: clone, span: span{2 * day, 2*day + 8*hour}, id: bc}
	evs := w.cloneEvents([]clonePlan{cp})
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	e := evs[0]
	if e.Type != event.IdentityChange || e.MMSI != 7 || e.OtherMMSI != 0 || e.Evidence["reason"] != "cloned_mmsi" {
		t.Errorf("event %+v, want a cloned_mmsi identity change of MMSI 7", e)
	}
	// From the first clone report to the owner's report after the last.
	if e.Start.Unix() != 2*day+1800 || e.End.Unix() != 2*day+8*hour {
		t.Errorf("clone %v–%v, want +1800 s to the owner's report at 8 h", e.Start, e.End)
	}
	ids, _ := e.Evidence["identities"].([]map[string]any)
	if e.Evidence["switches"] != 16 || len(ids) != 2 || ids[1]["own_mmsi"] != uint32(9) {
		t.Errorf("evidence %v, want 16 switches and the clone's own MMSI 9", e.Evidence)
	}
	// Heard once under the MMSI and never back: no clone to show.
	owner.log = owner.log[:0]
	st(owner, a, day, 2*day)
	clone.log = clone.log[:0]
	st(clone, bc, 2*day+1800, 2*day+3600)
	if evs := w.cloneEvents([]clonePlan{cp}); len(evs) != 0 {
		t.Errorf("one switch claimed as a clone: %+v", evs)
	}
}
