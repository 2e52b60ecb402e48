package geotiff

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"go/build"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xtiff "golang.org/x/image/tiff"
)

var testTransform = Transform{130.0, 0.0001, 0, 42.0, 0, -0.0001}

func TestWriteReadRoundTrip(t *testing.T) {
	for _, deflate := range []bool{false, true} {
		w, h := 300, 200
		img := make([]float32, w*h)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range img {
			img[i] = rng.Float32()
		}
		path := filepath.Join(t.TempDir(), "x.tif")
		when := time.Date(2024, 3, 1, 21, 30, 5, 0, time.UTC)
		wr, err := Create(path, w, h, testTransform, WriterOptions{TileSize: 64, Deflate: deflate, Time: when})
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < h; y += 64 {
			if err := wr.WriteRows(img[y*w : min(y+64, h)*w]); err != nil {
				t.Fatal(err)
			}
		}
		if err := wr.Close(); err != nil {
			t.Fatal(err)
		}
		g, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if g.Width != w || g.Height != h || g.Transform != testTransform || g.EPSG != 4326 || !g.Time.Equal(when) {
			t.Fatalf("header: %dx%d %v EPSG:%d", g.Width, g.Height, g.Transform, g.EPSG)
		}
		// A window straddling tile edges and the image edge.
		x0, y0, ww, wh := 50, 120, 260, 100
		dst := make([]float32, ww*wh)
		if err := g.ReadWindow(x0, y0, ww, wh, dst); err != nil {
			t.Fatal(err)
		}
		for y := 0; y < wh; y++ {
			for x := 0; x < ww; x++ {
				got := dst[y*ww+x]
				if x0+x >= w || y0+y >= h {
					if !math.IsNaN(float64(got)) {
						t.Fatalf("outside pixel (%d,%d) = %v, want NaN", x0+x, y0+y, got)
					}
					continue
				}
				if want := img[(y0+y)*w+x0+x]; got != want {
					t.Fatalf("deflate=%v pixel (%d,%d) = %v, want %v", deflate, x0+x, y0+y, got, want)
				}
			}
		}
		g.Close()
	}
}

func TestTransformInverse(t *testing.T) {
	tr := Transform{130, 0.001, 0.0002, 42, 0.0001, -0.001}
	lon, lat := tr.LonLat(123.5, 77.25)
	c, r, ok := tr.Inverse(lon, lat)
	if !ok || math.Abs(c-123.5) > 1e-6 || math.Abs(r-77.25) > 1e-6 {
		t.Fatalf("inverse = %v %v %v", c, r, ok)
	}
}

// tiffBuilder writes minimal TIFFs by hand so the reader is tested on
// layouts the writer never produces (strips, uint16, predictors, GCPs,
// other CRSs, big-endian).
type tiffBuilder struct {
	order  binary.ByteOrder
	tags   map[uint16][]any // tag -> values (uint16, uint32 or float64 slices, or string)
	blocks [][]byte
	offTag uint16
}

func newBuilder(order binary.ByteOrder) *tiffBuilder {
	return &tiffBuilder{order: order, tags: map[uint16][]any{}}
}

func (b *tiffBuilder) set(tag uint16, v any) { b.tags[tag] = []any{v} }

