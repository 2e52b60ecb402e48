package pipeline_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// feed writes an NMEA log of vessels×fixes position reports, heard by two
// stations (some twice), with identity reports that change once.
type feed struct {
	vessels, fixes int
	positions      int // position reports written
	identities     int // identity changes a correct ingest stores
}

func writeFeed(t testing.TB, path string, vessels, fixes int) feed {
	t.Helper()
	var sb strings.Builder
	f := feed{vessels: vessels, fixes: fixes}
	for i := 0; i < fixes; i++ {
		for v := 0; v < vessels; v++ {
			mmsi := uint32(273000000 + v)
			tm := t0.Add(time.Duration(i)*time.Minute + time.Duration(v)*time.Second)
			lat, lon := 42+float64(v)*0.01+float64(i)*0.001, 131+float64(i)*0.001
			sb.WriteString(type1(tm, "STN1", mmsi, lat, lon, 9.5, 45))
			f.positions++
			if (i+v)%5 == 0 { // heard by a second station too
				sb.WriteString(type1(tm, "STN2", mmsi, lat, lon, 9.5, 45))
				f.positions++
			}
			if i%50 == 0 {
				// Same identity every time except the name, which changes
				// half way: two records per vessel.
				name := "SEA STAR " + strconv.Itoa(v)
				if i >= fixes/2 {
					name = "NEW STAR " + strconv.Itoa(v)
				}
				sb.WriteString(type5(tm, "STN1", mmsi, 9100000+uint32(v), "UB"+strconv.Itoa(v), name, 80, 7.5, "NAMPO"))
			}
		}
		if i%37 == 0 {
			sb.WriteString("garbage line that is not NMEA\n")
		}
	}
	f.identities = 2 * vessels
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// eventPipeline stands in for the analysis: it emits a deterministic event
// every 97th position report and keeps a per-vessel checkpoint (the count
// of reports seen).
type eventPipeline struct {
	emit func(*event.Event)
	n    int
	seen map[uint32]uint64
}

func newEventPipeline() *eventPipeline { return &eventPipeline{seen: map[uint32]uint64{}} }

func (p *eventPipeline) Read(r source.Reader) error {
	for r.Next() {
		m := r.Message()
		if m.Type != 1 {
			continue
		}
		p.seen[m.MMSI]++
		p.n++
		if p.n%97 == 0 {
			lat, lon, _ := m.Position()
			p.emit(&event.Event{Type: event.Loitering, MMSI: m.MMSI, Start: m.RxTime, End: m.RxTime.Add(5 * time.Hour),
				Lat: lat, Lon: lon, Confidence: 0.8, Evidence: map[string]any{"n": float64(p.n)}})
		}
	}
	return r.Err()
}

func (p *eventPipeline) Snapshot() (map[uint32][]byte, error) {
	out := map[uint32][]byte{}
	for m, n := range p.seen {
		out[m] = binary.AppendUvarint(nil, n)
	}
	return out, nil
}

func (p *eventPipeline) Restore(mmsi uint32, state []byte) error {
	n, _ := binary.Uvarint(state)
	p.seen[mmsi] = n
	return nil
}

func newIngester(st store.Store, batch int, after func(store.File)) *pipeline.Ingester {
	p := newEventPipeline()
	in := pipeline.New(st, pipeline.Options{BatchSize: batch, Analysis: p, AfterWrite: after})
	p.emit = in.Emit
	return in
}

func openDuck(t *testing.T, path string) store.Store {
	t.Helper()
	s, err := duckdb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fingerprint summarises a store's content independently of row order:
// counts, an order-free hash of every position, the stored event IDs.
type fingerprint struct {
	counts   store.Counts
	posHash  uint64
	eventIDs []string
}

func fingerprintOf(t *testing.T, s store.Store) fingerprint {
	t.Helper()
	ctx := context.Background()
	var fp fingerprint
	var err error
	if fp.counts, err = s.Counts(ctx); err != nil {
		t.Fatal(err)
	}
	err = s.ScanPositions(ctx, time.Time{}, time.Time{}, func(p *store.Position) error {
		h := fnv.New64a()
		fmt.Fprintf(h, "%d|%d|%.7f|%.7f|%v|%v|%s", p.MMSI, p.Time.UnixNano(), p.Lat, p.Lon, p.SOG, p.COG, p.Station)
		fp.posHash += h.Sum64() // a sum, so the order of rows does not matter
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		fp.eventIDs = append(fp.eventIDs, e.ID())
	}
	slices.Sort(fp.eventIDs)
	return fp
}

func TestIngestIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "day1.nmea")
	f := writeFeed(t, path, 20, 120)
	st := openDuck(t, filepath.Join(dir, "db.duckdb"))
	defer st.Close()

	in := newIngester(st, 333, nil)
	res, err := in.File(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped || res.Resumed {
		t.Fatalf("first ingest: %+v", res)
	}
	if res.Positions != int64(f.positions) || res.Identities != int64(f.identities) {
		t.Fatalf("stored %d positions and %d identities, want %d and %d", res.Positions, res.Identities, f.positions, f.identities)
	}
	if res.Stats.RejectedTotal() == 0 {
		t.Errorf("garbage lines were not counted as rejected: %+v", res.Stats)
	}
	wantEvents := int64(f.positions / 97)
	if res.Events != wantEvents {
		t.Fatalf("stored %d events, want %d", res.Events, wantEvents)
	}
	// Killed before its pipeline finished: the next run must finish it,
	// even with nothing new to read.
	if c := fingerprintOf(t, st).counts.Checkpoints; c != 21 {
		t.Errorf("checkpoints = %d, want one per vessel (20) and the mark of a run to finish", c)
	}
	in = newIngester(st, 333, nil)
	if err := in.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if !in.NeedsFinish() {
		t.Fatal("a run that stored a file's state but not its open events is not finished by the next")
	}
	if _, err := in.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	first := fingerprintOf(t, st)
	if first.counts.Checkpoints != 20 {
		t.Errorf("checkpoints = %d, want one per vessel (20)", first.counts.Checkpoints)
	}
	in = newIngester(st, 333, nil)
	if err := in.Restore(ctx); err != nil || in.NeedsFinish() {
		t.Fatalf("after a finished run: needs finish %v, %v", in.NeedsFinish(), err)
	}

	// The identity history shows the rename.
	ids, err := st.Identities(ctx, 273000003)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0].Name != "SEA STAR 3" || ids[1].Name != "NEW STAR 3" || ids[1].IMO != 9100003 || ids[1].Length != 100 || ids[1].Draught != 7.5 {
		t.Fatalf("identity history = %+v", ids)
	}

	// Again, and again under another name: nothing added.
	copyPath := filepath.Join(dir, "renamed.nmea")
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(copyPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, copyPath} {
		in := newIngester(st, 333, nil)
		res, err := in.File(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Skipped || res.Positions != 0 || res.Events != 0 {
			t.Fatalf("re-ingest of %s: %+v, want skipped", p, res)
		}
	}
	if again := fingerprintOf(t, st); !equalFingerprints(again, first) {
		t.Fatalf("re-ingest changed the store: %+v, was %+v", again.counts, first.counts)
	}
}

func equalFingerprints(a, b fingerprint) bool {
	return a.counts == b.counts && a.posHash == b.posHash && slices.Equal(a.eventIDs, b.eventIDs)
}

// An input that cannot be read twice (standard input, bash's <(…), a
// FIFO) is stored whole and recorded done only then; the same data given
// as a file afterwards is already ingested. Hashing such an input used to
// empty it: 0 positions stored, its hash recorded done, the real file
// then skipped as already ingested (and a FIFO hung).
func TestIngestOnceReadableInputs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "day.nmea")
	fd := writeFeed(t, path, 5, 120)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	feedPipe := func(w *os.File) {
		go func() { w.Write(data); w.Close() }()
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		open func(t *testing.T) string // returns the path to ingest
	}{
		{"stdin", func(t *testing.T) string {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			saved := os.Stdin
			os.Stdin = r
			t.Cleanup(func() { os.Stdin = saved; r.Close() })
			feedPipe(w)
			return "-"
		}},
		{"dev-fd", func(t *testing.T) string {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			feedPipe(w)
			return fmt.Sprintf("/dev/fd/%d", r.Fd())
		}},
		{"fifo", func(t *testing.T) string {
			go func() {
				w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
				if err == nil {
					w.Write(data)
					w.Close()
				}
			}()
			return fifo
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := openDuck(t, filepath.Join(t.TempDir(), "db.duckdb"))
			defer st.Close()
			in := pipeline.New(st, pipeline.Options{})
			res, err := in.File(context.Background(), c.open(t))
			if err != nil {
				t.Fatal(err)
			}
			if res.Positions != int64(fd.positions) || res.Identities != int64(fd.identities) {
				t.Fatalf("stored %d positions and %d identities, want %d and %d", res.Positions, res.Identities, fd.positions, fd.identities)
			}
			again, err := in.File(context.Background(), path)
			if err != nil || !again.Skipped {
				t.Fatalf("the same data as a file: %+v, %v; want already ingested", again, err)
			}
		})
	}
}

