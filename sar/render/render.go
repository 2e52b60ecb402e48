// Package render synthesises calibrated SAR backscatter scenes (linear
// sigma-nought, Sentinel-1 IW GRD-like: 10 m pixels, ~20 m resolution) with
// known ship targets, so the detector can be tested end to end and the
// simulator can produce images at its satellite overpasses.
//
// The model: sea clutter whose mean falls with incidence angle across the
// swath, multiplied by gamma-distributed speckle (L looks), optionally by a
// gamma texture as well (K-distributed clutter, for spiky seas); land from
// the land index, much brighter and rougher; ships as bright rectangles of
// their length and beam at their heading, blurred to the sensor resolution;
// and false-alarm sources that are not ships: azimuth ambiguities (faint
// ghosts of bright ships displaced along track), rain cells and wind fronts
// (patches of raised clutter with sharp edges), and isolated bright spikes.
//
// Rendering is deterministic for a seed, row by row, so a scene can be
// written in bands of rows in parallel and in bounded memory.
package render

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/lookout-osint/lookout/sar/geotiff"
	"github.com/lookout-osint/lookout/sar/landmask"
)

// Target is a ship to draw.
type Target struct {
	ID         string
	Lat, Lon   float64
	LengthM    float64
	BeamM      float64 // 0: length/6
	HeadingDeg float64
	// ContrastDB is the ship's mean brightness above the local sea clutter
	// mean; 0 picks a value from its length (bigger hulls reflect more).
	ContrastDB float64
}

// Scene describes what to render.
type Scene struct {
	Width, Height int
	Transform     geotiff.Transform
	Time          time.Time
	Seed          uint64
	// SeaMean is the clutter mean (linear sigma-nought) at near range and
	// SeaFarRatio the far-range mean relative to it (incidence-angle
	// fall-off). Defaults 0.004 (VH-like, -24 dB) and 0.4.
	SeaMean, SeaFarRatio float64
	// Looks is the speckle's equivalent number of looks (default 4.4, as
	// Sentinel-1 IW GRD high resolution).
	Looks float64
	// KShape > 0 makes clutter K-distributed with that texture shape
	// (smaller is spikier; 2-10 is typical of rough seas). The texture
	// (wave modulation) is correlated over TextureM metres (default 80).
	KShape   float64
	TextureM float64
	Targets  []Target
	// Land, when set, is drawn from the land index (*geo.Land).
	Land landmask.Land
	// Ambiguities draws azimuth ghosts of ships brighter than
	// AmbiguityMinDB (default 20 dB) at AmbiguityOffsetKm (default 4.5)
	// north and south, AmbiguityLossDB (default 22 dB) fainter.
	Ambiguities       bool
	AmbiguityOffsetKm float64
	AmbiguityLossDB   float64
	AmbiguityMinDB    float64
	// RainCells is the number of patches of raised clutter; Spikes the
	// number of isolated bright pixels.
	RainCells int
	Spikes    int
}

// Rendered is a scene ready to be rendered row by row.
type Rendered struct {
	s       Scene
	mask    *landmask.Mask
	shapes  []shape // targets and ghosts, sorted by first row
	cells   []rainCell
	spikes  map[int][]spike // by row
	mLat    float64
	mLon    float64
	pxM     float64
	Targets []Target // with defaults filled in (beam, contrast)
}

type shape struct {
	lat, lon, halfL, halfB, sinH, cosH float64
	gain                               float64 // mean intensity as a multiple of local sea mean
	y0, y1, x0, x1                     int
}

type spike struct {
	x    int
	gain float64
}

type rainCell struct {
	cx, cy, rx, ry, gain float64
}

