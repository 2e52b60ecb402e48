package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// testPoints mixes uniform points (globally and over the Sea of Japan /
// Yellow Sea) with points within 60 km of a random coastline vertex, where
// both answers are hardest.
func testPoints(rng *rand.Rand, l *Land, n int) [][2]float64 {
	pts := make([][2]float64, 0, n)
	for i := range n {
		switch i % 4 {
		case 0:
			pts = append(pts, [2]float64{rng.Float64()*180 - 90, rng.Float64()*360 - 180})
		case 1:
			pts = append(pts, [2]float64{30 + rng.Float64()*20, 117 + rng.Float64()*25})
		default:
			p := l.polys[rng.IntN(len(l.polys))]
			r := p[0]
			v := r[rng.IntN(len(r))]
			lat, lon := Destination(v[1], v[0], rng.Float64()*360, rng.Float64()*60)
			pts = append(pts, [2]float64{lat, lon})
		}
	}
	return pts
}

func TestIndexAgreesWithBruteForce(t *testing.T) {
	l := DefaultLand()
	all := allPolys(l)
	rng := rand.New(rand.NewPCG(7, 11))
	n := 400
	switch {
	case raceEnabled:
		// Each coastal point far from the others builds its own chunk of
		// distance lists, which the race detector makes slow.
		n = 48
	case testing.Short():
		n = 100
	}
	far := 0
	for _, p := range testPoints(rng, l, n) {
		lat, lon := p[0], p[1]
		if got, want := l.OnLand(lat, lon), bruteOnLand(all, lat, NormLon(lon)); got != want {
			t.Errorf("OnLand(%v, %v) = %v, brute force %v", lat, lon, got, want)
		}
		got, want := l.DistanceToShoreKm(lat, lon), bruteDistance(all, lat, NormLon(lon))
		if want <= ExactShoreKm {
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("DistanceToShoreKm(%v, %v) = %v, brute force %v", lat, lon, got, want)
			}
			continue
		}
		far++
		// Beyond the exact reach: an upper bound, never below the reach.
		if got < want-0.01 || got < ExactShoreKm { // sites are float32: ~1 m
			t.Errorf("far DistanceToShoreKm(%v, %v) = %v, brute force %v", lat, lon, got, want)
		}
		if math.Abs(lat) < 80 && got > want*1.1+15 {
			t.Errorf("far DistanceToShoreKm(%v, %v) = %v is far from brute force %v", lat, lon, got, want)
		}
	}
	if far == 0 || far == n {
		t.Errorf("%d of %d points far from shore: the sample does not test both cases", far, n)
	}
}

// Points on a fine lattice around Peter the Great Gulf and the DPRK coast,
// where ships sail and the coast is intricate.
func TestIndexAgreesOnCoastLattice(t *testing.T) {
	l := DefaultLand()
	all := allPolys(l)
	step := 0.037
	if testing.Short() || raceEnabled {
		step = 0.09
	}
	land, sea := 0, 0
	for lat := 42.4; lat < 43.3; lat += step {
		for lon := 130.6; lon < 133.2; lon += step {
			got, want := l.OnLand(lat, lon), bruteOnLand(all, lat, lon)
			if got != want {
				t.Errorf("OnLand(%v, %v) = %v, brute force %v", lat, lon, got, want)
			}
			if got {
				land++
			} else {
				sea++
			}
		}
	}
	if land == 0 || sea == 0 {
		t.Errorf("lattice has %d land and %d sea points", land, sea)
	}
}

func TestBadInput(t *testing.T) {
	l := DefaultLand()
	for _, p := range [][2]float64{{math.NaN(), 0}, {0, math.NaN()}, {math.Inf(1), 0}, {0, math.Inf(-1)}, {91, 0}, {-91, 0}, {1e300, -1e300}} {
		l.OnLand(p[0], p[1])
		l.DistanceToShoreKm(p[0], p[1])
	}
	if !math.IsNaN(l.DistanceToShoreKm(math.NaN(), 1)) || l.OnLand(math.NaN(), 1) {
		t.Error("NaN input gives a real answer")
	}
}

