package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
)

// StreamOptions configure a Stream.
type StreamOptions struct {
	// Interval is the longest a row waits before it is written (default
	// 1 s): a live feed's positions and events should be queryable within
	// seconds.
	Interval time.Duration
	// BatchSize writes early once this many positions wait (default 100,000).
	BatchSize int
	// MaxHeld bounds the positions held in memory while the store cannot
	// be written (default 2,000,000, a few hundred MB); beyond it the
	// oldest are dropped and counted. Events and identities are never
	// dropped.
	MaxHeld int
	// OnError is told about each failed write (default: ignored).
	OnError func(err error, heldPositions int)
	// Screen, if set, screens every new identity against sanctions lists
	// (see Options.Screen).
	Screen *Screener
}

// StreamStats counts what a Stream did.
type StreamStats struct {
	// Positions, Identities and Events count rows newly stored.
	Positions, Identities, Events int64
	// NoTime counts reports without a receive time (not stored).
	NoTime int64
	// Dropped counts positions given up while the store was unavailable.
	Dropped int64
	// Held is what waits to be written now.
	Held int
	// Failures counts failed writes (each retried).
	Failures int64
}

// Stream stores a live feed: the positions and identity changes of the
// messages read through Watch and the events passed to Emit, one
// transaction every Interval. Unlike a file, a feed cannot be read again,
// so there is no progress record: a failed write (the database restarting)
// is retried with backoff while the rows wait in memory and the feed goes
// on. A failed transaction stores nothing, so a retry does not duplicate
// positions; events are stored once each by ID anyway.
//
// A pipeline that keeps state (a Checkpointer) continues across restarts
// as it does across files: Restore before the feed starts, Checkpoint now
// and then and when the feed ends (the state is stored in the same
// transaction as the events emitted before it), then Open before the
// pipeline is finished, so that what it still has open is stored
// provisional rather than as closed at the moment the feed stopped.
type Stream struct {
	st  store.Store
	opt StreamOptions
	ids identities // touched only by the reading goroutine
	// quar: positions the tracker quarantined (see quarantine).
	quar quarantine

	mu      sync.Mutex
	batch   store.Batch
	stats   StreamStats
	lastErr error
	// discard lists stored checkpoints to delete with the first
	// Checkpoint (Restore with discard).
	discard []uint32
	// opened: Emit queues to final, stored provisional after the rest.
	opened, finalQueued bool
	final               []event.Event
	wake                chan struct{}
	closing             chan struct{}
	done                chan struct{}
	once                sync.Once
}

// NewStream starts a Stream writing to st; ctx bounds its writes and
// retries. Close writes what is left and stops it.
func NewStream(ctx context.Context, st store.Store, opt StreamOptions) *Stream {
	if opt.Interval <= 0 {
		opt.Interval = time.Second
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 100_000
	}
	if opt.MaxHeld <= 0 {
		opt.MaxHeld = 2_000_000
	}
	s := &Stream{st: st, opt: opt, ids: identities{}, wake: make(chan struct{}, 1),
		closing: make(chan struct{}), done: make(chan struct{})}
	if opt.Screen != nil {
		opt.Screen.emit = s.Emit
	}
	go s.loop(ctx)
	return s
}

// Watch returns a reader that passes r's messages on unchanged after
// queueing what the store keeps of each. Read it from one goroutine.
func (s *Stream) Watch(r source.Reader) source.Reader { return source.Tap(r, s.add) }

func (s *Stream) add(m *ais.Message) {
	if !stored(m) {
		return
	}
	if m.RxTime.IsZero() {
		s.mu.Lock()
		s.stats.NoTime++
		s.mu.Unlock()
		return
	}
	id, changed := s.ids.update(m)
	p, isPos := position(m)
	if !changed && !isPos {
		return
	}
	if sc := s.opt.Screen; sc != nil {
		if isPos {
			sc.position(&p)
		}
		if changed {
			sc.identity(&id)
		}
	}
	s.mu.Lock()
	if changed {
		s.batch.Identities = append(s.batch.Identities, id)
	}
	if isPos {
		s.batch.Positions = append(s.batch.Positions, p)
	}
	full := len(s.batch.Positions) >= s.opt.BatchSize
	s.mu.Unlock()
	if full {
		s.poke()
	}
}

// Emit queues an event; pass it to the pipeline as its event callback.
// Safe for concurrent use.
func (s *Stream) Emit(e *event.Event) {
	s.mu.Lock()
	if s.opened {
		s.final = append(s.final, *e)
	} else {
		s.batch.Events = append(s.batch.Events, *e)
	}
	s.mu.Unlock()
}