func (b *tiffBuilder) bytes() []byte {
	var buf bytes.Buffer
	if b.order == binary.LittleEndian {
		buf.WriteString("II")
	} else {
		buf.WriteString("MM")
	}
	binary.Write(&buf, b.order, uint16(42))
	binary.Write(&buf, b.order, uint32(0))
	var offs, cnts []uint32
	for _, blk := range b.blocks {
		offs = append(offs, uint32(buf.Len()))
		cnts = append(cnts, uint32(len(blk)))
		buf.Write(blk)
	}
	if b.offTag != 0 {
		b.set(b.offTag, offs)
		b.set(b.offTag+6-5*boolInt(b.offTag == 324), cnts)
	}
	tags := make([]uint16, 0, len(b.tags))
	for t := range b.tags {
		tags = append(tags, t)
	}
	for i := range tags {
		for j := i + 1; j < len(tags); j++ {
			if tags[j] < tags[i] {
				tags[i], tags[j] = tags[j], tags[i]
			}
		}
	}
	type ent struct {
		tag, typ uint16
		n        int
		data     []byte
	}
	var ents []ent
	for _, t := range tags {
		var e ent
		e.tag = t
		var d bytes.Buffer
		switch v := b.tags[t][0].(type) {
		case []uint16:
			e.typ, e.n = 3, len(v)
			binary.Write(&d, b.order, v)
		case []uint32:
			e.typ, e.n = 4, len(v)
			binary.Write(&d, b.order, v)
		case []float64:
			e.typ, e.n = 12, len(v)
			binary.Write(&d, b.order, v)
		case string:
			e.typ, e.n = 2, len(v)+1
			d.WriteString(v + "\x00")
		}
		e.data = d.Bytes()
		ents = append(ents, e)
	}
	// Out-of-line data.
	vo := map[int]uint32{}
	for i, e := range ents {
		if len(e.data) > 4 {
			if buf.Len()%2 == 1 {
				buf.WriteByte(0)
			}
			vo[i] = uint32(buf.Len())
			buf.Write(e.data)
		}
	}
	if buf.Len()%2 == 1 {
		buf.WriteByte(0)
	}
	ifd := uint32(buf.Len())
	binary.Write(&buf, b.order, uint16(len(ents)))
	for i, e := range ents {
		binary.Write(&buf, b.order, e.tag)
		binary.Write(&buf, b.order, e.typ)
		binary.Write(&buf, b.order, uint32(e.n))
		if len(e.data) > 4 {
			binary.Write(&buf, b.order, vo[i])
		} else {
			var v [4]byte
			copy(v[:], e.data)
			buf.Write(v[:])
		}
	}
	binary.Write(&buf, b.order, uint32(0))
	out := buf.Bytes()
	b.order.PutUint32(out[4:], ifd)
	return out
}

func boolInt(b bool) uint16 {
	if b {
		return 1
	}
	return 0
}

// stripUint16 builds a 2-strip, deflate, predictor-2 uint16 image.
func stripUint16(order binary.ByteOrder, geo func(b *tiffBuilder)) ([]byte, []uint16) {
	w, h, rps := 37, 10, 6
	px := make([]uint16, w*h)
	for i := range px {
		px[i] = uint16(i*7919) % 5000
	}
	b := newBuilder(order)
	b.set(256, []uint32{uint32(w)})
	b.set(257, []uint32{uint32(h)})
	b.set(258, []uint16{16})
	b.set(259, []uint16{8})
	b.set(278, []uint32{uint32(rps)})
	b.set(317, []uint16{2})
	b.offTag = 273
	for y := 0; y < h; y += rps {
		var raw bytes.Buffer
		for r := y; r < min(y+rps, h); r++ {
			prev := uint16(0)
			for x := 0; x < w; x++ {
				v := px[r*w+x]
				binary.Write(&raw, order, v-prev)
				prev = v
			}
		}
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(raw.Bytes())
		zw.Close()
		b.blocks = append(b.blocks, z.Bytes())
	}
	if geo != nil {
		geo(b)
	}
	return b.bytes(), px
}

func geoKeys(keys ...uint16) []uint16 {
	return append([]uint16{1, 1, 0, uint16(len(keys) / 4)}, keys...)
}

func wgs84(b *tiffBuilder) {
	b.set(33550, []float64{0.001, 0.001, 0})
	b.set(33922, []float64{0, 0, 0, 129.5, 42.5, 0})
	b.set(34735, geoKeys(keyModelType, 0, 1, 2, keyGeographicType, 0, 1, 4326))
}

