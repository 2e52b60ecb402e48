package bus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
)

// CrossVessel lists the event types that need vessels of other partitions
// (pairs): a partition worker drops them rather than emit the subset it can
// see. They need a second stage keyed by place, which does not exist yet.
var CrossVessel = []event.Type{event.Encounter}

// Worker consumes its partitions and runs one analysis pipeline per
// partition.
//
// State after a restart is rebuilt by replaying each partition from the
// start of the stream (an ordered consumer from sequence 1), re-emitting
// events that the sink already has; the sink must be idempotent by event ID
// (the store is). Restart time therefore grows with the stream's retention
// (MaxAge); per-vessel snapshots would bound it, but the analysis pipeline
// has no snapshot of its detector state yet.
type Worker struct {
	JS     jetstream.JetStream
	Config Config
	// Index and Of select the partitions: those with p mod Of = Index.
	Index, Of int
	Options   analyze.Options
	// Emit receives every event; calls are serialised.
	Emit func(partition int, e *event.Event)
	// Drain stops each partition once it has caught up with the stream and
	// flushes its pipeline (events still open at the end are emitted);
	// otherwise Run follows the stream until ctx ends and flushes nothing.
	Drain bool
	// Watch, if set, wraps each partition's message stream (alert rules
	// on positions). Partitions run concurrently, each at its own pace, so
	// anything with a clock (dark rules) must be kept per partition.
	Watch func(partition int, r source.Reader) source.Reader
	// KV, if set, keeps each partition's progress (the stream sequence of
	// the last batch handed to its pipeline) so that after a restart the
	// replayed part is known: Replay is called with true before it and
	// with false once the pipeline reads past it. Alerts are muted in
	// between, so a restart does not repeat them. Events are still
	// emitted (the store skips those it has).
	KV     jetstream.KeyValue
	Replay func(partition int, replaying bool)

	Messages atomic.Int64 // messages fed to the pipelines
	mu       sync.Mutex
}

// Partitions returns the partitions this worker owns.
func (w *Worker) Partitions() []int {
	c := w.Config.withDefaults()
	of := max(w.Of, 1)
	var ps []int
	for p := 0; p < c.Partitions; p++ {
		if p%of == w.Index {
			ps = append(ps, p)
		}
	}
	return ps
}

// Run consumes until ctx ends (or, with Drain, until caught up).
func (w *Worker) Run(ctx context.Context) error {
	if w.Of > 0 && (w.Index < 0 || w.Index >= w.Of) {
		return fmt.Errorf("worker index %d of %d", w.Index, w.Of)
	}
	ps := w.Partitions()
	errc := make(chan error, len(ps))
	for _, p := range ps {
		go func() { errc <- w.partition(ctx, p) }()
	}
	var first error
	for range ps {
		if err := <-errc; err != nil && first == nil && !errors.Is(err, context.Canceled) {
			first = err
		}
	}
	return first
}

