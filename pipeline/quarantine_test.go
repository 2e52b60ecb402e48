package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/pipeline"
)

// A station whose clock jumps three days ahead for a few reports: the
// tracker quarantines them (outvoted by the good reports around them), so
// they reach no track and no event, and they must not be stored as
// positions either, for lookout track and the map would draw them; they
// stay counted among the rejected. With a batch of two positions the bad
// reports are written before the tracker has judged them and are deleted
// by a later batch; with a large batch they are dropped before writing.
func TestQuarantinedPositionsNotStored(t *testing.T) {
	const mmsi = 273000001
	var sb strings.Builder
	good, stray := 0, map[int64]bool{}
	for i := 0; i < 60; i++ {
		tm := t0.Add(time.Duration(i) * time.Minute)
		sb.WriteString(type1(tm, "STN1", mmsi, 55+float64(i)*0.001, 4.5, 10, 0))
		good++
		if i >= 20 && i < 23 {
			bad := tm.Add(72 * time.Hour)
			sb.WriteString(type1(bad, "STN2", mmsi, 55.5, 4.6, 10, 0))
			stray[bad.Unix()] = true
		}
	}
	path := filepath.Join(t.TempDir(), "badclock.nmea")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{2, 10_000} {
		st := openDuck(t, filepath.Join(t.TempDir(), "s.duckdb"))
		opt := analyze.DefaultOptions()
		sum, err := pipeline.Files(context.Background(), st, pipeline.Config{Analyze: &opt, BatchSize: batch, NoScreen: true}, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		var quarantined int64
		for why, n := range sum.Totals.Rejected {
			if strings.HasPrefix(why, analyze.QuarantinedPrefix) {
				quarantined += n
			}
		}
		if quarantined != int64(len(stray)) {
			t.Errorf("batch %d: %d reports counted quarantined, want %d (%v)", batch, quarantined, len(stray), sum.Totals.Rejected)
		}
		ps, err := st.Track(context.Background(), mmsi, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if stray[p.Time.Unix()] {
				t.Errorf("batch %d: quarantined position at %s stored", batch, p.Time)
			}
		}
		if len(ps) != good {
			t.Errorf("batch %d: %d positions stored, want the %d good ones", batch, len(ps), good)
		}
		st.Close()
	}
}
