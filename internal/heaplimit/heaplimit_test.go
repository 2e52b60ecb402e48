package heaplimit

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for v, want := range map[string]int64{"": DefaultBudget, "off": 0, "256MiB": 256 << 20,
		"1GB": 1e9, "1.5 GiB": 3 << 29, "1048576": 1 << 20} {
		if got, err := Parse(v); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", v, got, err, want)
		}
	}
	for _, v := range []string{"lots", "12XB", "-5MB", "MB"} {
		if _, err := Parse(v); err == nil {
			t.Errorf("Parse(%q): no error", v)
		}
	}
}

// The limit is the budget while the live heap is small, and rises with a
// live heap that outgrows it, after the next collection: a feed of more
// vessels is collected as GOGC would, not thrashed.
func TestLimitFollowsLiveHeap(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv(Env, "8MiB")
	defer stop(debug.SetMemoryLimit(-1))
	runtime.GC()
	budget, err := Start()
	if err != nil || budget != 8<<20 {
		t.Fatalf("Start() = %d, %v", budget, err)
	}
	if got := debug.SetMemoryLimit(-1); got != 8<<20 {
		t.Fatalf("limit %d, want the budget", got)
	}
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	want := int64(64<<20) * 3 / 2
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) < want {
		if time.Now().After(deadline) {
			t.Fatalf("limit %d with 64 MiB live, want at least %d", debug.SetMemoryLimit(-1), want)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(live)
	live = nil
	deadline = time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) > 32<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("limit %d once the heap is freed, want it back near the budget", debug.SetMemoryLimit(-1))
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestGOMEMLIMITRules(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	if b, err := Start(); b != 0 || err != nil {
		t.Errorf("Start() with GOMEMLIMIT set = %d, %v; want 0, nil", b, err)
	}
}

func TestLimitFor(t *testing.T) {
	if got := limitFor(192<<20, 100<<20); got != 192<<20 {
		t.Errorf("limit %d for a live heap under the budget", got)
	}
	if got := limitFor(192<<20, 200<<20); got != 300<<20 {
		t.Errorf("limit %d for 200 MiB live, want 300 MiB", got)
	}
}
