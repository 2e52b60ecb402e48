package detect

import (
	"fmt"
	"testing"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
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
