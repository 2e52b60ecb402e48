package render

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lookout-osint/lookout/sar/geotiff"
)

func TestGammaMoments(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range []float64{0.5, 1, 4.4, 10} {
		var s, s2 float64
		n := 200000
		for i := 0; i < n; i++ {
			v := gammaL(rng, k)
			s += v
			s2 += v * v
		}
		mean := s / float64(n)
		vr := s2/float64(n) - mean*mean
		if math.Abs(mean-1) > 0.02 || math.Abs(vr-1/k)/(1/k) > 0.06 {
			t.Errorf("shape %g: mean %.3f (want 1), variance %.3f (want %.3f)", k, mean, vr, 1/k)
		}
	}
}

func scene() Scene {
	return Scene{
		Width: 300, Height: 200, Transform: NorthUp(40, 134, 300, 200, 10), Seed: 3, KShape: 5,
		Targets:     []Target{{Lat: 40, Lon: 134, LengthM: 150, HeadingDeg: 30}, {Lat: 40.005, Lon: 133.99, LengthM: 40}},
		Ambiguities: true, RainCells: 2, Spikes: 10,
	}
}

// Any band of rows renders the same as in the whole scene, so bands can be
// rendered in parallel and streamed.
func TestRowsIndependentOfBanding(t *testing.T) {
	r, err := Prepare(scene())
	if err != nil {
		t.Fatal(err)
	}
	w, h := 300, 200
	full := make([]float32, w*h)
	r.Rows(0, h, full)
	band := make([]float32, 37*w)
	r.Rows(81, 37, band)
	for i, v := range band {
		if v != full[81*w+i] {
			t.Fatalf("pixel %d differs: %v vs %v", i, v, full[81*w+i])
		}
	}
}

func TestSceneStatistics(t *testing.T) {
	s := scene()
	s.Targets, s.RainCells, s.Spikes, s.SeaFarRatio = nil, 0, 0, 1
	s.Width, s.Height = 512, 512
	r, err := Prepare(s)
	if err != nil {
		t.Fatal(err)
	}
	px := make([]float32, 512*512)
	r.Rows(0, 512, px)
	var sum float64
	for _, v := range px {
		sum += float64(v)
	}
	if mean := sum / float64(len(px)); math.Abs(mean-0.004)/0.004 > 0.05 {
		t.Errorf("clutter mean %.5f, want 0.004", mean)
	}
	// A ship raises its pixels far above the clutter.
	s = scene()
	s.RainCells, s.Spikes = 0, 0
	r, _ = Prepare(s)
	r.Rows(0, 200, px[:300*200])
	c, row, _ := s.Transform.Inverse(134, 40)
	if v := px[int(row)*300+int(c)]; v < 0.004*20 {
		t.Errorf("ship centre pixel %.4f is not bright", v)
	}
}

func TestPrepareRejectsBadScenes(t *testing.T) {
	for _, s := range []Scene{{Width: 0, Height: 10, Transform: NorthUp(40, 134, 1, 10, 10)}, {Width: 10, Height: 10}, {Width: 1 << 30, Height: 1, Transform: NorthUp(40, 134, 1, 1, 10)}} {
		if _, err := Prepare(s); err == nil {
			t.Errorf("accepted %+v", s)
		}
	}
}

func TestWriteGeoTIFFRoundTrip(t *testing.T) {
	s := scene()
	r, _ := Prepare(s)
	path := t.TempDir() + "/s.tif"
	if err := r.WriteGeoTIFF(path, true); err != nil {
		t.Fatal(err)
	}
	f, err := geotiff.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := make([]float32, 300*200)
	if err := f.ReadWindow(0, 0, 300, 200, got); err != nil {
		t.Fatal(err)
	}
	want := make([]float32, 300*200)
	r.Rows(0, 200, want)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("pixel %d: file %v, render %v", i, got[i], want[i])
		}
	}
	if f.Transform != s.Transform {
		t.Errorf("transform %v, want %v", f.Transform, s.Transform)
	}
}
