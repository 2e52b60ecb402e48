package pipeline_test

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// gzipCopy writes from gzipped to path, cut in the middle of its deflate
// stream if corrupt.
func gzipCopy(t testing.TB, path, from string, corrupt bool) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	var gz strings.Builder
	zw := gzip.NewWriter(&gz)
	zw.Write(b)
	zw.Close()
	out := gz.String()
	if corrupt {
		out = out[:len(out)/2]
	}
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

func testJS(t *testing.T) jetstream.JetStream { return jsAt(t, natsURL(t)) }

// jsAt connects to a NATS server, reconnecting without end as workers and
// publishers do (a test may restart the server).
func jsAt(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// backfillStream names a stream of the test's own, deleted afterwards.
func backfillStream(t *testing.T, js jetstream.JetStream, name string) bus.Config {
	id := time.Now().UnixNano()
	c := bus.Config{Stream: fmt.Sprintf("LOOKOUT_BACKFILL_%s_%d", name, id), Prefix: fmt.Sprintf("lookout.backfill%s%d", strings.ToLower(name), id),
		Partitions: 4, Shards: 3}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		js.DeleteStream(ctx, c.Stream)
		js.DeleteStream(ctx, c.Stage2Stream())
		js.DeleteKeyValue(ctx, c.FilesBucket())
		js.DeleteKeyValue(ctx, c.Stream)
		js.DeleteObjectStore(ctx, c.StateBucket())
	})
	return c
}

// streamContent fingerprints every partition's messages in order (their
// payloads and clocks), keyed by partition, and counts them.
func streamContent(t *testing.T, js jetstream.JetStream, c bus.Config) (map[string][32]byte, uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := js.Stream(ctx, c.Stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hs := map[string]*[]byte{}
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		part := strings.TrimPrefix(m.Subject, c.Prefix+".")
		b := hs[part]
		if b == nil {
			b = new([]byte)
			hs[part] = b
		}
		sum := sha256.Sum256(m.Data)
		*b = append(*b, sum[:]...)
		*b = append(*b, m.Header.Get(bus.ClockHeader)...)
	}
	out := map[string][32]byte{}
	for k, b := range hs {
		out[k] = sha256.Sum256(*b)
	}
	return out, info.State.Msgs
}

// backfillFiles cuts days of a scenario into daily files, the second one
// gzipped.
func backfillFiles(t *testing.T, dir string, days, vessels int) []string {
	files := dailyFiles(t, dir, 5, days, vessels)
	if len(files) != days {
		t.Fatalf("%d daily files, want %d", len(files), days)
	}
	gzipCopy(t, files[1]+".gz", files[1], false)
	os.Remove(files[1])
	files[1] += ".gz"
	return files
}

// TestBackfillOnceAndResume: daily files given in any order are published
// in time order; published again, nothing is added; a publisher killed in
// the middle of a file and started again sends only the rest, and the
// stream ends as one uninterrupted run leaves it. A corrupt file among
// them is reported by name and skipped, the others published.
func TestBackfillOnceAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	dir := t.TempDir()
	files := backfillFiles(t, dir, 3, 20)
	bad := filepath.Join(dir, "corrupt.nmea.gz")
	gzipCopy(t, bad, files[0], true)
	// Out of time order, a corrupt file among them.
	inputs := []string{files[2], bad, files[1], files[0]}
	js := testJS(t)
	ctx := context.Background()

	clean := backfillStream(t, js, "clean")
	cfg := pipeline.BackfillConfig{Bus: clean, Batch: 64, FlushEvery: 2000}
	var order []string
	cfg.OnFile = func(f pipeline.BackfillFile) { order = append(order, filepath.Base(f.Name)) }
	sum, err := pipeline.Backfill(ctx, js, cfg, inputs)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Bad) != 1 || sum.Bad[0].Name != bad {
		t.Fatalf("bad files %v, want %s", sum.Bad, bad)
	}
	if want := []string{filepath.Base(files[0]), filepath.Base(files[1]), filepath.Base(files[2])}; strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("published %v, want time order %v", order, want)
	}
	if sum.Files != 3 || sum.Published == 0 {
		t.Fatalf("summary %+v", sum)
	}
	want, n := streamContent(t, js, clean)

	// Again, under other names (day0 gzipped): all known, nothing sent.
	again := filepath.Join(dir, "again.nmea.gz")
	gzipCopy(t, again, files[2], false)
	cfg.OnFile = nil
	sum2, err := pipeline.Backfill(ctx, js, cfg, []string{again, files[1], files[0]})
	if err != nil {
		t.Fatal(err)
	}
	if sum2.AlreadyDone != 3 || sum2.Published != 0 {
		t.Errorf("published twice: %+v", sum2)
	}
	if got, m := streamContent(t, js, clean); m != n || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("a second run changed the stream: %d messages, was %d", m, n)
	}

	// Killed in the middle of the second file, then started again.
	killed := backfillStream(t, js, "killed")
	kcfg := cfg
	kcfg.Bus = killed
	kctx, kill := context.WithCancel(ctx)
	kcfg.AfterFlush = func(name string, msgs int64) {
		if name == files[1] && msgs >= 4000 {
			kill()
		}
	}
	if _, err := pipeline.Backfill(kctx, js, kcfg, inputs); !errors.Is(err, context.Canceled) {
		t.Fatalf("killed run: %v", err)
	}
	kcfg.AfterFlush = nil
	var resumed int64
	kcfg.OnFile = func(f pipeline.BackfillFile) { resumed += f.Resumed }
	sum3, err := pipeline.Backfill(ctx, js, kcfg, inputs)
	if err != nil {
		t.Fatal(err)
	}
	if sum3.AlreadyDone != 1 || resumed == 0 {
		t.Errorf("resumed run: %+v, %d messages found published", sum3, resumed)
	}
	if got, m := streamContent(t, js, killed); m != n || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("killed and resumed: %d messages, uninterrupted %d; same content %v", m, n, fmt.Sprint(got) == fmt.Sprint(want))
	}
}

