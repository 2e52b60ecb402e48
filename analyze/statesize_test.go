package analyze

import (
	"os"
	"testing"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
)

// BenchmarkStatePerVessel reads the file LOOKOUT_STATE_FILE (an NMEA or CSV
// file, .gz or plain: e.g. `lookout simulate --preset demo-day`'s
// ais.nmea.gz) and reports the checkpoint a daily ingest would store after
// it, per vessel holding state (issue 17: at most 2 KB per live vessel):
// the whole blob (B/vessel), the detectors' part (det-B/vessel) and the
// tracker's (trk-B/vessel). The state at the end of the data is that of
// vessels under way, in port or just gone silent, as a live feed holds it.
//
//	LOOKOUT_STATE_FILE=/tmp/demo-day/ais.nmea.gz go test ./analyze -run '^$' -bench StatePerVessel -benchtime 1x
func BenchmarkStatePerVessel(b *testing.B) {
	path := os.Getenv("LOOKOUT_STATE_FILE")
	if path == "" {
		b.Skip("LOOKOUT_STATE_FILE not set")
	}
	for range b.N {
		f, err := source.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r, _, err := source.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		a := New(DefaultOptions(), func(*event.Event) {})
		if err := a.Read(r); err != nil {
			b.Fatal(err)
		}
		f.Close()
		snap, err := a.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		var n, all, det, trk, most int
		for m, blob := range snap {
			if m == 0 {
				continue
			}
			t, d, err := splitParts(blob)
			if err != nil {
				b.Fatal(err)
			}
			n++
			all += len(blob)
			trk += len(t)
			det += len(d)
			most = max(most, len(blob))
		}
		if n == 0 {
			b.Fatal("no vessel state")
		}
		b.ReportMetric(float64(n), "vessels")
		b.ReportMetric(float64(all)/float64(n), "B/vessel")
		b.ReportMetric(float64(det)/float64(n), "det-B/vessel")
		b.ReportMetric(float64(trk)/float64(n), "trk-B/vessel")
		b.ReportMetric(float64(most), "max-B")
		b.ReportMetric(float64(len(snap[0])), "shared-B")
	}
}
