package bus

import (
	"slices"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/track"
)

// TestFixUnitRunCarriesOnFromEnding: a partition's run that ended (its
// tracker's flush sent as its last fixes), followed by a later run that
// resumes from an earlier checkpoint and reads further (a backfill
// drained, given more files, drained again), as the interference unit
// reads them from its subject. The later run sends, under the numbers of
// the ending's fixes, the fixes its tracker releases as the data goes on:
// the unit must take those that differ from the ending's (they were
// skipped as sent already) and those equal to them once (the detector
// took the ending's), and its verdicts on them must not be split as the
// ending's (the partition drops those: it waited for its own end).
func TestFixUnitRunCarriesOnFromEnding(t *testing.T) {
	opt := analyze.DefaultOptions()
	det, _ := analyze.NewDetector(opt, nil)
	u := newFixUnit(1, det)
	c := Config{Partitions: 1}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	fix := func(o *stageOut, i int, lat float64) {
		sendFix(o, 273100001, t0.Add(time.Duration(i)*time.Minute), lat)
	}
	send := func(o *stageOut, wm time.Time) { u.applyFrom(o, wm) }
	lat := func(i int) float64 { return 55 + float64(i)*0.001 }

	// The first run: fixes 0-9 as read, 10-11 its tracker's flush.
	one := newStageOut(c, 0, 1, opt.Detect, nil)
	for i := range 10 {
		fix(one, i, lat(i))
	}
	send(one, t0.Add(11*time.Minute))
	one.endFixes()
	fix(one, 10, lat(10))
	fix(one, 11, lat(11))
	one.sealFixes()
	send(one, t0.Add(11*time.Minute))
	v, ok := u.take(0)
	if !ok || v.through != 12 || v.finalFrom != 11 {
		t.Fatalf("the first run's verdicts: %+v, want all 12 judged, its last from 10", v)
	}

	// The second run resumes from its checkpoint after fix 5: 5-9 again,
	// then 10 as the first run's flush sent it, 11 elsewhere (the data
	// went on), and 12-19.
	two := newStageOut(c, 0, 2, opt.Detect, nil)
	two.fixOrd = 5
	for i := 5; i < 20; i++ {
		l := lat(i)
		if i == 11 {
			l += 0.002
		}
		fix(two, i, l)
	}
	send(two, t0.Add(30*time.Minute))
	v, ok = u.take(0)
	if !ok {
		t.Fatal("no verdicts on the second run's fixes")
	}
	if common, _ := v.split(); common.through != 20 {
		t.Errorf("the second run's verdicts %+v judge fixes below %d for it, want 20", v, common.through)
	}
	if u.diverged != 1 {
		t.Errorf("%d fixes counted as differing from the first run's end, want 1 (fix 11)", u.diverged)
	}
	if u.lost != 0 || u.badFrames() != 0 {
		t.Errorf("%d fixes lost, %d bad frames", u.lost, u.badFrames())
	}
	if u.ending {
		t.Error("the unit still reports as at the end of the data")
	}
}

// TestFixUnitProgress: what lookout backfill status shows of the
// interference unit: fixes wait for the slowest partition's watermark,
// held meanwhile by the partition that sent them.
func TestFixUnitProgress(t *testing.T) {
	opt := analyze.DefaultOptions()
	det, _ := analyze.NewDetector(opt, nil)
	u := newFixUnit(2, det)
	c := Config{Partitions: 2}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	send := func(o *stageOut, wm time.Time) { u.applyFrom(o, wm) }
	a, b := newStageOut(c, 0, 1, opt.Detect, nil), newStageOut(c, 1, 1, opt.Detect, nil)
	for i := range 5 {
		sendFix(a, 273100001, t0.Add(time.Duration(i)*time.Minute), 55)
	}
	send(a, t0.Add(10*time.Minute))
	send(b, t0)
	pr := u.progress()
	if pr.Judged != 0 || pr.Waiting != 5 || pr.Slowest != 1 || !slices.Equal(pr.Held, []uint64{5, 0}) {
		t.Errorf("behind partition 1: %+v, want 5 fixes of partition 0 waiting for it", pr)
	}
	send(b, t0.Add(10*time.Minute))
	pr = u.progress()
	if pr.Judged != 5 || pr.Waiting != 0 || pr.Through != t0.Add(4*time.Minute).Unix() || !slices.Equal(pr.Held, []uint64{0, 0}) {
		t.Errorf("both partitions past the fixes: %+v, want 5 judged to %s", pr, t0.Add(4*time.Minute))
	}
}

