package bus

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
)

// Worker consumes its partitions and runs one first-stage pipeline per
// partition (tracker and per-vessel detectors), and consumes its shards of
// the second stage, which grades gaps from every partition's receptions
// (see Stage2Subject). Stage selects one of the two.
//
// State after a restart is loaded from the partition's or shard's last
// checkpoint (State), and what follows it replayed; without one, by
// replaying the partition from the start of the stream (restart time then
// grows with the stream's retention, MaxAge) and the shard from the start
// of its subject of the second-stage stream, skipping what a replaying
// partition sends again. Events emitted again are ones the sink already
// has: it must be idempotent by event ID (the store is).
type Worker struct {
	JS     jetstream.JetStream
	Config Config
	// Index and Of select the partitions (those with p mod Of = Index) and
	// the second-stage shards (likewise).
	Index, Of int
	// Stage is 1 for the partitions only, 2 for the shards only, 0 for both.
	Stage   int
	Options analyze.Options
	// Emit receives every event; calls are serialised. partition is the
	// partition, or -1-k for events finished by shard k of the second
	// stage (gaps, dark port visits).
	Emit func(partition int, e *event.Event)
	// Drain stops each partition once it has caught up with the stream and
	// flushes its pipeline (events still open at the end are emitted, with
	// event.Event.Open set), and each shard once every partition has ended
	// so (the encounters and links found once they all have are open
	// likewise); otherwise Run follows the streams until ctx ends and
	// flushes nothing.
	Drain bool
	// Watch, if set, wraps each partition's message stream (alert rules
	// on positions). Partitions run concurrently, each at its own pace, so
	// anything with a clock (dark rules) must be kept per partition.
	Watch func(partition int, r source.Reader) source.Reader
	// KV, if set, keeps each partition's and shard's progress (the stream
	// sequence of the last batch or frame taken) so that after a restart
	// the replayed part is known: Replay is called with true before it and
	// with false once past it (partition -1-k for shard k). Alerts are
	// muted in between, so a restart does not repeat them. Events are still
	// emitted (the store skips those it has).
	KV     jetstream.KeyValue
	Replay func(partition int, replaying bool)
	// State, if set, is the stream's state bucket (State): each partition
	// saves its state there at the file boundaries of a backfill, and a
	// later run of it resumes from there instead of replaying the stream
	// (see checkpoint.go). Sync, if set, returns once the events emitted
	// so far are stored: a checkpoint is saved only then. SaveState and
	// LoadState, if set, carry what the caller keeps per partition (its
	// Watch's state) in the checkpoint.
	State     jetstream.ObjectStore
	Sync      func(ctx context.Context) error
	SaveState func(partition int) ([]byte, error)
	LoadState func(partition int, data []byte) error
	// Control, if set, is the stream's files bucket (Files): the worker
	// obeys lookout backfill pause|resume|cancel kept there (ControlKey),
	// as publishers do. Paused, its partitions and shards take no more
	// messages; cancelled, it stops (Run returns ErrCancelled) without
	// flushing what is open, having handed on every event found. A worker
	// started while cancelled stops at once. OnControl, if set, is told
	// each state read that differs from the one before.
	Control   jetstream.KeyValue
	OnControl func(state string)
	gate      gate
	// Members, if set, is the stream's members bucket (Members): the
	// worker joins the workers present there instead of taking a fixed
	// share (Index and Of are ignored), and runs the partitions and shards
	// that fall to it as workers come and go (see members.go); it runs
	// both stages. ID names it there (default: random). OnOwn, if set, is
	// told what falls to it at each change.
	Members jetstream.KeyValue
	ID      string
	OnOwn   func(partitions, shards []int)

	Messages atomic.Int64 // messages fed to the pipelines
	Frames   atomic.Int64 // second-stage frames taken by the shards
	// Lost counts second-stage items a shard never got (frames lost: their
	// evidence is missing) and frames it could not read.
	Lost atomic.Int64
	// Items counts the numbered second-stage items the shards took (not
	// those a drained partition's end flushed), Repeats those
	// they skipped as sent again by a partition's later run (a restart
	// replaying, or a checkpoint older than where the last run got).
	Items, Repeats atomic.Int64
	mu             sync.Mutex
	epochMu        sync.Mutex
	epochs         map[int]uint64 // this run of each partition it runs
	runs           map[int]bool   // with Members: the units it has run
	unitSaved      time.Time      // the interference unit's progress, last kept
	// inputEnd is the input stream's last sequence as a drained run
	// began (see inputRead).
	inputEnd uint64
	// waiting, if set (tests), is told of each partition of another
	// worker a drained shard or interference unit waits for, its end
	// taken being short of the input.
	waiting func(p int)
}

