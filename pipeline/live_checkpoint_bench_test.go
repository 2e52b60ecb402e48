package pipeline_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCheckpointEvery is one live TCP run of a simulated feed into
// DuckDB with the detectors' state checkpointed at several intervals (1h:
// never during the run, only at the stop). It reports the process's CPU
// time per run (user+sys, getrusage) besides wall time: a checkpoint ends
// the analyzer's Read, serialises the vessels that changed and writes
// them. Run: go test -run '^$' -bench CheckpointEvery -benchtime 3x ./pipeline
func BenchmarkCheckpointEvery(b *testing.B) {
	lines := simLines(b, 3, 200)
	for _, every := range []time.Duration{time.Hour, time.Second, 100 * time.Millisecond} {
		b.Run(fmt.Sprint(every), func(b *testing.B) {
			var cpu time.Duration
			for range b.N {
				b.StopTimer()
				st := openTempDuck(b, "bench")
				before := rusage()
				b.StartTimer()
				runFeed(b, st, lines, false, every)
				b.StopTimer()
				cpu += rusage() - before
				st.Close()
				b.StartTimer()
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(len(lines)), "lines")
		})
	}
}

func rusage() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
