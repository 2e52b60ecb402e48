package geotiff

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/lookout-osint/lookout/internal/memtest"
)

// FuzzReader: no file panics the reader or makes it allocate beyond what
// the limits allow, and a file it accepts reads any window.
func FuzzReader(f *testing.F) {
	good, _ := stripUint16(binary.LittleEndian, wgs84)
	f.Add(good)
	be, _ := stripUint16(binary.BigEndian, wgs84)
	f.Add(be)
	f.Add(claimed(1_000_000, 1_000_000, 20_000, 1, true))
	f.Add(claimed(4000, 4000, 100, 1, true))
	f.Add(claimed(256, 256, 16, 16, false))
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("II+\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := memtest.Allocated(func() {
			g, err := NewReader(bytes.NewReader(data), int64(len(data)))
			if err == nil {
				w, h := min(g.Width, 96), min(g.Height, 96)
				buf := make([]float32, w*h)
				_ = g.ReadWindow(g.Width-w, g.Height-h, w, h, buf)
				_ = g.ReadWindow(-5, -5, w, h, buf)
				g.LonLat(float64(g.Width), float64(g.Height))
			}
		})
		// A decoded block is at most 64 MB; tags at most 64 MB; block
		// lists 4M entries of 8 bytes, twice.
		if n > 256<<20 {
			t.Fatalf("a %d-byte file allocated %d MB", len(data), n>>20)
		}
	})
}
