package pipeline_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/internal/runtest"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// dailyFiles simulates a short scenario and cuts its NMEA into one file per
// UTC day of the tag-block receive time, the way receiver logs are rotated.
func dailyFiles(t *testing.T, dir string, seed uint64, days, vessels int) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("simulates a scenario and runs the whole pipeline")
	}
	chunks, starts := runtest.SplitDays(t, runtest.SimNMEA(t, seed, days, vessels))
	files := make([]string, len(chunks))
	for i, c := range chunks {
		files[i] = filepath.Join(dir, starts[i].Format("2006-01-02")+".nmea")
		if err := os.WriteFile(files[i], c, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// onePass analyses the files as one stream.
func onePass(t *testing.T, opt analyze.Options, files []string) map[string]string {
	t.Helper()
	var evs []event.Event
	finishing := false
	a := analyze.New(opt, func(e *event.Event) {
		evs = append(evs, *e)
		// What Finish emits was still going on when the data ended: a
		// store holds it provisionally, as Open.
		evs[len(evs)-1].Open = finishing
	})
	for _, name := range files {
		r, _, closeFn, err := analyze.Open(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Read(r); err != nil {
			t.Fatal(err)
		}
		closeFn()
	}
	finishing = true
	a.Finish()
	return runtest.Canonical(t, evs)
}

// ingestRun is one `lookout ingest` run: a new Analyzer restored from the
// store, the files, then the events still open stored provisionally.
func ingestRun(ctx context.Context, st store.Store, opt analyze.Options, files []string, batch int, after func(store.File)) error {
	var in *pipeline.Ingester
	a := analyze.New(opt, func(e *event.Event) { in.Emit(e) })
	in = pipeline.New(st, pipeline.Options{BatchSize: batch, Analysis: a, AfterWrite: after})
	if err := in.Restore(ctx); err != nil {
		return err
	}
	for _, f := range files {
		if _, err := in.File(ctx, f); err != nil {
			return err
		}
	}
	if in.NeedsFinish() {
		a.Finish()
		if _, err := in.Flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

func storedEvents(t *testing.T, st store.Store) map[string]string {
	t.Helper()
	evs, err := st.Events(context.Background(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return runtest.Canonical(t, evs)
}

func spanningMidnight(want map[string]string) int {
	n := 0
	for _, s := range want {
		var e event.Event
		if json.Unmarshal([]byte(s), &e) == nil && e.Start.Truncate(24*time.Hour) != e.End.Truncate(24*time.Hour) {
			n++
		}
	}
	return n
}

// testDailyIngest: daily files ingested one per run (a new Ingester and
// Analyzer each time, as separate `lookout ingest` commands) store exactly
// the events of one pass over all of them: same IDs, spans and evidence.
// After each run the store holds the events of one pass over the files so
// far, the open ones provisional; re-ingesting everything adds nothing.
//
// With partial set, visits and loitering cut off by the end of the data are
// reported too: those open at the end of a day are stored provisionally,
// and must be replaced by the next day's longer versions.
func testDailyIngest(t *testing.T, partial bool, open func(t *testing.T, name string) store.Store) {
	ctx := context.Background()
	dir := t.TempDir()
	files := dailyFiles(t, dir, 11, 4, 40)
	if len(files) < 4 {
		t.Fatalf("%d daily files, want 4", len(files))
	}
	opt := analyze.DefaultOptions()
	opt.Detect.Partial = partial
	want := onePass(t, opt, files)
	if spanningMidnight(want) == 0 {
		t.Fatal("no event spans midnight: the scenario does not test carrying state")
	}
	st := open(t, "daily")
	defer st.Close()
	cutAfterDay1 := 0
	for i, f := range files {
		if err := ingestRun(ctx, st, opt, []string{f}, 0, nil); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// What the first day left open (stored provisionally), and
			// later found longer: the provisional replacement is tested.
			for id, e := range storedEvents(t, st) {
				if w, ok := want[id]; ok && w != e {
					cutAfterDay1++
				}
			}
		}
		if i == 1 {
			// The state is carried, not merely the last file's events
			// kept: so far the store equals one pass over two days.
			if diff := runtest.Text(runtest.Diff(storedEvents(t, st), onePass(t, opt, files[:2]))); diff != "" {
				t.Fatalf("after two daily runs the store differs from one pass over two days:\n%s", diff)
			}
		}
	}
	if diff := runtest.Text(runtest.Diff(storedEvents(t, st), want)); diff != "" {
		t.Fatalf("daily ingest runs differ from one pass (%d events):\n%s", len(want), diff)
	}
	if partial && cutAfterDay1 == 0 {
		t.Fatal("no event was cut off by the end of day 1: replacing provisional events is not tested")
	}
	before := fingerprintOf(t, st)
	if err := ingestRun(ctx, st, opt, files, 0, nil); err != nil {
		t.Fatal(err)
	}
	if after := fingerprintOf(t, st); !equalFingerprints(after, before) {
		t.Fatalf("re-ingesting every file changed the store: %+v, was %+v", after.counts, before.counts)
	}
	t.Logf("%d events, %d spanning midnight, %d cut off after day 1: daily runs store exactly one pass's",
		len(want), spanningMidnight(want), cutAfterDay1)
}

func TestDailyIngestDuckDB(t *testing.T) {
	for _, partial := range []bool{false, true} {
		t.Run(fmt.Sprintf("partial=%v", partial), func(t *testing.T) {
			dir := t.TempDir()
			testDailyIngest(t, partial, func(t *testing.T, name string) store.Store {
				return openDuck(t, filepath.Join(dir, name+".duckdb"))
			})
		})
	}
}

func TestDailyIngestPostgres(t *testing.T) {
	base := storetest.PostgresURL(t)
	testDailyIngest(t, true, func(t *testing.T, name string) store.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresSchema(t, base, "ingest_test_"+name))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// childOptions report cut-off visits too, so that a kill between a day's
// last batch and its open events being stored is tested.
func childOptions() analyze.Options {
	opt := analyze.DefaultOptions()
	opt.Detect.Partial = true
	return opt
}

// analyzeChild is the process the kill test kills: one ingest run of the
// files in LOOKOUT_INGEST_FILES through the whole pipeline. It prints
// "committed" after each batch and "file" after a file's last one.
func analyzeChild() int {
	ctx := context.Background()
	dsn := os.Getenv("LOOKOUT_INGEST_DB")
	files := filepath.SplitList(os.Getenv("LOOKOUT_INGEST_FILES"))
	batch, _ := strconv.Atoi(os.Getenv("LOOKOUT_INGEST_BATCH"))
	st, err := openChildStore(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	err = ingestRun(ctx, st, childOptions(), files, batch, func(f store.File) {
		if f.Done {
			fmt.Fprintln(out, "file")
		} else {
			fmt.Fprintln(out, "committed")
		}
		out.Flush()
	})
	if err == nil {
		err = st.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	fmt.Fprintln(out, "finished")
	out.Flush()
	return 0
}

// crashDaily runs ingests of all files in child processes, killing each
// with SIGKILL: the first right after a file's last batch is committed
// (before the next file, or before the events still open are stored), the
// others after a random number of commits and a random delay, until a run
// finishes. It returns the number of kills.
func crashDaily(t *testing.T, dsn string, files []string, batch int, seed uint64) int {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 11))
	env := []string{"LOOKOUT_INGEST_CHILD=analyze", "LOOKOUT_INGEST_DB=" + dsn,
		"LOOKOUT_INGEST_FILES=" + strings.Join(files, string(os.PathListSeparator)), "LOOKOUT_INGEST_BATCH=" + strconv.Itoa(batch)}
	return crashRuns(t, env, func(kills int) killPlan {
		killAfter := 1 + rng.IntN(4)
		return func(commits int, line string) (bool, time.Duration) {
			switch {
			case kills == 0:
				return line == "file", 0
			case commits == killAfter:
				return true, time.Duration(rng.IntN(4000)) * time.Microsecond
			}
			return false, 0
		}
	})
}

// testKillAcrossFiles: daily files ingested by runs killed with SIGKILL at
// file boundaries and inside batches, each re-run carrying on, store
// exactly what one pass finds: nothing lost, nothing duplicated.
func testKillAcrossFiles(t *testing.T, open func(t *testing.T, name string) (store.Store, string)) {
	dir := t.TempDir()
	files := dailyFiles(t, dir, 5, 3, 30)
	want := onePass(t, childOptions(), files)

	ref, _ := open(t, "ref")
	if err := ingestRun(context.Background(), ref, childOptions(), files, 0, nil); err != nil {
		t.Fatal(err)
	}
	wantFP := fingerprintOf(t, ref)
	ref.Close()

	st, dsn := open(t, "crash")
	st.Close()
	kills := crashDaily(t, dsn, files, 700, uint64(time.Now().UnixNano()))
	if kills < 2 {
		t.Fatalf("only %d kills: the files are too small to test crashes", kills)
	}
	st, _ = open(t, "crash")
	defer st.Close()
	if got := fingerprintOf(t, st); !equalFingerprints(got, wantFP) {
		t.Fatalf("after %d kills the store differs from an uninterrupted ingest:\n got %+v (%d events)\nwant %+v (%d events)",
			kills, got.counts, len(got.eventIDs), wantFP.counts, len(wantFP.eventIDs))
	}
	if diff := runtest.Text(runtest.Diff(storedEvents(t, st), want)); diff != "" {
		t.Fatalf("after %d kills the events differ from one pass:\n%s", kills, diff)
	}
	t.Logf("%d kills, then %+v: same as one pass", kills, wantFP.counts)
}

func TestKillAcrossFilesDuckDB(t *testing.T) { testKillAcrossFiles(t, duckOpener(t)) }

func TestKillAcrossFilesPostgres(t *testing.T) { testKillAcrossFiles(t, postgresOpener(t)) }
