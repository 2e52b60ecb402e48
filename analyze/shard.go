package analyze

import (
	"sync"

	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// The detectors' stage of a Read. Spoofing, the costliest detector, looks
// at nothing but one vessel's own points, so it runs sharded by MMSI over
// several goroutines, each with a Detector running detect.Spoofing only.
// The other detectors share evidence across vessels (who else was heard
// near a gap, encounters behind draught changes, one hull under several
// MMSIs) and run on one goroutine, the merger, which takes each batch once
// every shard is done with it and walks it in stream order, putting each
// point's spoofing events where a single Detector would have emitted them.
// Shards work on the next batches meanwhile. The events are therefore
// byte-identical whatever the number of shards.

// trackBatch is a slice of tracker output handed to the detectors.
type trackBatch struct {
	points  []track.Point
	statics []track.Static
	order   []bool // true: next point, false: next static
	// spoof[i] is shard i's events for this batch, each with the index in
	// points of the point that produced it, in order.
	spoof [][]spoofEvent
	done  sync.WaitGroup // the shards still working on the batch
}

type spoofEvent struct {
	at int
	e  *event.Event
}

// shard runs spoofing for the vessels whose MMSI it owns.
type shard struct {
	i, n int
	cfg  detect.Config
	det  *detect.Detector // during Read only
	in   chan *trackBatch
	b    *trackBatch // the batch being fed, and the point's index
	at   int
}

func owner(mmsi uint32, n int) int {
	// Multiplicative hashing spreads MMSIs that share their last digits.
	return int(uint64(mmsi*2654435761) * uint64(n) >> 32)
}

func (s *shard) emit(e *event.Event) {
	s.b.spoof[s.i] = append(s.b.spoof[s.i], spoofEvent{s.at, e})
}

func (s *shard) run(in <-chan *trackBatch) {
	for b := range in {
		s.b = b
		for j := range b.points {
			if p := &b.points[j]; owner(p.MMSI, s.n) == s.i {
				s.at = j
				s.det.Point(p)
			}
		}
		b.done.Done()
	}
	// The last batch would otherwise stay reachable between Reads: 4,096
	// points, more than the state of a few hundred vessels.
	s.b = nil
}

// stage feeds the detectors: directly (outside Read, or with one shard),
// or, while a Read runs, in batches to the shards and the merger.
type stage struct {
	det    *detect.Detector
	shards []*shard
	emit   func(*event.Event) // the Analyzer's, for the spoofing events
	// spoofed counts the shards' events of finished Reads.
	spoofed map[event.Type]int
	merge   chan *trackBatch // nil: call the detector directly
	free    chan *trackBatch
	b       *trackBatch
	done    chan struct{}
	// running counts the shards' goroutines: stop waits for them, since a
	// Read that sent no batch has no other edge to them and the next Read
	// reuses the shards.
	running sync.WaitGroup
}

func (s *stage) Point(p *track.Point) {
	if s.merge == nil {
		s.det.Point(p)
		return
	}
	s.b.points = append(s.b.points, *p)
	s.b.order = append(s.b.order, true)
	if len(s.b.order) >= batchSize {
		s.send()
	}
}

func (s *stage) Static(x *track.Static) {
	if s.merge == nil {
		s.det.Static(x)
		return
	}
	s.b.statics = append(s.b.statics, *x)
	s.b.order = append(s.b.order, false)
	if len(s.b.order) >= batchSize {
		s.send()
	}
}

// pending tells whether a partial batch waits to be sent.
func (s *stage) pending() bool { return s.merge != nil && len(s.b.order) > 0 }

func (s *stage) send() {
	b := s.b
	b.done.Add(len(s.shards))
	for _, sh := range s.shards {
		sh.in <- b
	}
	s.merge <- b
	select {
	case s.b = <-s.free:
		s.b.points, s.b.statics, s.b.order = s.b.points[:0], s.b.statics[:0], s.b.order[:0]
		for i := range s.b.spoof {
			s.b.spoof[i] = s.b.spoof[i][:0]
		}
	default:
		s.b = &trackBatch{spoof: make([][]spoofEvent, len(s.shards))}
	}
}

// start runs the detectors on their own goroutines until stop. With more
// than one shard, spoofing state moves to the shards for the run and back
// into the main Detector at stop, so that between Reads it holds every
// vessel's whole state (to flush, or to be saved by Snapshot).
func (s *stage) start() (stop func()) {
	s.merge = make(chan *trackBatch, 4)
	s.free = make(chan *trackBatch, 8)
	s.b = &trackBatch{spoof: make([][]spoofEvent, len(s.shards))}
	s.done = make(chan struct{})
	if len(s.shards) > 0 {
		s.det.Only(detect.Movement | detect.Encounters)
		for _, sh := range s.shards {
			sh.det = detect.New(sh.cfg, nil, nil, sh.emit)
			sh.det.Only(detect.Spoofing)
			s.det.MoveSpoofing(sh.det, func(m uint32) bool { return owner(m, sh.n) == sh.i })
			sh.in = make(chan *trackBatch, 8)
			s.running.Add(1)
			go func(sh *shard, in <-chan *trackBatch) {
				defer s.running.Done()
				sh.run(in)
			}(sh, sh.in)
		}
	}
	go s.mergeRun()
	return func() {
		if len(s.b.order) > 0 {
			s.send()
		}
		for _, sh := range s.shards {
			close(sh.in)
		}
		close(s.merge)
		<-s.done
		s.running.Wait()
		// The shards' Detectors go: they would keep a vessel record of
		// every vessel they ever fed, emptied of its spoofing state.
		for _, sh := range s.shards {
			sh.det.MoveSpoofing(s.det, func(uint32) bool { return true })
			if s.spoofed == nil {
				s.spoofed = map[event.Type]int{}
			}
			for t, n := range sh.det.Counts() {
				s.spoofed[t] += n
			}
			sh.det = nil
		}
		s.det.Only(detect.All)
		s.merge, s.free, s.b = nil, nil, nil
	}
}

// mergeRun runs the main Detector over each batch in order, once the
// shards are done with it.
func (s *stage) mergeRun() {
	defer close(s.done)
	next := make([]int, len(s.shards))
	for b := range s.merge {
		b.done.Wait()
		clear(next)
		pi, si := 0, 0
		for _, isPoint := range b.order {
			if !isPoint {
				s.det.Static(&b.statics[si])
				si++
				continue
			}
			p := &b.points[pi]
			if len(s.shards) > 0 {
				o := owner(p.MMSI, len(s.shards))
				if ev := b.spoof[o]; next[o] < len(ev) && ev[next[o]].at == pi {
					// A single Detector closes encounters before it
					// looks at the point.
					s.det.Advance(p.Time)
					for ; next[o] < len(ev) && ev[next[o]].at == pi; next[o]++ {
						s.emit(ev[next[o]].e)
					}
				}
			}
			s.det.Point(p)
			pi++
		}
		select {
		case s.free <- b:
		default:
		}
	}
}

// counts adds the shards' event counts to the main Detector's (between
// Reads).
func (s *stage) counts() map[event.Type]int {
	out := map[event.Type]int{}
	for t, n := range s.det.Counts() {
		out[t] += n
	}
	for t, n := range s.spoofed {
		out[t] += n
	}
	return out
}
