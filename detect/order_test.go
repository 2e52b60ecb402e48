package detect

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// A tanker's transponder drew a circle at its berth for three days while
// it sailed to the DPRK, then showed it on its way back, then 240 km off
// for 6 h (seed 10009, sim v12): two displaced runs ended at one fix, each
// opening or joining an episode. Their order decides whether they make one
// episode or two, and it was the order of a map's walk, so that one run of
// lookout analyze differed from the next. Each run here has Detectors of
// its own, and with them maps walked in another random order.
func TestDisplacedRunsInStreamOrder(t *testing.T) {
	fixes, _ := readFixes(t, "testdata/displaced-twice.csv.gz")
	var first string
	for i := range 30 {
		var got string
		for _, e := range only(runOn(geo.DefaultLand(), fixes), event.Spoofing) {
			got += fmt.Sprintf("%s..%s %v\n", e.Start.Format("01-02T15:04"), e.End.Format("01-02T15:04"), e.Evidence)
		}
		if i == 0 {
			first = got
			t.Logf("spoofing:\n%s", got)
			continue
		}
		if got != first {
			t.Fatalf("run %d gave\n%swhere run 0 gave\n%s", i, got, first)
		}
	}
}

// Two segments of one MMSI, each with a loitering run still open, silent
// for more than a week when the MMSI is heard on a third: both runs end at
// that fix, each reported, in segment order. Forgetting the segments in
// map order reported them in either order (and left the vessel's last
// loitering either one), the same input giving other bytes from run to run.
func TestIdleSegmentsEndLoiteringInOrder(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var pts []track.Point
	add := func(seg int, from time.Duration, lon float64, first bool) {
		for i := range 72 { // 12 h at 0.5 kn
			p := track.Point{Fix: track.Fix{MMSI: 273000001, Time: t0.Add(from + time.Duration(i)*10*time.Minute),
				Lat: 38, Lon: lon + float64(i)*0.0003, HasPos: true, SOG: 0.5, COG: 90, Heading: -1, Class: 'A'},
				Seg: seg, ImpliedKn: 0.5}
			if i == 0 && first {
				p.NewSeg, p.ImpliedKn = true, 500
			}
			pts = append(pts, p)
		}
	}
	// Under way first: a run the data began in is not reported.
	pts = append(pts, track.Point{Fix: track.Fix{MMSI: 273000001, Time: t0.Add(-10 * time.Minute), Lat: 38, Lon: 133.95,
		HasPos: true, SOG: 10, COG: 90, Heading: -1, Class: 'A'}, Seg: 1, ImpliedKn: 10})
	add(1, 0, 134, false)
	add(2, 13*time.Hour, 135, true)
	add(3, 13*time.Hour+8*24*time.Hour, 136, true)
	var first []string
	for i := range 30 {
		var got []string
		d := New(DefaultConfig(), NewPortIndex(testPorts, 20), fakeShore{}, func(e *event.Event) {
			if e.Type == event.Loitering {
				got = append(got, fmt.Sprintf("%s..%s %.3f", e.Start.Format("01-02T15:04"), e.End.Format("01-02T15:04"), e.Lon))
			}
		})
		for j := range pts {
			d.Point(&pts[j])
		}
		if i == 0 {
			first = got
			t.Logf("loitering: %v", got)
			if len(got) < 2 {
				t.Fatalf("loitering %v: want the runs of both segments", got)
			}
			continue
		}
		if !slices.Equal(got, first) {
			t.Fatalf("run %d gave loitering %v, run 0 %v", i, got, first)
		}
	}
}