// Restore loads the stored checkpoints into cp (see Ingester.Restore);
// with discard they are deleted with the first Checkpoint instead. Call it
// before the feed starts.
func (s *Stream) Restore(ctx context.Context, cp Checkpointer, discard bool) error {
	_, d, err := restoreState(ctx, s.st, cp, discard)
	s.mu.Lock()
	s.discard = d
	s.mu.Unlock()
	return err
}

// Checkpoint queues cp's changed state to be written in the same
// transaction as the events emitted before it. Call it while cp is idle
// (between a Pipeline's Reads).
func (s *Stream) Checkpoint(cp Checkpointer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cps, err := snapshotState(cp, s.discard)
	if err != nil {
		return err
	}
	s.discard = nil
	s.batch.Checkpoints = mergeCheckpoints(s.batch.Checkpoints, cps)
	return nil
}

// Open says the events emitted from now on are those the pipeline still
// had open when the feed ended: Close stores them provisional, after
// everything else, replacing those of the previous run.
func (s *Stream) Open() {
	if sc := s.opt.Screen; sc != nil {
		sc.flush() // final, not open: a match does not change
	}
	s.mu.Lock()
	s.opened = true
	s.mu.Unlock()
}

// mergeCheckpoints adds cps to held, a later row of a vessel replacing an
// earlier one still waiting (one transaction cannot write a key twice).
func mergeCheckpoints(held, cps []store.Checkpoint) []store.Checkpoint {
	if len(held) == 0 {
		return append(held, cps...)
	}
	at := make(map[uint32]int, len(held))
	for i, c := range held {
		at[c.MMSI] = i
	}
	for _, c := range cps {
		if i, ok := at[c.MMSI]; ok {
			held[i] = c
		} else {
			at[c.MMSI] = len(held)
			held = append(held, c)
		}
	}
	return held
}

func (s *Stream) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Stats returns the counters so far.
func (s *Stream) Stats() StreamStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Close writes what is queued, retrying until ctx ends, and stops the
// Stream; it returns the last write error if rows were left unwritten.
func (s *Stream) Close(ctx context.Context) error {
	s.once.Do(func() { close(s.closing) })
	select {
	case <-s.done:
	case <-ctx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stats.Held > 0 {
		return s.lastErr
	}
	return nil
}

func (s *Stream) loop(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(s.opt.Interval)
	defer t.Stop()
	var held store.Batch
	wait := 200 * time.Millisecond
	closing := false
	for {
		if !closing {
			select {
			case <-t.C:
			case <-s.wake:
			case <-s.closing:
				closing = true
			case <-ctx.Done():
				return
			}
		}
		s.mu.Lock()
		held.Positions = append(held.Positions, s.batch.Positions...)
		held.Identities = append(held.Identities, s.batch.Identities...)
		held.Events = append(held.Events, s.batch.Events...)
		held.Checkpoints = mergeCheckpoints(held.Checkpoints, s.batch.Checkpoints)
		s.batch.Positions, s.batch.Identities, s.batch.Events, s.batch.Checkpoints = s.batch.Positions[:0], nil, nil, nil
		s.quar.take(&held)
		if closing && s.opened && !s.finalQueued && empty(&held) {
			// Everything before is stored: the open events replace the
			// previous run's and the state is marked complete.
			s.finalQueued = true
			held = store.Batch{Events: s.final, Provisional: true, Checkpoints: []store.Checkpoint{{MMSI: finishKey}}}
		}
		if over := len(held.Positions) - s.opt.MaxHeld; over > 0 {
			held.Positions = append(held.Positions[:0], held.Positions[over:]...)
			s.stats.Dropped += int64(over)
		}
		s.stats.Held = len(held.Positions) + len(held.Identities) + len(held.Events)
		if !held.Provisional {
			s.stats.Held += len(s.final)
		}
		s.mu.Unlock()
		if empty(&held) {
			if closing {
				return
			}
			continue
		}
		n, err := s.st.Write(ctx, &held)
		s.mu.Lock()
		if err == nil {
			s.stats.Positions += n.Positions
			s.stats.Identities += n.Identities
			s.stats.Events += n.Events
			held.Positions, held.Identities, held.Events, held.Checkpoints, held.Quarantined = held.Positions[:0], nil, nil, nil, nil
			if held.Provisional {
				held.Provisional, s.final = false, nil
			}
			s.stats.Held = len(s.final)
			wait = 200 * time.Millisecond
		} else {
			s.stats.Failures++
			s.lastErr = err
		}
		s.mu.Unlock()
		if err == nil {
			continue
		}
		if s.opt.OnError != nil {
			s.opt.OnError(err, len(held.Positions))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func empty(b *store.Batch) bool {
	return len(b.Positions)+len(b.Identities)+len(b.Events)+len(b.Checkpoints)+len(b.Quarantined) == 0
}
