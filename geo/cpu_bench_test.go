package geo

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration { return rusage(syscall.RUSAGE_THREAD) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestCPUThroughput reports queries per second of CPU time (not wall time,
// which on a shared machine says more about the neighbours). Run with
// LOOKOUT_GEO_CPUBENCH=1.
func TestCPUThroughput(t *testing.T) {
	if os.Getenv("LOOKOUT_GEO_CPUBENCH") == "" {
		t.Skip("set LOOKOUT_GEO_CPUBENCH=1")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0, w0 := rusage(syscall.RUSAGE_SELF), time.Now()
	polys, _ := decodeLand(land10m)
	l := NewLand(polys)
	t.Logf("decode + OnLand index: wall %v, process CPU %v", time.Since(w0), rusage(syscall.RUSAGE_SELF)-c0)
	c0, w0 = rusage(syscall.RUSAGE_SELF), time.Now()
	l.PrepareShore(30, 50)
	t.Logf("PrepareShore(30, 50): wall %v, process CPU %v", time.Since(w0), rusage(syscall.RUSAGE_SELF)-c0)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("heap in use after build: %d MB", ms.HeapAlloc>>20)
	for _, bc := range benchRegions {
		pts := bc.points(1 << 20)
		if bc.name == "Global" {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			t.Logf("heap in use with the Sea of Japan lists: %d MB", ms.HeapAlloc>>20)
		}
		const n = 4 << 20
		c0 := cpuTime()
		land := 0
		for i := range n {
			p := pts[i&(len(pts)-1)]
			if l.OnLand(p[0], p[1]) {
				land++
			}
		}
		d := cpuTime() - c0
		t.Logf("%s OnLand: %.2fM queries/s CPU (%.0f%% land)", bc.name, n/d.Seconds()/1e6, 100*float64(land)/n)
		// The first distance queries build the lists of the rows they touch.
		c0, w0 := rusage(syscall.RUSAGE_SELF), time.Now()
		for _, p := range pts {
			l.DistanceToShoreKm(p[0], p[1])
		}
		t.Logf("%s: first %d distance queries (building the lists they need): wall %v, process CPU %v", bc.name, len(pts), time.Since(w0), rusage(syscall.RUSAGE_SELF)-c0)
		c0 = cpuTime()
		s := 0.0
		exact := 0
		for i := range n {
			p := pts[i&(len(pts)-1)]
			v := l.DistanceToShoreKm(p[0], p[1])
			s += v
			if v <= ExactShoreKm {
				exact++
			}
		}
		d = cpuTime() - c0
		t.Logf("%s DistanceToShoreKm: %.2fM queries/s CPU (%.0f%% within %d km)", bc.name, n/d.Seconds()/1e6, 100*float64(exact)/n, ExactShoreKm)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("heap in use with all lists built: %d MB", ms.HeapAlloc>>20)
}
