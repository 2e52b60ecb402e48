package hostile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/internal/memtest"
	"github.com/lookout-osint/lookout/sim"
	"github.com/lookout-osint/lookout/source"
)

var (
	simOnce  sync.Once
	simLines []string
	simErr   error
)

// simFile is the first 20,000 lines of a simulated three days in the Sea
// of Japan and the Yellow Sea (where the watched DPRK ports are), made
// once per test binary.
func simFile(t *testing.T) []string {
	t.Helper()
	simOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hostile-sim")
		if err != nil {
			simErr = err
			return
		}
		defer os.RemoveAll(dir)
		if _, simErr = sim.Run(sim.Config{Seed: 1, Days: 2, Vessels: 60, Workers: 2}, dir); simErr != nil {
			return
		}
		f, err := os.Open(filepath.Join(dir, "ais.nmea.gz"))
		if err != nil {
			simErr = err
			return
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			simErr = err
			return
		}
		sc := bufio.NewScanner(zr)
		for sc.Scan() && len(simLines) < 20000 {
			simLines = append(simLines, sc.Text())
		}
		simErr = sc.Err()
	})
	if simErr != nil {
		t.Fatal(simErr)
	}
	return simLines
}

var tagTime = regexp.MustCompile(`^\\c:(\d+),(s:[^*]*)\*[0-9A-F]{2}\\(!AIVDM,1,1,.*)$`)

// stamp restamps every n-th single-sentence line with unix time ts (the
// tag block's checksum recomputed, so the line is valid) and returns the
// file and how many lines were changed.
func stamp(lines []string, n int, ts int64) ([]byte, int) {
	var b bytes.Buffer
	changed, single := 0, 0
	for _, l := range lines {
		if m := tagTime.FindStringSubmatch(l); m != nil {
			if single++; single%n == 0 && changed < 200 {
				tb := fmt.Sprintf("c:%d,%s", ts, m[2])
				var cs byte
				for i := 0; i < len(tb); i++ {
					cs ^= tb[i]
				}
				l = fmt.Sprintf("\\%s*%02X\\%s", tb, cs, m[3])
				changed++
			}
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes(), changed
}

type run struct {
	tot    analyze.Totals
	events []string
	alloc  uint64
}

func analyzeBytes(t *testing.T, data []byte, opt analyze.Options) run {
	t.Helper()
	var r run
	var mu sync.Mutex
	r.alloc = memtest.Allocated(func() { analyzeInto(t, data, opt, &r, &mu) })
	return r
}

func analyzeInto(t *testing.T, data []byte, opt analyze.Options, r *run, mu *sync.Mutex) {
	a := analyze.New(opt, func(e *event.Event) {
		mu.Lock()
		r.events = append(r.events, fmt.Sprintf("%s %d %s %s %s", e.Type, e.MMSI, e.Start.Format("0102T1504"), e.End.Format("0102T1504"), e.Port))
		mu.Unlock()
	})
	sr, _, err := source.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Read(sr); err != nil {
		t.Fatal(err)
	}
	r.tot = a.Finish()
}

// TestBadClocksInventNothing: 200 ordinary lines stamped in 2100, a year
// ahead, a year behind or in 1970, in a 20,000-line file. Before, the 2100
// stamps gave 104 gaps and 103 possible dark DPRK port visits at
// confidence 1.0 and 53 s of work for 0.5 s of data. Now every such line
// is quarantined and counted, the events are those of the clean file, and
// the run does no more than twice the clean file's work (counted as bytes
// allocated, which follow the work and, unlike time, not the machine).
func TestBadClocksInventNothing(t *testing.T) {
	lines := simFile(t)
	opt := analyze.DefaultOptions()
	opt.NoLand = true
	clean := analyzeBytes(t, []byte(strings.Join(lines, "\n")+"\n"), opt)
	t0 := int64(1709251200) // the simulation's first day, 2024-03-01
	for name, ts := range map[string]int64{"2100": 4102444800, "year ahead": t0 + 365*86400,
		"year behind": t0 - 365*86400, "1970": 1} {
		t.Run(name, func(t *testing.T) {
			data, n := stamp(lines, 40, ts)
			if n != 200 {
				t.Fatalf("stamped %d lines", n)
			}
			bad := analyzeBytes(t, data, opt)
			if got, want := strings.Join(bad.events, "\n"), strings.Join(clean.events, "\n"); got != want {
				t.Errorf("events differ from the clean file's:\n%s\nclean:\n%s", got, want)
			}
			// Lines that are not positions or static reports (base
			// stations, binary messages) never reach the tracker.
			var q int64
			for r, n := range bad.tot.Rejected {
				if strings.HasPrefix(r, analyze.QuarantinedPrefix) {
					q += n
				}
			}
			want := map[string]string{"2100": "time_in_future", "1970": "time_before_ais"}[name]
			if want == "" {
				want = "time_off_stream"
			}
			if q < 150 || q > 200 || bad.tot.Rejected[analyze.QuarantinedPrefix+want] != q {
				t.Errorf("quarantined %d, rejected %v", q, bad.tot.Rejected)
			}
			if bad.alloc > 2*clean.alloc {
				t.Errorf("allocated %d MB, clean file %d MB", bad.alloc>>20, clean.alloc>>20)
			}
			t.Logf("%d quarantined; %d events as clean; allocated %.2fx the clean file's", q, len(bad.events), float64(bad.alloc)/float64(clean.alloc))
		})
	}
	// The check must be what saves them: with it off, the same file
	// invents dark port visits (and grading the 76-year gaps stays cheap).
	off := opt
	off.Track.ClockConfirm = 0
	data, _ := stamp(lines, 40, 4102444800)
	bad := analyzeBytes(t, data, off)
	if bad.tot.Events[event.PossibleDarkPortVisit] == 0 || bad.alloc > 2*clean.alloc {
		t.Errorf("without the clock check: %d dark visits (want some), %d MB allocated (clean %d MB)",
			bad.tot.Events[event.PossibleDarkPortVisit], bad.alloc>>20, clean.alloc>>20)
	}
	t.Logf("without the clock check: %d gaps, %d dark port visits (clean: %d, %d)", bad.tot.Events[event.Gap],
		bad.tot.Events[event.PossibleDarkPortVisit], clean.tot.Events[event.Gap], clean.tot.Events[event.PossibleDarkPortVisit])
}
