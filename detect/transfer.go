package detect

import (
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// heldDraught is a draught change during loitering at sea, held until the
// encounter detector has decided whether a partner was alongside: it
// works EncounterMaxInterp behind the newest fix and reports a pair only
// once the two have been apart for EncounterMerge, so a partner that came
// alongside shortly before the new draught (seed 9650) was not known when
// the draught change was.
type heldDraught struct {
	draught *event.Event
	// loiter is the loitering reported, nil when the run was not (too
	// short, or cut by the data): then there is no transfer to report.
	loiter *event.Event
	// from and until bound the time a partner alongside explains the
	// change: the loitering's start to its end or the new draught.
	from, until time.Time
	// enc is an encounter of the vessel during that time.
	enc *event.Event
	// otherSeg is the segment of the other hull, when two share the
	// MMSI (0: none known): its encounters are not this hull's partners.
	otherSeg int32
}

// hold keeps the draught change dr, put down to loitering from from on
// (lo, when reported), until the encounter detector is past it; activity
// is the vessel's latest port visit or encounter; otherSeg the other
// hull's segment (see heldDraught).
func (d *Detector) hold(v *vessel, lo, dr *event.Event, from time.Time, activity *event.Event, otherSeg int32) {
	if lo != nil {
		for k := range v.held {
			// One run is one transfer: the latest change's, as when both
			// came during the run (seed 10532: one confirmed during the
			// run, one after it, gave two).
			if o := &v.held[k]; o.loiter != nil && o.loiter.Start.Equal(lo.Start) {
				if o.draught.End.After(dr.End) {
					lo = nil
				} else {
					o.loiter = nil
				}
			}
		}
	}
	h := heldDraught{draught: dr, loiter: lo, from: from, until: dr.End, otherSeg: otherSeg}
	if lo != nil && lo.End.After(h.until) {
		h.until = lo.End
	}
	if a := activity; a != nil && a.Type == event.Encounter {
		h.noteEncounter(a, v.encounterSeg(a))
	}
	v.held = append(v.held, h)
	if !slices.Contains(d.holding, v.mmsi) {
		d.holding = append(d.holding, v.mmsi)
	}
}

// noteEncounter takes encounter e, of the vessel's segment seg, as the
// partner of h if it was together during h's time, not with the other
// hull.
func (h *heldDraught) noteEncounter(e *event.Event, seg int32) {
	if h.enc == nil && !e.Start.After(h.until) && !e.End.Before(h.from) && !otherHull(h.otherSeg, seg) {
		h.enc = e
	}
}

// otherHull says whether segment seg is the other hull's, otherSeg.
func otherHull(otherSeg, seg int32) bool { return otherSeg != 0 && seg == otherSeg }

// encounterSeg is v's segment in encounter a: known for its latest (0
// for anything else: a port visit is no encounter).
func (v *vessel) encounterSeg(a *event.Event) int32 {
	if a == v.activity && a.Type == event.Encounter {
		return v.activitySeg
	}
	return 0
}

// releaseHeld reports the held draught changes the encounter detector has
// decided, or all of them when the data ended.
func (d *Detector) releaseHeld(all bool) {
	done := d.enc.decidedUntil()
	keep := d.holding[:0]
	for _, m := range d.holding {
		v := d.vessels[m]
		rest := v.held[:0]
		for _, h := range v.held {
			if all || done.After(h.until) && !d.enc.pairOpen(v, h.until) {
				d.settle(v, &h)
			} else {
				rest = append(rest, h)
			}
		}
		if v.held = rest; len(rest) > 0 {
			keep = append(keep, m)
		} else {
			v.held = nil
		}
	}
	d.holding = keep
}

// settle reports a held draught change: in the context of the encounter
// during it if there was one, else of the loitering, with a possible dark
// transfer.
func (d *Detector) settle(v *vessel, h *heldDraught) {
	dr := h.draught
	if e := h.enc; e != nil {
		dr.Evidence["context"] = string(event.Encounter)
		dr.OtherMMSI = e.MMSI ^ e.OtherMMSI ^ v.mmsi
		dr.Lat, dr.Lon = e.Lat, e.Lon
		d.out(dr)
		return
	}
	d.out(dr)
	if lo := h.loiter; lo != nil && v.transferRun != lo.Start.UnixNano() {
		// (A change of the run released before the next was held has
		// made its transfer already.)
		v.transferRun = lo.Start.UnixNano()
		d.darkTransfer(v, lo, dr)
	}
}

// darkTransfer reports loitering at sea during which the draught changed
// with no vessel alongside: the partner of a transfer, if there was one,
// had its AIS off. A satellite image of the spot may show it (package sar
// matches dark detections to it).
func (d *Detector) darkTransfer(v *vessel, lo, dr *event.Event) {
	ev := map[string]any{
		"loitering_h":    lo.Evidence["duration_h"],
		"avg_speed_kn":   lo.Evidence["avg_speed_kn"],
		"min_shore_nm":   lo.Evidence["min_shore_nm"],
		"draught_at":     dr.End.Format(time.RFC3339),
		"partner":        "unseen",
		"loitering_id":   lo.ID(),
		"draught_id":     dr.ID(),
		"old_draught_m":  dr.Evidence["old_draught_m"],
		"new_draught_m":  dr.Evidence["new_draught_m"],
		"change_m":       dr.Evidence["change_m"],
		"encounter_seen": false,
	}
	for _, k := range []string{"cargo_t", "cargo_bbl", "loaded"} {
		if x, ok := dr.Evidence[k]; ok {
			ev[k] = x
		}
	}
	d.out(&event.Event{Type: event.PossibleDarkTransfer, MMSI: v.mmsi, Start: lo.Start, End: lo.End,
		Lat: lo.Lat, Lon: lo.Lon, Confidence: 0.6, Source: event.SourceAIS, Evidence: ev})
}