func randEpoch() uint64 { return rand.Uint64() | 1 }

// setEpoch records the epoch of partition p's run (0: none any more).
func (w *Worker) setEpoch(p int, e uint64) {
	w.epochMu.Lock()
	defer w.epochMu.Unlock()
	if e == 0 {
		delete(w.epochs, p)
	} else {
		w.epochs[p] = e
	}
}

func (w *Worker) epochOf(p int) uint64 {
	w.epochMu.Lock()
	defer w.epochMu.Unlock()
	return w.epochs[p]
}

// runsEnded is runsEnded for a drained shard's or interference unit's
// partitions (done, epoch, input), this worker's runs being its own.
func (w *Worker) runsEnded(ctx context.Context, done []bool, epoch, input []uint64) bool {
	w.epochMu.Lock()
	epochs := maps.Clone(w.epochs)
	w.epochMu.Unlock()
	return runsEnded(done, epoch, input, epochs, func(p int, input uint64) bool { return w.inputRead(ctx, p, input) })
}

// inputRead reports whether partition p's run, which read its input
// through stream sequence input, read all the input held when this
// worker began (inputEnd): a drain takes what was published before it.
// Files published during a drain may be left for the next, as a
// partition that has caught up leaves.
func (w *Worker) inputRead(ctx context.Context, p int, input uint64) bool {
	if input == inputUnknown || input >= w.inputEnd {
		return true
	}
	c := w.Config.withDefaults()
	var next uint64
	err := retryAdmin(ctx, func(ctx context.Context) error {
		s, err := w.JS.Stream(ctx, c.Stream)
		if err != nil {
			return err
		}
		m, err := s.GetMsg(ctx, input+1, jetstream.WithGetMsgSubject(c.Subject(p)))
		if err != nil {
			return err
		}
		next = m.Sequence
		return nil
	})
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return true
	case err != nil && ctx.Err() != nil:
		return false
	case err != nil:
		// Asked what it cannot answer, the broker leaves the end taken as
		// final, as before ends said where they were.
		return true
	}
	if next <= w.inputEnd && w.waiting != nil {
		w.waiting(p)
	}
	return next > w.inputEnd
}

// lastInput returns the input stream's last sequence (0: no stream yet).
func (w *Worker) lastInput(ctx context.Context) (uint64, error) {
	var last uint64
	err := retryAdmin(ctx, func(ctx context.Context) error {
		s, err := w.JS.Stream(ctx, w.Config.withDefaults().Stream)
		if err != nil {
			return err
		}
		last = s.CachedInfo().State.LastSeq
		return nil
	})
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return 0, nil
	}
	return last, err
}

func (w *Worker) ran(u int) {
	w.epochMu.Lock()
	w.runs[u] = true
	w.epochMu.Unlock()
}

// Partitions returns the partitions this worker owns (with Members:
// those it has run).
func (w *Worker) Partitions() []int {
	c := w.Config.withDefaults()
	if w.Members != nil {
		return w.units(0, c.Partitions)
	}
	return owned(c.Partitions, w.Index, w.Of)
}

// Shards returns the second-stage shards this worker owns (with Members:
// those it has run).
func (w *Worker) Shards() []int {
	c := w.Config.withDefaults()
	if w.Members != nil {
		return w.units(c.Partitions, c.Shards)
	}
	return owned(c.Shards, w.Index, w.Of)
}

