package analyze

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/sim"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/track"
)

// simulated is a short simulated scenario's AIS file (seed 14, five days,
// 40 hulls, a position every 2 minutes under way: an encounter, spoofing,
// loitering, gaps and dark port visits), made once and kept in memory.
var simulated = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "lookout-analyze-test")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if _, err := sim.Run(sim.Config{Seed: 14, Days: 5, Vessels: 40, Workers: 2, Interval: 2 * time.Minute}, dir); err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, "ais.nmea.gz"))
})

// simulatedReader reads the simulated scenario.
func simulatedReader(t *testing.T) source.Reader {
	data, err := simulated()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := source.NewReader(zr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// simStream is the tracker's output for the simulated scenario.
func simStream(t *testing.T) *recorded {
	r := simulatedReader(t)
	rec := &recorded{}
	tr := track.New(track.DefaultConfig(), geo.DefaultLand(), rec)
	var b batch
	var noTime int64
	for r.Next() {
		b.fixes, b.statics, b.order = b.fixes[:0], b.statics[:0], b.order[:0]
		add(&b, r.Message(), &noTime)
		fi, si := 0, 0
		for _, isFix := range b.order {
			if isFix {
				tr.AddFix(b.fixes[fi])
				fi++
			} else {
				tr.AddStatic(b.statics[si])
				si++
			}
		}
	}
	tr.Flush()
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return rec
}

// recorded is a tracker's output in order.
type recorded struct {
	points  []track.Point
	statics []track.Static
	order   []bool
}

func (r *recorded) Point(p *track.Point) {
	r.points = append(r.points, *p)
	r.order = append(r.order, true)
}

func (r *recorded) Static(s *track.Static) {
	r.statics = append(r.statics, *s)
	r.order = append(r.order, false)
}

// feed runs the recorded stream through d and flushes it.
func (r *recorded) feed(d *detect.Detector) {
	pi, si := 0, 0
	for _, isPoint := range r.order {
		if isPoint {
			d.Point(&r.points[pi])
			pi++
		} else {
			d.Static(&r.statics[si])
			si++
		}
	}
	d.Flush()
}

// detectorFor returns a Detector as analyze builds it, collecting events
// as JSON lines.
func detectorFor(out *[]string) *detect.Detector {
	opt := DefaultOptions()
	cat := ref.Default()
	ports := detect.NewPortIndex(Ports(cat), math.Max(opt.Detect.EncounterPortKm, opt.Detect.PortExitKm+opt.Detect.PortSlackKm))
	d := detect.New(opt.Detect, ports, geo.DefaultLand(), func(e *event.Event) {
		b, err := json.Marshal(e)
		if err != nil {
			panic(err)
		}
		*out = append(*out, string(b))
	})
	d.Flag = cat.Flag
	return d
}

// TestDetectorsApart runs the per-vessel and the pairwise detectors each on
// their own Detector over a simulated stream and expects exactly the
// events of one Detector running all, each group's in the same order, but
// for the documented difference: a draught change whose context was an
// encounter.
func TestDetectorsApart(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	rec := simStream(t)
	var all, per, pair []string
	rec.feed(detectorFor(&all))
	d := detectorFor(&per)
	d.Only(detect.PerVessel)
	rec.feed(d)
	d = detectorFor(&pair)
	d.Only(detect.Pairwise)
	rec.feed(d)

	var wantPer, wantPair []string
	encounterDraught := 0
	for _, l := range all {
		var e event.Event
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		switch {
		case e.Type == event.Encounter:
			wantPair = append(wantPair, l)
		case e.Type == event.DraughtChange && e.Evidence["context"] == string(event.Encounter):
			encounterDraught++
		default:
			wantPer = append(wantPer, l)
		}
	}
	if len(wantPair) == 0 {
		t.Fatal("the scenario has no encounter: it cannot test the pairwise detectors")
	}
	if err := sameLines(pair, wantPair); err != nil {
		t.Errorf("pairwise alone: %v", err)
	}
	// Draught changes that had an encounter for context may come with
	// another context, or not at all, without Encounters.
	var gotPer []string
	for _, l := range per {
		var e event.Event
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		if e.Type == event.DraughtChange && e.Evidence["context"] != string(event.Encounter) && encounterDraught > 0 && !contains(wantPer, l) {
			encounterDraught--
			continue
		}
		gotPer = append(gotPer, l)
	}
	if err := sameLines(gotPer, wantPer); err != nil {
		t.Errorf("per vessel alone: %v", err)
	}
	t.Logf("%d events: %d per vessel, %d pairwise", len(all), len(per), len(pair))
}

func contains(lines []string, l string) bool {
	for _, x := range lines {
		if x == l {
			return true
		}
	}
	return false
}

func sameLines(got, want []string) error {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Errorf("event %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d events, want %d", len(got), len(want))
	}
	return nil
}