// Identical content is one file whatever its compression or name.
func TestIngestCompressedCopyIsSameFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "day.nmea")
	writeFeed(t, plain, 4, 30)
	data, _ := os.ReadFile(plain)
	gz := filepath.Join(dir, "renamed.nmea.gz")
	f, err := os.Create(gz)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write(data)
	zw.Close()
	f.Close()

	st := openDuck(t, filepath.Join(dir, "db.duckdb"))
	defer st.Close()
	in := pipeline.New(st, pipeline.Options{})
	first, err := in.File(context.Background(), plain)
	if err != nil || first.Positions == 0 {
		t.Fatalf("%+v %v", first, err)
	}
	second, err := in.File(context.Background(), gz)
	if err != nil || !second.Skipped || second.Hash != first.Hash {
		t.Fatalf("the gzipped copy: %+v, %v; want already ingested", second, err)
	}

	// A store made before knew a compressed file by its bytes: still
	// recognised, so upgrading does not store it twice.
	st2 := openDuck(t, filepath.Join(dir, "old.duckdb"))
	defer st2.Close()
	_, raw, size, err := pipeline.HashFile(gz)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st2.Write(context.Background(), &store.Batch{File: &store.File{Hash: raw, Name: gz, Size: size, Done: true}}); err != nil {
		t.Fatal(err)
	}
	old, err := pipeline.New(st2, pipeline.Options{}).File(context.Background(), gz)
	if err != nil || !old.Skipped {
		t.Fatalf("a .gz stored under its bytes' hash: %+v, %v; want already ingested", old, err)
	}
}

