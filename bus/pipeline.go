package bus

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// pipeline is one partition's first stage: tracker and detectors on one
// goroutine (partitions give the parallelism), with the track points
// tapped for what the second stage needs from every vessel. Events that
// depend on vessels of other partitions go to the second stage instead of
// emit: gaps and dark port visits to be graded there; encounters and
// identity links between MMSIs are found there, from the points and
// static reports; draught changes are decided there (their context may
// be an encounter; a possible dark transfer needs nobody alongside).
// GNSS interference is found by the interference unit over every
// partition's fixes (fixes.go): the detectors take each point once its
// verdict has come (verdict), and the static reports in between in order.
type pipeline struct {
	tr     *track.Tracker
	det    *detect.Detector
	out    *stageOut
	maxIn  int64 // latest receive time given to the tracker, Unix ns
	window int64 // the tracker's reorder window, ns
	// ending is set by finish: what comes after was still open when the
	// data ended (event.Event.Open), as ingest stores what its analysis
	// emits once finished; open is set once the detectors may take it.
	ending, open bool
	// at is the time of the input the detectors take, Unix ns (MaxInt64
	// once flushed): when a clone finding was made, for the link shard.
	at int64

	// mu guards what follows and the detectors: the tracker's goroutine
	// holds its output here, the verdicts' goroutine releases it.
	mu      sync.Mutex
	waiting []waitingInput
	head    int
	through uint64              // fixes numbered below are judged
	disp    map[uint64]struct{} // displaced fixes among those waiting
	placed  map[uint64]uint64   // fixes waiting placed in areas not yet decided: the area
	decided []areaDecision      // decisions waiting for the fixes before them
	// finals are the verdicts on the last fixes of runs, by finalKey,
	// until this run's key is known.
	finals   map[uint64]*verdicts
	released chan struct{} // signalled when the queue empties
	// flush, if set, sends the frames collected (as the partition's
	// reading does every flushItems).
	flush func()
	// room is signalled as the detectors take what waits (see hold).
	room    *sync.Cond
	stopped bool
}

// waitingInput is a point or a static report held for the verdicts.
type waitingInput struct {
	p      track.Point
	s      *track.Static
	num    uint64
	fix    bool // p was sent to the interference unit as fix num
	ending bool
}

func newPipeline(opt analyze.Options, out *stageOut, emit func(*event.Event)) *pipeline {
	pl := &pipeline{out: out, window: int64(opt.Track.ReorderWindow), disp: map[uint64]struct{}{}, placed: map[uint64]uint64{},
		finals: map[uint64]*verdicts{}, released: make(chan struct{}, 1)}
	pl.room = sync.NewCond(&pl.mu)
	var land track.Land
	pl.det, land = analyze.NewDetector(opt, func(e *event.Event) {
		if pl.open {
			e.Open = true
		}
		switch e.Type {
		case event.Gap, event.PossibleDarkPortVisit:
			out.event(e)
		case event.IdentityChange:
			// Links between MMSIs are found in the second stage, from
			// every partition's static reports and points; a clone
			// finding is completed there with the MMSI each IMO's hull
			// uses on its own, which may be another partition's.
			switch {
			case detect.IsLink(e):
			case e.Evidence["reason"] == "cloned_mmsi":
				out.clone(e, pl.at)
			default:
				emit(e)
			}
		default:
			emit(e)
		}
	})
	pl.det.Only(detect.PerVessel &^ detect.Interference)
	// Draught changes are decided in the second stage, where the
	// encounters are found.
	pl.det.DeferDraught = func(c *detect.DraughtCase) { out.draught(c, pl.at) }
	pl.det.DeferLoiterEnd = func(l *detect.LoiterEnd) { out.loiterEnd(l, pl.at) }
	pl.tr = track.New(opt.Track, land, pl)
	return pl
}

func (pl *pipeline) Point(p *track.Point) {
	in := waitingInput{p: *p, ending: pl.ending}
	if p.HasPos {
		in.num, in.fix = pl.out.fix(p), true
	}
	pl.hold(in, p.Time)
}

func (pl *pipeline) Static(s *track.Static) {
	c := *s
	pl.hold(waitingInput{s: &c, ending: pl.ending}, s.Time)
}

