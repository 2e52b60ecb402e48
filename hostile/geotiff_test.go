package hostile

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/internal/memtest"
	"github.com/lookout-osint/lookout/sar/cfar"
	"github.com/lookout-osint/lookout/sar/geotiff"
)

const degPer10m = 10.0 / 111_195

// writeScene writes a w x h float32 scene at pixel size px degrees off
// Korea: sea clutter with a 200 m ship in the dataW x dataW block at
// (1024, 1024), every other tile sparse.
func writeScene(t *testing.T, path string, w, h, dataW int, px float64) {
	t.Helper()
	wr, err := geotiff.Create(path, w, h, geotiff.Transform{129.5, px, 0, 38.5, 0, -px},
		geotiff.WriterOptions{TileSize: 512, Deflate: true, Sparse: true})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]float32, w*512)
	nan := make([]float32, w)
	for i := range nan {
		nan[i] = float32(math.NaN())
	}
	for y0 := 0; y0 < h; y0 += 512 {
		n := min(512, h-y0)
		for r := range n {
			y := y0 + r
			copy(rows[r*w:], nan)
			if y < 1024 || y >= 1024+dataW {
				continue
			}
			for x := 1024; x < 1024+dataW; x++ {
				v := 0.02 + 0.004*float32((x*7+y*13)%5)
				if x >= 1500 && x < 1506 && y >= 1500 && y < 1520 {
					v = 3
				}
				rows[r*w+x] = v
			}
		}
		if err := wr.WriteRows(rows[:n*w]); err != nil {
			t.Fatal(err)
		}
	}
	if err := wr.Close(); err != nil {
		t.Fatal(err)
	}
}

// A Sentinel-1 IW GRD scene (25,000 x 16,000 pixels of 10 m) still works:
// opened, masked and searched tile by tile, the ship found, the heap in
// use never above 1 GB (the target is 1.5 GB of RSS for any GeoTIFF).
func TestSentinelSizedSceneInBoundedMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s1.tif")
	writeScene(t, path, 25_000, 16_000, 2048, degPer10m)
	runtime.GC()
	var dets int
	var err error
	peak := memtest.PeakHeap(func() {
		var g *geotiff.File
		if g, err = geotiff.Open(path); err != nil {
			return
		}
		defer g.Close()
		ds, _, e := cfar.Detect(context.Background(), cfar.FromGeoTIFF(g, "s1"), nil, cfar.Options{Workers: 2})
		dets, err = len(ds), e
	})
	if err != nil {
		t.Fatal(err)
	}
	if dets != 1 {
		t.Errorf("%d detections, want the one ship", dets)
	}
	if peak > 1<<30 {
		t.Errorf("heap in use peaked at %d MB", peak>>20)
	}
	t.Logf("25,000 x 16,000 scene: %d detection, peak heap %d MB", dets, peak>>20)
}

// Pixels of 0.15 m make the margin a 500 m ship needs 3,300 pixels wide;
// each worker's tile and tables would take 3.3 GB (a 490 kB file ran 194 s
// at 7 GB). The detector refuses, saying why, before allocating.
func TestTooFinePixelsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fine.tif")
	writeScene(t, path, 2048, 2048, 1024, 0.15/111_195/0.78)
	g, err := geotiff.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	n := memtest.Allocated(func() {
		_, _, err = cfar.Detect(context.Background(), cfar.FromGeoTIFF(g, "fine"), nil, cfar.Options{})
	})
	if err == nil || !strings.Contains(err.Error(), "too fine") || n > 16<<20 {
		t.Fatalf("err %v after %d MB", err, n>>20)
	}
}

// A header claiming 10^12 pixels (each side within the per-side limit) is
// refused from the header alone: the land mask once took 8 GB for it.
func TestClaimedTerapixelRefused(t *testing.T) {
	data := tinyTIFF(1_000_000, 1_000_000)
	var err error
	n := memtest.Allocated(func() { _, err = geotiff.NewReader(bytes.NewReader(data), int64(len(data))) })
	if err == nil || !strings.Contains(err.Error(), "absurd image dimensions") || n > 1<<20 {
		t.Fatalf("err %v after %d kB", err, n>>10)
	}
}

// tinyTIFF is a little-endian TIFF header claiming w x h uint8 pixels in
// one strip of 8 bytes, georeferenced in WGS 84.
func tinyTIFF(w, h uint32) []byte {
	type tag struct {
		id, typ uint16
		vals    []uint32 // SHORT or LONG values, inline
		ext     []byte   // out-of-line bytes
	}
	f64 := func(v ...float64) []byte {
		b := make([]byte, 8*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
		}
		return b
	}
	u16 := func(v ...uint16) []byte {
		b := make([]byte, 2*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint16(b[2*i:], x)
		}
		return b
	}
	tags := []tag{{256, 4, []uint32{w}, nil}, {257, 4, []uint32{h}, nil}, {258, 3, []uint32{8}, nil},
		{259, 3, []uint32{1}, nil}, {273, 4, []uint32{8}, nil}, {278, 4, []uint32{h}, nil}, {279, 4, []uint32{8}, nil},
		{33550, 12, nil, f64(1e-4, 1e-4, 0)}, {33922, 12, nil, f64(0, 0, 0, 129.5, 38.5, 0)},
		{34735, 3, nil, u16(1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326)}}
	var b bytes.Buffer
	b.WriteString("II*\x00\x00\x00\x00\x00")
	b.Write(make([]byte, 8)) // the strip
	ext := map[int]uint32{}
	for i, tg := range tags {
		if tg.ext != nil {
			ext[i] = uint32(b.Len())
			b.Write(tg.ext)
		}
	}
	ifd := uint32(b.Len())
	le := binary.LittleEndian
	b.Write(le.AppendUint16(nil, uint16(len(tags))))
	for i, tg := range tags {
		b.Write(le.AppendUint16(le.AppendUint16(nil, tg.id), tg.typ))
		if tg.ext != nil {
			size := map[uint16]int{3: 2, 12: 8}[tg.typ]
			b.Write(le.AppendUint32(le.AppendUint32(nil, uint32(len(tg.ext)/size)), ext[i]))
			continue
		}
		v := make([]byte, 4)
		if tg.typ == 3 {
			le.PutUint16(v, uint16(tg.vals[0]))
		} else {
			le.PutUint32(v, tg.vals[0])
		}
		b.Write(le.AppendUint32(nil, 1))
		b.Write(v)
	}
	b.Write(make([]byte, 4))
	out := b.Bytes()
	le.PutUint32(out[4:], ifd)
	return out
}
