package sanctions

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var syllables = []string{"KUM", "UN", "SAN", "CHON", "MYONG", "RYONG", "GANG", "SONG", "HAI", "XIN",
	"OCEAN", "STAR", "SEA", "GLORY", "PACIFIC", "BALTIC", "NORD", "VOLGA", "NEFT", "PETREL",
	"HAO", "FAN", "YU", "JIN", "LI", "MARIA", "ANNA", "EXPRESS", "TRADER", "PIONEER"}

// syntheticIdentities builds n identities like a month of regional AIS:
// names of 1–3 syllables, often with a number, random MMSI and IMO (a
// third valid). One in a thousand carries a listed IMO or name, so the
// benchmark exercises reporting as well as misses.
func syntheticIdentities(n int, seed uint64) []Identity {
	r := rand.New(rand.NewPCG(seed, 1))
	listed := Default().Entries()
	ids := make([]Identity, n)
	for i := range ids {
		id := Identity{MMSI: 200000000 + r.Uint32N(600000000)}
		k := 1 + r.IntN(3)
		name := ""
		for j := 0; j < k; j++ {
			if j > 0 {
				name += " "
			}
			name += syllables[r.IntN(len(syllables))]
		}
		if r.IntN(2) == 0 {
			name += fmt.Sprintf(" %d", 1+r.IntN(20))
		}
		id.Name = name
		if r.IntN(3) == 0 {
			id.IMO = 9000000 + r.Uint32N(999999)
		}
		if r.IntN(1000) == 0 {
			e := listed[r.IntN(len(listed))]
			id.Name = e.Name
			if len(e.IMOs) > 0 {
				id.IMO = e.IMOs[0]
			}
		}
		ids[i] = id
	}
	return ids
}

// BenchmarkScreen1M screens one million identities against the builtin
// lists on all CPUs (scripts/bench-sanctions runs it).
func BenchmarkScreen1M(b *testing.B) {
	ids := syntheticIdentities(1_000_000, 42)
	Default()
	b.ResetTimer()
	for b.Loop() {
		start, cpu := time.Now(), cpuTime()
		matched := 0
		Default().MatchAll(ids, func(int, []Match) { matched++ })
		b.ReportMetric(float64(len(ids))/time.Since(start).Seconds(), "identities/s")
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
		b.ReportMetric(float64(matched), "matched")
	}
}
