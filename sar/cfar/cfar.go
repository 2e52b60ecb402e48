// Package cfar finds ships in SAR backscatter with a two-parameter constant
// false alarm rate detector: a pixel is a target pixel when it exceeds the
// mean of a background ring (between a guard window and an outer window) by
// more than K standard deviations of that ring. Ring statistics come from
// summed-area tables, so the cost per pixel does not depend on the window
// sizes. Target pixels are grouped into clusters, each giving one detection
// with a position, a length and a heading from the cluster's second moments.
//
// Large scenes are cut into tiles processed in parallel; each tile is read
// with a halo wide enough for the outer window and for a ship lying across
// the tile edge, and a cluster belongs to the tile that holds its brightest
// pixel, so every ship is reported once. Memory is a few tens of MB per
// worker whatever the scene size.
package cfar

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/lookout-osint/lookout/sar"
	"github.com/lookout-osint/lookout/sar/geotiff"
	"github.com/lookout-osint/lookout/sar/landmask"
)

// Options tune the detector. Zero values take the defaults.
type Options struct {
	// GuardM and OuterM are the side lengths of the guard and outer windows
	// in metres (Global Fishing Watch uses 200 and 600).
	GuardM, OuterM float64
	// K is the pixel threshold in background standard deviations (default
	// 6); a cluster is kept only if its brightest pixel reaches SeedK
	// (default 15). The two thresholds (hysteresis) let a hull's dimmer
	// pixels join it while clutter (speckle on a bright swell, rain) rarely
	// produces a seed.
	K, SeedK float64
	// MinPixels is the smallest cluster kept (default 3: at Sentinel-1's
	// 20 m resolution and 10 m pixels a real object is blurred over a 2x2
	// block or more, so one or two pixels are clutter spikes).
	MinPixels int
	// MaxLengthM drops clusters longer than any ship (default 500 m):
	// they are land missed by the mask, sea ice or wind fronts.
	MaxLengthM float64
	// LandBufferKm widens the land mask into the sea (default 0.5 km), for
	// the coarseness of the coastline and bright shore structures.
	LandBufferKm float64
	// MinValidFraction is the share of the background ring that must be
	// valid sea for a pixel to be tested (default 0.3).
	MinValidFraction float64
	// Tile is the side of the tiles processed in parallel (default 1024).
	Tile    int
	Workers int // default GOMAXPROCS
	// Progress, if set, is called after each tile with done and total.
	Progress func(done, total int)
}