// Prepare validates the scene and lays out its objects.
func Prepare(s Scene) (*Rendered, error) {
	if s.Width <= 0 || s.Height <= 0 || s.Width > geotiff.MaxDimension || s.Height > geotiff.MaxDimension {
		return nil, fmt.Errorf("render: bad scene size %d x %d", s.Width, s.Height)
	}
	if s.Transform[1]*s.Transform[5]-s.Transform[2]*s.Transform[4] == 0 {
		return nil, fmt.Errorf("render: degenerate transform %v", s.Transform)
	}
	if s.SeaMean == 0 {
		s.SeaMean = 0.004
	}
	if s.SeaFarRatio == 0 {
		s.SeaFarRatio = 0.4
	}
	if s.Looks == 0 {
		s.Looks = 4.4
	}
	if s.TextureM == 0 {
		s.TextureM = 80
	}
	if s.AmbiguityOffsetKm == 0 {
		s.AmbiguityOffsetKm = 4.5
	}
	if s.AmbiguityLossDB == 0 {
		s.AmbiguityLossDB = 22
	}
	if s.AmbiguityMinDB == 0 {
		s.AmbiguityMinDB = 20
	}
	r := &Rendered{s: s}
	_, lat := s.Transform.LonLat(float64(s.Width)/2, float64(s.Height)/2)
	r.mLat, r.mLon = landmask.MetresPerDegree(lat)
	dx, dy := landmask.PixelSizeM(s.Transform, s.Width, s.Height)
	r.pxM = math.Max(dx, dy)
	r.mask = landmask.Build(s.Land, s.Width, s.Height, s.Transform, 0, 4)
	rng := rand.New(rand.NewPCG(s.Seed, 0x5eed))
	for _, t := range s.Targets {
		if t.LengthM <= 0 || math.IsNaN(t.LengthM) {
			continue
		}
		if t.BeamM <= 0 {
			t.BeamM = math.Max(t.LengthM/6, 4)
		}
		if t.ContrastDB == 0 {
			// Radar cross-section grows with size; small boats sit close to
			// the clutter, large steel hulls 20+ dB above it.
			t.ContrastDB = 10 + 8*math.Log10(t.LengthM/20) + rng.Float64()*6
		}
		r.Targets = append(r.Targets, t)
		gain := math.Pow(10, t.ContrastDB/10)
		r.addShape(t.Lat, t.Lon, t.LengthM, t.BeamM, t.HeadingDeg, gain)
		if s.Ambiguities && t.ContrastDB >= s.AmbiguityMinDB {
			g := math.Pow(10, (t.ContrastDB-s.AmbiguityLossDB)/10)
			dLat := s.AmbiguityOffsetKm * 1000 / r.mLat
			r.addShape(t.Lat+dLat, t.Lon, t.LengthM, t.BeamM, t.HeadingDeg, g)
			r.addShape(t.Lat-dLat, t.Lon, t.LengthM, t.BeamM, t.HeadingDeg, g)
		}
	}
	sort.Slice(r.shapes, func(i, j int) bool { return r.shapes[i].y0 < r.shapes[j].y0 })
	for i := 0; i < s.RainCells; i++ {
		r.cells = append(r.cells, rainCell{
			cx: rng.Float64() * float64(s.Width), cy: rng.Float64() * float64(s.Height),
			rx: (1000 + rng.Float64()*4000) / r.pxM, ry: (1000 + rng.Float64()*4000) / r.pxM,
			gain: 1.5 + rng.Float64()*2.5,
		})
	}
	r.spikes = map[int][]spike{}
	for i := 0; i < s.Spikes; i++ {
		y := rng.IntN(s.Height)
		r.spikes[y] = append(r.spikes[y], spike{rng.IntN(s.Width), math.Pow(10, (8+rng.Float64()*6)/10)})
	}
	return r, nil
}

// resolutionM is the sensor's resolution: hulls blur over about this much.
const resolutionM = 20

