package geotiff

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/internal/memtest"
)

// claimed builds a deflate uint8 image of w x h in strips of rps rows of
// zeros: copies copies of the compressed strip, or one that every strip's
// offset points at when shared.
func claimed(w, h, rps, copies int, shared bool) []byte {
	b := newBuilder(binary.LittleEndian)
	b.set(256, []uint32{uint32(w)})
	b.set(257, []uint32{uint32(h)})
	b.set(258, []uint16{8})
	b.set(259, []uint16{8})
	b.set(278, []uint32{uint32(rps)})
	wgs84(b)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, min(w*rps, 1<<20))) // a header that lies needs no honest block
	zw.Close()
	for range copies {
		b.blocks = append(b.blocks, z.Bytes())
	}
	if !shared {
		b.offTag = 273
		return b.bytes()
	}
	strips := (h + rps - 1) / rps
	offs, cnts := make([]uint32, strips), make([]uint32, strips)
	for i := range offs {
		offs[i], cnts[i] = 8, uint32(z.Len()) // the first block follows the header
	}
	b.set(273, offs)
	b.set(279, cnts)
	return b.bytes()
}

// A header may claim any size; the reader must refuse what cannot be true
// before allocating for it: the 545 kB file claimed 10^12 pixels
// and took 8 GB through the land mask, and a 12 MB file whose strips all
// pointed at the same bytes ran 90 s at up to 7.6 GB.
func TestClaimedSizeRefused(t *testing.T) {
	cases := map[string]struct {
		data []byte
		want string
	}{
		// 10^12 pixels: over MaxPixels although each side is allowed.
		"10^12 pixels": {claimed(1_000_000, 1_000_000, 20_000, 1, true), "absurd image dimensions"},
		// 1.6 Gpixels, every strip the same 40 kB of zeros.
		"shared strips": {claimed(40_000, 40_000, 1, 1, true), "impossible TIFF"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var err error
			n := memtest.Allocated(func() { _, err = NewReader(bytes.NewReader(c.data), int64(len(c.data))) })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
			// The offsets of 40,000 strips are 640 kB as uint64s, twice.
			if n > 8<<20 {
				t.Errorf("refusing a %d kB file allocated %d MB", len(c.data)>>10, n>>20)
			}
			t.Logf("%d kB file: %v (%d kB allocated)", len(c.data)>>10, err, n>>10)
		})
	}
}

// Compression at its best is not a lie: a scene of zeros deflated at
// about 1000:1 opens and reads.
func TestHighlyCompressedAccepted(t *testing.T) {
	data := claimed(4096, 4096, 16, 256, false)
	g, err := NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("%d kB of deflated zeros: %v", len(data)>>10, err)
	}
	buf := make([]float32, 64*64)
	if err := g.ReadWindow(4000, 4000, 64, 64, buf); err != nil || buf[0] != 0 {
		t.Fatalf("read: %v, %v", err, buf[0])
	}
}

// Tiles of nothing but NaN are written sparse (no bytes) and read back as
// NaN; the others round-trip. The hostile suite runs the detector over a
// Sentinel-1-sized scene written this way.
func TestSparseTiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sparse.tif")
	w, h := 5000, 3000
	wr, err := Create(path, w, h, Transform{129.5, 1e-4, 0, 38.5, 0, -1e-4}, WriterOptions{TileSize: 256, Deflate: true, Sparse: true})
	if err != nil {
		t.Fatal(err)
	}
	val := func(x, y int) float32 {
		if x < 512 && y < 512 {
			return float32(x*y%97) / 97
		}
		return float32(math.NaN())
	}
	rows := make([]float32, w*256)
	for y0 := 0; y0 < h; y0 += 256 {
		n := min(256, h-y0)
		for r := range n {
			for x := range w {
				rows[r*w+x] = val(x, y0+r)
			}
		}
		if err := wr.WriteRows(rows[:n*w]); err != nil {
			t.Fatal(err)
		}
	}
	if err := wr.Close(); err != nil {
		t.Fatal(err)
	}
	// 60 MB of pixels, of which 4 tiles (1 MB raw) hold data.
	if st, _ := os.Stat(path); st.Size() > 1<<20 {
		t.Fatalf("%d kB on disk for 4 tiles of data", st.Size()>>10)
	}
	g, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if g.Empty(0, 0, 600, 600) || !g.Empty(512, 0, 4000, 3000) || !g.Empty(-100, -100, 50, 50) {
		t.Error("Empty is wrong about which windows hold data")
	}
	buf := make([]float32, 600*600)
	if err := g.ReadWindow(0, 0, 600, 600, buf); err != nil {
		t.Fatal(err)
	}
	for y := range 600 {
		for x := range 600 {
			if got, want := buf[y*600+x], val(x, y); got != want && !(got != got && want != want) {
				t.Fatalf("(%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
}