func (w *Worker) units(from, n int) []int {
	w.epochMu.Lock()
	defer w.epochMu.Unlock()
	var out []int
	for u := from; u < from+n; u++ {
		if w.runs[u] {
			out = append(out, u-from)
		}
	}
	return out
}

func owned(n, index, of int) []int {
	of = max(of, 1)
	var out []int
	for p := 0; p < n; p++ {
		if p%of == index {
			out = append(out, p)
		}
	}
	return out
}

// Run consumes until ctx ends (or, with Drain, until caught up).
func (w *Worker) Run(ctx context.Context) (err error) {
	w.epochs, w.runs = map[int]uint64{}, map[int]bool{}
	if w.Members == nil && w.Of > 0 && (w.Index < 0 || w.Index >= w.Of) {
		return fmt.Errorf("worker index %d of %d", w.Index, w.Of)
	}
	if err := SetupStage2(ctx, w.JS, w.Config); err != nil {
		return err
	}
	if w.Drain {
		if w.inputEnd, err = w.lastInput(ctx); err != nil {
			return fmt.Errorf("stream %s: %w", w.Config.withDefaults().Stream, err)
		}
	}
	if w.Control != nil {
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		w.steer(ctx, cancel)
		// Cancelled: the consumers end through ctx; Run says why.
		defer func() {
			if errors.Is(context.Cause(ctx), ErrCancelled) {
				err = ErrCancelled
			}
		}()
	}
	if w.Members != nil {
		return w.runMembers(ctx)
	}
	var runs []func() error
	if w.Stage != 2 {
		for _, p := range w.Partitions() {
			w.epochs[p] = randEpoch()
			runs = append(runs, func() error { return w.partition(ctx, p) })
		}
	}
	if w.Stage != 1 {
		for _, k := range w.Shards() {
			runs = append(runs, func() error { return w.shard(ctx, k) })
		}
	}
	errc := make(chan error, len(runs))
	for _, r := range runs {
		go func() { errc <- r() }()
	}
	var first error
	for range runs {
		if err := <-errc; err != nil && first == nil && !errors.Is(err, context.Canceled) {
			first = err
		}
	}
	return first
}

// progress is a partition's or shard's place in its stream, kept in KV.
type progress struct {
	w      *Worker
	key    string
	marker uint64 // sequence taken by the previous run
	saved  uint64
	last   time.Time
}

func (w *Worker) progress(ctx context.Context, key string) (*progress, error) {
	pr := &progress{w: w, key: key, last: time.Now()}
	if w.KV != nil {
		if e, err := w.KV.Get(ctx, key); err == nil {
			pr.marker, _ = strconv.ParseUint(string(e.Value()), 10, 64)
		} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil, fmt.Errorf("%s progress: %w", key, err)
		}
	}
	pr.saved = pr.marker
	return pr, nil
}

// save stores done (at most once a second unless final).
func (pr *progress) save(ctx context.Context, done uint64, final bool) {
	if pr.w.KV == nil || done <= pr.saved || !final && time.Since(pr.last) < time.Second {
		return
	}
	pr.last = time.Now()
	if _, err := pr.w.KV.Put(ctx, pr.key, []byte(strconv.FormatUint(done, 10))); err == nil {
		pr.saved = done
	}
}

func (pr *progress) saveFinal(ctx context.Context, done uint64) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	pr.save(sctx, done, true)
	cancel()
}

