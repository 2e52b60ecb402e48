package pipeline

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/internal/statecodec"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
)

// WorkerConfig is what a lookout worker asks of the pipeline: its share
// of the stream (see bus.Worker) and where its events go.
type WorkerConfig struct {
	Bus              bus.Config
	Index, Of, Stage int
	Analyze          analyze.Options
	Drain            bool
	// Open opens the store the events go to (nil: none). It is opened
	// again after a failed write (a PostgreSQL restart ends a connection
	// for good); events are held meanwhile (bus.EventWriter).
	Open func(context.Context) (store.Store, error)
	// OnStoreError is told about each failed write.
	OnStoreError func(err error, held int)
	// NoScreen leaves out the sanctions stage.
	NoScreen bool
	// Events, if set, receives every event too (alert rules, stdout);
	// calls are serialised.
	Events func(partition int, e *event.Event)
	// Watch, KV, Replay, Control and OnControl are as in bus.Worker:
	// with Control, a cancelled backfill ends the worker with
	// bus.ErrCancelled and WorkerResult.Stored says what it stored.
	Watch  func(partition int, r source.Reader) source.Reader
	KV     jetstream.KeyValue
	Replay func(partition int, replaying bool)
	// State is as in bus.Worker: each partition's checkpoints (the
	// screener's state with them), taken once its events are stored.
	State     jetstream.ObjectStore
	Control   jetstream.KeyValue
	OnControl func(state string)
	// Members, ID and OnOwn are as in bus.Worker: with Members the worker
	// joins those present and takes its share of partitions and shards
	// as workers come and go.
	Members jetstream.KeyValue
	ID      string
	OnOwn   func(partitions, shards []int)
	// Started, if set, is given the worker once it is set up (counters).
	Started func(*bus.Worker)
}

// WorkerResult says what a worker stored.
type WorkerResult struct {
	Messages, Frames, Lost int64
	// Items and Repeats are bus.Worker's: second-stage items taken, and
	// skipped as sent again.
	Items, Repeats     int64
	Stored             int64 // new events stored
	Partitions, Shards []int
}

// Worker runs one lookout worker: bus.Worker's detectors on its partitions
// and shards, with the pipeline's sanctions stage screening each identity
// as lookout ingest does (per partition: it keeps state per vessel), and
// the events stored idempotently. A file's identity records start afresh
// at each file of a backfill, as ingest's do, so a backfill through
// workers stores the events lookout ingest stores from the same files.
func Worker(ctx context.Context, js jetstream.JetStream, cfg WorkerConfig) (res WorkerResult, err error) {
	var ew *bus.EventWriter
	var sc *Screener
	if cfg.Open != nil {
		var err error
		// The writer opens the store once before it returns (and again
		// after failures, on its goroutine): the screener is loaded then.
		ew, err = bus.NewReopeningEventWriter(context.WithoutCancel(ctx), func(ctx context.Context) (store.Store, error) {
			st, err := cfg.Open(ctx)
			if err == nil && !cfg.NoScreen && sc == nil {
				sc, err = LoadScreener(ctx, st)
				if err != nil {
					st.Close()
				}
			}
			return st, err
		})
		if err != nil {
			return res, err
		}
		ew.OnError = cfg.OnStoreError
		defer func() {
			ew.Close()
			res.Stored = ew.Written()
		}()
	}
	var mu sync.Mutex // Emit's calls are serialised, screeners' are not
	emit := func(p int, e *event.Event) {
		if ew != nil {
			ew.Add(e)
		}
		if cfg.Events != nil {
			cfg.Events(p, e)
		}
	}
	w := &bus.Worker{JS: js, Config: cfg.Bus, Index: cfg.Index, Of: cfg.Of, Stage: cfg.Stage, Options: cfg.Analyze, Drain: cfg.Drain,
		Emit: emit, KV: cfg.KV, Replay: cfg.Replay, Control: cfg.Control, OnControl: cfg.OnControl,
		Members: cfg.Members, ID: cfg.ID, OnOwn: cfg.OnOwn, State: cfg.State}
	if ew != nil {
		w.Sync = ew.Sync
	}
	if sc != nil {
		// The screener of each partition's run, whose state its
		// checkpoints carry.
		var scMu sync.Mutex
		screeners := map[int]*Screener{}
		screener := func(p int) *Screener {
			scMu.Lock()
			defer scMu.Unlock()
			return screeners[p]
		}
		w.SaveState = func(p int) ([]byte, error) { return screener(p).marshal() }
		w.LoadState = func(p int, b []byte) error { return screener(p).unmarshal(b) }
		// A screener of its own for each run of a partition: a partition
		// taken over, or given back and taken again, replays from the
		// start.
		w.Watch = func(p int, r source.Reader) source.Reader {
			c := sc.clone()
			c.emit = func(e *event.Event) { mu.Lock(); emit(p, e); mu.Unlock() }
			scMu.Lock()
			screeners[p] = c
			scMu.Unlock()
			s := &screenReader{sc: c}
			s.Reader, s.src = r, r
			if cfg.Watch != nil {
				return cfg.Watch(p, s)
			}
			return s
		}
		w.Emit = func(p int, e *event.Event) { mu.Lock(); emit(p, e); mu.Unlock() }
	} else {
		w.Watch = cfg.Watch
	}
	if cfg.Started != nil {
		cfg.Started(w)
	}
	err = w.Run(ctx)
	res.Messages, res.Frames, res.Lost = w.Messages.Load(), w.Frames.Load(), w.Lost.Load()
	res.Items, res.Repeats = w.Items.Load(), w.Repeats.Load()
	res.Partitions, res.Shards = w.Partitions(), w.Shards()
	return res, err
}

