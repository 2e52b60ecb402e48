package bus

import (
	"context"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
)

// TestIdlePartitionDoesNotStall: on a feed that does not end (no drain),
// one partition has no traffic at all, and the second stage, which waits
// for every partition, still grades gaps and finds encounters from the
// others: the publisher's clock reaches the idle partition, whose
// watermark moves on. The events equal one process's on the same messages.
func TestIdlePartitionDoesNotStall(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	js, c := testStream(t, 4)
	const idle = 3
	var ms []ais.Message
	for _, m := range simMessages(t, 11, 5) {
		if c.Partition(m.MMSI) != idle {
			ms = append(ms, m)
		}
	}
	opt := analyze.DefaultOptions()
	local := oneProcess(t, opt, ms)
	// The second stage's events that a feed going on would have given by
	// its last message: a running worker flushes nothing at the end.
	last := ms[len(ms)-1].RxTime
	var want []string
	for id, e := range local.events {
		if (e.Type == event.Gap || e.Type == event.Encounter) && e.End.Before(last.Add(-12*time.Hour)) {
			want = append(want, id)
		}
	}
	sort.Strings(want)
	if len(want) == 0 {
		t.Fatal("the scenario has no gap or encounter to wait for")
	}
	t.Logf("waiting for %d gaps and encounters", len(want))

	publish(t, js, c, "idle", ms)
	got := newSink()
	ctx, cancel := context.WithCancel(t.Context())
	w := &Worker{JS: js, Config: c, Index: 0, Of: 1, Options: opt, Emit: got.emit}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	missing := func() []string {
		got.mu.Lock()
		defer got.mu.Unlock()
		var miss []string
		for _, id := range want {
			if _, ok := got.events[id]; !ok {
				miss = append(miss, id)
			}
		}
		return miss
	}
	// Not a timing assertion: without the idle partition's watermark the
	// events never come, and this bounds the wait for that failure.
	deadline := time.After(2 * time.Minute)
	for len(missing()) > 0 {
		select {
		case <-deadline:
			cancel()
			<-done
			t.Fatalf("after 2 minutes, %d of %d gaps and encounters still missing (the idle partition holds the second stage back)", len(missing()), len(want))
		case err := <-done:
			t.Fatalf("worker stopped: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	<-done
	got.mu.Lock()
	defer got.mu.Unlock()
	for _, id := range want {
		if l, b := local.events[id], got.events[id]; !reflect.DeepEqual(l, b) {
			t.Errorf("%s %d/%d %s differs:\n worker %+v\n local  %+v", l.Type, l.MMSI, l.OtherMMSI, l.Start, b, l)
		}
	}
}