func (w *Worker) partition(ctx context.Context, p int) (err error) {
	c := w.Config.withDefaults()
	ctx, cancel := context.WithCancelCause(ctx)
	defer func() {
		if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause // the verdicts failed
		}
		cancel(nil)
	}()
	subj := c.Subject(p)
	emit := func(e *event.Event) {
		w.mu.Lock()
		w.Emit(p, e)
		w.mu.Unlock()
	}
	var (
		out *stageOut
		pl  *pipeline
		src *batchReader
		in  source.Reader
	)
	build := func() {
		out = newStageOut(c, p, w.epochOf(p), w.Options.Detect, func(ctx context.Context, subj string, data []byte) error {
			_, err := w.JS.Publish(ctx, subj, data)
			return err
		})
		pl = newPipeline(w.Options, out, emit)
		pl.flush = func() { out.flush(ctx, false) }
		src = newBatchReader()
		src.onClock = pl.clock
		in = src
		if w.Watch != nil {
			in = w.Watch(p, src)
		}
	}
	build()
	start, ids, saver, err := w.resume(ctx, checkpointName(p), func(seq uint64, parts [][]byte) error {
		if err := w.loadPartition(p, parts, pl, out); err != nil {
			return err
		}
		src.done.Store(seq)
		return nil
	}, build)
	if err != nil {
		return fmt.Errorf("partition %d: %w", p, err)
	}
	if saver != nil {
		defer saver.close()
	}
	// The verdicts are read from the start of their subject, after the
	// checkpoint is loaded: those on fixes it had taken are passed over
	// (below its through), the rest free what it holds.
	vctx, stopVerdicts := context.WithCancel(ctx)
	verdictsDone := make(chan error, 1)
	go func() {
		err := w.judgeVerdicts(vctx, p, pl)
		if err != nil && vctx.Err() == nil {
			cancel(err)
		}
		verdictsDone <- err
	}()
	defer func() { stopVerdicts(); <-verdictsDone }()
	cons, err := w.JS.OrderedConsumer(ctx, c.Stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subj}, DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start})
	if err != nil {
		return fmt.Errorf("partition %d: %w", p, err)
	}
	pr, err := w.progress(ctx, c.ProgressKey(p))
	if err != nil {
		return fmt.Errorf("partition %d: %w", p, err)
	}
	if pr.marker >= start && w.Replay != nil {
		w.Replay(p, true)
		src.onBatch = func(seq uint64) {
			if seq > pr.marker && src.onBatch != nil {
				src.onBatch = nil
				w.Replay(p, false)
			}
		}
	}
	defer func() { pr.saveFinal(ctx, src.done.Load()) }()
	readErr := make(chan error, 1)
	go func() {
		// The file of the batch being read, and that batch: a checkpoint
		// is taken as the first batch of a file after another's begins
		// (partitionCheckpointEvery after the last).
		var file string
		var batch uint64
		last := time.Now()
		for in.Next() {
			if saver != nil && src.curSeq != batch {
				batch = src.curSeq
				if f := src.curFile; f != file {
					if file != "" && f != "" && time.Since(last) >= partitionCheckpointEvery {
						last = time.Now()
						if err := w.checkpoint(ctx, p, src.done.Load(), ids, pl, out, saver); err != nil {
							readErr <- err
							return
						}
					}
					file = f
				}
			}
			pl.add(in.Message())
			if out.message() {
				if err := out.flush(ctx, false); err != nil {
					readErr <- err
					return
				}
			}
		}
		readErr <- in.Err()
	}()
	// A quiet feed still moves its frames (and watermark) on.
	tctx, stopTicker := context.WithCancel(ctx)
	tickerDone := make(chan struct{})
	go func() {
		defer close(tickerDone)
		t := time.NewTicker(frameInterval)
		defer t.Stop()
		for {
			select {
			case <-tctx.Done():
				return
			case <-t.C:
				// ctx, not tctx: a flush cut short would lose the frames
				// it has taken (their items numbered, never sent).
				out.flush(ctx, false)
			}
		}
	}()
	defer func() { stopTicker(); <-tickerDone }()

	finish := func(flush bool) error {
		pl.stop()
		src.close()
		err := <-readErr
		if flush && err == nil {
			// What the end flushes goes out unnumbered, alone in the
			// final frames (see flush).
			stopTicker()
			<-tickerDone
			out.endInput(src.done.Load())
			if err = out.flush(ctx, false); err == nil {
				if err = pl.finish(ctx); err == nil {
					err = out.flush(ctx, true)
				}
			}
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
	intern := map[string]string{}
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
		// Paused, the batch waits here, not counted (Messages).
		if err := w.gate.hold(ctx); err != nil {
			finish(false)
			return err
		}
		// Sized once from the batch's count, not grown message by message.
		batch, err := appendBatch(nil, msg.Data(), intern)
		if err != nil {
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
		pr.save(ctx, src.done.Load(), false)
		clock, _ := strconv.ParseInt(msg.Headers().Get(ClockHeader), 10, 64)
		if !src.push(ctx, seqBatch{seq, batch, clock, msg.Headers().Get(FileHeader)}) {
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

// checkpoint hands the saver partition p's state after stream sequence
// seq, once the second-stage items and fixes before it are published.
func (w *Worker) checkpoint(ctx context.Context, p int, seq uint64, ids streamsID, pl *pipeline, out *stageOut, saver *checkpointSaver) error {
	b, err := w.encodePartition(ctx, p, seq, ids, pl, out)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		// State that cannot be saved is rebuilt by replaying, as before.
		return nil
	}
	saver.put(b)
	return nil
}

// shard consumes one subject of the second stage, and beside shard
// fixShard the interference unit's.
func (w *Worker) shard(ctx context.Context, k int) (err error) {
	c := w.Config.withDefaults()
	if k == c.fixShard() {
		fctx, cancel := context.WithCancel(ctx)
		fixErr := make(chan error, 1)
		go func() { fixErr <- w.fixes(fctx, k) }()
		defer func() {
			if err != nil {
				cancel()
			}
			if ferr := <-fixErr; err == nil && ferr != nil {
				err = ferr
			}
			cancel()
		}()
	}
	var sh *shard
	// What the detectors find once every partition has ended was open
	// when the data ended, as a single process's finish would emit it.
	found := func(e *event.Event) {
		// Draught changes are decided at their time also once every
		// partition has ended: only what the flush settles was open.
		if sh.ended() && (e.Type != event.DraughtChange && e.Type != event.PossibleDarkTransfer || sh.flushing) {
			e.Open = true
		}
		w.mu.Lock()
		w.Emit(-1-k, e)
		w.mu.Unlock()
	}
	build := func() {
		grader, _ := analyze.NewDetector(w.Options, func(e *event.Event) {
			if sh.owned(c, e) {
				found(e)
			}
		})
		var links *detect.Detector
		if k == linkShard {
			links, _ = analyze.NewDetector(w.Options, found)
		}
		sh = newShard(c, k, grader, links, func(e *event.Event) {
			w.mu.Lock()
			w.Emit(-1-k, e)
			w.mu.Unlock()
		})
	}
	build()
	start, ids, saver, err := w.resume(ctx, shardCheckpointName(k), func(_ uint64, parts [][]byte) error { return sh.load(parts) }, build)
	if err != nil {
		return fmt.Errorf("shard %d: %w", k, err)
	}
	if saver != nil {
		defer saver.close()
	}
	pr, err := w.progress(ctx, fmt.Sprintf("%s.s%d", c.Stream, k))
	if err != nil {
		return fmt.Errorf("shard %d: %w", k, err)
	}
	replayTo := pr.marker
	replaying := replayTo >= start && w.Replay != nil
	if replaying {
		w.Replay(-1-k, true)
	}
	var done uint64
	defer func() { pr.saveFinal(ctx, done) }()
	saved := time.Now()
	// Runs whose ends are passed over, and the frame that showed they were
	// superseded (see shard.superseded).
	passOver := map[run]bool{}
	var restartAt uint64
	for {
		cons, err := w.JS.OrderedConsumer(ctx, c.Stage2Stream(), jetstream.OrderedConsumerConfig{
			FilterSubjects: []string{c.Stage2Subject(k)}, DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start})
		if err != nil {
			return fmt.Errorf("shard %d: %w", k, err)
		}
		it, err := cons.Messages(jetstream.PullMaxMessages(64))
		if err != nil {
			return fmt.Errorf("shard %d: %w", k, err)
		}
		again, err := func() (bool, error) {
			stop := context.AfterFunc(ctx, it.Stop)
			defer stop()
			defer it.Stop()
			next := func() (jetstream.Msg, *jetstream.MsgMetadata, error) {
				msg, err := it.Next()
				if err != nil {
					if ctx.Err() != nil {
						return nil, nil, ctx.Err()
					}
					return nil, nil, fmt.Errorf("shard %d: %w", k, err)
				}
				md, err := msg.Metadata()
				if err != nil {
					return nil, nil, fmt.Errorf("shard %d: %w", k, err)
				}
				return msg, md, nil
			}
			for {
				msg, md, err := next()
				if err != nil {
					return false, err
				}
				seq := md.Sequence.Stream
				if err := w.gate.hold(ctx); err != nil {
					return false, err
				}
				if replaying && seq > replayTo {
					replaying = false
					w.Replay(-1-k, false)
				}
				lost, items, repeats := sh.lost+sh.badFrames(), sh.applied, sh.repeated
				sh.apply(msg.Data())
				if sh.superseded {
					// The new runs of other partitions published
					// already are passed over at once: each would
					// have the shard built again.
					news := map[int]bool{sh.by: true}
					for pending := md.NumPending; pending > 0; {
						msg, md, err := next()
						if err != nil {
							return false, err
						}
						pending = md.NumPending
						if p, ok := sh.newRun(msg.Data()); ok {
							news[p] = true
						}
					}
					sh.supersededRuns(passOver, news, w.epochOf)
					restartAt = seq
					return true, nil
				}
				w.Lost.Add(sh.lost + sh.badFrames() - lost)
				w.Items.Add(sh.applied - items)
				w.Repeats.Add(sh.repeated - repeats)
				w.Frames.Add(1)
				done = max(done, seq)
				pr.save(ctx, done, false)
				if saver != nil && !sh.sawEnd && time.Since(saved) >= shardCheckpointEvery {
					if b, err := sh.checkpoint(seq, ids); err == nil {
						saver.put(b)
					}
					saved = time.Now()
				}
				if w.Drain && md.NumPending == 0 && w.runsEnded(ctx, sh.done, sh.epoch, sh.input) {
					sh.finish()
					return false, nil
				}
			}
		}()
		if !again {
			return err
		}
		// Built again from the last checkpoint (saved before any end was
		// taken) and fed again, passing the ends over.
		build()
		start = 1
		if w.State != nil {
			if seq, parts, err := w.readCheckpoint(ctx, shardCheckpointName(k), ids); err == nil && parts != nil {
				if sh.load(parts) == nil {
					start = seq + 1
				} else {
					build()
				}
			}
		}
		sh.passOver = passOver
		replayTo = max(replayTo, restartAt)
		if w.Replay != nil && !replaying {
			replaying = true
			w.Replay(-1-k, true)
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
	// onClock, if set, is called (on the reading goroutine) with the
	// publisher's clock once a batch carrying one has been read whole.
	onClock  func(ns int64)
	curClock int64
	curFile  string
	mu       sync.Mutex
	n        int64
	rej      map[string]int64
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
	seq   uint64
	ms    []ais.Message
	clock int64  // the publisher's clock (ClockHeader), 0 if none
	file  string // the file it comes from (FileHeader), "" from a live feed
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
		if r.curClock != 0 && r.onClock != nil {
			r.onClock(r.curClock)
		}
		r.curClock = 0
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
		r.cur, r.curSeq, r.curClock, r.curFile, r.i = b.ms, b.seq, b.clock, b.file, 0
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

// File is the content hash of the file the current message comes from
// (FileHeader), "" for a live feed's; see FileOf.
func (r *batchReader) File() string { return r.curFile }
func (r *batchReader) Err() error   { return nil }
func (r *batchReader) Stats() ais.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := ais.Stats{Lines: r.n, Messages: r.n, Rejected: map[string]int64{}}
	for k, v := range r.rej {
		st.Rejected[k] = v
	}
	return st
}