func (w *Worker) partition(ctx context.Context, p int) error {
	c := w.Config.withDefaults()
	subj := c.Subject(p)
	cons, err := w.JS.OrderedConsumer(ctx, c.Stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subj}, DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return fmt.Errorf("partition %d: %w", p, err)
	}
	emit := func(e *event.Event) {
		for _, t := range CrossVessel {
			if e.Type == t {
				return
			}
		}
		w.mu.Lock()
		w.Emit(p, e)
		w.mu.Unlock()
	}
	an := analyze.New(w.Options, emit)
	src := newBatchReader()
	key := fmt.Sprintf("%s.p%d", c.Stream, p)
	var marker uint64
	if w.KV != nil {
		if e, err := w.KV.Get(ctx, key); err == nil {
			marker, _ = strconv.ParseUint(string(e.Value()), 10, 64)
		} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("partition %d progress: %w", p, err)
		}
	}
	if marker > 0 && w.Replay != nil {
		w.Replay(p, true)
		src.onBatch = func(seq uint64) {
			if seq > marker && src.onBatch != nil {
				src.onBatch = nil
				w.Replay(p, false)
			}
		}
	}
	saved := marker
	save := func(ctx context.Context) {
		if done := src.done.Load(); w.KV != nil && done > saved {
			if _, err := w.KV.Put(ctx, key, []byte(strconv.FormatUint(done, 10))); err == nil {
				saved = done
			}
		}
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		save(sctx)
		cancel()
	}()
	lastSave := time.Now()
	readErr := make(chan error, 1)
	var in source.Reader = src
	if w.Watch != nil {
		in = w.Watch(p, src)
	}
	go func() { readErr <- an.Read(in) }()

	finish := func(flush bool) error {
		src.close()
		err := <-readErr
		if flush {
			an.Finish()
		}
		return err
	}
	if w.Drain {
		info, err := cons.Info(ctx)
		if err != nil {
			finish(false)
			return fmt.Errorf("partition %d: %w", p, err)
		}
		if info.NumPending == 0 {
			return finish(true)
		}
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(64))
	if err != nil {
		finish(false)
		return fmt.Errorf("partition %d: %w", p, err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	for {
		msg, err := it.Next()
		if err != nil {
			finish(false)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("partition %d: %w", p, err)
		}
		var batch []ais.Message
		if err := DecodeBatch(msg.Data(), func(m *ais.Message) { batch = append(batch, *m) }); err != nil {
			// A batch this worker cannot read is skipped, not fatal: the
			// others still carry their vessels' data.
			src.reject(err.Error())
		}
		w.Messages.Add(int64(len(batch)))
		var seq uint64
		md, mdErr := msg.Metadata()
		if mdErr == nil {
			seq = md.Sequence.Stream
		}
		if time.Since(lastSave) > time.Second {
			save(ctx)
			lastSave = time.Now()
		}
		if !src.push(ctx, seqBatch{seq, batch}) {
			finish(false)
			return ctx.Err()
		}
		if w.Drain {
			if mdErr == nil && md.NumPending == 0 {
				it.Stop()
				return finish(true)
			}
		}
	}
}

// batchReader is a source.Reader over batches handed from the consumer.
type batchReader struct {
	ch     chan seqBatch
	closed chan struct{}
	once   sync.Once
	cur    []ais.Message
	curSeq uint64
	i      int
	// done is the stream sequence of the last batch handed out whole.
	done atomic.Uint64
	// onBatch, if set, is called (on the reading goroutine) with the
	// sequence of each batch as reading it begins.
	onBatch func(seq uint64)
	mu      sync.Mutex
	n       int64
	rej     map[string]int64
}

func newBatchReader() *batchReader {
	return &batchReader{ch: make(chan seqBatch, 16), closed: make(chan struct{}), rej: map[string]int64{}}
}

func (r *batchReader) reject(reason string) {
	r.mu.Lock()
	r.rej[reason]++
	r.mu.Unlock()
}

type seqBatch struct {
	seq uint64
	ms  []ais.Message
}

func (r *batchReader) push(ctx context.Context, b seqBatch) bool {
	select {
	case r.ch <- b:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *batchReader) close() { r.once.Do(func() { close(r.closed) }) }

func (r *batchReader) Next() bool {
	for r.i >= len(r.cur) {
		if r.curSeq > 0 {
			r.done.Store(r.curSeq)
		}
		var b seqBatch
		select {
		case b = <-r.ch:
		case <-r.closed:
			select {
			case b = <-r.ch:
			default:
				return false
			}
		}
		r.cur, r.curSeq, r.i = b.ms, b.seq, 0
		if r.onBatch != nil {
			r.onBatch(b.seq)
		}
	}
	r.i++
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
	return true
}

func (r *batchReader) Message() *ais.Message { return &r.cur[r.i-1] }
func (r *batchReader) Err() error            { return nil }
func (r *batchReader) Stats() ais.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := ais.Stats{Lines: r.n, Messages: r.n, Rejected: map[string]int64{}}
	for k, v := range r.rej {
		st.Rejected[k] = v
	}
	return st
}
