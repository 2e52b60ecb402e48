package pipeline_test

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/pipeline"
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

func testJS(t *testing.T) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(natsURL(t))
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

// backfillFiles cuts three days of a scenario into daily files, the
// second one gzipped.
func backfillFiles(t *testing.T, dir string) []string {
	files := dailyFiles(t, dir, 5, 3, 20)
	if len(files) != 3 {
		t.Fatalf("%d daily files, want 3", len(files))
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
	files := backfillFiles(t, dir)
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