func (r *Rendered) addShape(lat, lon, length, beam, heading, gain float64) {
	h := heading * math.Pi / 180
	sh := shape{lat: lat, lon: lon, halfL: length / 2, halfB: beam / 2, sinH: math.Sin(h), cosH: math.Cos(h), gain: gain}
	col, row, ok := r.s.Transform.Inverse(lon, lat)
	if !ok {
		return
	}
	ext := (length/2+resolutionM)/r.pxM + 2
	sh.x0, sh.x1 = int(col-ext), int(col+ext)+1
	sh.y0, sh.y1 = int(row-ext), int(row+ext)+1
	if sh.x1 < 0 || sh.y1 < 0 || sh.x0 >= r.s.Width || sh.y0 >= r.s.Height {
		return
	}
	r.shapes = append(r.shapes, sh)
}

// overlap is the fraction of a window of width res centred at x that lies
// within [-half, half].
func overlap(x, half, res float64) float64 {
	x = math.Abs(x)
	lo, hi := math.Max(x-res/2, -half), math.Min(x+res/2, half)
	if hi <= lo {
		return 0
	}
	return (hi - lo) / res
}

// Rows renders rows [y0, y0+n) into dst (n*Width values).
func (r *Rendered) Rows(y0, n int, dst []float32) {
	s := &r.s
	w := s.Width
	step := max(1, int(s.TextureM/r.pxM))
	var texA, texB []float64
	for y := y0; y < y0+n; y++ {
		rng := rand.New(rand.NewPCG(s.Seed, uint64(y)+1))
		row := dst[(y-y0)*w : (y-y0+1)*w]
		if s.KShape > 0 {
			texA, texB = r.textureRow(y/step, texA), r.textureRow(y/step+1, texB)
		}
		fy := float64(y%step) / float64(step)
		for x := 0; x < w; x++ {
			if r.mask.Land(x, y) {
				// Land: bright and rough (buildings, slopes).
				row[x] = float32(s.SeaMean * 12 * gammaL(rng, 2) * (0.5 + rng.Float64()))
				continue
			}
			mean := s.SeaMean * (1 + (s.SeaFarRatio-1)*float64(x)/float64(w))
			// Overlapping cells do not compound: the strongest one sets
			// the clutter level.
			gain := 1.0
			for _, c := range r.cells {
				dx, dy := (float64(x)-c.cx)/c.rx, (float64(y)-c.cy)/c.ry
				if dx*dx+dy*dy < 1 && c.gain > gain {
					gain = c.gain
				}
			}
			mean *= gain
			tex := 1.0
			if s.KShape > 0 {
				gx, fx := x/step, float64(x%step)/float64(step)
				tex = (texA[gx]*(1-fx)+texA[gx+1]*fx)*(1-fy) + (texB[gx]*(1-fx)+texB[gx+1]*fx)*fy
			}
			row[x] = float32(mean * tex * gammaL(rng, s.Looks))
		}
		r.drawShapes(y, row, rng)
		for _, sp := range r.spikes[y] {
			row[sp.x] += float32(sp.gain * s.SeaMean * gammaL(rng, 4))
		}
	}
}

// textureRow is the clutter texture at the nodes of grid row gy, drawn
// from a generator seeded by the row so any band of rows can be rendered
// alone.
func (r *Rendered) textureRow(gy int, dst []float64) []float64 {
	step := max(1, int(r.s.TextureM/r.pxM))
	n := r.s.Width/step + 2
	dst = dst[:0]
	rng := rand.New(rand.NewPCG(r.s.Seed^0x7e47, uint64(gy)))
	for i := 0; i < n; i++ {
		dst = append(dst, gammaL(rng, r.s.KShape))
	}
	return dst
}

