// Package geotiff reads and writes the single-band georeferenced rasters that
// SAR ship detection needs (Sentinel-1 GRD style backscatter), in pure Go so
// that Lookout builds without GDAL or cgo.
//
// The reader handles classic TIFF and BigTIFF, strips and tiles, no
// compression, Deflate and LZW (with horizontal and floating-point
// predictors), unsigned and signed integers and IEEE floats. It reads any
// window of the first band without loading the whole image, so scenes larger
// than memory can be processed tile by tile. Georeferencing comes from the
// GeoTIFF tags: an affine ModelTransformation, a tiepoint plus pixel scale, or
// ground control points fitted with an affine transform. Only WGS 84
// geographic coordinates (EPSG:4326) are accepted; other CRSs are refused with
// an error that says how to reproject.
package geotiff

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/image/tiff/lzw"
)

// Limits that keep a hostile or corrupt header from making the reader, or
// what runs over the image (the land mask, the detector's tiles), allocate
// absurd amounts of memory. Every allocation is sized from these or from
// what the file holds, never from a count in the header alone.
const (
	MaxDimension = 1 << 20 // pixels per side
	// MaxPixels caps width x height: 2^31 is five Sentinel-1 IW GRD
	// scenes (25,000 x 16,000), and keeps a scene's land mask (a cell per
	// 8 x 8 pixels) at 32 MB.
	MaxPixels       = 1 << 31
	maxChunkDecoded = 64 << 20 // bytes of one decoded strip or tile
	maxTagEntries   = 1 << 22  // entries in one tag array
	maxBlocks       = 1 << 22  // strips or tiles
	// maxTagBytes bounds the tag values read from one directory.
	maxTagBytes = 64 << 20
	// Deflate expands at most 1032:1 and LZW (12-bit codes, each string
	// one byte longer than an earlier one) less than 4096:1; a header
	// claiming more pixels than its compressed blocks can hold is lying.
	maxDeflateRatio = 1100
	maxLZWRatio     = 4096
)

// knownTags are the tags whose values the reader uses; others are skipped
// unread, so that a directory of 4,096 tags all pointing at one large
// region costs nothing.
var knownTags = map[uint16]bool{256: true, 257: true, 258: true, 259: true, 273: true,
	277: true, 278: true, 279: true, 284: true, 306: true, 317: true, 322: true, 323: true,
	324: true, 325: true, 339: true, 33550: true, 33922: true, 34264: true, 34735: true, 42113: true}

// ErrNotGeoreferenced is returned for TIFFs without usable GeoTIFF tags.
var ErrNotGeoreferenced = errors.New("image is not georeferenced")

// Transform maps pixel coordinates (column, row; (0,0) is the top-left corner
// of the top-left pixel) to longitude and latitude:
//
//	lon = T[0] + col*T[1] + row*T[2]
//	lat = T[3] + col*T[4] + row*T[5]
//
// which is GDAL's geotransform order.
type Transform [6]float64

// LonLat returns the position of pixel coordinates (col, row).
func (t Transform) LonLat(col, row float64) (lon, lat float64) {
	return t[0] + col*t[1] + row*t[2], t[3] + col*t[4] + row*t[5]
}

// Inverse returns the pixel coordinates of a position.
func (t Transform) Inverse(lon, lat float64) (col, row float64, ok bool) {
	det := t[1]*t[5] - t[2]*t[4]
	if det == 0 || math.IsNaN(det) {
		return 0, 0, false
	}
	x, y := lon-t[0], lat-t[3]
	return (x*t[5] - y*t[2]) / det, (y*t[1] - x*t[4]) / det, true
}

