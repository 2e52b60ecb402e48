package pipeline_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// TestBackfillWorkerJoinsMidway: a second worker joining a backfill
// (bus.Worker.Members) while the first is mid-way takes partitions and
// shards over, the first gives them up, and the store ends with the
// events lookout ingest stores from the same files. The backfill is
// paused from the first worker's first event until the second has joined,
// so that the first is surely mid-way.
func TestBackfillWorkerJoinsMidway(t *testing.T) {
	dir := t.TempDir()
	files := dailyFiles(t, dir, 9751, 4, 40)
	ref := ingestReference(t, files)
	ctx := context.Background()
	js := testJS(t)
	c := backfillStream(t, js, "join")
	if _, err := pipeline.Backfill(ctx, js, pipeline.BackfillConfig{Bus: c, Batch: 16}, files); err != nil {
		t.Fatal(err)
	}
	kv, err := bus.Files(ctx, js, c)
	if err != nil {
		t.Fatal(err)
	}
	members, err := bus.Members(ctx, js, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { js.DeleteKeyValue(context.Background(), c.MembersBucket()) })
	// A partition taken over resumes from its last checkpoint, if any.
	state, err := bus.State(ctx, js, c)
	if err != nil {
		t.Fatal(err)
	}
	dsn := storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_backfill_join")
	workersSchema(t, dsn)

	type result struct {
		res pipeline.WorkerResult
		err error
	}
	var mu sync.Mutex
	owns := map[string][][]int{} // worker -> partitions at each change
	joined := make(chan string, 16)
	run := func(id string, cfg pipeline.WorkerConfig) chan result {
		cfg.Bus, cfg.Analyze, cfg.Drain, cfg.Control, cfg.Members, cfg.ID, cfg.State = c, analyze.DefaultOptions(), true, kv, members, id, state
		cfg.Open = func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, dsn) }
		cfg.OnOwn = func(ps, _ []int) {
			mu.Lock()
			owns[id] = append(owns[id], ps)
			mu.Unlock()
			joined <- id
		}
		done := make(chan result, 1)
		go func() {
			res, err := pipeline.Worker(ctx, js, cfg)
			done <- result{res, err}
		}()
		return done
	}
	pausedA := make(chan struct{})
	var once sync.Once
	doneA := run("a", pipeline.WorkerConfig{
		OnControl: func(st string) {
			if st == bus.Paused {
				close(pausedA)
			}
		},
		Events: func(int, *event.Event) {
			once.Do(func() {
				if err := bus.SetControl(ctx, kv, bus.Paused); err != nil {
					t.Error(err)
				}
				<-pausedA
			})
		}})
	select {
	case <-pausedA:
	case r := <-doneA:
		t.Fatalf("first worker ended before the pause: %+v %v", r.res, r.err)
	}
	doneB := run("b", pipeline.WorkerConfig{})
	// Until the first has given up what falls to the second.
	deadline := time.After(time.Minute)
	for gaveUp := false; !gaveUp; {
		select {
		case <-joined:
		case <-deadline:
			t.Fatalf("the first worker kept every partition: %v", owns)
		}
		mu.Lock()
		a := owns["a"]
		gaveUp = len(a) > 1 && len(a[len(a)-1]) < c.Partitions && len(owns["b"]) > 0
		mu.Unlock()
	}
	if err := bus.SetControl(ctx, kv, bus.Running); err != nil {
		t.Fatal(err)
	}
	ra, rb := <-doneA, <-doneB
	if ra.err != nil || rb.err != nil {
		t.Fatalf("workers: %v, %v", ra.err, rb.err)
	}
	t.Logf("first worker ran partitions %v shards %v (%d messages), second %v %v (%d messages); owned: %v",
		ra.res.Partitions, ra.res.Shards, ra.res.Messages, rb.res.Partitions, rb.res.Shards, rb.res.Messages, owns)
	if len(rb.res.Partitions) == 0 || rb.res.Messages == 0 {
		t.Errorf("the second worker took no partition over")
	}
	compareStore(t, dsn, ref)
}
