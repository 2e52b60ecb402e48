package analyze

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/lookout-osint/lookout/event"
)

// BenchmarkStatePerVessel measures what the pipeline holds per vessel
// after analysing $LOOKOUT_BENCH_FILE: the heap in use once the input is
// read (before Finish flushes it), less the heap once the analyzer is
// built (catalogue, ports, land), per MMSI the tracker knows; all of them
// are live on a day's file. With $LOOKOUT_STATE_PROFILE set, the heap
// profile at that moment, every allocation sampled, is written there:
// go tool pprof -sample_index=inuse_space -top shows the bytes by the
// stage that allocated them.
func BenchmarkStatePerVessel(b *testing.B) {
	name := os.Getenv("LOOKOUT_BENCH_FILE")
	if name == "" {
		b.Skip("LOOKOUT_BENCH_FILE not set")
	}
	prof := os.Getenv("LOOKOUT_STATE_PROFILE")
	for range b.N {
		opt := DefaultOptions()
		a := New(opt, func(*event.Event) {})
		base := heapInUse()
		if prof != "" {
			runtime.MemProfileRate = 1
		}
		r, _, closeFn, err := Open(name, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Read(r); err != nil {
			b.Fatal(err)
		}
		closeFn()
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
		b.ReportMetric(float64(held)/float64(n), "B/vessel")
		b.ReportMetric(float64(n), "vessels")
		runtime.KeepAlive(a)
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