// File is an open GeoTIFF. Its methods are safe for concurrent use.
type File struct {
	Width, Height int
	Transform     Transform
	// NoData is the GDAL nodata value, NaN when none is set.
	NoData float64
	// EPSG is the coordinate reference system's code (always 4326 today).
	EPSG int
	// Time is the TIFF DateTime tag (acquisition time in files Lookout
	// writes; processing time in some others), zero when absent.
	Time time.Time

	// poly, when set, is a second-order polynomial fitted to ground control
	// points: GRD scenes are not quite affine over 250 km, and positions
	// matter to within a few hundred metres for matching with AIS.
	poly *polyFit

	r         io.ReaderAt
	closer    io.Closer
	size      int64
	order     binary.ByteOrder
	bits      int // bits per sample
	format    int // 1 uint, 2 int, 3 float
	spp       int // samples per pixel
	planar    int
	comp      int
	predictor int
	tiled     bool
	chunkW    int // tile width, or image width for strips
	chunkH    int // tile length or rows per strip
	across    int // chunks per row of chunks
	offsets   []uint64
	counts    []uint64
}

// Open opens path as a GeoTIFF.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	g, err := NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	g.closer = f
	return g, nil
}

// Close closes the underlying file when the File was made by Open.
func (g *File) Close() error {
	if g.closer != nil {
		return g.closer.Close()
	}
	return nil
}

type entry struct {
	typ   uint16
	count uint64
	val   []byte // the raw value bytes, read from the file if stored elsewhere
}

var typeSize = map[uint16]int{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8, 17: 8, 18: 8}

// NewReader reads the header of a GeoTIFF of the given size.
func NewReader(r io.ReaderAt, size int64) (*File, error) { return newReader(r, size, true) }

// newReader parses the image layout and, when geo is set, the
// georeferencing; tests read plain TIFFs with geo unset.
func newReader(r io.ReaderAt, size int64, geo bool) (*File, error) {
	g := &File{r: r, size: size, NoData: math.NaN()}
	var hdr [16]byte
	if _, err := r.ReadAt(hdr[:8], 0); err != nil {
		return nil, fmt.Errorf("not a TIFF: short header: %w", err)
	}
	switch string(hdr[:2]) {
	case "II":
		g.order = binary.LittleEndian
	case "MM":
		g.order = binary.BigEndian
	default:
		return nil, errors.New("not a TIFF: bad byte-order mark")
	}
	big := false
	var ifd uint64
	switch g.order.Uint16(hdr[2:]) {
	case 42:
		ifd = uint64(g.order.Uint32(hdr[4:]))
	case 43:
		big = true
		if _, err := r.ReadAt(hdr[:16], 0); err != nil {
			return nil, fmt.Errorf("BigTIFF header: %w", err)
		}
		ifd = g.order.Uint64(hdr[8:])
	default:
		return nil, errors.New("not a TIFF: bad magic number")
	}
	tags, err := g.readIFD(ifd, big)
	if err != nil {
		return nil, err
	}
	if err := g.parseLayout(tags); err != nil {
		return nil, err
	}
	if !geo {
		return g, nil
	}
	if err := g.parseGeo(tags); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *File) readIFD(off uint64, big bool) (map[uint16]entry, error) {
	cntSize, entSize, inline := 2, 12, 4
	if big {
		cntSize, entSize, inline = 8, 20, 8
	}
	if off < 8 || int64(off)+int64(cntSize) > g.size {
		return nil, fmt.Errorf("truncated TIFF: directory offset %d beyond file size %d", off, g.size)
	}
	buf := make([]byte, cntSize)
	if _, err := g.r.ReadAt(buf, int64(off)); err != nil {
		return nil, fmt.Errorf("reading directory: %w", err)
	}
	var n uint64
	if big {
		n = g.order.Uint64(buf)
	} else {
		n = uint64(g.order.Uint16(buf))
	}
	if n == 0 || n > 4096 || int64(off)+int64(cntSize)+int64(n)*int64(entSize) > g.size {
		return nil, fmt.Errorf("truncated or corrupt TIFF directory (%d entries)", n)
	}
	raw := make([]byte, int(n)*entSize)
	if _, err := g.r.ReadAt(raw, int64(off)+int64(cntSize)); err != nil {
		return nil, fmt.Errorf("reading directory: %w", err)
	}
	tags := make(map[uint16]entry, n)
	var read uint64
	for i := 0; i < int(n); i++ {
		e := raw[i*entSize:]
		tag := g.order.Uint16(e)
		typ := g.order.Uint16(e[2:])
		var count uint64
		var valField []byte
		if big {
			count = g.order.Uint64(e[4:])
			valField = e[12:20]
		} else {
			count = uint64(g.order.Uint32(e[4:]))
			valField = e[8:12]
		}
		sz, ok := typeSize[typ]
		if !ok || !knownTags[tag] {
			continue // unknown types are skipped, as the TIFF spec asks
		}
		if count > maxTagEntries {
			return nil, fmt.Errorf("corrupt TIFF: tag %d has %d values", tag, count)
		}
		total := count * uint64(sz)
		var val []byte
		if total <= uint64(inline) {
			val = append([]byte(nil), valField[:total]...)
		} else {
			var voff uint64
			if big {
				voff = g.order.Uint64(valField)
			} else {
				voff = uint64(g.order.Uint32(valField))
			}
			if voff+total > uint64(g.size) || voff+total < voff {
				return nil, fmt.Errorf("truncated TIFF: tag %d values lie beyond the end of the file", tag)
			}
			if read += total; read > maxTagBytes {
				return nil, fmt.Errorf("corrupt TIFF: more than %d MB of tag values", maxTagBytes>>20)
			}
			val = make([]byte, total)
			if _, err := g.r.ReadAt(val, int64(voff)); err != nil {
				return nil, fmt.Errorf("reading tag %d: %w", tag, err)
			}
		}
		tags[tag] = entry{typ: typ, count: count, val: val}
	}
	return tags, nil
}