// TestMain lets the crash test run this test binary as the process it
// kills: with LOOKOUT_INGEST_CHILD set it ingests one file and exits.
func TestMain(m *testing.M) {
	switch os.Getenv("LOOKOUT_INGEST_CHILD") {
	case "":
	case "analyze":
		os.Exit(analyzeChild())
	default:
		os.Exit(child())
	}
	os.Exit(m.Run())
}

// openChildStore opens the store a child ingest writes to.
func openChildStore(ctx context.Context, dsn string) (store.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") {
		return postgres.Open(ctx, dsn)
	}
	return duckdb.Open(ctx, dsn)
}

func child() int {
	ctx := context.Background()
	dsn, file := os.Getenv("LOOKOUT_INGEST_DB"), os.Getenv("LOOKOUT_INGEST_FILE")
	batch, _ := strconv.Atoi(os.Getenv("LOOKOUT_INGEST_BATCH"))
	st, err := openChildStore(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	in := newIngester(st, batch, func(f store.File) {
		fmt.Fprintf(out, "committed %d\n", f.Positions)
		out.Flush()
	})
	if err := in.Restore(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if _, err := in.File(ctx, file); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if err := st.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	fmt.Fprintln(out, "finished")
	out.Flush()
	return 0
}

// crashIngest runs the ingest in a child process and kills it with SIGKILL
// after a random number of committed batches plus a random delay (so the
// kill lands inside a transaction as often as between two), again and
// again until a run finishes. It returns the number of kills.
func crashIngest(t *testing.T, dsn, file string, batch int, seed uint64) int {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	env := []string{"LOOKOUT_INGEST_CHILD=1", "LOOKOUT_INGEST_DB=" + dsn, "LOOKOUT_INGEST_FILE=" + file, "LOOKOUT_INGEST_BATCH=" + strconv.Itoa(batch)}
	return crashRuns(t, env, func(int) killPlan {
		killAfter := 1 + rng.IntN(3)
		return func(commits int, _ string) (bool, time.Duration) {
			if commits != killAfter {
				return false, 0
			}
			return true, time.Duration(rng.IntN(4000)) * time.Microsecond
		}
	})
}

// killPlan says, after each line a child ingest prints (a committed batch;
// "file" for a file's last), whether to kill it now and after what delay.
type killPlan func(commits int, line string) (kill bool, delay time.Duration)

// crashRuns runs a child ingest (env says what it ingests) again and again,
// each run killed with SIGKILL as the plan made for it says, until a run
// finishes. It returns the number of kills.
func crashRuns(t *testing.T, env []string, plan func(kills int) killPlan) int {
	t.Helper()
	kills := 0
	for attempt := 0; attempt < 60; attempt++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), env...)
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		kill := plan(kills)
		sc := bufio.NewScanner(stdout)
		commits, finished, killed := 0, false, false
		for sc.Scan() {
			if sc.Text() == "finished" {
				finished = true
				continue
			}
			commits++
			if killed {
				continue
			}
			if now, delay := kill(commits, sc.Text()); now {
				time.Sleep(delay)
				if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err = cmd.Wait()
		if err == nil { // exited by itself: a kill that came too late did nothing
			if !finished {
				t.Fatal("child exited cleanly without finishing")
			}
			return kills
		}
		if ee, ok := err.(*exec.ExitError); !ok || !killed || ee.ExitCode() != -1 {
			t.Fatalf("child failed on its own (not killed): %v", err)
		}
		kills++
	}
	t.Fatal("ingest never finished in 60 runs")
	return kills
}

func testKillMidIngest(t *testing.T, open func(t *testing.T, name string) (store.Store, string)) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "day1.nmea")
	writeFeed(t, path, 20, 150)
	const batch = 300

	// The reference: one uninterrupted ingest.
	ref, _ := open(t, "ref")
	in := newIngester(ref, batch, nil)
	if _, err := in.File(ctx, path); err != nil {
		t.Fatal(err)
	}
	want := fingerprintOf(t, ref)
	ref.Close()

	// The same file, killed again and again.
	st, dsn := open(t, "crash")
	st.Close()
	kills := crashIngest(t, dsn, path, batch, uint64(time.Now().UnixNano()))
	if kills < 2 {
		t.Fatalf("only %d kills: the file is too small to test crashes", kills)
	}
	st, _ = open(t, "crash")
	defer st.Close()
	got := fingerprintOf(t, st)
	if !equalFingerprints(got, want) {
		t.Fatalf("after %d kills the store differs from an uninterrupted ingest:\n got %+v (%d events)\nwant %+v (%d events)",
			kills, got.counts, len(got.eventIDs), want.counts, len(want.eventIDs))
	}
	t.Logf("%d kills, then %+v: same as an uninterrupted ingest", kills, got.counts)

	// And once more: nothing added.
	res, err := newIngester(st, batch, nil).File(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Skipped {
		t.Fatalf("re-ingest after completion: %+v", res)
	}
	if again := fingerprintOf(t, st); !equalFingerprints(again, want) {
		t.Fatalf("re-ingest changed the store")
	}
}

