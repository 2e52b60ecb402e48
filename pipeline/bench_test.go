package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// discardStore takes batches without storing their rows, to time what lies
// in front of the store: reading, decoding and batching.
type discardStore struct{ store.Store }

func (discardStore) Write(_ context.Context, b *store.Batch) (store.Written, error) {
	return store.Written{Positions: int64(len(b.Positions)), Identities: int64(len(b.Identities))}, nil
}

// BenchmarkIngest ingests an NMEA file of ~1.2M position reports (no
// analysis pipeline) into a store that discards the rows and into DuckDB,
// so the two rates say whether the reader or the writer limits ingest. The
// machine may be shared: compare positions per CPU-second, taken together.
// $LOOKOUT_BENCH_FILE, when set, is ingested instead (a real-rate day: the
// synthetic feed's tracks compress unlike real ones).
//
//	go test -run - -bench Ingest -benchtime 3x ./pipeline/
func BenchmarkIngest(b *testing.B) {
	path := os.Getenv("LOOKOUT_BENCH_FILE")
	want := int64(-1) // unknown: the discarding run's count
	if path == "" {
		path = filepath.Join(b.TempDir(), "feed.nmea")
		want = int64(writeFeed(b, path, 2000, 500).positions)
	}
	for _, tc := range []struct {
		name string
		open func(dir string) (store.Store, error)
	}{
		{"discard", func(dir string) (store.Store, error) {
			s, err := duckdb.Open(context.Background(), ":memory:")
			return discardStore{s}, err
		}},
		{"duckdb", func(dir string) (store.Store, error) {
			return duckdb.Open(context.Background(), filepath.Join(dir, "bench.duckdb"))
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				st, err := tc.open(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				c := cpuTime()
				b.StartTimer()
				res, err := pipeline.New(st, pipeline.Options{BatchSize: pipeline.DefaultBatchSize}).File(context.Background(), path)
				b.StopTimer()
				cpu += cpuTime() - c
				if err != nil {
					b.Fatal(err)
				}
				if want < 0 {
					want = res.Positions
				}
				if res.Positions != want {
					b.Fatalf("stored %d positions, want %d", res.Positions, want)
				}
				if err := st.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			n := float64(want) * float64(b.N)
			b.ReportMetric(n/b.Elapsed().Seconds(), "positions/s")
			b.ReportMetric(n/cpu.Seconds(), "positions/cpu-s")
		})
	}
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
