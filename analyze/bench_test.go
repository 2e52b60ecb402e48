package analyze

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/lookout-osint/lookout/event"
)

// benchFile is $LOOKOUT_BENCH_FILE (for example a simulator's
// ais.nmea.gz; scripts/bench-analyze sets it); the benchmark is skipped
// without it.
func benchFile(b *testing.B) string {
	name := os.Getenv("LOOKOUT_BENCH_FILE")
	if name == "" {
		b.Skip("LOOKOUT_BENCH_FILE not set")
	}
	return name
}

// readFile runs the named input through a.
func readFile(tb testing.TB, a *Analyzer, name string) {
	r, _, closeFn, err := Open(name, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer closeFn()
	if err := a.Read(r); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkAnalyzeFile runs the whole chain over $LOOKOUT_BENCH_FILE.
func BenchmarkAnalyzeFile(b *testing.B) {
	name := benchFile(b)
	for i := 0; i < b.N; i++ {
		a := New(DefaultOptions(), func(*event.Event) {})
		readFile(b, a, name)
		t := a.Finish()
		b.ReportMetric(float64(t.Sentences)/b.Elapsed().Seconds()*float64(i+1), "sentences/s")
	}
}

// BenchmarkHeapPerVessel measures what the pipeline holds in memory per
// vessel (BenchmarkStatePerVessel measures the checkpoint a daily ingest
// saves) after analysing $LOOKOUT_BENCH_FILE: the heap in use once the input is
// read (before Finish flushes it), less the heap once the analyzer is
// built (catalogue, ports, land), per MMSI the tracker knows (B/vessel);
// all of them are live on a day's file. state-B/vessel leaves the reorder
// window out, window-B/vessel is the window (see TestStatePerLiveVessel). With $LOOKOUT_HEAP_PROFILE set, the heap
// profile at that moment, every allocation sampled, is written there:
// go tool pprof -sample_index=inuse_space -top shows the bytes by the
// stage that allocated them.
func BenchmarkHeapPerVessel(b *testing.B) {
	name := benchFile(b)
	prof := os.Getenv("LOOKOUT_HEAP_PROFILE")
	// The land index builds its shore distance lists for the cells the
	// ships sail through on first use, shared by every Analyzer of the
	// process (15 MB on the demo day, 88 kB a vessel of its 300): a
	// first run over the file builds them, so that they are not counted.
	warm := New(DefaultOptions(), func(*event.Event) {})
	readFile(b, warm, name)
	warm.Finish()
	b.ResetTimer()
	for range b.N {
		a := New(DefaultOptions(), func(*event.Event) {})
		base := heapInUse()
		if prof != "" {
			runtime.MemProfileRate = 1
		}
		readFile(b, a, name)
		held := heapInUse() - base
		if prof != "" {
			f, err := os.Create(prof)
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
				b.Fatal(err)
			}
			f.Close()
			runtime.MemProfileRate = 512 << 10
		}
		n := a.tracker.Vessels()
		q := a.tracker.QueueBytes()
		b.ReportMetric(float64(held)/float64(n), "B/vessel")
		b.ReportMetric(float64(int(held)-q)/float64(n), "state-B/vessel")
		b.ReportMetric(float64(q)/float64(n), "window-B/vessel")
		b.ReportMetric(float64(n), "vessels")
		a.Finish()
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
