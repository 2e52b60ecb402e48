// Package runtest holds what the tests of runs carried across files,
// restarts and kills (checkpoints, exactly-once ingest) share: a simulated
// feed, cut into days as receiver logs are rotated, and the comparison of
// a run's events with those of one uninterrupted pass.
package runtest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/sim"
)

// SimNMEA simulates a short scenario and returns its NMEA, whose lines
// carry tag-block receive times, so that two runs see the same times.
func SimNMEA(t testing.TB, seed uint64, days, vessels int) []byte {
	t.Helper()
	dir := t.TempDir()
	if _, err := sim.Run(sim.Config{Seed: seed, Days: days, Vessels: vessels, Workers: 2}, dir); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "ais.nmea.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// SplitDays cuts NMEA into one chunk per UTC day of the tag-block receive
// time, the way receiver logs are rotated, and says the day each chunk
// starts. Lines before the first receive time are left out.
func SplitDays(t testing.TB, nmea []byte) (chunks [][]byte, days []time.Time) {
	t.Helper()
	var cur *bytes.Buffer
	day := int64(-1)
	sc := bufio.NewScanner(bytes.NewReader(nmea))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "c:"); i >= 0 {
			end := strings.IndexAny(line[i+2:], ",*")
			if ts, err := strconv.ParseInt(line[i+2:i+2+max(end, 0)], 10, 64); err == nil && ts/86400 > day {
				day = ts / 86400
				cur = &bytes.Buffer{}
				chunks = append(chunks, nil)
				days = append(days, time.Unix(day*86400, 0).UTC())
			}
		}
		if cur == nil {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		chunks[len(chunks)-1] = cur.Bytes()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return chunks, days
}

// Canonical renders events keyed by ID as JSON (evidence numbers as JSON
// numbers, times in UTC), so that stored and analysed events compare field
// by field.
func Canonical(t testing.TB, evs []event.Event) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := range evs {
		e := evs[i]
		e.Start, e.End = e.Start.UTC(), e.End.UTC()
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out[e.ID()] = string(b)
	}
	return out
}

// Diff lists how got differs from want, a line an event (missing,
// differs, extra), sorted; none when they are equal.
func Diff(got, want map[string]string) []string {
	var lines []string
	for id, w := range want {
		if g, ok := got[id]; !ok {
			lines = append(lines, "missing "+w)
		} else if g != w {
			lines = append(lines, "differs\n  got  "+g+"\n  want "+w)
		}
	}
	for id, g := range got {
		if _, ok := want[id]; !ok {
			lines = append(lines, "extra   "+g)
		}
	}
	sort.Strings(lines)
	return lines
}

// Text is the first lines of a Diff, for a failure message.
func Text(d []string) string {
	if len(d) > 20 {
		d = append(d[:20:20], "…")
	}
	return strings.Join(d, "\n")
}