func BenchmarkOnLand(b *testing.B) {
	for _, bc := range benchRegions {
		b.Run(bc.name, func(b *testing.B) {
			l := DefaultLand()
			pts := bc.points(1 << 16)
			b.ResetTimer()
			land := 0
			for i := range b.N {
				p := pts[i&(len(pts)-1)]
				if l.OnLand(p[0], p[1]) {
					land++
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
		})
	}
}

func BenchmarkDistanceToShore(b *testing.B) {
	for _, bc := range benchRegions {
		b.Run(bc.name, func(b *testing.B) {
			l := DefaultLand()
			pts := bc.points(1 << 16)
			b.ResetTimer()
			s := 0.0
			for i := range b.N {
				p := pts[i&(len(pts)-1)]
				s += l.DistanceToShoreKm(p[0], p[1])
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	polys, err := decodeLand(land10m)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		NewLand(polys)
	}
}

var benchRegions = []struct {
	name   string
	points func(n int) [][2]float64
}{
	{"SeaOfJapanYellowSea", func(n int) [][2]float64 { return uniform(n, 30, 50, 117, 142) }},
	{"Global", func(n int) [][2]float64 { return uniform(n, -90, 90, -180, 180) }},
}

func uniform(n int, lat0, lat1, lon0, lon1 float64) [][2]float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	pts := make([][2]float64, n)
	for i := range pts {
		pts[i] = [2]float64{lat0 + rng.Float64()*(lat1-lat0), lon0 + rng.Float64()*(lon1-lon0)}
	}
	return pts
}

// Lists are built lazily per chunk of rows; concurrent first queries in the
// same rows must agree with each other and with a later sequential query.
func TestConcurrentLazyBuild(t *testing.T) {
	l := DefaultLand()
	pts := uniform(400, -30, -10, -80, -30) // South America: rows no other test touches first
	got := make([][]float64, 4)
	done := make(chan int)
	for w := range got {
		go func() {
			got[w] = make([]float64, len(pts))
			for i, p := range pts {
				got[w][i] = l.DistanceToShoreKm(p[0], p[1])
			}
			done <- w
		}()
	}
	for range got {
		<-done
	}
	for i, p := range pts {
		want := l.DistanceToShoreKm(p[0], p[1])
		for w := range got {
			if got[w][i] != want {
				t.Fatalf("worker %d: DistanceToShoreKm(%v) = %v, later %v", w, p, got[w][i], want)
			}
		}
	}
}

// TestFarEstimate reports how close the far-from-shore answer is to the
// truth; it fails only if it is badly off.
func TestFarEstimate(t *testing.T) {
	l := DefaultLand()
	all := allPolys(l)
	pts := uniform(60, 30, 50, 117, 142)
	if raceEnabled {
		pts = pts[:20]
	}
	var n int
	var sum, worst float64
	for _, p := range pts {
		want := bruteDistance(all, p[0], p[1])
		if want <= ExactShoreKm {
			continue
		}
		got := l.DistanceToShoreKm(p[0], p[1])
		n++
		sum += got - want
		worst = max(worst, got-want)
		if got < want-0.01 || got > want*1.1+15 {
			t.Errorf("far DistanceToShoreKm(%v) = %v, brute force %v", p, got, want)
		}
	}
	if n == 0 {
		t.Fatal("no far point in the sample")
	}
	t.Logf("%d points beyond %d km: mean overestimate %.2f km, worst %.2f km", n, ExactShoreKm, sum/float64(n), worst)
}

func TestPrepareShore(t *testing.T) {
	l := DefaultLand()
	l.PrepareShore(-44, -40) // New Zealand and Tasmania rows; no other test starts there
	all := allPolys(l)
	for _, p := range uniform(30, -44, -40, 144, 178) {
		got, want := l.DistanceToShoreKm(p[0], p[1]), bruteDistance(all, p[0], p[1])
		if want <= ExactShoreKm && math.Abs(got-want) > 1e-9 || want > ExactShoreKm && got < want-0.01 {
			t.Errorf("after PrepareShore: DistanceToShoreKm(%v) = %v, brute force %v", p, got, want)
		}
	}
	l.PrepareShore(math.NaN(), 3) // ignored, no panic
}

// TestQueryBuildsOneChunk checks that a distance query builds the candidate
// lists of its own longitude block only, not of its whole band of rows
// around the globe: processes that see one sea (each NATS worker, each
// second-stage shard run alone) pay for that sea.
func TestQueryBuildsOneChunk(t *testing.T) {
	polys, err := decodeLand(land10m)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLand(polys)
	lat, lon := 38.0, 129.0 // Sea of Japan, off Korea's east coast
	want := bruteDistance(allPolys(l), lat, lon)
	if got := l.DistanceToShoreKm(lat, lon); math.Abs(got-want) > 1e-9 || want > ExactShoreKm {
		t.Fatalf("DistanceToShoreKm = %v, brute force %v", got, want)
	}
	built, cells := 0, 0
	for i := range l.idx.dist.chunks {
		if st := l.idx.dist.chunks[i].start; st != nil {
			built++
			cells += len(st) - 1
		}
	}
	most := int(chunkRows * (blockUnits/cellUnits + 1))
	if built != 1 || cells > most {
		t.Errorf("one query built %d chunks of %d cells in all, want 1 of at most %d cells", built, cells, most)
	}
}