// maxWaiting bounds what a partition holds for the verdicts: its tracker
// waits for its detectors beyond it (the tracker is the cheaper, and would
// otherwise hold a backfill's points). The unit judges what is older than
// every partition's watermark, so holding less than a second's worth can
// stall nothing.
const maxWaiting = 1 << 16

func (pl *pipeline) hold(in waitingInput, t time.Time) {
	pl.mu.Lock()
	pl.waiting = append(pl.waiting, in)
	pl.release()
	if !in.ending {
		// The detector time moves on (the flush's points move it as they
		// are taken) only once what waits is dated (release, out.hold): a
		// flush in between would send the shards a watermark past it, and
		// the identity links a point they would have later.
		pl.out.advance(t)
	}
	for !pl.ending && !pl.stopped && len(pl.waiting)-pl.head >= maxWaiting {
		pl.room.Wait()
	}
	pl.mu.Unlock()
}

// stop lets the tracker go on whatever its detectors have taken: the run
// is ending.
func (pl *pipeline) stop() {
	pl.mu.Lock()
	pl.stopped = true
	pl.room.Broadcast()
	pl.mu.Unlock()
}

// verdict takes the interference unit's verdicts (the last fixes of a run
// only if they are this run's).
func (pl *pipeline) verdict(v *verdicts) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	common, final := v.split()
	pl.judged(&common)
	if final.key != 0 {
		if f := pl.finals[final.key]; f != nil {
			f.through = max(f.through, final.through)
			f.displaced = append(f.displaced, final.displaced...)
			f.placed = append(f.placed, final.placed...)
			f.decided = append(f.decided, final.decided...)
		} else {
			pl.finals[final.key] = &final
		}
	}
	if key := pl.out.lastKey(); key != 0 && pl.finals[key] != nil {
		pl.judged(pl.finals[key])
		delete(pl.finals, key)
	}
	pl.release()
}

// judged notes verdicts: the fixes numbered below v.through are judged,
// those in v.displaced displaced.
func (pl *pipeline) judged(v *verdicts) {
	for _, n := range v.displaced {
		if n >= pl.through {
			pl.disp[n] = struct{}{}
		}
	}
	for _, x := range v.placed {
		if x.Num >= pl.through {
			pl.placed[x.Num] = x.Area
		}
	}
	// A decision read again (a resumed run reads its verdicts from the
	// start) is taken again: it names an area only what followed the
	// fixes placed there holds, and deciding one twice changes nothing.
	pl.decided = append(pl.decided, v.decided...)
	pl.through = max(pl.through, v.through)
}

// decide passes the detectors the decisions to take before fix num;
// pl.mu is held.
func (pl *pipeline) decide(num uint64) {
	n := 0
	for _, x := range pl.decided {
		if x.Before > num {
			pl.decided[n] = x
			n++
			continue
		}
		pl.det.DecideArea(x.Area, x.Shown)
	}
	clear(pl.decided[n:])
	pl.decided = pl.decided[:n]
}

// release feeds the detectors what is judged, in order; pl.mu is held.
func (pl *pipeline) release() {
	taken := false
	defer func() {
		if taken {
			pl.room.Broadcast()
		}
	}()
	for pl.head < len(pl.waiting) {
		in := &pl.waiting[pl.head]
		if in.fix && len(pl.decided) > 0 {
			pl.decide(in.num)
		}
		if in.fix && in.num >= pl.through || in.ending && !pl.open {
			break
		}
		if in.s != nil {
			pl.at = max(pl.at, in.s.Time.UnixNano())
			pl.det.Static(in.s)
			pl.out.static(in.s)
		} else {
			pl.at = max(pl.at, in.p.Time.UnixNano())
			var v detect.Verdict
			if in.fix {
				_, v.Displaced = pl.disp[in.num]
				v.Area = pl.placed[in.num]
				delete(pl.disp, in.num)
				delete(pl.placed, in.num)
			}
			pl.det.PointJudged(&in.p, v)
			// A displaced fix is no one's reception, encounter or
			// place, as in one process.
			if !v.Displaced {
				pl.out.point(&in.p)
			}
		}
		*in = waitingInput{}
		pl.head++
		taken = true
		if pl.out.full() && pl.flush != nil && !pl.open {
			// A backlog released at once must not make one frame
			// larger than the broker takes.
			pl.flush()
		}
	}
	if pl.head == len(pl.waiting) {
		if len(pl.decided) > 0 {
			pl.decide(math.MaxUint64)
		}
		pl.waiting, pl.head = pl.waiting[:0], 0
		pl.out.hold(math.MaxInt64)
		select {
		case pl.released <- struct{}{}:
		default:
		}
		return
	}
	if pl.head > 4096 && pl.head > len(pl.waiting)/2 {
		pl.waiting = pl.waiting[:copy(pl.waiting, pl.waiting[pl.head:])]
		pl.head = 0
	}
	in := &pl.waiting[pl.head]
	t := in.p.Time
	if in.s != nil {
		t = in.s.Time
	}
	if in.ending && !pl.open {
		// What waits is the flush's: finish goes on.
		t = time.Unix(0, math.MaxInt64)
		select {
		case pl.released <- struct{}{}:
		default:
		}
	}
	pl.out.hold(t.UnixNano())
}