func TestStripsUint16PredictorBothEndians(t *testing.T) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		data, px := stripUint16(order, wgs84)
		g, err := NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if g.Transform != (Transform{129.5, 0.001, 0, 42.5, 0, -0.001}) {
			t.Fatalf("transform %v", g.Transform)
		}
		dst := make([]float32, 37*10)
		if err := g.ReadWindow(0, 0, 37, 10, dst); err != nil {
			t.Fatal(err)
		}
		for i := range px {
			if dst[i] != float32(px[i]) {
				t.Fatalf("%v: pixel %d = %v, want %d", order, i, dst[i], px[i])
			}
		}
	}
}

func TestGCPsFitted(t *testing.T) {
	data, _ := stripUint16(binary.LittleEndian, func(b *tiffBuilder) {
		var gcps []float64
		for _, p := range [][2]float64{{0, 0}, {37, 0}, {0, 10}, {37, 10}} {
			gcps = append(gcps, p[0], p[1], 0, 130+p[0]*0.002+p[1]*0.0001, 40-p[1]*0.002, 0)
		}
		b.set(33922, gcps)
		b.set(34735, geoKeys(keyModelType, 0, 1, 2, keyGeographicType, 0, 1, 4326))
	})
	g, err := NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	lon, lat := g.Transform.LonLat(20, 5)
	if math.Abs(lon-(130+0.04+0.0005)) > 1e-9 || math.Abs(lat-(40-0.01)) > 1e-9 {
		t.Fatalf("GCP fit gives %v %v", lon, lat)
	}
}

// GCP grids that are not affine (like a GRD scene's) are followed by the
// polynomial fit.
func TestGCPPolynomial(t *testing.T) {
	truth := func(c, r float64) (lon, lat float64) {
		return 130 + c*0.002 + r*0.0001 + c*c*1e-6, 40 - r*0.002 + c*r*2e-7
	}
	data, _ := stripUint16(binary.LittleEndian, func(b *tiffBuilder) {
		var gcps []float64
		for _, c := range []float64{0, 9, 18, 27, 37} {
			for _, r := range []float64{0, 5, 10} {
				lon, lat := truth(c, r)
				gcps = append(gcps, c, r, 0, lon, lat, 0)
			}
		}
		b.set(33922, gcps)
		b.set(34735, geoKeys(keyModelType, 0, 1, 2, keyGeographicType, 0, 1, 4326))
	})
	g, err := NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	lon, lat := g.LonLat(23, 7)
	wlon, wlat := truth(23, 7)
	if math.Abs(lon-wlon) > 1e-9 || math.Abs(lat-wlat) > 1e-9 {
		t.Fatalf("polynomial gives %v %v, want %v %v", lon, lat, wlon, wlat)
	}
	if alon, _ := g.Transform.LonLat(23, 7); math.Abs(alon-wlon) < 1e-7 {
		t.Fatal("test is not exercising the polynomial: the affine fit is already exact")
	}
}

func TestFloatPredictor(t *testing.T) {
	w, h := 9, 3
	vals := make([]float32, w*h)
	for i := range vals {
		vals[i] = float32(i)*0.37 - 2
	}
	// Encode as libtiff's floating-point predictor does: split bytes into
	// planes, most significant first, then difference the bytes.
	var raw []byte
	for r := 0; r < h; r++ {
		row := make([]byte, 4*w)
		for i := 0; i < w; i++ {
			bits := math.Float32bits(vals[r*w+i])
			for b := 0; b < 4; b++ {
				row[b*w+i] = byte(bits >> (24 - 8*b))
			}
		}
		for i := len(row) - 1; i > 0; i-- {
			row[i] -= row[i-1]
		}
		raw = append(raw, row...)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	b := newBuilder(binary.LittleEndian)
	b.set(256, []uint32{uint32(w)})
	b.set(257, []uint32{uint32(h)})
	b.set(258, []uint16{32})
	b.set(339, []uint16{3})
	b.set(259, []uint16{8})
	b.set(317, []uint16{3})
	b.set(278, []uint32{uint32(h)})
	b.offTag = 273
	b.blocks = [][]byte{z.Bytes()}
	wgs84(b)
	data := b.bytes()
	g, err := NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float32, w*h)
	if err := g.ReadWindow(0, 0, w, h, dst); err != nil {
		t.Fatal(err)
	}
	for i := range vals {
		if dst[i] != vals[i] {
			t.Fatalf("pixel %d = %v, want %v", i, dst[i], vals[i])
		}
	}
}

