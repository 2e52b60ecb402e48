package match

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/sar"
	"github.com/lookout-osint/lookout/source"
)

// TestMatchSimulatorTruth matches the simulator's satellite detections
// against its AIS and scores the result with its truth. Simulating takes
// too long for the unit suite, so it runs on an existing output directory
// named by LOOKOUT_SIM_DIR (scripts/bench-sar makes one).
func TestMatchSimulatorTruth(t *testing.T) {
	dir := os.Getenv("LOOKOUT_SIM_DIR")
	if dir == "" {
		t.Skip("LOOKOUT_SIM_DIR not set (scripts/bench-sar runs this on a fresh simulation)")
	}
	f, err := os.Open(filepath.Join(dir, "sar.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	scenes, err := sar.ReadSimScenes(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var ds []sar.Detection
	var truth []string
	var aisOn []bool
	var times []time.Time
	for _, s := range scenes {
		times = append(times, s.Time)
		for _, d := range s.Detections {
			ds = append(ds, d.Detection(s.ID))
			truth = append(truth, d.Truth)
			aisOn = append(aisOn, d.AISOn != nil && *d.AISOn)
		}
	}
	r, err := source.Open(filepath.Join(dir, "ais.nmea.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tracks, err := TracksFromAIS(ais.NewReader(r), times, 12*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	res := Match(ds, tracks, Options{})
	cands := map[[3]float64][]Candidate{}
	for _, d := range res.Dark {
		cands[[3]float64{d.Lat, d.Lon, float64(d.Time.Unix())}] = d.Candidates
	}
	got := map[[3]float64]uint32{}
	for _, m := range res.Matched {
		got[[3]float64{m.Lat, m.Lon, float64(m.Time.Unix())}] = m.MMSI
	}
	var onRight, onWrong, onDark, offDark, offMatched, faDark, faMatched, darkNamed int
	for i, d := range ds {
		key := [3]float64{d.Lat, d.Lon, float64(d.Time.Unix())}
		m := got[key]
		if m == 0 {
			for _, c := range cands[key] {
				if strconv.FormatUint(uint64(c.MMSI), 10) == truth[i] {
					darkNamed++
				}
			}
		}
		switch {
		case truth[i] == sar.FalseAlarm && m == 0:
			faDark++
		case truth[i] == sar.FalseAlarm:
			faMatched++
		case aisOn[i] && m == 0:
			onDark++
		case aisOn[i] && strconv.FormatUint(uint64(m), 10) == truth[i]:
			onRight++
		case aisOn[i]:
			onWrong++
		case m == 0:
			offDark++
		default:
			offMatched++
		}
	}
	t.Logf("%d scenes, %d detections, %d tracks near image times", len(scenes), len(ds), len(tracks))
	t.Logf("AIS on: %d matched right, %d to the wrong MMSI, %d left dark (coverage gaps)", onRight, onWrong, onDark)
	t.Logf("AIS off: %d dark, %d matched to some vessel; false alarms: %d dark, %d matched", offDark, offMatched, faDark, faMatched)
	t.Logf("dark detections whose true vessel is among the listed candidates: %d of %d", darkNamed, onDark+offDark)
	// Broadcasting ships can still look dark where no station heard them
	// (genuine coverage gaps), and ships moored together at a port point
	// are interchangeable to within the length tie-break, so these bounds
	// are loose; the figures are logged.
	if on := onRight + onWrong + onDark; on == 0 || float64(onRight)/float64(on) < 0.6 {
		t.Errorf("only %d of %d broadcasting ships matched to their MMSI", onRight, on)
	}
	if onRight+onWrong > 0 && float64(onWrong)/float64(onRight+onWrong) > 0.25 {
		t.Errorf("%d of %d matches went to the wrong MMSI", onWrong, onRight+onWrong)
	}
	if off := offDark + offMatched; off > 0 && float64(offDark)/float64(off) < 0.8 {
		t.Errorf("only %d of %d dark ships left dark", offDark, off)
	}
}
