package bus

import (
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
)

// A line stamped 2100 (a station's bad clock) must not become a
// partition's clock: it would move the watermark, and every slot of the
// second stage, 76 years on. The partition's tracker quarantines the line.
func TestPartitionClockIgnoresImpossibleTimes(t *testing.T) {
	opt := analyze.DefaultOptions()
	opt.NoLand = true
	pl := newPipeline(opt, &stageOut{}, func(*event.Event) {})
	pl.add(&ais.Message{Type: 1, MMSI: 273000001, RxTime: time.Unix(4102444800, 0)})
	if pl.maxIn != 0 {
		t.Fatalf("clock moved to %v by a line stamped 2100", time.Unix(0, pl.maxIn))
	}
	good := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	pl.add(&ais.Message{Type: 1, MMSI: 273000001, RxTime: good})
	if pl.maxIn != good.UnixNano() {
		t.Fatalf("clock %v, want %v", time.Unix(0, pl.maxIn), good)
	}
	if q := pl.tr.Stats().Quarantined; len(q) != 1 || q["time_in_future"] != 1 {
		t.Fatalf("quarantined %v", q)
	}
}

// Nor the publisher's clock, which every partition is told.
func TestPublisherClockIgnoresImpossibleTimes(t *testing.T) {
	p := NewPublisher(nil, Config{}, "test", 0)
	if err := p.Add(&ais.Message{Type: 1, MMSI: 273000001, RxTime: time.Unix(4102444800, 0)}); err != nil {
		t.Fatal(err)
	}
	if p.clock != 0 {
		t.Fatalf("publisher clock moved to %v by a line stamped 2100", time.Unix(0, p.clock))
	}
}