func TestKillMidIngestDuckDB(t *testing.T) { testKillMidIngest(t, duckOpener(t)) }

func TestKillMidIngestPostgres(t *testing.T) { testKillMidIngest(t, postgresOpener(t)) }

// opener opens the store named name, the same one each time, and says its
// DSN for the child processes.
type opener func(t *testing.T, name string) (store.Store, string)

// duckOpener opens DuckDB files in a temporary directory.
func duckOpener(t *testing.T) opener {
	dir := t.TempDir()
	return func(t *testing.T, name string) (store.Store, string) {
		p := filepath.Join(dir, name+".duckdb")
		return openDuck(t, p), p
	}
}

// postgresOpener opens a schema of its own per name in the test database.
func postgresOpener(t *testing.T) opener {
	base := storetest.PostgresURL(t)
	urls := map[string]string{}
	return func(t *testing.T, name string) (store.Store, string) {
		u, ok := urls[name]
		if !ok {
			u = storetest.PostgresSchema(t, base, "ingest_test_"+name)
			urls[name] = u
		}
		s, err := postgres.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		return s, u
	}
}

// failingStore fails the second batch.
type failingStore struct {
	store.Store
	n int
}

func (f *failingStore) Write(ctx context.Context, b *store.Batch) (store.Written, error) {
	f.n++
	if f.n == 2 {
		return store.Written{}, fmt.Errorf("disk full")
	}
	return f.Store.Write(ctx, b)
}

