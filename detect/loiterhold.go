package detect

import (
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// Loitering held for the decision on GNSS interference areas (see
// interference.go): a run that took fixes placed in an area not yet shown
// is reported, when it ends, only once every such area is decided
// unshown; an area shown meanwhile makes it displaced.

// pendingLoiter is the end of a loitering run: its event (nil: not
// reported), the segment it was on, the draught change during it and the
// hand-over of its end (see endLoiter), and the areas it waits for.
type pendingLoiter struct {
	Loitering *event.Event
	Seg       int32
	OtherSeg  int32 // the other hull's segment, with Draught or Deferred (see heldDraught)
	Draught   *event.Event
	From, At  time.Time
	Deferred  bool
	Lat, Lon  float64
	Areas     []uint64
}

// holdRun notes that run s of v took a fix placed in area.
func (d *Detector) holdRun(v *vessel, s *loiterState, area uint64) {
	if slices.Contains(s.areas, area) {
		return
	}
	s.areas = append(s.areas, area)
	if d.areaRuns == nil {
		d.areaRuns = map[uint64][]uint32{}
	}
	if l := d.areaRuns[area]; !slices.Contains(l, v.mmsi) {
		d.areaRuns[area] = append(l, v.mmsi)
	}
}

// DecideArea takes the interference detector's decision on area id
// (Verdict.Area): shown, the loitering runs that took fixes placed there
// are not reported; else they no longer wait for it, and those that ended
// waiting for it alone are reported now.
func (d *Detector) DecideArea(id uint64, shown bool) {
	mmsis, ok := d.areaRuns[id]
	if !ok {
		return
	}
	delete(d.areaRuns, id)
	for _, m := range mmsis {
		v := d.vessels[m]
		if v == nil {
			continue
		}
		decideRun(&v.loiter, id, shown)
		for _, seg := range sortedSegs(v.segs) {
			decideRun(&v.segs[seg].loiter, id, shown)
		}
		keep := v.pending[:0]
		var done []pendingLoiter
		for _, e := range v.pending {
			if !slices.Contains(e.Areas, id) {
				keep = append(keep, e)
				continue
			}
			if shown {
				e.Loitering, e.Areas = nil, nil
			} else {
				e.Areas = slices.DeleteFunc(e.Areas, func(a uint64) bool { return a == id })
			}
			if len(e.Areas) == 0 {
				done = append(done, e)
			} else {
				keep = append(keep, e)
			}
		}
		clear(v.pending[len(keep):])
		if v.pending = keep; len(keep) == 0 {
			v.pending = nil
		}
		for i := range done {
			d.reportLoiter(v, &done[i], true)
		}
	}
}

// decideRun applies the decision on area id to the open run s.
func decideRun(s *loiterState, id uint64, shown bool) {
	if !s.on || !slices.Contains(s.areas, id) {
		return
	}
	s.areas = slices.DeleteFunc(s.areas, func(a uint64) bool { return a == id })
	if len(s.areas) == 0 {
		s.areas = nil
	}
	if shown {
		s.displaced = true
	}
}

// flushPending reports the runs still waiting for areas as the data ends:
// an area not decided by then was never shown.
func (d *Detector) flushPending(v *vessel) {
	for i := range v.pending {
		v.pending[i].Areas = nil
		d.reportLoiter(v, &v.pending[i], true)
	}
	v.pending = nil
}
