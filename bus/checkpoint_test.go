package bus

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
)

// stopReader ends a partition's reading at the first message at or after
// at, once ctx ends: a worker killed there.
type stopReader struct {
	source.Reader
	at  time.Time
	ctx context.Context
}

func (r *stopReader) Next() bool {
	if !r.Reader.Next() {
		return false
	}
	if !r.Message().RxTime.Before(r.at) {
		<-r.ctx.Done()
		return false
	}
	return true
}

// publishFiles publishes ms as a backfill of files of hours each, as
// lookout ingest --to does.
func publishFiles(t *testing.T, js jetstream.JetStream, c Config, ms []ais.Message, hours int) (files int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := Setup(ctx, js, c); err != nil {
		t.Fatal(err)
	}
	p := NewPublisher(js, c, "files", 64)
	for i := 0; i < len(ms); {
		end := ms[i].RxTime.Truncate(time.Duration(hours) * time.Hour).Add(time.Duration(hours) * time.Hour)
		if err := p.StartFile(ctx, fmt.Sprintf("file-%d", end.Unix())); err != nil {
			t.Fatal(err)
		}
		for ; i < len(ms) && ms[i].RxTime.Before(end); i++ {
			if err := p.Add(&ms[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.EndFile(ctx); err != nil {
			t.Fatal(err)
		}
		files++
	}
	return files
}

// TestKilledWorkerResumesFromCheckpoint: a worker killed mid-backfill and
// started again resumes each partition from its last file boundary
// instead of replaying the stream, and ends with exactly the events of an
// uninterrupted worker.
func TestKilledWorkerResumesFromCheckpoint(t *testing.T) {
	resumed, uninterrupted := killAndResume(t, false)
	// Its shards replayed the second stage: every item of an
	// uninterrupted run once, under its number (and again those the
	// killed run had sent after its checkpoint).
	if resumed.Items.Load() != uninterrupted.Items.Load() {
		t.Errorf("the resumed run's shards took %d items (%d repeats), an uninterrupted run's %d",
			resumed.Items.Load(), resumed.Repeats.Load(), uninterrupted.Items.Load())
	}
}

// TestKilledShardResumesFromCheckpoint: so do the second stage's shards,
// from their own checkpoints.
func TestKilledShardResumesFromCheckpoint(t *testing.T) {
	defer func(d time.Duration) { shardCheckpointEvery = d }(shardCheckpointEvery)
	shardCheckpointEvery = 0
	resumed, uninterrupted := killAndResume(t, true)
	if resumed.Items.Load() >= uninterrupted.Items.Load() {
		t.Errorf("the resumed run's shards took %d items, an uninterrupted run's %d: they should resume from their checkpoints",
			resumed.Items.Load(), uninterrupted.Items.Load())
	}
}

// killAndResume runs a worker (both stages) over a backfill of 6-hour
// files, kills it once every partition has read the first 30 hours (and
// saved its checkpoints; with shards, every shard too) and starts it
// again to the end. The events must be those of an uninterrupted worker.
func killAndResume(t *testing.T, shards bool) (resumed, uninterrupted *Worker) {
	t.Helper()
	defer func(d time.Duration) { partitionCheckpointEvery = d }(partitionCheckpointEvery)
	partitionCheckpointEvery = 0
	ms := feed(16, 48)
	// The uninterrupted run on a stream of its own: its second-stage
	// items would otherwise stand in for the resumed run's.
	js, c := testStream(t, 2)
	jsOne, cOne := testStream(t, 2)
	for _, s := range []struct {
		js jetstream.JetStream
		c  Config
	}{{js, c}, {jsOne, cOne}} {
		if n := publishFiles(t, s.js, s.c, ms, 6); n < 6 {
			t.Fatalf("%d files", n)
		}
	}
	one := newSink()
	uninterrupted = drain(t, jsOne, cOne, 0, 1, one)
	if len(one.events) < 5 {
		t.Fatalf("the feed should give events to compare; got %d", len(one.events))
	}

	st, err := State(context.Background(), js, c)
	if err != nil {
		t.Fatal(err)
	}
	crashed := newSink()
	ctx, cancel := context.WithCancel(context.Background())
	// The last checkpoint at 24 h; gaps from 20 h to 34 h.
	cut := ms[0].RxTime.Add(30 * time.Hour)
	w := &Worker{JS: js, Config: c, Options: testOptions(), Emit: crashed.emit, State: st,
		Watch: func(_ int, r source.Reader) source.Reader { return &stopReader{Reader: r, at: cut, ctx: ctx} }}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	names := []string{}
	for p := range c.Partitions {
		names = append(names, checkpointName(p))
	}
	if shards {
		for k := range c.Shards {
			names = append(names, shardCheckpointName(k))
		}
	}
	saved := func() bool {
		for _, n := range names {
			if _, err := st.GetInfo(context.Background(), n); err != nil {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(60 * time.Second)
	for !saved() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !saved() {
		t.Fatalf("no checkpoint saved for every one of %v", names)
	}
	resumed = &Worker{JS: js, Config: c, Options: testOptions(), Emit: crashed.emit, State: st, Drain: true}
	rctx, rcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer rcancel()
	if err := resumed.Run(rctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed at %s (%d of %d messages read); the restarted worker read %d; its shards took %d items, %d repeats",
		cut, w.Messages.Load(), len(ms), resumed.Messages.Load(), resumed.Items.Load(), resumed.Repeats.Load())
	if n := resumed.Messages.Load(); n >= int64(len(ms)) || n == 0 {
		t.Errorf("the restarted worker read %d of %d messages: it should resume from its checkpoints", n, len(ms))
	}
	if !reflect.DeepEqual(crashed.events, one.events) {
		t.Errorf("killed+resumed events (%d) differ from an uninterrupted run (%d)", len(crashed.events), len(one.events))
		for id, e := range one.events {
			if b, ok := crashed.events[id]; !ok {
				t.Errorf("missing %s", id)
			} else if !reflect.DeepEqual(b, e) {
				t.Errorf("event %s differs:\n resumed %+v\n one     %+v", id, b, e)
			}
		}
		for id := range crashed.events {
			if _, ok := one.events[id]; !ok {
				t.Errorf("extra %s", id)
			}
		}
	}
	return resumed, uninterrupted
}

// TestDrainedWorkerCarriesOnFromCheckpoint: a backfill drained, then
// given more files and drained again, carries on from the partitions' and
// shards' checkpoints (the shards' taken as often as can be), with the
// events of one run over all the files.
func TestDrainedWorkerCarriesOnFromCheckpoint(t *testing.T) {
	defer func(p, s time.Duration) { partitionCheckpointEvery, shardCheckpointEvery = p, s }(partitionCheckpointEvery, shardCheckpointEvery)
	partitionCheckpointEvery, shardCheckpointEvery = 0, 0
	ms := feed(16, 48)
	half := 0
	for half < len(ms) && ms[half].RxTime.Before(ms[0].RxTime.Add(24*time.Hour)) {
		half++
	}
	js, c := testStream(t, 2)
	jsOne, cOne := testStream(t, 2)
	publishFiles(t, jsOne, cOne, ms, 6)
	one := newSink()
	uninterrupted := drain(t, jsOne, cOne, 0, 1, one)

	st, err := State(context.Background(), js, c)
	if err != nil {
		t.Fatal(err)
	}
	two := newSink()
	run := func() *Worker {
		return runDrained(t, &Worker{JS: js, Config: c, Options: testOptions(), Emit: two.emit, State: st, Drain: true})
	}
	publishFiles(t, js, c, ms[:half], 6)
	first := run()
	publishFiles(t, js, c, ms[half:], 6)
	second := run()
	t.Logf("first run: %d messages, %d items; second: %d messages, %d items (%d repeats); one run: %d items",
		first.Messages.Load(), first.Items.Load(), second.Messages.Load(), second.Items.Load(), second.Repeats.Load(), uninterrupted.Items.Load())
	if n := second.Messages.Load(); n >= int64(len(ms)) || n < int64(len(ms)-half) {
		t.Errorf("the second run read %d messages, %d of them new: it should carry on from its checkpoints", n, len(ms)-half)
	}
	// A replay takes every item once more; carrying on, the second run
	// takes those after the shards' checkpoints: what the second half of
	// the files sent, and what other partitions sent after the first
	// partition's end reached the shard.
	if second.Items.Load() > uninterrupted.Items.Load()-first.Items.Load()/2 {
		t.Errorf("the shards took %d + %d items, one run's %d: the second should carry on from their checkpoints",
			first.Items.Load(), second.Items.Load(), uninterrupted.Items.Load())
	}
	if !reflect.DeepEqual(two.events, one.events) {
		t.Errorf("two drained runs found %d events, one run %d", len(two.events), len(one.events))
		for id := range one.events {
			if _, ok := two.events[id]; !ok {
				t.Errorf("missing %s", id)
			}
		}
		for id := range two.events {
			if _, ok := one.events[id]; !ok {
				t.Errorf("extra %s", id)
			}
		}
	}
}

// TestKilledWorkerWhilePointsWaitForVerdicts: a worker killed in the
// middle of a GNSS interference across partitions, whose checkpoints were
// taken while its partitions held points for the interference unit's
// verdicts, and started again, stores the events of one process. A
// checkpoint without what was held lost those points: the tracker had put
// them out before it, so the resumed run never fed them to its detectors.
func TestKilledWorkerWhilePointsWaitForVerdicts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	defer func(d time.Duration) { partitionCheckpointEvery = d }(partitionCheckpointEvery)
	partitionCheckpointEvery = 0
	ms, ships := displacedShips(273100071, 10, 2, 7, 0.2, 8)
	opt := analyze.DefaultOptions()
	local := oneProcess(t, opt, ms)

	js, c := testStream(t, 4)
	publishFiles(t, js, c, ms, 1)
	st, err := State(context.Background(), js, c)
	if err != nil {
		t.Fatal(err)
	}
	got := newSink()
	ctx, cancel := context.WithCancel(context.Background())
	t0 := ms[0].RxTime.Truncate(time.Hour)
	// Killed half an hour after the file boundary at 4 h, the
	// interference lasting from 2 h to 7 h.
	cut := t0.Add(270 * time.Minute)
	w := &Worker{JS: js, Config: c, Options: opt, Emit: got.emit, State: st,
		Watch: func(_ int, r source.Reader) source.Reader { return &stopReader{Reader: r, at: cut, ctx: ctx} }}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	if err := SetupStage2(context.Background(), js, c); err != nil {
		t.Fatal(err)
	}
	ids, err := w.streams(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// held reads the ships' partitions' checkpoints: whether each is of
	// the boundary at 4 h, and how many points and reports they held.
	held := func() (atBoundary bool, waiting int) {
		atBoundary = true
		for _, m := range ships {
			_, parts, err := w.readCheckpoint(context.Background(), checkpointName(c.Partition(m)), ids)
			if err != nil || len(parts) != 5 {
				return false, 0
			}
			d := decoder{b: parts[0]}
			// The last message before 4 h was given to the tracker.
			if d.varint() < t0.Add(4*time.Hour-10*time.Minute).UnixNano() {
				atBoundary = false
			}
			var h heldState
			if err := heldCodec.Unmarshal(parts[4], &h, nil); err != nil {
				t.Fatal(err)
			}
			waiting += len(h.Waiting)
		}
		return atBoundary, waiting
	}
	deadline := time.Now().Add(60 * time.Second)
	for ok, _ := held(); !ok && time.Now().Before(deadline); ok, _ = held() {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ok, waiting := held()
	if !ok {
		t.Fatal("no checkpoint of the file boundary at 4 h saved for every ship's partition")
	}
	if waiting == 0 {
		t.Fatal("the checkpoints held no points for the verdicts: the scenario does not test it")
	}
	resumed := &Worker{JS: js, Config: c, Options: opt, Emit: got.emit, State: st, Drain: true}
	rctx, rcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer rcancel()
	if err := resumed.Run(rctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed at %s with %d points and reports held in the checkpoints; %d of %d messages read, then %d",
		cut, waiting, w.Messages.Load(), len(ms), resumed.Messages.Load())
	if n := resumed.Messages.Load(); n >= int64(len(ms)) || n == 0 {
		t.Errorf("the restarted worker read %d of %d messages: it should resume from its checkpoints", n, len(ms))
	}
	n := 0
	for _, e := range local.events {
		if e.Type == event.GNSSInterference {
			n++
		}
	}
	if n != 1 {
		t.Errorf("one process reports %d interferences, want 1: the scenario does not test it", n)
	}
	diffEvents(t, local, got)
}

// TestDrainedBackfillGivenMoreFilesDuringInterference: a backfill drained
// before a GNSS interference across partitions, then given the files of
// it and drained again, stores the events of one process over all of
// them. The first run's last fixes (its tracker's flush) were numbered
// where the second run's fixes of the same time go on: the interference
// unit, replaying its subject, skipped those numbers as sent already,
// and sent its verdicts on everything after as the first run's end's,
// which the partitions passed over until their own end (so here the
// displaced fixes reached the detectors undisplaced, all at once;
// TestFixUnitRunCarriesOnFromEnding shows the numbering itself).
func TestDrainedBackfillGivenMoreFilesDuringInterference(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	defer func(d time.Duration) { partitionCheckpointEvery = d }(partitionCheckpointEvery)
	partitionCheckpointEvery = 0
	ms, _ := displacedShips(273100081, 12, 5, 10, 0.2, 0)
	opt := analyze.DefaultOptions()
	local := oneProcess(t, opt, ms)
	n := 0
	for _, e := range local.events {
		if e.Type == event.GNSSInterference {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("one process reports %d interferences, want 1: the scenario does not test it", n)
	}
	// The first files end at 4 h, within the interference (2 h to 7 h).
	half := hoursIn(ms, 4)

	js, c := testStream(t, 4)
	st, err := State(context.Background(), js, c)
	if err != nil {
		t.Fatal(err)
	}
	// The workers keep their progress, the interference unit's too.
	kv, err := js.CreateOrUpdateKeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: WorkersBucket})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, k := range []string{c.InterferenceKey(), c.ProgressKey(0), c.ProgressKey(1), c.ProgressKey(2), c.ProgressKey(3),
			fmt.Sprintf("%s.s0", c.Stream), fmt.Sprintf("%s.s1", c.Stream), fmt.Sprintf("%s.s2", c.Stream)} {
			kv.Purge(context.Background(), k)
		}
	})
	got := newSink()
	run := func() *Worker {
		return runDrained(t, &Worker{JS: js, Config: c, Options: opt, Emit: got.emit, State: st, Drain: true, KV: kv})
	}
	publishFiles(t, js, c, ms[:half], 1)
	first := run()
	publishFiles(t, js, c, ms[half:], 1)
	second := run()
	t.Logf("first run: %d messages; second: %d messages", first.Messages.Load(), second.Messages.Load())
	if n := second.Messages.Load(); n >= int64(len(ms)) || n < int64(len(ms)-half) {
		t.Errorf("the second run read %d messages, %d of them new: it should carry on from its checkpoints", n, len(ms)-half)
	}
	diffEvents(t, local, got)
	// lookout backfill status shows how far the unit judged: every fix,
	// to the last, none differing from the first run's end.
	u, err := Interference(context.Background(), js, c)
	if err != nil || u == nil {
		t.Fatalf("the interference unit's progress: %v, %v", u, err)
	}
	if !u.Ended || u.Waiting != 0 || u.Judged == 0 || u.Through != ms[len(ms)-1].RxTime.Unix() || u.Lost != 0 || u.Diverged != 0 {
		t.Errorf("the interference unit's progress at the end: %+v, want every fix judged to %d", *u, ms[len(ms)-1].RxTime.Unix())
	}
	if len(u.Held) != c.Partitions || slices.ContainsFunc(u.Held, func(n uint64) bool { return n != 0 }) {
		t.Errorf("fixes held for verdicts at the end: %v, want none of %d partitions", u.Held, c.Partitions)
	}
}

// TestDrainedBackfillGivenMoreFilesDuringEncounter: a backfill drained
// before, during or after an encounter of ships of two partitions (and a
// draught change put down to it), then given the rest of the files and
// drained again, stores the events of one process. The second stage
// took the first run's end (what its trackers flushed, what was open)
// when replaying its subject, and then the second run's frames, which
// send those points again as the data goes on: the encounter was lost
// (drained at 2 h), cut at the first end (4 h), or had a slot counted
// twice (5 h), and the draught change lost its partner.
func TestDrainedBackfillGivenMoreFilesDuringEncounter(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	for _, x := range []struct{ h, workers int }{{2, 1}, {4, 1}, {5, 1}, {4, 2}} {
		t.Run(fmt.Sprintf("%dh/%d workers", x.h, x.workers), func(t *testing.T) {
			drain := func(ctx context.Context, worker func(i, of int) *Worker) {
				var ws []*Worker
				for i := range x.workers {
					ws = append(ws, worker(i, x.workers))
				}
				runAll(ctx, t, ws...)
			}
			ms, _, _ := alongside()
			drainedTwice(t, ms, x.h, drain, drain)
		})
	}
}

// TestTwoWorkersDrainedTwiceDuringInterference: two workers drain a
// backfill cut an hour before a GNSS interference across partitions (the
// ships displaced from 5 h to 10 h), then drain it again given the rest,
// and store one process's events, whether the first drain left
// checkpoints at its file boundaries or none (its partitions' later runs
// replay from the start). The second drain's interference unit took the
// first runs' ends, replayed from its subject, as their partitions'
// last: it judged their fixes, and the other partitions' later fixes as
// they came, before a partition's later run had sent those that come
// first in time. Without checkpoints every run differed (an interference
// begun at another ship, or found twice; an encounter of two ships put on
// one spot); with them, 2 runs in 340 under load.
func TestTwoWorkersDrainedTwiceDuringInterference(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	ms, _ := displacedShips(273100081, 12, 5, 10, 0.2, 0)
	drain := func(ctx context.Context, worker func(i, of int) *Worker) {
		runAll(ctx, t, worker(0, 2), worker(1, 2))
	}
	for _, x := range []struct {
		name  string
		every time.Duration
	}{{"checkpoint at each file", 0}, {"no checkpoint", time.Hour}} {
		t.Run(x.name, func(t *testing.T) {
			defer func(d time.Duration) { partitionCheckpointEvery = d }(partitionCheckpointEvery)
			partitionCheckpointEvery = x.every
			drainedTwice(t, ms, 4, drain, drain)
		})
	}
}

// TestDrainedWorkerWaitsForAnotherWorkersNextRun: of two workers draining
// a backfill given more files, the one running the interference unit
// starts first, and waits for the other's partitions: it reads their
// first runs' ends before their next runs begin. Taking those ends as
// final, it left, and those runs then waited for verdicts for ever (the
// two-worker case of TestDrainedBackfillGivenMoreFilesDuringEncounter,
// about once in 40 under load, its other worker slow to start).
func TestDrainedWorkerWaitsForAnotherWorkersNextRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	ms, _, _ := alongside()
	drainedTwice(t, ms, 4, func(ctx context.Context, worker func(i, of int) *Worker) {
		runAll(ctx, t, worker(0, 2), worker(1, 2))
	}, func(ctx context.Context, worker func(i, of int) *Worker) {
		first := worker(0, 2)
		first.Index = first.Config.fixShard() % 2
		waits := make(chan int, 1)
		first.waiting = func(p int) {
			select {
			case waits <- p:
			default:
			}
		}
		ended := make(chan error, 1)
		go func() { ended <- first.Run(ctx) }()
		select {
		case p := <-waits:
			if p%2 == first.Index {
				t.Errorf("the worker waits for the next run of partition %d, its own", p)
			}
		case err := <-ended:
			t.Errorf("the worker running the interference unit ended (%v) before the other worker's partitions began their next runs", err)
			ended <- err
		}
		if err := worker(1-first.Index, 2).Run(ctx); err != nil {
			t.Errorf("the other worker: %v", err)
		}
		if err := <-ended; err != nil {
			t.Errorf("the worker running the interference unit: %v", err)
		}
	})
}

// hoursIn returns how many of ms (in time order) fall in the first h
// hours, from the hour of the first.
func hoursIn(ms []ais.Message, h int) int {
	cut := ms[0].RxTime.Truncate(time.Hour).Add(time.Duration(h) * time.Hour)
	n := 0
	for n < len(ms) && ms[n].RxTime.Before(cut) {
		n++
	}
	return n
}

// drainer drains a backfill with workers it makes (i of of).
type drainer func(ctx context.Context, worker func(i, of int) *Worker)

// drainedTwice drains with first the files of ms (in time order) up to
// h hours, then with second the files of all of it, published then, and
// compares the events stored with one process's.
func drainedTwice(t *testing.T, ms []ais.Message, h int, first, second drainer) {
	t.Helper()
	opt := analyze.DefaultOptions()
	local := oneProcess(t, opt, ms)
	half := hoursIn(ms, h)
	js, c := testStream(t, 4)
	st, err := State(context.Background(), js, c)
	if err != nil {
		t.Fatal(err)
	}
	got := newSink()
	worker := func(i, of int) *Worker {
		return &Worker{JS: js, Config: c, Index: i, Of: of, Options: opt, Emit: got.emit, State: st, Drain: true}
	}
	run := func(drain drainer) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		drain(ctx, worker)
		if t.Failed() {
			t.FailNow()
		}
	}
	publishFiles(t, js, c, ms[:half], 1)
	run(first)
	publishFiles(t, js, c, ms[half:], 1)
	run(second)
	diffEvents(t, local, got)
}

// TestEndFinalOnceInputRead: a drained worker takes another worker's
// partition's end as final once that run has read what the partition's
// input held as the worker began (what is published later is left for
// the next drain, as a partition caught up leaves it); an end that does
// not say where its input ended (a frame of version 1) is final, as every
// end was before.
func TestEndFinalOnceInputRead(t *testing.T) {
	js, c := testStream(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := Setup(ctx, js, c); err != nil {
		t.Fatal(err)
	}
	pub := func(p int) uint64 {
		ack, err := js.Publish(ctx, c.Subject(p), []byte("batch"))
		if err != nil {
			t.Fatal(err)
		}
		return ack.Sequence
	}
	a1, b1, a2 := pub(0), pub(1), pub(0)
	var waited []int
	w := &Worker{JS: js, Config: c, Drain: true, waiting: func(p int) { waited = append(waited, p) }}
	var err error
	if w.inputEnd, err = w.lastInput(ctx); err != nil {
		t.Fatal(err)
	}
	pub(0) // during the drain
	done := []bool{true, true}
	for _, x := range []struct {
		input []uint64
		final bool
	}{
		{[]uint64{a2, b1}, true},
		{[]uint64{a1, b1}, false},
		{[]uint64{0, b1}, false},
		{[]uint64{inputUnknown, b1}, true},
		{[]uint64{a2, 0}, false},
	} {
		if got := w.runsEnded(ctx, done, make([]uint64, 2), x.input); got != x.final {
			t.Errorf("ends through %v of partitions' input (last %d, %d): final %v, want %v", x.input, a2, b1, got, x.final)
		}
	}
	if want := []int{0, 0, 1}; !slices.Equal(waited, want) {
		t.Errorf("waited for partitions %v, want %v", waited, want)
	}

	// An end frame says where its run's input ended; a version 1 frame
	// does not, and is read as before.
	o := newStageOut(c, 1, 7, analyze.DefaultOptions().Detect, nil)
	o.endInput(a2)
	f, err := decodeFrame(o.frameHead(true, -5, 3, 0))
	if err != nil || f.part != 1 || f.epoch != 7 || !f.done || f.input != a2 || f.wm != -5 || f.first != 3 || f.n != 0 {
		t.Errorf("end frame read as %+v, %v", f, err)
	}
	v1 := []byte{1, 1, 7, 0, 0, 0, 0, 0, 0, 0, 1, 9, 3, 0}
	f, err = decodeFrame(v1)
	if err != nil || f.part != 1 || f.epoch != 7 || !f.done || f.input != inputUnknown || f.wm != -5 || f.first != 3 || f.n != 0 {
		t.Errorf("version 1 end frame read as %+v, %v", f, err)
	}
}
