package analyze

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
)

// realDir holds public samples of real traffic (see its README): ordinary
// rivers, lakes, harbours, ship channels and ferries. Nothing in them is
// spoofing, and no two MMSIs in them are one hull.
const realDir = "../../shared/data/ais-real"

// realSamples are the files analyzed; clock marks logs without receive
// times, read as `--start auto` reads them (times from the log's own
// base-station, GPS and report seconds). To add a sample, add a line.
var realSamples = []struct {
	file  string
	clock bool
}{
	{"mc-20200101-sf-bay.csv.gz", false},
	{"mc-small-sample.csv", false},
	{"dma-aislib-stream_example.txt", false},
	{"stonesoup-solent-20160112.csv.gz", false},
	{"amsa-risky-ais.txt.gz", true},
	{"signalk-nais400-merrimac.log", true},
	{"signalk-gofree-merrimac.log", true},
}

// openSample opens one real sample, skipping the test where shared/ is
// not beside the checkout.
func openSample(t *testing.T, file string, clock bool) (source.Reader, func() error) {
	t.Helper()
	name := filepath.Join(realDir, file)
	if _, err := os.Stat(name); err != nil {
		t.Skipf("sample not available: %v", err)
	}
	r, _, closeFn, err := OpenOptions(name, nil, source.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return r, closeFn
}

// analyzeReader runs the whole chain over r and counts events by type.
func analyzeReader(t *testing.T, r source.Reader) (map[event.Type][]event.Event, Totals) {
	t.Helper()
	got := map[event.Type][]event.Event{}
	a := New(DefaultOptions(), func(e *event.Event) { got[e.Type] = append(got[e.Type], *e) })
	if err := a.Read(r); err != nil {
		t.Fatal(err)
	}
	return got, a.Finish()
}

// assertOrdinary fails on any spoofing, identity link or GNSS
// interference (ships in one harbour breaking off their tracks together,
// as glitches or displaced fixes, are not one).
func assertOrdinary(t *testing.T, got map[event.Type][]event.Event) {
	t.Helper()
	for _, typ := range []event.Type{event.Spoofing, event.IdentityChange, event.GNSSInterference} {
		for i, e := range got[typ] {
			if i == 3 {
				t.Errorf("… %d %s in all", len(got[typ]), typ)
				break
			}
			t.Errorf("%s on ordinary traffic: mmsi %d other %d %s–%s at %.4f,%.4f %v", typ, e.MMSI, e.OtherMMSI,
				e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339), e.Lat, e.Lon, e.Evidence)
		}
	}
}

func TestRealSamplesNoSpoofingNoIdentityLink(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes the world's coastline")
	}
	for _, s := range realSamples {
		t.Run(s.file, func(t *testing.T) {
			r, closeFn := openSample(t, s.file, s.clock)
			defer closeFn()
			got, tot := analyzeReader(t, r)
			if tot.Fixes == 0 {
				t.Fatalf("no position placed: %+v", tot.Rejected)
			}
			t.Logf("%d fixes, %d vessels, %d inland fixes", tot.Fixes, tot.Vessels, tot.Flagged["on_land"])
			assertOrdinary(t, got)
		})
	}
}

// TestMarineCadastreReplayed replays the MarineCadastre sample as issue 14
// did, each row again 1 and 2 minutes later, and further apart (5, 10 and
// 15 minutes later, past the tracker's duplicate window): ships standing
// on US rivers, lakes and channels, first heard there, are not spoofing.
func TestMarineCadastreReplayed(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes the world's coastline")
	}
	raw, err := os.ReadFile(filepath.Join(realDir, "mc-small-sample.csv"))
	if err != nil {
		t.Skipf("sample not available: %v", err)
	}
	for _, offs := range [][]time.Duration{{0, time.Minute, 2 * time.Minute}, {0, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute}} {
		data := replayCSV(t, raw, offs)
		r, _, err := source.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		got, tot := analyzeReader(t, r)
		if tot.Flagged["on_land"] == 0 {
			t.Fatalf("replay %v: no fix put inland: the test shows nothing", offs)
		}
		t.Logf("replay %v: %d fixes, %d inland", offs, tot.Fixes, tot.Flagged["on_land"])
		assertOrdinary(t, got)
	}
}

// replayCSV repeats every row of a MarineCadastre CSV at each offset.
func replayCSV(t *testing.T, raw []byte, offs []time.Duration) []byte {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if strings.EqualFold(h, "BaseDateTime") {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no BaseDateTime column in %v", rows[0])
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(rows[0])
	for _, off := range offs {
		for _, r := range rows[1:] {
			at, err := time.Parse("2006-01-02T15:04:05", r[col])
			if err != nil {
				t.Fatal(err)
			}
			r2 := append([]string(nil), r...)
			r2[col] = at.Add(off).Format("2006-01-02T15:04:05")
			w.Write(r2)
		}
	}
	w.Flush()
	return buf.Bytes()
}
