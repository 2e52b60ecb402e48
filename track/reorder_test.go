package track

import (
	"math"
	"testing"
	"time"
	"unsafe"
)

// The reorder window keeps an input in 40 bytes where it can, and gives
// every input back as it came, whatever values it carries: a CSV's speeds
// in hundredths, a NaN of another payload, a receive time in another
// location, a status beyond AIS's, a late input whose queue time is not
// its own.
func TestReorderGivesInputsBack(t *testing.T) {
	if n := unsafe.Sizeof(qitem{}); n > 40 {
		t.Errorf("a queued input takes %d bytes, want at most 40", n)
	}
	t0 := time.Unix(1_700_000_000, 0).UTC()
	odd := math.Float64frombits(math.Float64bits(math.NaN()) ^ 1)
	fixes := []Fix{
		{MMSI: 1, HasPos: true, Class: 'A', Heading: 270, Status: 5, Time: t0, Lat: 55.5, Lon: 12.25, SOG: 12.3, COG: 359.9},
		{MMSI: 2, Class: 'B', Heading: -1, Status: 15, Time: t0, Lat: 91, Lon: 181, SOG: math.NaN(), COG: math.NaN()},
		{MMSI: 3, HasPos: true, Time: t0.Add(time.Millisecond), Lat: 55.123456, Lon: 12.654321, SOG: 12.34, COG: 0.05},
		{MMSI: 4, HasPos: true, Time: t0, SOG: odd, COG: -1},
		{MMSI: 5, HasPos: true, Time: t0.In(time.FixedZone("CET", 3600)), SOG: 3, COG: 4},
		{MMSI: 6, HasPos: true, Time: t0, Status: 200, SOG: 6553.5, COG: 1e9},
		{MMSI: 7, HasPos: true, Time: t0, SOG: math.Copysign(0, -1), COG: 0},
	}
	var q reorder
	q.setup(int64(10 * time.Minute))
	var want []item
	for i, f := range fixes {
		it := item{ns: f.Time.UnixNano(), fix: f}
		if i == 1 {
			it.ns -= int64(time.Second) // late: queued at the time processed last
		}
		want = append(want, it)
		q.push(&it)
	}
	st := &Static{MMSI: 8, Time: t0, Name: "X"}
	want = append(want, item{ns: t0.UnixNano(), static: st, fix: Fix{MMSI: 8}})
	q.push(&want[len(want)-1])
	if len(q.spilled) != 6 || len(q.statics) != 1 {
		t.Errorf("%d fixes and %d statics in the side tables, want 6 and 1", len(q.spilled), len(q.statics))
	}
	// Out in time order, those of one time in arrival order.
	order := []int{1, 0, 3, 4, 5, 6, 7, 2}
	for _, i := range order {
		var got item
		q.pop(&got)
		w := want[i]
		if got.ns != w.ns || got.static != w.static || !sameFix(got.fix, w.fix) {
			t.Errorf("input %d came back as %+v, want %+v", i, got, w)
		}
	}
	if q.n != 0 || q.statics != nil || q.spilled != nil {
		t.Errorf("emptied queue holds %d inputs, side tables %d, %d", q.n, len(q.statics), len(q.spilled))
	}
}

func sameFix(a, b Fix) bool {
	bits := math.Float64bits
	return a.MMSI == b.MMSI && a.HasPos == b.HasPos && a.Class == b.Class && a.Heading == b.Heading &&
		a.Status == b.Status && a.Time == b.Time && bits(a.Lat) == bits(b.Lat) && bits(a.Lon) == bits(b.Lon) &&
		bits(a.SOG) == bits(b.SOG) && bits(a.COG) == bits(b.COG)
}
