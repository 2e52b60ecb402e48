package bus

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// TestWorkersThroughDatabaseOutage: workers keep running while the
// database connection is cut (as by a restart); their events are held,
// the writer reconnects once the database is back, and the store ends with
// exactly the events of an uninterrupted run, each once, including events
// written before the cut and events replayed after it.
func TestWorkersThroughDatabaseOutage(t *testing.T) {
	viaProxy, direct, proxy := storetest.PostgresSchemaViaProxy(t, "lookout_bus")
	js, c := testStream(t, 4)
	ms := feed(24, 40)
	publish(t, js, c, "p", ms)
	want := newSink()
	drain(t, js, c, 0, 1, want)
	if len(want.events) < 10 {
		t.Fatalf("the feed should give events to store; got %d", len(want.events))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ew, err := NewReopeningEventWriter(ctx, func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, viaProxy) })
	if err != nil {
		t.Fatal(err)
	}
	var failures atomic.Int64
	ew.OnError = func(error, int) { failures.Add(1) }
	emitted := map[string]bool{}
	var mu sync.Mutex
	add := func(_ int, e *event.Event) {
		mu.Lock()
		emitted[e.ID()] = true
		mu.Unlock()
		ew.Add(e)
	}
	run := func(idx, of int) {
		w := &Worker{JS: js, Config: c, Index: idx, Of: of, Options: testOptions(), Emit: add, Drain: true}
		if err := w.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			if ctx.Err() != nil {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	run(0, 2) // worker 0 writes its events while the database is up
	mu.Lock()
	before := int64(len(emitted))
	mu.Unlock()
	waitFor("worker 0's events to be stored", func() bool { return ew.Written() == before })
	if before == 0 || before == int64(len(want.events)) {
		t.Fatalf("worker 0 should write some but not all events; wrote %d of %d", before, len(want.events))
	}

	proxy.Cut()
	run(1, 2) // worker 1 runs while the database is away...
	run(0, 2) // ...and worker 0 restarts, replaying what is already stored
	waitFor("a failed write", func() bool { return failures.Load() >= 2 })
	if ew.Written() != before {
		t.Fatalf("%d events stored while the database was cut off", ew.Written()-before)
	}
	proxy.Restore()
	ew.Close()

	conn, err := pgx.Connect(context.Background(), direct)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), "SELECT id FROM events")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if wantIDs := want.ids(); fmt.Sprint(got) != fmt.Sprint(wantIDs) {
		t.Errorf("stored %d events, an uninterrupted run has %d:\n stored %v\n want   %v", len(got), len(wantIDs), got, wantIDs)
	}
	if ew.Written() != int64(len(got)) {
		t.Errorf("writer counted %d new events, the table holds %d", ew.Written(), len(got))
	}
	t.Logf("%d events, %d before the cut, %d failed writes during it", len(got), before, failures.Load())
}

// TestEventWriterWaitsForTheDatabaseAtStart: a writer started while the
// database is away (the first opens fail) opens it once it is back,
// instead of failing the worker.
func TestEventWriterWaitsForTheDatabaseAtStart(t *testing.T) {
	dir := t.TempDir()
	opens := 0
	ew, err := NewReopeningEventWriter(context.Background(), func(ctx context.Context) (store.Store, error) {
		if opens++; opens < 3 {
			return nil, fmt.Errorf("create schema: conn closed")
		}
		return duckdb.Open(ctx, filepath.Join(dir, "w.duckdb"))
	})
	if err != nil {
		t.Fatalf("after %d opens: %v", opens, err)
	}
	ew.Close()
	if opens != 3 {
		t.Errorf("%d opens, want 3", opens)
	}
}
