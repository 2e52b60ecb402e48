package track

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestElapsedIsSub(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	times := []time.Time{{}, base, time.Unix(0, 0).UTC(), time.Unix(1<<40, 999999999).UTC(),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		base.Add(285 * 365 * 24 * time.Hour), base.Add(-286 * 365 * 24 * time.Hour)}
	for range 20000 {
		// Mostly near each other, as receive times are; now and then
		// centuries or millennia apart, around Duration's limits.
		span := []time.Duration{time.Second, time.Hour, 1000 * time.Hour, 1 << 62, 1<<63 - 1}[rng.IntN(5)]
		times = append(times, base.Add(time.Duration(rng.Int64N(int64(span)))-span/2).Add(time.Duration(rng.Int64N(1e9))))
	}
	times = append(times, time.Unix(300e9, 0).UTC(), time.Unix(-300e9, 5).UTC())
	for i := range times {
		a, b := times[i], times[rng.IntN(len(times))]
		if got, want := Elapsed(a, b), b.Sub(a); got != want {
			t.Fatalf("Elapsed(%v, %v) = %v, Sub says %v", a, b, got, want)
		}
		if got, want := Elapsed(b, a), a.Sub(b); got != want {
			t.Fatalf("Elapsed(%v, %v) = %v, Sub says %v", b, a, got, want)
		}
	}
}

// BenchmarkElapsed compares Elapsed with time.Time.Sub on receive times.
func BenchmarkElapsed(b *testing.B) {
	t0 := time.Unix(1709251200, 0).UTC()
	ts := make([]time.Time, 1024)
	for i := range ts {
		ts[i] = t0.Add(time.Duration(i*7919%600) * time.Second)
	}
	var sink time.Duration
	b.Run("Elapsed", func(b *testing.B) {
		for i := range b.N {
			sink += Elapsed(ts[i&1023], ts[(i+1)&1023])
		}
	})
	b.Run("Sub", func(b *testing.B) {
		for i := range b.N {
			sink += ts[(i+1)&1023].Sub(ts[i&1023])
		}
	})
	_ = sink
}