// clone returns a screener of the same lists and stored matches, with
// state of its own (a worker runs one per partition).
func (s *Screener) clone() *Screener {
	c := NewScreener(s.ix, nil)
	for m, ks := range s.matched {
		c.matched[m] = slices.Clone(ks)
	}
	return c
}

// screenerCodec carries a screener's state across a partition's
// checkpoint, taken at a file boundary: identities screened and matched,
// and positions (the matches waiting for one were emitted as the file
// ended).
var screenerCodec = statecodec.New(Screener{}, statecodec.Skip(Screener{}, "ix", "emit", "waiting"))

func (s *Screener) marshal() ([]byte, error) {
	if len(s.waiting) > 0 {
		return nil, errors.New("screener: matches waiting for a position")
	}
	return screenerCodec.Marshal(s, nil)
}

// unmarshal loads a screener's state, keeping the matches it was loaded
// with from the store besides those of the state.
func (s *Screener) unmarshal(b []byte) error {
	var t Screener
	if err := screenerCodec.Unmarshal(b, &t, nil); err != nil {
		return err
	}
	s.last, s.pos = t.last, t.pos
	for m, ks := range t.matched {
		for _, k := range ks {
			if !slices.Contains(s.matched[m], k) {
				s.matched[m] = append(s.matched[m], k)
			}
		}
	}
	return nil
}

// screenReader screens a partition's identities as its messages pass,
// as ingest's tee does for a file: identity records start afresh with
// each file of a backfill, and matches still waiting for a position are
// emitted when the file ends.
type screenReader struct {
	source.Reader
	src  source.Reader // the partition's own reader (bus.FileOf)
	sc   *Screener
	ids  identities
	file string
}

func (s *screenReader) Next() bool {
	if !s.Reader.Next() {
		s.sc.flush()
		return false
	}
	m := s.Reader.Message()
	if f := bus.FileOf(s.src); f != s.file || s.ids == nil {
		if s.ids != nil {
			s.sc.flush()
		}
		s.file, s.ids = f, identities{}
	}
	if !stored(m) || m.RxTime.IsZero() {
		return true
	}
	if id, changed := s.ids.update(m); changed {
		s.sc.identity(&id)
	}
	if p, ok := position(m); ok {
		s.sc.position(&p)
	}
	return true
}