func TestIngestReportsStoreError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "day1.nmea")
	writeFeed(t, path, 10, 100)
	st := openDuck(t, filepath.Join(dir, "db.duckdb"))
	defer st.Close()
	_, err := newIngester(&failingStore{Store: st}, 100, nil).File(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the store's error", err)
	}
	// What was committed before the failure is resumed from, not repeated.
	res, err := newIngester(st, 100, nil).File(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	c := fingerprintOf(t, st).counts
	if !res.Resumed || c.Positions != 1200 {
		t.Fatalf("after resuming: %+v, %d positions stored, want resumed and 1200", res, c.Positions)
	}
}

// TestCheckpointsCarryStateAcrossRuns: state snapshotted at the end of one
// run's file is restored into the next run's pipeline before its file.
func TestCheckpointsCarryStateAcrossRuns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	day1, day2 := filepath.Join(dir, "day1.nmea"), filepath.Join(dir, "day2.nmea")
	writeFeed(t, day1, 3, 10)
	writeFeed(t, day2, 3, 20)
	st := openDuck(t, filepath.Join(dir, "db.duckdb"))
	defer st.Close()
	for _, f := range []string{day1, day2} {
		p := newEventPipeline()
		in := pipeline.New(st, pipeline.Options{Analysis: p})
		p.emit = in.Emit
		if err := in.Restore(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := in.File(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	got := map[uint32]uint64{}
	if err := st.Checkpoints(ctx, func(c store.Checkpoint) error {
		got[c.MMSI], _ = binary.Uvarint(c.Data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Each vessel: 10 + 20 reports from STN1, plus those also heard by STN2
	// (one in five): the second run continued the first run's count.
	for v := uint32(0); v < 3; v++ {
		want := uint64(0)
		for _, fixes := range []int{10, 20} {
			for i := 0; i < fixes; i++ {
				want++
				if (i+int(v))%5 == 0 {
					want++
				}
			}
		}
		if got[273000000+v] != want {
			t.Errorf("vessel %d: checkpoint counts %d reports, want %d (state carried across runs)", v, got[273000000+v], want)
		}
	}
}