func (o *Options) defaults() {
	if o.GuardM == 0 {
		o.GuardM = 200
	}
	if o.OuterM == 0 {
		o.OuterM = 600
	}
	if o.K == 0 {
		o.K = 6
	}
	if o.SeedK == 0 {
		o.SeedK = 15
	}
	if o.MinPixels == 0 {
		o.MinPixels = 3
	}
	if o.MaxLengthM == 0 {
		o.MaxLengthM = 500
	}
	if o.LandBufferKm == 0 {
		o.LandBufferKm = 0.5
	}
	if o.MinValidFraction == 0 {
		o.MinValidFraction = 0.3
	}
	if o.Tile == 0 {
		o.Tile = 1024
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
}

// Raster is a georeferenced single-band image read window by window;
// *geotiff.File is one.
type Raster interface {
	ReadWindow(x0, y0, w, h int, dst []float32) error
}

// Image is what Detect needs to know about a scene.
type Image struct {
	Raster        Raster
	Width, Height int
	// Transform is the affine georeferencing, used for pixel sizes and the
	// land mask; Locate, when set, gives detections' positions more exactly
	// (a GCP polynomial).
	Transform geotiff.Transform
	Locate    func(col, row float64) (lon, lat float64)
	Time      time.Time
	Scene     string
}

// FromGeoTIFF describes an open GeoTIFF; scene names the detections.
func FromGeoTIFF(f *geotiff.File, scene string) Image {
	return Image{Raster: f, Width: f.Width, Height: f.Height, Transform: f.Transform, Locate: f.LonLat, Time: f.Time, Scene: scene}
}

// Stats describe a run.
type Stats struct {
	Pixels       int64 // pixels in the scene
	SeaPixels    int64 // pixels tested (valid, at sea)
	NaNPixels    int64 // nodata or non-finite pixels
	TargetPixels int64 // pixels over threshold
	Clusters     int   // clusters before size filters
	TooSmall     int   // clusters dropped for MinPixels
	TooFaint     int   // clusters dropped for SeedK
	TooLong      int   // clusters dropped for MaxLengthM
	Tiles        int
	LandQueries  int
}

// Detect runs the detector over a whole scene. land may be nil (no mask).
func Detect(ctx context.Context, img Image, land landmask.Land, o Options) ([]sar.Detection, Stats, error) {
	o.defaults()
	var st Stats
	if img.Width <= 0 || img.Height <= 0 {
		return nil, st, fmt.Errorf("bad image size %d x %d", img.Width, img.Height)
	}
	if o.GuardM <= 0 || o.OuterM <= o.GuardM || o.K <= 0 || o.Tile < 64 {
		return nil, st, fmt.Errorf("bad CFAR options: guard %g m, outer %g m, K %g, tile %d", o.GuardM, o.OuterM, o.K, o.Tile)
	}
	dx, dy := landmask.PixelSizeM(img.Transform, img.Width, img.Height)
	if !(dx > 0.1 && dy > 0.1 && dx < 1000 && dy < 1000) {
		return nil, st, fmt.Errorf("pixel size %.3g x %.3g m is not a SAR ship-detection resolution (want 0.1-1000 m)", dx, dy)
	}
	px := math.Sqrt(dx * dy)
	g := geom{
		guard: max(1, int(math.Round(o.GuardM/px/2))),
		outer: max(2, int(math.Round(o.OuterM/px/2))),
		// A cluster may extend this far beyond a tile's core and still be
		// measured whole by the tile that owns it.
		margin: int(math.Ceil(o.MaxLengthM/px)) + 2,
		dx:     dx, dy: dy,
	}
	if g.outer <= g.guard {
		g.outer = g.guard + 1
	}
	// A worker holds its tile plus margins several times over (pixels,
	// summed-area tables, labels): about 32 bytes a pixel. Fine pixels
	// make the margin for a 500 m ship thousands of pixels wide, so the
	// workers are limited to what fits in workerBudget, and a scene whose
	// single tile does not fit is refused rather than run out of memory.
	side := int64(o.Tile + 2*(g.margin+g.outer))
	perWorker := side * side * bytesPerWindowPixel
	if perWorker > workerBudget {
		return nil, st, fmt.Errorf("pixel size %.3g x %.3g m is too fine for ships up to %g m: one tile would need %d MB (limit %d MB); raise the pixel size (gdalwarp -tr) or lower --max-length-m",
			dx, dy, o.MaxLengthM, perWorker>>20, workerBudget>>20)
	}
	o.Workers = max(1, min(o.Workers, int(workerBudget/perWorker)))
	mask := landmask.Build(land, img.Width, img.Height, img.Transform, o.LandBufferKm, 8)
	st.LandQueries = mask.Queries
	st.Pixels = int64(img.Width) * int64(img.Height)

	type tile struct{ x0, y0, x1, y1 int }
	var tiles []tile
	for y := 0; y < img.Height; y += o.Tile {
		for x := 0; x < img.Width; x += o.Tile {
			tiles = append(tiles, tile{x, y, min(x+o.Tile, img.Width), min(y+o.Tile, img.Height)})
		}
	}
	st.Tiles = len(tiles)
	jobs := make(chan tile)
	var mu sync.Mutex
	var out []sar.Detection
	var firstErr error
	done := 0
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < min(o.Workers, len(tiles)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := &worker{img: img, mask: mask, g: g, o: &o}
			for t := range jobs {
				ds, ts, err := wk.tile(t.x0, t.y0, t.x1, t.y1)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				out = append(out, ds...)
				st.add(ts)
				done++
				if o.Progress != nil {
					o.Progress(done, len(tiles))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, t := range tiles {
		if ctx.Err() != nil {
			break
		}
		select {
		case jobs <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, st, firstErr
	}
	if done < len(tiles) {
		return nil, st, fmt.Errorf("detection stopped after %d of %d tiles: %w", done, len(tiles), ctx.Err())
	}
	// Deterministic order whatever the scheduling: north to south, west to east.
	sort.Slice(out, func(i, j int) bool {
		if out[i].Lat != out[j].Lat {
			return out[i].Lat > out[j].Lat
		}
		return out[i].Lon < out[j].Lon
	})
	for i := range out {
		out[i].ID = fmt.Sprintf("%s#%d", img.Scene, i+1)
	}
	return out, st, nil
}

// workerBudget bounds the memory of all workers' buffers together.
const (
	workerBudget        = 1 << 30
	bytesPerWindowPixel = 32
)

func (s *Stats) add(t Stats) {
	s.SeaPixels += t.SeaPixels
	s.NaNPixels += t.NaNPixels
	s.TargetPixels += t.TargetPixels
	s.Clusters += t.Clusters
	s.TooSmall += t.TooSmall
	s.TooFaint += t.TooFaint
	s.TooLong += t.TooLong
}

type geom struct {
	guard, outer, margin int // half-widths in pixels
	dx, dy               float64
}

// worker holds one goroutine's reusable buffers.
type worker struct {
	img  Image
	mask *landmask.Mask
	g    geom
	o    *Options

	buf    []float32
	sum    []float64 // summed-area tables, (w+1) x (h+1)
	sq     []float64
	cnt    []int32
	label  []int32
	parent []int32
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// tile detects ships whose brightest pixel lies in [x0,x1) x [y0,y1).
func (wk *worker) tile(x0, y0, x1, y1 int) ([]sar.Detection, Stats, error) {
	var st Stats
	g := wk.g
	// Evaluated region: core plus cluster margin; read region: plus outer.
	ex0, ey0 := max(x0-g.margin, 0), max(y0-g.margin, 0)
	ex1, ey1 := min(x1+g.margin, wk.img.Width), min(y1+g.margin, wk.img.Height)
	rx0, ry0 := ex0-g.outer, ey0-g.outer
	rw, rh := ex1-ex0+2*g.outer, ey1-ey0+2*g.outer
	if nd, ok := wk.img.Raster.(interface{ Empty(x0, y0, w, h int) bool }); ok && nd.Empty(rx0, ry0, rw, rh) {
		// Sparse blocks hold nothing: the tile is all nodata, unread.
		st.NaNPixels = int64(x1-x0) * int64(y1-y0)
		return nil, st, nil
	}
	wk.buf = grow(wk.buf, rw*rh)
	if err := wk.img.Raster.ReadWindow(rx0, ry0, rw, rh, wk.buf); err != nil {
		return nil, st, fmt.Errorf("reading tile at (%d,%d): %w", x0, y0, err)
	}
	buf := wk.buf
	// Invalidate land and non-finite pixels (NaN marks invalid from here on),
	// and find a robust clutter level to censor bright outliers (ships,
	// platforms) from background statistics.
	var sample []float32
	valid := 0
	for y := 0; y < rh; y++ {
		for x := 0; x < rw; x++ {
			i := y*rw + x
			v := buf[i]
			if v != v || math.IsInf(float64(v), 0) || v < 0 {
				buf[i] = float32(math.NaN())
				if rx0+x >= x0 && rx0+x < x1 && ry0+y >= y0 && ry0+y < y1 {
					st.NaNPixels++
				}
				continue
			}
			if wk.mask.Land(rx0+x, ry0+y) {
				buf[i] = float32(math.NaN())
				continue
			}
			valid++
			if (x*7+y*13)%31 == 0 {
				sample = append(sample, v)
			}
		}
	}
	if valid == 0 {
		// Nodata or land throughout (a scene's corners outside the swath,
		// sparse tiles): nothing to test, and no tables to build.
		return nil, st, nil
	}
	censor := float32(math.Inf(1))
	if len(sample) > 100 {
		sort.Slice(sample, func(i, j int) bool { return sample[i] < sample[j] })
		censor = sample[len(sample)/2] * 15
	}
	// Summed-area tables over the read region.
	W := rw + 1
	n := W * (rh + 1)
	wk.sum, wk.sq, wk.cnt = grow(wk.sum, n), grow(wk.sq, n), grow(wk.cnt, n)
	sum, sq, cnt := wk.sum, wk.sq, wk.cnt
	for x := 0; x < W; x++ {
		sum[x], sq[x], cnt[x] = 0, 0, 0
	}
	for y := 1; y <= rh; y++ {
		var rs, rq float64
		var rc int32
		sum[y*W], sq[y*W], cnt[y*W] = 0, 0, 0
		row := buf[(y-1)*rw : y*rw]
		for x := 1; x <= rw; x++ {
			v := row[x-1]
			if v == v && v <= censor {
				f := float64(v)
				rs += f
				rq += f * f
				rc++
			}
			i := y*W + x
			sum[i] = sum[i-W] + rs
			sq[i] = sq[i-W] + rq
			cnt[i] = cnt[i-W] + rc
		}
	}
	box := func(t []float64, x0, y0, x1, y1 int) float64 { // [x0,x1) x [y0,y1) in read coords
		return t[y1*W+x1] - t[y0*W+x1] - t[y1*W+x0] + t[y0*W+x0]
	}
	boxc := func(x0, y0, x1, y1 int) int32 {
		return cnt[y1*W+x1] - cnt[y0*W+x1] - cnt[y1*W+x0] + cnt[y0*W+x0]
	}
	ringArea := float64((2*g.outer+1)*(2*g.outer+1) - (2*g.guard+1)*(2*g.guard+1))
	minValid := int32(wk.o.MinValidFraction * ringArea)
	k := wk.o.K
	// Test every pixel of the evaluated region; label target pixels.
	ew, eh := ex1-ex0, ey1-ey0
	wk.label = grow(wk.label, ew*eh)
	label := wk.label
	wk.parent = wk.parent[:0]
	type hit struct {
		score float64
		bgMu  float64
	}
	hits := map[int32]hit{}
	for y := 0; y < eh; y++ {
		ry := y + g.outer // row in read coords
		for x := 0; x < ew; x++ {
			label[y*ew+x] = -1
			rx := x + g.outer
			v := buf[ry*rw+rx]
			if v != v {
				continue
			}
			if ex0+x >= x0 && ex0+x < x1 && ey0+y >= y0 && ey0+y < y1 {
				st.SeaPixels++
			}
			oc := boxc(rx-g.outer, ry-g.outer, rx+g.outer+1, ry+g.outer+1)
			ic := boxc(rx-g.guard, ry-g.guard, rx+g.guard+1, ry+g.guard+1)
			c := oc - ic
			if c < minValid {
				continue
			}
			s := box(sum, rx-g.outer, ry-g.outer, rx+g.outer+1, ry+g.outer+1) - box(sum, rx-g.guard, ry-g.guard, rx+g.guard+1, ry+g.guard+1)
			q := box(sq, rx-g.outer, ry-g.outer, rx+g.outer+1, ry+g.outer+1) - box(sq, rx-g.guard, ry-g.guard, rx+g.guard+1, ry+g.guard+1)
			mu := s / float64(c)
			vr := q/float64(c) - mu*mu
			if vr <= 0 {
				continue
			}
			sd := math.Sqrt(vr)
			z := (float64(v) - mu) / sd
			if z <= k {
				continue
			}
			st.TargetPixels++
			// Union with target neighbours already seen (8-connected,
			// bridging one-pixel gaps so a hull with a dark patch stays whole).
			id := int32(len(wk.parent))
			wk.parent = append(wk.parent, id)
			label[y*ew+x] = id
			hits[id] = hit{z, mu}
			for dy := -2; dy <= 0; dy++ {
				for dx := -2; dx <= 2; dx++ {
					if dy == 0 && dx >= 0 {
						break
					}
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= ew {
						continue
					}
					if l := label[ny*ew+nx]; l >= 0 {
						union(wk.parent, id, l)
					}
				}
			}
		}
	}
	// Gather clusters.
	type acc struct {
		n            int
		peak         float64
		peakX, peakY int
		sw           float64
		pts          [][2]int
		bg           float64
	}
	clusters := map[int32]*acc{}
	for y := 0; y < eh; y++ {
		for x := 0; x < ew; x++ {
			l := label[y*ew+x]
			if l < 0 {
				continue
			}
			r := find(wk.parent, l)
			a := clusters[r]
			if a == nil {
				a = &acc{peak: -1}
				clusters[r] = a
			}
			h := hits[l]
			a.n++
			a.pts = append(a.pts, [2]int{x, y})
			if h.score > a.peak {
				a.peak, a.peakX, a.peakY, a.bg = h.score, x, y, h.bgMu
			}
		}
	}
	var out []sar.Detection
	mLat, _ := landmask.MetresPerDegree(wk.img.Transform[3])
	t := wk.img.Transform
	for _, a := range clusters {
		// Ownership: the tile holding the peak reports the cluster.
		px, py := a.peakX+ex0, a.peakY+ey0
		if px < x0 || px >= x1 || py < y0 || py >= y1 {
			continue
		}
		st.Clusters++
		if a.n < wk.o.MinPixels {
			st.TooSmall++
			continue
		}
		if a.peak < wk.o.SeedK {
			st.TooFaint++
			continue
		}
		// Intensity-weighted centroid; unweighted second moments in metres
		// give the extent.
		var cx, cy float64
		for _, p := range a.pts {
			v := float64(buf[(p[1]+g.outer)*rw+p[0]+g.outer]) - a.bg
			if v < 0 {
				v = 0
			}
			a.sw += v
			cx += v * float64(p[0])
			cy += v * float64(p[1])
		}
		cx, cy = cx/a.sw, cy/a.sw
		_, lat0 := t.LonLat(cx+float64(ex0)+0.5, cy+float64(ey0)+0.5)
		mLon := mLat * math.Cos(lat0*math.Pi/180)
		var see, snn, sen, me, mn float64
		for _, p := range a.pts {
			e, nn := groundOffset(t, float64(p[0])-cx, float64(p[1])-cy, mLat, mLon)
			me += e
			mn += nn
		}
		me /= float64(a.n)
		mn /= float64(a.n)
		for _, p := range a.pts {
			e, nn := groundOffset(t, float64(p[0])-cx, float64(p[1])-cy, mLat, mLon)
			e -= me
			nn -= mn
			see += e * e
			snn += nn * nn
			sen += e * nn
		}
		see /= float64(a.n)
		snn /= float64(a.n)
		sen /= float64(a.n)
		tr, det := see+snn, see*snn-sen*sen
		l1 := tr/2 + math.Sqrt(math.Max(tr*tr/4-det, 0))
		l2 := math.Max(tr-l1, 0)
		pxM := math.Sqrt(g.dx * g.dy)
		// A uniform bar of n pixels has variance (n^2-1)/12 pixel^2; the
		// sensor blur (about 20 m) widens a cluster by roughly that much.
		length := math.Sqrt(12*l1+pxM*pxM) - blurM
		width := math.Sqrt(12*l2+pxM*pxM) - blurM
		length, width = math.Max(length, pxM), math.Max(width, pxM)
		if length > wk.o.MaxLengthM {
			st.TooLong++
			continue
		}
		// The major axis is the eigenvector (sen, l1-see) in (east, north).
		heading := 90.0 // east-west when the axes are the grid's and east is longer
		if sen != 0 || l1 != see {
			heading = math.Atan2(sen, l1-see) * 180 / math.Pi
		}
		heading = math.Mod(heading+360, 180)
		locate := t.LonLat
		if wk.img.Locate != nil {
			locate = wk.img.Locate
		}
		lon, lat := locate(cx+float64(ex0)+0.5, cy+float64(ey0)+0.5)
		out = append(out, sar.Detection{
			Scene: wk.img.Scene, Time: wk.img.Time, Lat: lat, Lon: lon,
			LengthM: math.Round(length*10) / 10, WidthM: math.Round(width*10) / 10,
			HeadingDeg: math.Round(heading*10) / 10, Score: math.Round(a.peak*1000) / 1000,
			Pixels: a.n, Source: "lookout-cfar",
		})
	}
	return out, st, nil
}

// blurM is how much the sensor's point spread lengthens a thresholded
// cluster beyond the hull; calibrated on rendered scenes.
const blurM = 10

// groundOffset converts a pixel offset to metres east and north.
func groundOffset(t geotiff.Transform, dc, dr, mLat, mLon float64) (east, north float64) {
	return (t[1]*dc + t[2]*dr) * mLon, (t[4]*dc + t[5]*dr) * mLat
}

func find(p []int32, i int32) int32 {
	for p[i] != i {
		p[i] = p[p[i]]
		i = p[i]
	}
	return i
}

func union(p []int32, a, b int32) {
	ra, rb := find(p, a), find(p, b)
	if ra != rb {
		if ra < rb {
			p[rb] = ra
		} else {
			p[ra] = rb
		}
	}
}