// ints decodes an integer-typed tag.
func (g *File) ints(e entry) []uint64 {
	out := make([]uint64, e.count)
	for i := range out {
		switch e.typ {
		case 1, 6, 7:
			out[i] = uint64(e.val[i])
		case 3, 8:
			out[i] = uint64(g.order.Uint16(e.val[2*i:]))
		case 4, 9:
			out[i] = uint64(g.order.Uint32(e.val[4*i:]))
		case 16, 17, 18:
			out[i] = g.order.Uint64(e.val[8*i:])
		}
	}
	return out
}

// floats decodes a numeric tag as float64.
func (g *File) floats(e entry) []float64 {
	switch e.typ {
	case 11:
		out := make([]float64, e.count)
		for i := range out {
			out[i] = float64(math.Float32frombits(g.order.Uint32(e.val[4*i:])))
		}
		return out
	case 12:
		out := make([]float64, e.count)
		for i := range out {
			out[i] = math.Float64frombits(g.order.Uint64(e.val[8*i:]))
		}
		return out
	}
	u := g.ints(e)
	out := make([]float64, len(u))
	for i, v := range u {
		out[i] = float64(v)
	}
	return out
}

func (g *File) one(tags map[uint16]entry, tag uint16, def uint64) uint64 {
	e, ok := tags[tag]
	if !ok || e.count == 0 {
		return def
	}
	return g.ints(e)[0]
}