// TestFixUnitPassesOverEndOfEarlierRun: partition 0's run ends (its
// tracker's flush sent as its last fixes) and a later run of it reads on
// from a checkpoint, while partition 1 runs on (a backfill drained, given
// more files, drained again, as the unit replays its subject). The
// earlier run's end is not partition 0's last: the unit must not judge
// its fixes, nor partition 1's past partition 0's watermark before the
// end, until the later run has sent its fixes of that time. Taking the
// end as the partition's last, it judged every fix of partition 1 at
// once, ahead of the later run's earlier ones.
func TestFixUnitPassesOverEndOfEarlierRun(t *testing.T) {
	opt := analyze.DefaultOptions()
	det, _ := analyze.NewDetector(opt, nil)
	u := newFixUnit(2, det)
	u.final = func(part int, epoch, _ uint64) bool { return part != 0 || epoch != 1 }
	c := Config{Partitions: 2}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	fix := func(o *stageOut, mmsi uint32, i int, lat float64) {
		sendFix(o, mmsi, t0.Add(time.Duration(i)*time.Minute), lat)
	}
	send := func(o *stageOut, wm time.Time) { u.applyFrom(o, wm) }
	// Partition 0's first run: fixes at minutes 0-4 as read, 5 its
	// tracker's flush. Partition 1: minutes 0-19.
	one := newStageOut(c, 0, 1, opt.Detect, nil)
	for i := range 5 {
		fix(one, 273100001, i, 55)
	}
	send(one, t0.Add(5*time.Minute))
	one.endFixes()
	fix(one, 273100001, 5, 55)
	one.sealFixes()
	send(one, t0.Add(5*time.Minute))
	other := newStageOut(c, 1, 1, opt.Detect, nil)
	for i := range 20 {
		fix(other, 273100002, i, 56)
	}
	send(other, t0.Add(20*time.Minute))
	pr := u.progress()
	if pr.Judged != 10 || pr.Slowest != 0 || !slices.Equal(pr.Held, []uint64{0, 15}) {
		t.Errorf("partition 0's earlier run ended: %+v, want its 5 fixes and partition 1's first 5 judged, partition 1's others held for partition 0", pr)
	}
	// Its later run, from a checkpoint after minute 4: minutes 5-19.
	two := newStageOut(c, 0, 2, opt.Detect, nil)
	two.fixOrd = 5
	for i := 5; i < 20; i++ {
		fix(two, 273100001, i, 55.001)
	}
	send(two, t0.Add(20*time.Minute))
	pr = u.progress()
	if pr.Judged != 40 || pr.Waiting != 0 || pr.Diverged != 0 || pr.Lost != 0 || !slices.Equal(pr.Held, []uint64{0, 0}) {
		t.Errorf("partition 0's later run past partition 1: %+v, want every fix of its runs but the earlier end judged, 40", pr)
	}
}

// sendFix has o send the unit a fix of vessel mmsi at (lat, 20).
func sendFix(o *stageOut, mmsi uint32, at time.Time, lat float64) {
	p := track.Point{}
	p.MMSI, p.Time, p.Lat, p.Lon, p.HasPos = mmsi, at, lat, 20, true
	o.fix(&p)
}

// applyFrom has u take the frames of fixes o has to send, watermark wm.
func (u *fixUnit) applyFrom(o *stageOut, wm time.Time) {
	o.mu.Lock()
	frames := o.fixFrames(wm.Unix())
	o.mu.Unlock()
	for _, f := range frames {
		u.apply(f)
	}
}