func TestBadImages(t *testing.T) {
	good, _ := stripUint16(binary.LittleEndian, wgs84)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":      {nil, "not a TIFF"},
		"not tiff":   {[]byte("hello world, not an image"), "not a TIFF"},
		"truncated":  {good[:len(good)/2], "truncated"},
		"no georef":  {must(stripUint16(binary.LittleEndian, nil)), "not georeferenced"},
		"no geokeys": {must(stripUint16(binary.LittleEndian, func(b *tiffBuilder) { wgs84(b); delete(b.tags, 34735) })), "coordinate reference system is unknown"},
		"utm": {must(stripUint16(binary.LittleEndian, func(b *tiffBuilder) {
			wgs84(b)
			b.set(34735, geoKeys(keyModelType, 0, 1, 1, keyProjectedType, 0, 1, 32652))
		})), "EPSG:32652"},
		"other datum": {must(stripUint16(binary.LittleEndian, func(b *tiffBuilder) {
			wgs84(b)
			b.set(34735, geoKeys(keyModelType, 0, 1, 2, keyGeographicType, 0, 1, 4284))
		})), "EPSG:4284"},
		"nan transform": {must(stripUint16(binary.LittleEndian, func(b *tiffBuilder) { wgs84(b); b.set(33550, []float64{math.NaN(), 0.001, 0}) })), "non-finite"},
		"absurd size":   {must(stripUint16(binary.LittleEndian, func(b *tiffBuilder) { wgs84(b); b.set(256, []uint32{1 << 30}) })), "absurd image dimensions"},
		"not degrees":   {must(stripUint16(binary.LittleEndian, func(b *tiffBuilder) { wgs84(b); b.set(33922, []float64{0, 0, 0, 500000, 4600000, 0}) })), "not a WGS 84"},
		"zero width":    {must(stripUint16(binary.LittleEndian, func(b *tiffBuilder) { wgs84(b); b.set(256, []uint32{0}) })), "no image width"},
		"jpeg":          {must(stripUint16(binary.LittleEndian, func(b *tiffBuilder) { wgs84(b); b.set(259, []uint16{7}) })), "compression 7"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			g, err := NewReader(bytes.NewReader(c.data), int64(len(c.data)))
			if err == nil {
				// Some damage only shows when pixels are read.
				err = g.ReadWindow(0, 0, g.Width, g.Height, make([]float32, g.Width*g.Height))
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

// TestCorruptBlocksNeverPanic flips bytes all over a valid file.
func TestCorruptBlocksNeverPanic(t *testing.T) {
	good, _ := stripUint16(binary.LittleEndian, wgs84)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		d := append([]byte(nil), good...)
		for k := 0; k < 1+rng.IntN(4); k++ {
			d[rng.IntN(len(d))] = byte(rng.IntN(256))
		}
		g, err := NewReader(bytes.NewReader(d), int64(len(d)))
		if err != nil {
			continue
		}
		_ = g.ReadWindow(0, 0, g.Width, min(g.Height, 64), make([]float32, g.Width*min(g.Height, 64)))
	}
}

func must(b []byte, _ []uint16) []byte { return b }

// TestLZWAgainstXImage cross-checks LZW strips and tiles with the
// golang.org/x/image TIFF decoder on its own test images, when the module
// cache holds them.
func TestLZWAgainstXImage(t *testing.T) {
	dir := filepath.Join(build.Default.GOPATH, "pkg", "mod", "golang.org", "x", "image@v0.48.0", "testdata")
	if mc := os.Getenv("GOMODCACHE"); mc != "" {
		dir = filepath.Join(mc, "golang.org", "x", "image@v0.48.0", "testdata")
	}
	files := []string{"blue-purple-pink.lzwcompressed.tiff", "video-001-tile-64x64.tiff", "video-001-strip-64.tiff"}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Skipf("x/image test data not found: %v", err)
		}
		g, err := newReader(bytes.NewReader(data), int64(len(data)), false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := xtiff.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]float32, g.Width*g.Height)
		if err := g.ReadWindow(0, 0, g.Width, g.Height, dst); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for y := 0; y < g.Height; y++ {
			for x := 0; x < g.Width; x++ {
				r, _, _, _ := img.At(x, y).RGBA()
				if want := float32(r >> 8); dst[y*g.Width+x] != want {
					t.Fatalf("%s (%d,%d) = %v, want %v", name, x, y, dst[y*g.Width+x], want)
				}
			}
		}
	}
}

