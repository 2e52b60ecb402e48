// Package memtest measures what a piece of code allocates, for tests that
// bound memory on hostile input (a bound on bytes is steady where one on
// time is not).
package memtest

import (
	"runtime"
	"sync"
	"time"
)

// Allocated runs f and returns the bytes allocated meanwhile (by every
// goroutine).
func Allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// PeakHeap runs f while sampling the heap in use every 5 ms and returns
// the most seen.
func PeakHeap(f func()) uint64 {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak
}

// Retained runs f and returns how much more heap is live afterwards, with
// what f returns kept alive (garbage collected before and after, so the
// figure is steady where a peak is not; twice, as sync.Pools keep what
// they hold through one collection).
func Retained(f func() any) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&a)
	x := f()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&b)
	runtime.KeepAlive(x)
	if b.HeapAlloc < a.HeapAlloc {
		return 0
	}
	return b.HeapAlloc - a.HeapAlloc
}