func (r *Rendered) drawShapes(y int, row []float32, rng *rand.Rand) {
	s := &r.s
	i := sort.Search(len(r.shapes), func(i int) bool { return r.shapes[i].y0 > y })
	for k := 0; k < i; k++ {
		sh := &r.shapes[k]
		if y >= sh.y1 {
			continue
		}
		for x := max(sh.x0, 0); x < min(sh.x1, s.Width); x++ {
			lon, lat := s.Transform.LonLat(float64(x)+0.5, float64(y)+0.5)
			dx, dy := (lon-sh.lon)*r.mLon, (lat-sh.lat)*r.mLat
			along := dx*sh.sinH + dy*sh.cosH
			across := dx*sh.cosH - dy*sh.sinH
			// Normalised so the hull's brightest pixel has the target's
			// contrast whatever its size: ContrastDB is a peak contrast.
			cov := overlap(along, sh.halfL, resolutionM) / math.Min(1, 2*sh.halfL/resolutionM) *
				overlap(across, sh.halfB, resolutionM) / math.Min(1, 2*sh.halfB/resolutionM)
			if cov <= 0 {
				continue
			}
			mean := s.SeaMean * (1 + (s.SeaFarRatio-1)*float64(x)/float64(s.Width))
			// Ship returns fluctuate less than sea speckle (a few strong
			// scatterers), hence more looks.
			row[x] += float32(mean * sh.gain * cov * gammaL(rng, 8))
		}
	}
}

// gammaL draws from a gamma distribution with shape k and mean 1
// (Marsaglia and Tsang; shape < 1 by the boost U^(1/k)).
func gammaL(rng *rand.Rand, k float64) float64 {
	k0, boost := k, 1.0
	if k < 1 {
		boost = math.Pow(rng.Float64(), 1/k)
		k++
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v * boost / k0
		}
	}
}

// WriteGeoTIFF renders the whole scene into path, in bands of rows rendered
// in parallel, holding only a few bands in memory.
func (r *Rendered) WriteGeoTIFF(path string, deflate bool) error {
	s := &r.s
	wr, err := geotiff.Create(path, s.Width, s.Height, s.Transform, geotiff.WriterOptions{TileSize: 256, Deflate: deflate, Time: s.Time})
	if err != nil {
		return err
	}
	band := wr.TileSize()
	nb := (s.Height + band - 1) / band
	workers := runtime.GOMAXPROCS(0)
	// Bands are rendered in parallel and written in order through slots.
	results := make([]chan []float32, nb)
	for i := range results {
		results[i] = make(chan []float32, 1)
	}
	sem := make(chan struct{}, workers+1) // bounds bands in flight
	var wg sync.WaitGroup
	go func() {
		for i := 0; i < nb; i++ {
			sem <- struct{}{}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				n := min(band, s.Height-i*band)
				buf := make([]float32, n*s.Width)
				r.Rows(i*band, n, buf)
				results[i] <- buf
			}(i)
		}
	}()
	var werr error
	for i := 0; i < nb; i++ {
		buf := <-results[i]
		if werr == nil {
			werr = wr.WriteRows(buf)
		}
		<-sem
	}
	wg.Wait()
	if err := wr.Close(); werr == nil {
		werr = err
	}
	return werr
}

// NorthUp is the transform of a north-up scene of w x h pixels of pixelM
// metres centred on (lat, lon).
func NorthUp(lat, lon float64, w, h int, pixelM float64) geotiff.Transform {
	mLat, mLon := landmask.MetresPerDegree(lat)
	dLon, dLat := pixelM/mLon, pixelM/mLat
	return geotiff.Transform{lon - dLon*float64(w)/2, dLon, 0, lat + dLat*float64(h)/2, 0, -dLat}
}

// TargetsAt makes targets of the given positions and lengths, with headings
// drawn from seed (detection lists do not carry them). Lengths of 0 or less
// are skipped.
func TargetsAt(lats, lons, lengths []float64, seed uint64) []Target {
	rng := rand.New(rand.NewPCG(seed, 0x4ead))
	var ts []Target
	for i := range lats {
		h := rng.Float64() * 360
		if lengths[i] <= 0 {
			continue
		}
		ts = append(ts, Target{Lat: lats[i], Lon: lons[i], LengthM: lengths[i], HeadingDeg: h})
	}
	return ts
}