func (g *File) parseLayout(tags map[uint16]entry) error {
	w, h := g.one(tags, 256, 0), g.one(tags, 257, 0)
	if w == 0 || h == 0 {
		return errors.New("TIFF has no image width or height")
	}
	if w > MaxDimension || h > MaxDimension {
		return fmt.Errorf("absurd image dimensions %d x %d (limit %d per side)", w, h, MaxDimension)
	}
	if w*h > MaxPixels {
		return fmt.Errorf("absurd image dimensions %d x %d: %d Mpixels, limit %d", w, h, w*h>>20, MaxPixels>>20)
	}
	g.Width, g.Height = int(w), int(h)
	g.spp = int(g.one(tags, 277, 1))
	if g.spp < 1 || g.spp > 64 {
		return fmt.Errorf("unsupported samples per pixel %d", g.spp)
	}
	g.bits = int(g.one(tags, 258, 1))
	g.format = int(g.one(tags, 339, 1))
	g.planar = int(g.one(tags, 284, 1))
	g.comp = int(g.one(tags, 259, 1))
	g.predictor = int(g.one(tags, 317, 1))
	switch {
	case g.format == 3 && (g.bits == 32 || g.bits == 64):
	case (g.format == 1 || g.format == 2) && (g.bits == 8 || g.bits == 16 || g.bits == 32):
	default:
		return fmt.Errorf("unsupported sample type: %d bits, sample format %d (want float32/64 or 8/16/32-bit integers)", g.bits, g.format)
	}
	switch g.comp {
	case 1, 5, 8, 32946:
	default:
		return fmt.Errorf("unsupported TIFF compression %d (supported: none, LZW, Deflate)", g.comp)
	}
	if g.predictor < 1 || g.predictor > 3 || (g.predictor == 3 && g.format != 3) {
		return fmt.Errorf("unsupported predictor %d for sample format %d", g.predictor, g.format)
	}
	offTag, cntTag := uint16(273), uint16(279)
	if _, ok := tags[322]; ok {
		g.tiled = true
		g.chunkW, g.chunkH = int(g.one(tags, 322, 0)), int(g.one(tags, 323, 0))
		offTag, cntTag = 324, 325
	} else {
		g.chunkW = g.Width
		rps := g.one(tags, 278, uint64(g.Height))
		if rps > uint64(g.Height) {
			rps = uint64(g.Height)
		}
		g.chunkH = int(rps)
	}
	if g.chunkW <= 0 || g.chunkH <= 0 || g.chunkW > MaxDimension || g.chunkH > MaxDimension {
		return fmt.Errorf("corrupt TIFF: block size %d x %d", g.chunkW, g.chunkH)
	}
	g.across = (g.Width + g.chunkW - 1) / g.chunkW
	down := (g.Height + g.chunkH - 1) / g.chunkH
	want := g.across * down
	if g.planar == 2 {
		want *= g.spp
	}
	if want > maxBlocks {
		return fmt.Errorf("corrupt TIFF: %d blocks of %d x %d pixels (limit %d)", want, g.chunkW, g.chunkH, maxBlocks)
	}
	oe, ok1 := tags[offTag]
	ce, ok2 := tags[cntTag]
	if !ok1 || !ok2 {
		return errors.New("corrupt TIFF: no strip or tile offsets")
	}
	if oe.count < uint64(want) || ce.count < uint64(want) {
		return fmt.Errorf("corrupt TIFF: %d blocks listed, %d needed", min(oe.count, ce.count), want)
	}
	oe.count, ce.count = uint64(want), uint64(want)
	g.offsets, g.counts = g.ints(oe), g.ints(ce)
	for i := 0; i < want; i++ {
		if g.offsets[i]+g.counts[i] > uint64(g.size) || g.offsets[i]+g.counts[i] < g.offsets[i] {
			return fmt.Errorf("truncated TIFF: block %d ends at byte %d, file has %d", i, g.offsets[i]+g.counts[i], g.size)
		}
	}
	if g.comp != 1 && g.chunkBytes() > maxChunkDecoded {
		return fmt.Errorf("compressed blocks of %d MB are too large to read piecewise; retile the image (gdal_translate -co TILED=YES)", g.chunkBytes()>>20)
	}
	if err := g.checkHeld(want); err != nil {
		return err
	}
	if dt, ok := tags[306]; ok && dt.typ == 2 {
		s := strings.TrimRight(string(dt.val), "\x00 ")
		if t, err := time.Parse("2006:01:02 15:04:05", s); err == nil {
			g.Time = t
		}
	}
	if nd, ok := tags[42113]; ok && nd.typ == 2 {
		s := strings.TrimSpace(strings.TrimRight(string(nd.val), "\x00"))
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			g.NoData = v
		}
	}
	return nil
}

// sparse says whether block i holds no data: GDAL writes blocks of nodata
// as offset 0 and byte count 0 (SPARSE_OK), and they read as NaN.
func (g *File) sparse(i int) bool { return g.offsets[i] == 0 && g.counts[i] == 0 }

