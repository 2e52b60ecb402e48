package pipeline_test

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// natsProc is a nats-server process of the test's own (its port, its
// store directory), which the test can kill and start again: the shared
// server other tests use must not be restarted.
type natsProc struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
}

func startNATS(t *testing.T) *natsProc {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		t.Skip("nats-server is not installed (scripts/ci-nats installs it)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	n := &natsProc{t: t, bin: bin, dir: t.TempDir(), port: port}
	n.start()
	t.Cleanup(n.kill)
	return n
}

func (n *natsProc) url() string { return "nats://127.0.0.1:" + strconv.Itoa(n.port) }

func (n *natsProc) start() {
	n.t.Helper()
	n.cmd = exec.Command(n.bin, "-a", "127.0.0.1", "-p", strconv.Itoa(n.port), "-js", "-sd", n.dir)
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	for range 100 {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(n.port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	n.t.Fatal("nats-server did not start")
}

// kill ends the server as a crash does (SIGKILL).
func (n *natsProc) kill() {
	if n.cmd != nil && n.cmd.Process != nil {
		n.cmd.Process.Kill()
		n.cmd.Wait()
		n.cmd = nil
	}
}

// TestBackfillThroughFaults: a backfill goes through a publisher killed
// mid-file, a worker killed mid-backfill, the broker killed and started
// again, and PostgreSQL unreachable for a while (its connections cut by a
// proxy) with a worker running; the same commands run again to the end
// leave the store with the events one lookout ingest of the files stores,
// each once.
func TestBackfillThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	dir := t.TempDir()
	files := backfillFiles(t, dir, 4, 40)
	ref := ingestReference(t, files)
	viaProxy, direct, proxy := storetest.PostgresSchemaViaProxy(t, "lookout_archive_faults")
	workersSchema(t, direct)

	srv := startNATS(t)
	js := jsAt(t, srv.url())
	c := bus.Config{Stream: "LOOKOUT_FAULTS", Prefix: "lookout.faults", Partitions: 4, Shards: 3}
	ctx := context.Background()

	// The publisher is killed in the second file.
	pctx, killPub := context.WithCancel(ctx)
	cfg := pipeline.BackfillConfig{Bus: c, Batch: 64, FlushEvery: 2000, AfterFlush: func(name string, n int64) {
		if name == files[1] && n >= 4000 {
			killPub()
		}
	}}
	if _, err := pipeline.Backfill(pctx, js, cfg, files); err == nil {
		t.Fatal("the killed publisher finished")
	}

	// Two workers follow the stream; worker 0 is killed once it has
	// taken messages.
	open := func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, viaProxy) }
	var taken [2]atomic.Pointer[bus.Worker]
	var cancels [2]context.CancelFunc
	done := make(chan int, 2)
	var failures atomic.Int64
	// Checkpoints as lookout worker keeps them: the workers started again
	// below resume from them.
	state, err := bus.State(ctx, js, c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		wctx, cancel := context.WithCancel(ctx)
		cancels[i] = cancel
		go func() {
			_, err := pipeline.Worker(wctx, js, pipeline.WorkerConfig{Bus: c, Index: i, Of: 2, Analyze: analyze.DefaultOptions(), Open: open, State: state,
				OnStoreError: func(error, int) { failures.Add(1) },
				Started:      func(w *bus.Worker) { taken[i].Store(w) }})
			t.Logf("worker %d stopped: %v", i, err)
			done <- i
		}()
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for range 600 {
			if ok() {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	waitFor("worker 0 to take messages", func() bool { w := taken[0].Load(); return w != nil && w.Messages.Load() > 0 })
	// Worker 1 has its store open before it goes away (a worker that
	// cannot open it at its start exits).
	waitFor("worker 1 to start", func() bool { return taken[1].Load() != nil })
	cancels[0]()
	<-done

	// The database becomes unreachable, the broker is killed and started
	// again, the publisher carries on, and only then is the database back.
	proxy.Cut()
	srv.kill()
	time.Sleep(time.Second)
	srv.start()
	sum, err := pipeline.Backfill(ctx, js, pipeline.BackfillConfig{Bus: c, Batch: 64, FlushEvery: 2000}, files)
	if err != nil {
		t.Fatal(err)
	}
	if sum.AlreadyDone != 1 {
		t.Errorf("resumed publisher: %+v, want the first file known as done", sum)
	}
	waitFor("worker 1 to take messages", func() bool { w := taken[1].Load(); return w != nil && w.Messages.Load() > 0 })
	time.Sleep(2 * time.Second) // worker 1 holds events while the database is away
	proxy.Restore()
	cancels[1]()
	<-done
	t.Logf("%d failed writes while the database was away", failures.Load())

	// The same workers started again, to the end of the backfill.
	runWorkers(t, ctx, js, c, 2, viaProxy)
	got := compareStore(t, direct, ref)
	if len(got) == 0 {
		t.Fatal("nothing stored")
	}
}
