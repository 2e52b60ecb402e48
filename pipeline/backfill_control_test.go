package pipeline_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// TestBackfillWorkerObeysControl: lookout backfill pause holds a worker
// (it takes no more batches), and cancel stops it mid-backfill with
// bus.ErrCancelled, every event it found stored and counted. The backfill
// is paused once every partition has read a day of the three and the
// worker has found an event (the reading held until the pause is known), so
// that it is surely mid-way.
func TestBackfillWorkerObeysControl(t *testing.T) {
	files := dailyFiles(t, t.TempDir(), 9750, 3, 30)
	ctx := context.Background()
	js := testJS(t)
	c := backfillStream(t, js, "control")
	// Small batches: many of them, so the pause lands mid-backfill.
	sum, err := pipeline.Backfill(ctx, js, pipeline.BackfillConfig{Bus: c, Batch: 16}, files)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := bus.Files(ctx, js, c)
	if err != nil {
		t.Fatal(err)
	}
	dsn := storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_backfill_control")
	workersSchema(t, dsn)

	paused := make(chan struct{})
	var once sync.Once
	var start atomic.Int64
	found := make(chan struct{})
	var foundOnce sync.Once
	var w *bus.Worker
	type result struct {
		res pipeline.WorkerResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := pipeline.Worker(ctx, js, pipeline.WorkerConfig{Bus: c, Index: 0, Of: 1, Analyze: analyze.DefaultOptions(), Drain: true,
			Open:    func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, dsn) },
			Control: kv,
			OnControl: func(st string) {
				if st == bus.Paused {
					close(paused)
				}
			},
			Started: func(bw *bus.Worker) { w = bw },
			Events:  func(int, *event.Event) { foundOnce.Do(func() { close(found) }) },
			Watch: func(_ int, r source.Reader) source.Reader {
				return &pauseAt{Reader: r, start: &start, pause: func() {
					once.Do(func() {
						// The other partitions go on meanwhile, and the
						// detectors take what came before.
						select {
						case <-found:
						case <-time.After(30 * time.Second):
							t.Error("no event in 30 s")
						}
						if err := bus.SetControl(ctx, kv, bus.Paused); err != nil {
							t.Error(err)
						}
						// Until the worker knows: it takes at most the
						// batches already past its gate after this.
						<-paused
					})
				}}
			}})
		done <- result{res, err}
	}()
	select {
	case <-paused:
	case r := <-done:
		t.Fatalf("worker ended before the pause: %+v %v", r.res, r.err)
	}
	// Paused: no batch is taken (Messages counts those past the gate).
	before := w.Messages.Load()
	time.Sleep(3 * time.Second)
	if after := w.Messages.Load(); after != before {
		t.Errorf("paused worker took %d more messages", after-before)
	}
	if err := bus.SetControl(ctx, kv, bus.Cancelled); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if !errors.Is(r.err, bus.ErrCancelled) {
		t.Fatalf("cancelled worker ended with %v, want bus.ErrCancelled", r.err)
	}
	if r.res.Messages >= sum.Published {
		t.Errorf("cancelled worker took %d of %d messages: not stopped mid-way", r.res.Messages, sum.Published)
	}
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if r.res.Stored == 0 || r.res.Stored != int64(len(evs)) {
		t.Errorf("cancelled worker reports %d events stored, the store holds %d", r.res.Stored, len(evs))
	}
	// A worker started while cancelled stops at once.
	if _, err := pipeline.Worker(ctx, js, pipeline.WorkerConfig{Bus: c, Of: 1, Analyze: analyze.DefaultOptions(), Drain: true, Control: kv}); !errors.Is(err, bus.ErrCancelled) {
		t.Errorf("worker started while cancelled: %v, want bus.ErrCancelled", err)
	}
}

// pauseAt calls pause, on the reading goroutine, at the first message a
// day after the first any partition read (start, Unix ns; 0: none yet),
// before handing it on: every partition gets there and the detectors take
// what came before, however the partitions' paces differ.
type pauseAt struct {
	source.Reader
	start *atomic.Int64
	pause func()
}

func (r *pauseAt) Next() bool {
	if !r.Reader.Next() {
		return false
	}
	t := r.Reader.Message().RxTime.UnixNano()
	r.start.CompareAndSwap(0, t)
	if t >= r.start.Load()+int64(24*time.Hour) {
		r.pause()
	}
	return true
}