// TestBigTIFF reads a hand-made BigTIFF (64-bit offsets, 20-byte entries).
func TestBigTIFF(t *testing.T) {
	le := binary.LittleEndian
	w, h := 5, 3
	var px bytes.Buffer
	for i := 0; i < w*h; i++ {
		binary.Write(&px, le, float32(i)+0.5)
	}
	type ent struct {
		tag, typ uint16
		n        uint64
		data     []byte
	}
	u16 := func(v ...uint16) []byte { var b bytes.Buffer; binary.Write(&b, le, v); return b.Bytes() }
	u64 := func(v ...uint64) []byte { var b bytes.Buffer; binary.Write(&b, le, v); return b.Bytes() }
	f64 := func(v ...float64) []byte { var b bytes.Buffer; binary.Write(&b, le, v); return b.Bytes() }
	keys := geoKeys(keyModelType, 0, 1, 2, keyGeographicType, 0, 1, 4326)
	var file bytes.Buffer
	file.Write([]byte{'I', 'I', 43, 0, 8, 0, 0, 0})
	file.Write(u64(0)) // IFD offset, patched below
	dataOff := uint64(file.Len())
	file.Write(px.Bytes())
	ents := []ent{
		{256, 3, 1, u16(uint16(w))}, {257, 3, 1, u16(uint16(h))}, {258, 3, 1, u16(32)}, {259, 3, 1, u16(1)},
		{273, 16, 1, u64(dataOff)}, {277, 3, 1, u16(1)}, {278, 3, 1, u16(uint16(h))}, {279, 16, 1, u64(uint64(px.Len()))},
		{339, 3, 1, u16(3)}, {33550, 12, 3, f64(0.01, 0.01, 0)}, {33922, 12, 6, f64(0, 0, 0, 130, 41, 0)},
		{34735, 3, uint64(len(keys)), u16(keys...)},
	}
	offs := map[int]uint64{}
	for i, e := range ents {
		if len(e.data) > 8 {
			offs[i] = uint64(file.Len())
			file.Write(e.data)
		}
	}
	ifd := uint64(file.Len())
	file.Write(u64(uint64(len(ents))))
	for i, e := range ents {
		file.Write(u16(e.tag, e.typ))
		file.Write(u64(e.n))
		if len(e.data) > 8 {
			file.Write(u64(offs[i]))
		} else {
			var v [8]byte
			copy(v[:], e.data)
			file.Write(v[:])
		}
	}
	file.Write(u64(0))
	data := file.Bytes()
	le.PutUint64(data[8:], ifd)
	g, err := NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if g.Transform != (Transform{130, 0.01, 0, 41, 0, -0.01}) {
		t.Fatalf("transform %v", g.Transform)
	}
	dst := make([]float32, w*h)
	if err := g.ReadWindow(0, 0, w, h, dst); err != nil {
		t.Fatal(err)
	}
	for i, v := range dst {
		if v != float32(i)+0.5 {
			t.Fatalf("pixel %d = %v", i, v)
		}
	}
}