// checkHeld refuses a header that claims more pixels than its blocks can
// hold: the decoded size of the blocks band 1 reads (sparse ones aside)
// against the distinct bytes they occupy in the file, times the largest
// expansion of the compression. Blocks pointing at the same bytes count
// those bytes once, so that a file cannot make 12 MB stand for terabytes.
func (g *File) checkHeld(blocks int) error {
	type span struct{ off, end uint64 }
	var spans []span
	var decoded uint64
	per := uint64(g.chunkBytes())
	for i := 0; i < blocks; i++ {
		if g.planar == 2 && i >= g.across*((g.Height+g.chunkH-1)/g.chunkH) {
			break // the other bands' blocks are never read
		}
		if g.sparse(i) {
			continue
		}
		decoded += per
		spans = append(spans, span{g.offsets[i], g.offsets[i] + g.counts[i]})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.off, b.off) })
	var held, end uint64
	for _, s := range spans {
		if s.end <= end {
			continue
		}
		held += s.end - max(s.off, end)
		end = s.end
	}
	ratio := uint64(1)
	switch g.comp {
	case 8, 32946:
		ratio = maxDeflateRatio
	case 5:
		ratio = maxLZWRatio
	case 1:
		// Uncompressed blocks may end short at the bottom of the image.
		decoded = min(decoded, uint64(g.Width)*uint64(g.Height)*uint64(g.pixelStride()))
	}
	if decoded > held*ratio {
		return fmt.Errorf("impossible TIFF: %d x %d pixels claim %d MB but the file holds %d bytes of image data (at most %d MB decoded)",
			g.Width, g.Height, decoded>>20, held, held*ratio>>20)
	}
	return nil
}

func (g *File) bytesPerSample() int { return g.bits / 8 }

// pixelStride is the distance in bytes between samples of band 1.
func (g *File) pixelStride() int {
	if g.planar == 2 {
		return g.bytesPerSample()
	}
	return g.bytesPerSample() * g.spp
}

func (g *File) chunkBytes() int { return g.chunkW * g.chunkH * g.pixelStride() }

// GeoKey ids used here.
const (
	keyModelType      = 1024
	keyRasterType     = 1025
	keyGeographicType = 2048
	keyProjectedType  = 3072
)

func (g *File) parseGeo(tags map[uint16]entry) error {
	keys := map[int]int{}
	if e, ok := tags[34735]; ok {
		k := g.ints(e)
		if len(k) >= 4 {
			n := int(k[3])
			for i := 0; i < n && 4+4*i+3 < len(k); i++ {
				id, loc, val := int(k[4+4*i]), k[4+4*i+1], int(k[4+4*i+3])
				if loc == 0 {
					keys[id] = val
				}
			}
		}
	}
	var t Transform
	switch {
	case tags[34264].count >= 16:
		m := g.floats(tags[34264])
		t = Transform{m[3], m[0], m[1], m[7], m[4], m[5]}
	case tags[33922].count >= 6 && tags[33550].count >= 2:
		tp, sc := g.floats(tags[33922]), g.floats(tags[33550])
		t = Transform{tp[3] - tp[0]*sc[0], sc[0], 0, tp[4] + tp[1]*sc[1], 0, -sc[1]}
	case tags[33922].count >= 18:
		gcps := g.floats(tags[33922])
		var err error
		if t, err = fitGCPs(gcps); err != nil {
			return err
		}
		g.poly = fitPoly(gcps)
	default:
		return fmt.Errorf("%w: no ModelTransformation, tiepoint/pixel scale or ground control points", ErrNotGeoreferenced)
	}
	for _, v := range t {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: transform has non-finite values", ErrNotGeoreferenced)
		}
	}
	if t[1]*t[5]-t[2]*t[4] == 0 {
		return fmt.Errorf("%w: degenerate (zero-area) pixel transform", ErrNotGeoreferenced)
	}
	if keys[keyRasterType] == 2 { // PixelIsPoint: the tiepoint is the pixel centre
		t[0] -= 0.5*t[1] + 0.5*t[2]
		t[3] -= 0.5*t[4] + 0.5*t[5]
	}
	if len(keys) == 0 {
		return fmt.Errorf("%w: no GeoKeyDirectory, so the coordinate reference system is unknown", ErrNotGeoreferenced)
	}
	switch {
	case keys[keyProjectedType] != 0 || keys[keyModelType] == 1:
		return fmt.Errorf("unsupported CRS: projected (EPSG:%d); reproject to EPSG:4326 first (gdalwarp -t_srs EPSG:4326)", keys[keyProjectedType])
	case keys[keyGeographicType] == 4326 || keys[keyGeographicType] == 0 && keys[keyModelType] == 2:
		g.EPSG = 4326
	default:
		return fmt.Errorf("unsupported CRS: geographic EPSG:%d; want WGS 84 (EPSG:4326); reproject with gdalwarp -t_srs EPSG:4326", keys[keyGeographicType])
	}
	for _, c := range [][2]float64{{0, 0}, {float64(g.Width), 0}, {0, float64(g.Height)}, {float64(g.Width), float64(g.Height)}} {
		lon, lat := t.LonLat(c[0], c[1])
		if lat < -90 || lat > 90 || lon < -360 || lon > 360 {
			return fmt.Errorf("unsupported CRS: corner at (%g, %g) is not a WGS 84 longitude/latitude", lon, lat)
		}
	}
	g.Transform = t
	return nil
}

