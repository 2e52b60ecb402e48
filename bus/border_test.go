package bus

import (
	"math"
	"reflect"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
)

// TestEncounterOnCellBorder: two vessels of different partitions lie
// together for hours astride the border of two cells owned by different
// shards (both shards see both); the encounter is reported once, as one
// process reports it.
func TestEncounterOnCellBorder(t *testing.T) {
	js, c := testStream(t, 4)
	cw := c.withDefaults()
	// Vessels of different partitions, and a border between cells of
	// different shards.
	a, b := uint32(273100001), uint32(273100002)
	for cw.Partition(a) == cw.Partition(b) {
		b++
	}
	lon := 134.5
	for cw.cellShard(cellOf(40.1, lon)) == cw.cellShard(cellOf(39.9, lon)) {
		lon++
	}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var ms []ais.Message
	for i := 0; i < 6*30; i++ { // 6 h at 2-min reports
		at := t0.Add(time.Duration(i) * 2 * time.Minute)
		drift := float64(i) * 0.00002
		for k, m := range []uint32{a, b} {
			lat := 40.0 + (float64(k)-0.5)*0.002 + drift // 220 m apart, astride 40°N
			msg := ais.Message{Type: 1, MMSI: m, RxTime: at.Add(time.Duration(k) * time.Second), Station: "rx1", Channel: 'A'}
			msg.PosA = ais.PositionReportA{Turn: -128, Speed: 0.3, Lon: lon + 0.0001*math.Sin(float64(i)), Lat: lat, Course: 0, Heading: 0}
			ms = append(ms, msg)
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].RxTime.Before(ms[j].RxTime) })

	local := newSink()
	an := analyze.New(testOptions(), func(e *event.Event) { local.emit(0, e) })
	if err := an.Read(&sliceReader{ms: ms}); err != nil {
		t.Fatal(err)
	}
	an.Finish()
	want := 0
	for _, e := range local.events {
		if e.Type == event.Encounter {
			want++
		}
	}
	if want != 1 {
		t.Fatalf("one process finds %d encounters, want 1: %v", want, local.events)
	}

	publish(t, js, c, "border", ms)
	got := newSink()
	var reported atomic.Int64 // the workers run at once
	emit := func(p int, e *event.Event) {
		if e.Type == event.Encounter {
			reported.Add(1)
		}
		got.emit(p, e)
	}
	var ws []*Worker
	for i := range 2 {
		ws = append(ws, &Worker{JS: js, Config: c, Index: i, Of: 2, Options: testOptions(), Emit: emit, Drain: true})
	}
	runAll(t.Context(), t, ws...)
	if reported.Load() != 1 {
		t.Errorf("the encounter was reported %d times", reported.Load())
	}
	for id, e := range local.events {
		if g, ok := got.events[id]; !ok || !reflect.DeepEqual(g, e) {
			t.Errorf("%s %d/%d: workers %+v, one process %+v", e.Type, e.MMSI, e.OtherMMSI, g, e)
		}
	}
}
