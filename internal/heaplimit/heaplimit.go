// Package heaplimit keeps the Go heap of a long run within a budget while
// the live heap is below it (issue 17: peak RSS flat whatever the input's
// size).
//
// With only GOGC=100 the garbage collector lets the heap grow to twice
// what was live at its last cycle, so peak RSS follows the highest live
// heap any cycle happened to see, plus as much again: at real AIS rates
// the live heap is ~120 MB (the land index, the catalogue, 3,000 vessels'
// state) and a national feed day cut at 1M lines peaked at 183 MiB, at
// 30M lines at 280 MiB, though the state had stopped growing. A soft
// memory limit (runtime/debug.SetMemoryLimit) makes the collector run
// before the heap passes the budget instead; it is raised to one and a
// half times the live heap whenever that is more, so that a feed of more
// vessels than the budget holds is collected as GOGC would (memory bounded
// by its live state) rather than on every few megabytes.
package heaplimit

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"

	"github.com/lookout-osint/lookout/internal/bytesize"
)

// DefaultBudget is the Go heap's budget unless LOOKOUT_HEAP_LIMIT says
// otherwise: the live heap of analyze on a national feed day (3,000
// vessels, ~120 MB) with room for its batches in flight. DuckDB's memory
// (store/SCHEMA.md, "DuckDB memory") is apart from it.
const DefaultBudget = 192 << 20

// Env names the variable that sets the budget (a size: 256MiB, 1GB, or
// bytes; "off" leaves GOGC alone). GOMEMLIMIT, the Go runtime's own, takes
// precedence: when it is set this package does nothing.
const Env = "LOOKOUT_HEAP_LIMIT"

var state struct {
	sync.Mutex
	budget int64
	limit  int64
	sample []metrics.Sample
}

// Start sets the soft memory limit from LOOKOUT_HEAP_LIMIT (DefaultBudget
// when unset) and keeps it at least one and a half times the live heap
// after every garbage collection. It returns the budget (0: not set,
// because GOMEMLIMIT is or the variable says off) and an error for a
// variable it cannot read (the default is then used).
func Start() (int64, error) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0, nil
	}
	budget, err := Parse(os.Getenv(Env))
	if err != nil {
		budget = DefaultBudget
	}
	if budget == 0 {
		return 0, err
	}
	state.Lock()
	first := state.sample == nil
	state.budget, state.limit = budget, 0
	state.sample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	state.Unlock()
	adjust()
	if first {
		arm()
	}
	return budget, err
}

// Parse reads a budget: "" is DefaultBudget, "off" is 0, else a number of
// bytes with an optional unit (B, KB, MB, GB, KiB, MiB, GiB).
func Parse(v string) (int64, error) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "":
		return DefaultBudget, nil
	case "off", "0":
		return 0, nil
	}
	n, ok := bytesize.Parse(v)
	if !ok {
		return 0, fmt.Errorf("%s=%q: want a size such as 256MiB or 1GB, or off", Env, v)
	}
	return n, nil
}

// limitFor is the soft limit for a live heap: the budget, or one and a
// half times the live heap when that is more.
func limitFor(budget, live int64) int64 { return max(budget, live+live/2) }

// adjust sets the limit from the live heap the last collection marked.
func adjust() {
	state.Lock()
	defer state.Unlock()
	if state.budget == 0 {
		return
	}
	metrics.Read(state.sample)
	var live int64
	if s := state.sample[0]; s.Value.Kind() == metrics.KindUint64 {
		live = int64(s.Value.Uint64())
	}
	if l := limitFor(state.budget, live); l != state.limit {
		state.limit = l
		debug.SetMemoryLimit(l)
	}
}

// stop leaves the limit to the runtime again (tests).
func stop(limit int64) {
	state.Lock()
	defer state.Unlock()
	state.budget, state.limit = 0, 0
	debug.SetMemoryLimit(limit)
}

// sentinel is garbage as soon as it is made: its finalizer runs after the
// next collection, adjusts the limit and makes the next one.
type sentinel struct{ _ [32]byte }

func arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		adjust()
		arm()
	})
}
