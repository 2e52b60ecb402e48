package detect

import (
	"math"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// BenchmarkGapCore times the gap detector alone (silence tracking and gap
// reports with their evidence) on b.N messages from 2,000 vessels, each
// going silent for 13 h now and then. scripts/bench-analyze runs it with
// -benchtime 10000000x to compare with Global Fishing Watch's published
// figure for its gap core (about 3 s per 10M messages).
func BenchmarkGapCore(b *testing.B) {
	const vessels = 2000
	gaps := 0
	d := New(DefaultConfig(), nil, nil, func(e *event.Event) { gaps++ })
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	p := track.Point{Fix: track.Fix{HasPos: true, SOG: math.NaN(), COG: math.NaN()}}
	var skipped [vessels]int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := uint32(i % vessels)
		round := int64(i / vessels)
		// Every vessel reports once a "round" (10 s); one round in 500 a
		// vessel falls silent for 13 h.
		if (round+int64(m))%500 == 0 {
			skipped[m] += 13 * 3600
		}
		ts := t0 + round*10 + skipped[m]
		p.MMSI, p.Time = m+1, time.Unix(ts, 0)
		p.Lat, p.Lon = 40+float64(m%100)*0.01, 130+float64(m/100)*0.01
		v := d.vessel(p.MMSI)
		d.message(v, p.Time)
		if len(v.gaps) > 0 {
			d.reportGaps(v, &p)
		}
		v.last, v.has = p, true
	}
	b.ReportMetric(float64(gaps), "gaps")
}