// clock takes the publisher's clock, how far the whole stream has got
// (ClockHeader): a Tracker fed every partition would have processed what
// is older than it by the reorder window, so this one does (Advance), and
// the partition's watermark moves there, even when it has no traffic of
// its own. Advance takes the clock only within ten minutes of the
// partition's latest input (a replay of old data keeps to its own time):
// a partition quiet for longer holds its last inputs, and the watermark
// waits for them, until its next input.
func (pl *pipeline) clock(ns int64) {
	pl.tr.Advance(time.Unix(0, ns))
	if pl.maxIn != 0 && ns-pl.maxIn > int64(10*time.Minute) {
		ns = pl.maxIn
	}
	// A second short of the window: inputs at the limit itself stay
	// queued, and watermarks are whole seconds.
	pl.out.clock(time.Unix(0, ns-pl.window).Unix() - 1)
}

// finish ends the run: the tracker's flush goes to the interference unit
// as the run's last fixes, and once every point is judged and taken the
// detectors flush what is open.
func (pl *pipeline) finish(ctx context.Context) error {
	pl.ending = true
	pl.out.endFixes()
	pl.tr.Flush()
	pl.out.sealFixes()
	if err := pl.out.flush(ctx, false); err != nil {
		return err
	}
	// Verdicts on these last fixes may have come already: a run that
	// ended here before sent the same.
	pl.verdict(&verdicts{})
	// First what came before the end, with the detectors' watermark
	// (not dated by the flush: the shards close at it what one process
	// closes before its finish), then the rest, open.
	if err := pl.wait(ctx, func() bool { return pl.head == len(pl.waiting) || pl.waiting[pl.head].ending }); err != nil {
		return err
	}
	if err := pl.out.flush(ctx, false); err != nil {
		return err
	}
	pl.mu.Lock()
	pl.open = true
	pl.release()
	pl.mu.Unlock()
	// Loitering still waiting for an area's decision is reported by the
	// flush, as one process reports it when the area closes unshown at
	// its end. (Waiting for the unit's last decisions instead hung a
	// drained worker restarted through faults, TestBackfillThroughFaults:
	// an area shown only by fixes later than all of this partition's is
	// the case left.)
	if err := pl.wait(ctx, func() bool { return pl.head == len(pl.waiting) }); err != nil {
		return err
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.at = math.MaxInt64
	pl.det.Flush()
	return nil
}

// wait waits until done (called with pl.mu held) holds.
func (pl *pipeline) wait(ctx context.Context, done func() bool) error {
	for {
		pl.mu.Lock()
		ok := done()
		pl.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-pl.released:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// add feeds one message, converted as analyze does; it reports whether the
// message was one the tracker takes.
func (pl *pipeline) add(m *ais.Message) bool {
	if m.MMSI == 0 || m.RxTime.IsZero() || !analyze.Tracked(m.Type) {
		return false
	}
	if t := m.RxTime.UnixNano(); t > pl.maxIn && track.Impossible(m.RxTime, time.Now(), track.DefaultConfig().FutureSlack) == track.OK {
		pl.maxIn = t
	}
	analyze.Feed(pl.tr, m)
	return true
}