// fitGCPs fits an affine transform to ground control points (I, J, K, X, Y,
// Z sextuples) by least squares. Sentinel-1 GRD products carry a grid of
// GCPs rather than a transform; over a scene the mapping is close to affine.
func fitGCPs(tp []float64) (Transform, error) {
	n := len(tp) / 6
	var a [3][3]float64
	var bx, by [3]float64
	for i := 0; i < n; i++ {
		p := tp[6*i:]
		v := [3]float64{1, p[0], p[1]}
		for r := 0; r < 3; r++ {
			for c := 0; c < 3; c++ {
				a[r][c] += v[r] * v[c]
			}
			bx[r] += v[r] * p[3]
			by[r] += v[r] * p[4]
		}
	}
	cx, ok1 := solve3(a, bx)
	cy, ok2 := solve3(a, by)
	if !ok1 || !ok2 {
		return Transform{}, fmt.Errorf("%w: ground control points are collinear", ErrNotGeoreferenced)
	}
	return Transform{cx[0], cx[1], cx[2], cy[0], cy[1], cy[2]}, nil
}

func solve3(a [3][3]float64, b [3]float64) ([3]float64, bool) {
	for c := 0; c < 3; c++ {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return b, false
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := 0; r < 3; r++ {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k < 3; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	return [3]float64{b[0] / a[0][0], b[1] / a[1][1], b[2] / a[2][2]}, true
}

// polyFit maps pixel (col, row) to lon and lat by second-order polynomials
// in normalised coordinates.
type polyFit struct {
	scale    float64
	lon, lat [6]float64
}

func polyTerms(c, r float64) [6]float64 { return [6]float64{1, c, r, c * c, c * r, r * r} }

// fitPoly fits the polynomial by least squares when there are enough
// well-spread points (at least 10), else returns nil.
func fitPoly(tp []float64) *polyFit {
	n := len(tp) / 6
	if n < 10 {
		return nil
	}
	scale := 1.0
	for i := 0; i < n; i++ {
		scale = math.Max(scale, math.Max(math.Abs(tp[6*i]), math.Abs(tp[6*i+1])))
	}
	var a [6][6]float64
	var bx, by [6]float64
	for i := 0; i < n; i++ {
		p := tp[6*i:]
		v := polyTerms(p[0]/scale, p[1]/scale)
		for r := 0; r < 6; r++ {
			for c := 0; c < 6; c++ {
				a[r][c] += v[r] * v[c]
			}
			bx[r] += v[r] * p[3]
			by[r] += v[r] * p[4]
		}
	}
	cx, ok1 := solveN(a, bx)
	cy, ok2 := solveN(a, by)
	if !ok1 || !ok2 {
		return nil
	}
	return &polyFit{scale: scale, lon: cx, lat: cy}
}

func solveN(a [6][6]float64, b [6]float64) ([6]float64, bool) {
	const n = 6
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return b, false
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := 0; r < n; r++ {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k < n; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [6]float64
	for i := range x {
		x[i] = b[i] / a[i][i]
	}
	return x, true
}

// LonLat is the position of pixel coordinates (col, row), from the
// polynomial fitted to ground control points when the file has them, else
// from the affine Transform.
func (g *File) LonLat(col, row float64) (lon, lat float64) {
	if g.poly == nil {
		return g.Transform.LonLat(col, row)
	}
	v := polyTerms(col/g.poly.scale, row/g.poly.scale)
	for i := range v {
		lon += g.poly.lon[i] * v[i]
		lat += g.poly.lat[i] * v[i]
	}
	return lon, lat
}

// ReadWindow fills dst (row-major, w*h values) with band 1 of the window
// whose top-left pixel is (x0, y0). Pixels outside the image and nodata
// pixels are NaN.
func (g *File) ReadWindow(x0, y0, w, h int, dst []float32) error {
	if w <= 0 || h <= 0 || len(dst) < w*h {
		return fmt.Errorf("bad window %dx%d for buffer of %d", w, h, len(dst))
	}
	for i := range dst[:w*h] {
		dst[i] = float32(math.NaN())
	}
	cx0, cy0 := max(x0, 0)/g.chunkW, max(y0, 0)/g.chunkH
	cx1, cy1 := min(x0+w, g.Width)-1, min(y0+h, g.Height)-1
	if cx1 < 0 || cy1 < 0 || x0 >= g.Width || y0 >= g.Height {
		return nil
	}
	cx1 /= g.chunkW
	cy1 /= g.chunkH
	var buf []byte
	for cy := cy0; cy <= cy1; cy++ {
		for cx := cx0; cx <= cx1; cx++ {
			var err error
			if buf, err = g.readChunk(cx, cy, x0, y0, w, h, dst, buf); err != nil {
				return err
			}
		}
	}
	return nil
}

// Empty reports whether every pixel of the window is nodata for want of
// data: it lies outside the image or in sparse blocks. A reader can skip
// such a window without reading it.
func (g *File) Empty(x0, y0, w, h int) bool {
	cx0, cy0 := max(x0, 0)/g.chunkW, max(y0, 0)/g.chunkH
	cx1, cy1 := min(x0+w, g.Width)-1, min(y0+h, g.Height)-1
	if cx1 < 0 || cy1 < 0 || x0 >= g.Width || y0 >= g.Height {
		return true
	}
	for cy := cy0; cy <= cy1/g.chunkH; cy++ {
		for cx := cx0; cx <= cx1/g.chunkW; cx++ {
			if !g.sparse(cy*g.across + cx) {
				return false
			}
		}
	}
	return true
}

// readChunk copies the part of chunk (cx, cy) that overlaps the window.
func (g *File) readChunk(cx, cy, x0, y0, w, h int, dst []float32, buf []byte) ([]byte, error) {
	idx := cy*g.across + cx
	if g.sparse(idx) {
		return buf, nil // the window was filled with NaN
	}
	off, cnt := int64(g.offsets[idx]), int64(g.counts[idx])
	bx, by := cx*g.chunkW, cy*g.chunkH
	// Rows and columns of the chunk that the window needs.
	r0, r1 := max(y0, by)-by, min(y0+h, by+g.chunkH, g.Height)-by
	c0, c1 := max(x0, bx)-bx, min(x0+w, bx+g.chunkW, g.Width)-bx
	stride := g.chunkW * g.pixelStride()
	if g.comp == 1 && g.predictor == 1 {
		// Uncompressed: read only the bytes of the rows needed.
		need := int64(r1) * int64(stride)
		if need > cnt {
			return buf, fmt.Errorf("truncated block %d: %d bytes, want %d", idx, cnt, need)
		}
		rowBytes := (c1 - c0) * g.pixelStride()
		if cap(buf) < rowBytes {
			buf = make([]byte, rowBytes)
		}
		row := buf[:rowBytes]
		for r := r0; r < r1; r++ {
			if _, err := g.r.ReadAt(row, off+int64(r)*int64(stride)+int64(c0*g.pixelStride())); err != nil {
				return buf, fmt.Errorf("reading block %d: %w", idx, err)
			}
			g.convert(row, dst[(by+r-y0)*w+bx+c0-x0:], c1-c0)
		}
		return buf, nil
	}
	full := g.chunkBytes()
	if cap(buf) < full {
		buf = make([]byte, full)
	}
	data := buf[:full]
	// Strips at the bottom hold only the remaining rows.
	rows := g.chunkH
	if !g.tiled {
		rows = min(g.chunkH, g.Height-by)
	}
	data = data[:rows*stride]
	comp := make([]byte, cnt)
	if _, err := g.r.ReadAt(comp, off); err != nil {
		return buf, fmt.Errorf("reading block %d: %w", idx, err)
	}
	var rd io.ReadCloser
	var err error
	switch g.comp {
	case 1:
		rd = io.NopCloser(bytes.NewReader(comp))
	case 5:
		rd = lzw.NewReader(bytes.NewReader(comp), lzw.MSB, 8)
	case 8, 32946:
		if rd, err = zlib.NewReader(bytes.NewReader(comp)); err != nil {
			return buf, fmt.Errorf("block %d: deflate: %w", idx, err)
		}
	}
	_, err = io.ReadFull(rd, data)
	rd.Close()
	if err != nil {
		return buf, fmt.Errorf("block %d: decompressing: %w (truncated or corrupt file)", idx, err)
	}
	if err := g.unpredict(data, rows); err != nil {
		return buf, err
	}
	for r := r0; r < r1; r++ {
		g.convert(data[r*stride+c0*g.pixelStride():], dst[(by+r-y0)*w+bx+c0-x0:], c1-c0)
	}
	return buf, nil
}

func (g *File) unpredict(data []byte, rows int) error {
	bps, spp := g.bytesPerSample(), g.spp
	if g.planar == 2 {
		spp = 1
	}
	stride := g.chunkW * spp * bps
	switch g.predictor {
	case 2:
		for r := 0; r < rows; r++ {
			row := data[r*stride : (r+1)*stride]
			switch bps {
			case 1:
				for i := spp; i < len(row); i++ {
					row[i] += row[i-spp]
				}
			case 2:
				for i := spp * 2; i < len(row); i += 2 {
					g.order.PutUint16(row[i:], g.order.Uint16(row[i:])+g.order.Uint16(row[i-2*spp:]))
				}
			case 4:
				for i := spp * 4; i < len(row); i += 4 {
					g.order.PutUint32(row[i:], g.order.Uint32(row[i:])+g.order.Uint32(row[i-4*spp:]))
				}
			}
		}
	case 3:
		// Floating-point predictor: bytes are split into planes (most
		// significant first) and byte-differenced across the row.
		tmp := make([]byte, stride)
		n := g.chunkW * spp
		for r := 0; r < rows; r++ {
			row := data[r*stride : (r+1)*stride]
			for i := spp; i < len(row); i++ {
				row[i] += row[i-spp]
			}
			copy(tmp, row)
			for i := 0; i < n; i++ {
				for b := 0; b < bps; b++ {
					v := tmp[b*n+i]
					if g.order == binary.LittleEndian {
						row[i*bps+bps-1-b] = v
					} else {
						row[i*bps+b] = v
					}
				}
			}
		}
	}
	return nil
}

// convert decodes n samples of band 1 from src into dst.
func (g *File) convert(src []byte, dst []float32, n int) {
	st := g.pixelStride()
	nd := float32(g.NoData)
	hasND := !math.IsNaN(g.NoData)
	for i := 0; i < n; i++ {
		b := src[i*st:]
		var v float32
		switch {
		case g.format == 3 && g.bits == 32:
			v = math.Float32frombits(g.order.Uint32(b))
		case g.format == 3:
			v = float32(math.Float64frombits(g.order.Uint64(b)))
		case g.bits == 8 && g.format == 1:
			v = float32(b[0])
		case g.bits == 8:
			v = float32(int8(b[0]))
		case g.bits == 16 && g.format == 1:
			v = float32(g.order.Uint16(b))
		case g.bits == 16:
			v = float32(int16(g.order.Uint16(b)))
		case g.format == 1:
			v = float32(g.order.Uint32(b))
		default:
			v = float32(int32(g.order.Uint32(b)))
		}
		if hasND && v == nd {
			v = float32(math.NaN())
		}
		dst[i] = v
	}
}
