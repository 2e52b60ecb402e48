package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/internal/runtest"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// simLines simulates a short scenario: its NMEA lines carry tag-block
// receive times, so a feed stamps nothing and two runs see the same times.
func simLines(t testing.TB, days, vessels int) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("simulates a scenario and runs the whole pipeline twice")
	}
	// Every line keeps its newline: a feed's last line without one is
	// never read.
	lines := strings.SplitAfter(string(runtest.SimNMEA(t, 11, days, vessels)), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// messages is how many messages the decoder makes of lines.
func messages(lines []string) int64 {
	r := ais.NewReader(strings.NewReader(strings.Join(lines, "")))
	var n int64
	for r.Next() {
		n++
	}
	return n
}

type seen struct {
	source.Reader
	n *atomic.Int64
}

func (s seen) Next() bool {
	ok := s.Reader.Next()
	if ok {
		s.n.Add(1)
	}
	return ok
}

// runFeed serves lines over TCP to a feed storing into st and stops it
// (as SIGTERM does: the context ends) once every message has been read.
// every is how often it checkpoints (0: the default).
func runFeed(t testing.TB, st store.Store, lines []string, discard bool, every time.Duration) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(strings.Join(lines, "")))
		c.Read(make([]byte, 1)) // held open until the feed hangs up
	}()
	cfg, _ := configWith(t, st)
	cfg.Connect = []string{"tcp://" + ln.Addr().String()}
	cfg.DiscardState = discard
	// Visits and loitering cut off by the stop are reported too: they are
	// what is stored provisional and replaced after the restart.
	cfg.Analyze.Detect.Partial = true
	cfg.CheckpointEvery = every
	want := messages(lines)
	var n atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.Watch = func(r source.Reader) source.Reader {
		return seen{Reader: r, n: &n}
	}
	done := make(chan error, 1)
	go func() {
		_, err := pipeline.Live(ctx, cfg)
		done <- err
	}()
	for n.Load() < want {
		select {
		case err := <-done:
			t.Fatalf("feed ended after %d of %d messages: %v", n.Load(), want, err)
		case <-t.Context().Done():
			return
		default:
			time.Sleep(10 * time.Millisecond)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func openTempDuck(t testing.TB, name string) store.Store {
	st, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), name+".duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestRestartCarriesState: a live TCP feed into DuckDB stopped mid-stream
// and started again with the rest of the feed stores the events of one
// uninterrupted run: same IDs, spans and evidence, the events still open at
// the end provisional (Open) in both. What was open at the stop is stored
// provisional, not as closed then. Started afresh (the state discarded),
// the second run differs: the restore is what makes them equal.
func TestRestartCarriesState(t *testing.T) { testRestart(t, openTempDuck) }

// TestRestartCarriesStatePostgres is TestRestartCarriesState into PostGIS.
func TestRestartCarriesStatePostgres(t *testing.T) {
	testRestart(t, func(t testing.TB, name string) store.Store {
		st, err := postgres.Open(context.Background(), storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_"+name))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func testRestart(t *testing.T, open func(t testing.TB, name string) store.Store) {
	lines := simLines(t, 3, 30)
	// Cut on a line that starts a message, so both halves decode whole.
	cut := len(lines) / 2
	for cut < len(lines) && !strings.Contains(lines[cut], ",1,1,") {
		cut++
	}

	one := open(t, "one")
	runFeed(t, one, lines, false, 0)
	want := storedEvents(t, one)

	two := open(t, "two")
	// Checkpoints every few milliseconds: the analysis paused and resumed
	// many times must give the same events too.
	const often = 5 * time.Millisecond
	runFeed(t, two, lines[:cut], false, often)
	nOpen := 0
	for _, s := range storedEvents(t, two) {
		var e event.Event
		if json.Unmarshal([]byte(s), &e) == nil && e.Open {
			nOpen++
		}
	}
	if nOpen == 0 {
		t.Fatal("nothing was open at the stop: the scenario does not test carrying state")
	}
	runFeed(t, two, lines[cut:], false, often)
	if d := runtest.Diff(storedEvents(t, two), want); len(d) > 0 {
		t.Fatalf("stopped and restarted, %d of %d events differ from one run:\n%s", len(d), len(want), runtest.Text(d))
	}

	fresh := open(t, "fresh")
	runFeed(t, fresh, lines[:cut], false, 0)
	runFeed(t, fresh, lines[cut:], true, 0)
	d := runtest.Diff(storedEvents(t, fresh), want)
	if len(d) == 0 {
		t.Fatal("restarted without the stored state, the events equal one run's: the test cannot fail")
	}
	t.Logf("%d events, %d open at the stop; without the restore %d differ", len(want), nOpen, len(d))
}

// TestRestoreFailure: a stored state this build cannot load ends the feed
// before its inputs start, saying how to go on; with the state discarded
// the feed runs and the unreadable checkpoint is deleted.
func TestRestoreFailure(t *testing.T) {
	st := openTempDuck(t, "bad")
	ctx := context.Background()
	if _, err := st.Write(ctx, &store.Batch{Checkpoints: []store.Checkpoint{{MMSI: 273000099, Data: []byte{0xff, 1, 2}}}}); err != nil {
		t.Fatal(err)
	}
	cfg, _ := configWith(t, st)
	cfg.Connect = []string{"tcp://127.0.0.1:1"} // never reached
	if _, err := pipeline.Live(ctx, cfg); !errors.Is(err, pipeline.ErrStateVersion) {
		t.Fatalf("feed with an unreadable stored state: %v, want ErrStateVersion", err)
	}
	lines, _ := traffic()
	runFeed(t, st, lines, true, 0)
	n := 0
	if err := st.Checkpoints(ctx, func(c store.Checkpoint) error {
		if c.MMSI == 273000099 {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("the unreadable checkpoint is still stored after a run with the state discarded")
	}
}
