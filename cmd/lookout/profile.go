package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// LOOKOUT_CPUPROFILE=FILE and LOOKOUT_MEMPROFILE=FILE write pprof profiles
// of any subcommand (go tool pprof -top lookout FILE); the benchmark
// scripts use them to show where time and memory go at real rates.
func startProfiles() (stop func()) {
	var stops []func()
	if p := os.Getenv("LOOKOUT_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "lookout: cpu profile:", err)
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if p := os.Getenv("LOOKOUT_MEMPROFILE"); p != "" {
		runtime.MemProfileRate = 64 << 10
		stops = append(stops, func() {
			f, err := os.Create(p)
			if err == nil {
				// The in-use heap at exit shows what was still held;
				// alloc_space shows what the run churned through.
				err = pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "lookout: heap profile:", err)
			}
		})
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
