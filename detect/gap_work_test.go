package detect

import (
	"testing"
	"time"
)

// A gap's grading must cost what the reception history holds, not what the
// gap spans: one bad clock turned a silence into 76 years and heardFraction
// walked every hour of it for every cell around (53 s for one file).
func TestHeardFractionWorkBounded(t *testing.T) {
	r := newReception()
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	v, w := &vessel{moveState: &moveState{}}, &vessel{moveState: &moveState{}}
	// Two other vessels heard near (40, 130) every hour for three days.
	for h := range 72 {
		at := start.Add(time.Duration(h) * time.Hour)
		r.heard(40.1, 130.1, at, 2, v)
		r.heard(40.2, 130.2, at, 3, w)
	}
	short := r.heardFraction(40, 130, 100, start, start.Add(48*time.Hour), 1)
	if short < 0.99 {
		t.Fatalf("others heard in %.2f of a 48 h gap's hours, want all", short)
	}
	r.looked = 0
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	long := r.heardFraction(40, 130, 100, start, far, 1)
	if want := 71.0 / float64(far.Sub(start).Hours()-1); long < want*0.99 || long > want*1.01 {
		t.Errorf("76-year gap: fraction %g, want %g (the 70 recorded hours inside it)", long, want)
	}
	// 25 cells around the point, each holding 72 hours: the bound is what
	// is stored, whatever the gap.
	if r.looked > 25*72*2 {
		t.Errorf("a 76-year gap looked at %d cell-hours; the history holds %d", r.looked, 25*72*2)
	}
	// The long path must agree with the hour-by-hour one where both apply.
	r.looked = 0
	span := rxScanHours + 10
	a := r.heardFraction(40, 130, 100, start.Add(-time.Duration(span-60)*time.Hour), start.Add(61*time.Hour), 1)
	b := 61 / float64(span) // hours 0..60 of the 72 lie inside
	if a < b*0.99 || a > b*1.01 {
		t.Errorf("gap past rxScanHours: %g, want %g", a, b)
	}
}
