package bus

import (
	"math"
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
type pipeline struct {
	tr     *track.Tracker
	det    *detect.Detector
	out    *stageOut
	maxIn  int64 // latest receive time given to the tracker, Unix ns
	window int64 // the tracker's reorder window, ns
	// ending is set by finish: what it emits was still open when the
	// data ended (event.Event.Open), as ingest stores what its analysis
	// emits once finished.
	ending bool
	// at is the time of the input being fed, Unix ns (MaxInt64 once
	// ending): when a clone finding was made, for the link shard.
	at int64
}

func newPipeline(opt analyze.Options, out *stageOut, emit func(*event.Event)) *pipeline {
	pl := &pipeline{out: out, window: int64(opt.Track.ReorderWindow)}
	var land track.Land
	pl.det, land = analyze.NewDetector(opt, func(e *event.Event) {
		if pl.ending {
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
	pl.det.Only(detect.PerVessel)
	// Draught changes are decided in the second stage, where the
	// encounters are found.
	pl.det.DeferDraught = func(c *detect.DraughtCase) { out.draught(c, pl.at) }
	pl.det.DeferLoiterEnd = func(l *detect.LoiterEnd) { out.loiterEnd(l, pl.at) }
	pl.tr = track.New(opt.Track, land, pl)
	return pl
}

func (pl *pipeline) Point(p *track.Point) {
	pl.at = max(pl.at, p.Time.UnixNano())
	pl.det.Point(p)
	pl.out.point(p)
}

func (pl *pipeline) Static(s *track.Static) {
	pl.at = max(pl.at, s.Time.UnixNano())
	pl.det.Static(s)
	pl.out.static(s)
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

func (pl *pipeline) finish() {
	pl.ending, pl.at = true, math.MaxInt64
	pl.tr.Flush()
	pl.det.Flush()
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