// eventDump is every stored event as one JSON line, sorted (the open flag
// included).
func eventDump(t *testing.T, st store.Store) []string {
	t.Helper()
	evs, err := st.Events(context.Background(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// reference is what lookout ingest stores from files in one process, as
// the workers must store it.
type reference struct {
	dump []string
}

func ingestReference(t *testing.T, files []string) reference {
	t.Helper()
	ctx := context.Background()
	opt := analyze.DefaultOptions()
	one, err := postgres.Open(ctx, storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_archive_ingest"))
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	sorted, err := pipeline.SortByFirstTime(files, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Files(ctx, one, pipeline.Config{Analyze: &opt}, sorted); err != nil {
		t.Fatal(err)
	}
	return reference{dump: eventDump(t, one)}
}

// workersSchema makes a schema for workers' events and returns its URL.
// It is made before the workers start: two creating one schema at once
// collide (an operator makes the database first, e.g. with lookout
// sanctions import --db).
func workersSchema(t *testing.T, dsn string) {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// runWorkers runs n drained workers at once, storing into dsn.
func runWorkers(t *testing.T, ctx context.Context, js jetstream.JetStream, c bus.Config, n int, dsn string) {
	t.Helper()
	state, err := bus.State(ctx, js, c)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := pipeline.Worker(ctx, js, pipeline.WorkerConfig{Bus: c, Index: i, Of: n, Analyze: analyze.DefaultOptions(), Drain: true,
				Open:  func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, dsn) },
				State: state})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// compareStore requires the events stored at dsn to be ref's.
func compareStore(t *testing.T, dsn string, ref reference) []string {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := eventDump(t, st)
	diffDumps(t, "workers", got, "ingest", ref.dump)
	return got
}

// TestBackfillWorkersEqualIngest: daily files published by a backfill and
// stored by two workers (partitions and second-stage shards split between
// them) give the events lookout ingest stores from the same files in one
// process, byte for byte (JSON of every stored event, sorted), in
// PostgreSQL: events that span files, pairwise ones and sanctions matches
// included, and events still open at the end stored provisional (open) as
// ingest stores them.
func TestBackfillWorkersEqualIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	dir := t.TempDir()
	files := backfillFiles(t, dir, 6, 60)
	listed := addListedVessel(t, files[len(files)-1])
	ref := ingestReference(t, files)
	if !slices.ContainsFunc(ref.dump, func(d string) bool { return strings.Contains(d, `"sanctions_match","mmsi":`+fmt.Sprint(listed)) }) {
		t.Errorf("ingest found no sanctions match for %d: the comparison does not test screening", listed)
	}

	js := testJS(t)
	c := backfillStream(t, js, "workers")
	slices.Reverse(files)
	if _, err := pipeline.Backfill(context.Background(), js, pipeline.BackfillConfig{Bus: c}, files); err != nil {
		t.Fatal(err)
	}
	dsn := storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_archive_workers")
	workersSchema(t, dsn)
	runWorkers(t, context.Background(), js, c, 2, dsn)
	compareStore(t, dsn, ref)
}

// addListedVessel appends to a day's NMEA file a vessel broadcasting the
// IMO number and name of the first vessel of the built-in sanctions lists
// that has an IMO number, with two hours of positions, and returns its
// MMSI.
func addListedVessel(t *testing.T, path string) uint32 {
	t.Helper()
	day, err := time.Parse("2006-01-02", strings.TrimSuffix(filepath.Base(path), ".nmea"))
	if err != nil {
		t.Fatal(err)
	}
	var e *sanctions.Entry
	for _, l := range sanctions.Builtin() {
		for i := range l.Entries {
			if len(l.Entries[i].IMOs) > 0 && e == nil {
				e = &l.Entries[i]
			}
		}
	}
	if e == nil {
		t.Fatal("no listed vessel with an IMO number")
	}
	const mmsi = 273999001
	t0 := day.Add(6 * time.Hour)
	var sb strings.Builder
	sb.WriteString(type5(t0, "STN1", mmsi, e.IMOs[0], "UBZZ", e.Name, 80, 7.5, "NAKHODKA"))
	for i := range 12 {
		sb.WriteString(type1(t0.Add(time.Duration(i)*10*time.Minute), "STN1", mmsi, 42.5+float64(i)*0.01, 133.5, 9.5, 10))
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(sb.String()); err != nil {
		t.Fatal(err)
	}
	return mmsi
}

func diffDumps(t *testing.T, gotName string, got []string, wantName string, want []string) {
	t.Helper()
	types := func(ds []string) map[string]int {
		m := map[string]int{}
		for _, d := range ds {
			var e struct{ Type string }
			json.Unmarshal([]byte(d), &e)
			m[e.Type]++
		}
		return m
	}
	t.Logf("%s: %d events %v; %s: %d events %v", gotName, len(got), types(got), wantName, len(want), types(want))
	g, w := map[string]bool{}, map[string]bool{}
	for _, d := range got {
		g[d] = true
	}
	for _, d := range want {
		w[d] = true
	}
	n := 0
	for _, d := range want {
		if !g[d] && n < 10 {
			t.Errorf("only %s: %s", wantName, d)
			n++
		}
	}
	for _, d := range got {
		if !w[d] && n < 20 {
			t.Errorf("only %s: %s", gotName, d)
			n++
		}
	}
	if n == 0 && len(got) != len(want) {
		t.Errorf("%d events, %s %d (duplicates?)", len(got), wantName, len(want))
	}
}
