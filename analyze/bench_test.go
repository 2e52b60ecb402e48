package analyze

import (
	"os"
	"testing"

	"github.com/lookout-osint/lookout/event"
)

// BenchmarkAnalyzeFile runs the whole chain over $LOOKOUT_BENCH_FILE (for
// example a simulator's ais.nmea.gz); scripts/bench-analyze sets it.
func BenchmarkAnalyzeFile(b *testing.B) {
	name := os.Getenv("LOOKOUT_BENCH_FILE")
	if name == "" {
		b.Skip("LOOKOUT_BENCH_FILE not set")
	}
	for i := 0; i < b.N; i++ {
		a := New(DefaultOptions(), func(*event.Event) {})
		r, _, closeFn, err := Open(name, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Read(r); err != nil {
			b.Fatal(err)
		}
		closeFn()
		t := a.Finish()
		b.ReportMetric(float64(t.Sentences)/b.Elapsed().Seconds()*float64(i+1), "sentences/s")
	}
}
