package geotiff

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"time"
)

// Writer streams a single-band float32 tiled GeoTIFF in WGS 84, one row of
// tiles at a time, so a scene larger than memory can be written.
type Writer struct {
	f         *os.File
	bw        *bufio.Writer
	pos       int64
	w, h      int
	tile      int
	deflate   bool
	sparse    bool
	t         Transform
	time      time.Time
	nextRow   int
	offsets   []uint32
	counts    []uint32
	tileBuf   []byte
	zbuf      bytes.Buffer
	closed    bool
	finishErr error
}

// WriterOptions tune Create. The zero value writes uncompressed 256x256 tiles.
type WriterOptions struct {
	TileSize int  // multiple of 16; default 256
	Deflate  bool // compress tiles with Deflate
	// Sparse writes a tile of nothing but NaN as no bytes at all (offset
	// and count 0, GDAL's SPARSE_OK), which reads back as NaN: a scene
	// mostly outside its swath stays small on disk.
	Sparse bool
	// Time, when set, is written as the TIFF DateTime (UTC, whole seconds).
	Time time.Time
}

// Create starts a GeoTIFF of w x h pixels at path.
func Create(path string, w, h int, t Transform, o WriterOptions) (*Writer, error) {
	if w <= 0 || h <= 0 || w > MaxDimension || h > MaxDimension {
		return nil, fmt.Errorf("bad image size %d x %d", w, h)
	}
	if o.TileSize == 0 {
		o.TileSize = 256
	}
	if o.TileSize%16 != 0 || o.TileSize <= 0 {
		return nil, fmt.Errorf("tile size %d is not a positive multiple of 16", o.TileSize)
	}
	if int64(w)*int64(h)*4 > math.MaxUint32-(1<<24) {
		return nil, errors.New("image too large for classic TIFF")
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	wr := &Writer{f: f, bw: bufio.NewWriterSize(f, 1<<20), w: w, h: h, tile: o.TileSize, deflate: o.Deflate, sparse: o.Sparse, t: t, time: o.Time}
	// Header; the directory offset is patched in Close.
	hdr := []byte{'I', 'I', 42, 0, 0, 0, 0, 0}
	if _, err := wr.bw.Write(hdr); err != nil {
		f.Close()
		return nil, err
	}
	wr.pos = 8
	wr.tileBuf = make([]byte, o.TileSize*o.TileSize*4)
	return wr, nil
}

// TileSize is the number of rows WriteRows expects per call.
func (wr *Writer) TileSize() int { return wr.tile }

// WriteRows writes the next band of rows (row-major, width values per row).
// Every call but the last must hold exactly TileSize rows.
func (wr *Writer) WriteRows(rows []float32) error {
	if wr.closed {
		return errors.New("geotiff: write after close")
	}
	n := len(rows) / wr.w
	if n*wr.w != len(rows) || n == 0 || n > wr.tile || (n < wr.tile && wr.nextRow+n != wr.h) || wr.nextRow+n > wr.h {
		return fmt.Errorf("geotiff: WriteRows got %d values; want %d rows of %d", len(rows), min(wr.tile, wr.h-wr.nextRow), wr.w)
	}
	T := wr.tile
	for tx := 0; tx < wr.w; tx += T {
		if wr.sparse && allNaN(rows, wr.w, tx, min(tx+T, wr.w), n) {
			wr.offsets = append(wr.offsets, 0)
			wr.counts = append(wr.counts, 0)
			continue
		}
		clear(wr.tileBuf)
		for r := 0; r < n; r++ {
			src := rows[r*wr.w+tx : r*wr.w+min(tx+T, wr.w)]
			dst := wr.tileBuf[r*T*4:]
			for i, v := range src {
				binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
			}
		}
		data := wr.tileBuf
		if wr.deflate {
			wr.zbuf.Reset()
			zw, _ := zlib.NewWriterLevel(&wr.zbuf, zlib.BestSpeed)
			zw.Write(data)
			if err := zw.Close(); err != nil {
				return err
			}
			data = wr.zbuf.Bytes()
		}
		wr.offsets = append(wr.offsets, uint32(wr.pos))
		wr.counts = append(wr.counts, uint32(len(data)))
		if _, err := wr.bw.Write(data); err != nil {
			return err
		}
		wr.pos += int64(len(data))
		if wr.pos > math.MaxUint32 {
			return errors.New("geotiff: file exceeds 4 GB; use deflate")
		}
	}
	wr.nextRow += n
	return nil
}

// allNaN says whether columns [x0, x1) of the n rows of width w are NaN.
func allNaN(rows []float32, w, x0, x1, n int) bool {
	for r := 0; r < n; r++ {
		for _, v := range rows[r*w+x0 : r*w+x1] {
			if v == v {
				return false
			}
		}
	}
	return true
}

// Close writes the directory and closes the file.
func (wr *Writer) Close() error {
	if wr.closed {
		return wr.finishErr
	}
	wr.closed = true
	err := wr.finish()
	if cerr := wr.f.Close(); err == nil {
		err = cerr
	}
	wr.finishErr = err
	return err
}

func (wr *Writer) finish() error {
	if wr.nextRow != wr.h {
		return fmt.Errorf("geotiff: closed after %d of %d rows", wr.nextRow, wr.h)
	}
	type field struct {
		tag, typ uint16
		data     []byte
		count    int
	}
	u16 := func(v ...uint16) []byte {
		b := make([]byte, 2*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint16(b[2*i:], x)
		}
		return b
	}
	u32 := func(v ...uint32) []byte {
		b := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], x)
		}
		return b
	}
	f64 := func(v ...float64) []byte {
		b := make([]byte, 8*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
		}
		return b
	}
	comp := uint16(1)
	if wr.deflate {
		comp = 8
	}
	t := wr.t
	fields := []field{
		{256, 4, u32(uint32(wr.w)), 1},
		{257, 4, u32(uint32(wr.h)), 1},
		{258, 3, u16(32), 1},
		{259, 3, u16(comp), 1},
		{262, 3, u16(1), 1},
		{277, 3, u16(1), 1},
		{284, 3, u16(1), 1},
		{322, 3, u16(uint16(wr.tile)), 1},
		{323, 3, u16(uint16(wr.tile)), 1},
		{324, 4, u32(wr.offsets...), len(wr.offsets)},
		{325, 4, u32(wr.counts...), len(wr.counts)},
		{339, 3, u16(3), 1},
		// ModelTransformation (row-major 4x4), which also carries rotation.
		{34264, 12, f64(t[1], t[2], 0, t[0], t[4], t[5], 0, t[3], 0, 0, 0, 0, 0, 0, 0, 1), 16},
		// GeoKeyDirectory: geographic model, pixel-is-area, WGS 84.
		{34735, 3, u16(1, 1, 0, 3, keyModelType, 0, 1, 2, keyRasterType, 0, 1, 1, keyGeographicType, 0, 1, 4326), 16},
	}
	if !wr.time.IsZero() {
		fields = append(fields, field{306, 2, append([]byte(wr.time.UTC().Format("2006:01:02 15:04:05")), 0), 20})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].tag < fields[j].tag })
	// Out-of-line values first, then the directory.
	if wr.pos%2 == 1 {
		wr.bw.WriteByte(0)
		wr.pos++
	}
	valOff := make([]uint32, len(fields))
	for i, fl := range fields {
		if len(fl.data) > 4 {
			valOff[i] = uint32(wr.pos)
			if _, err := wr.bw.Write(fl.data); err != nil {
				return err
			}
			wr.pos += int64(len(fl.data))
		}
	}
	if wr.pos%2 == 1 {
		wr.bw.WriteByte(0)
		wr.pos++
	}
	ifd := uint32(wr.pos)
	var dir bytes.Buffer
	dir.Write(u16(uint16(len(fields))))
	for i, fl := range fields {
		dir.Write(u16(fl.tag, fl.typ))
		dir.Write(u32(uint32(fl.count)))
		if len(fl.data) > 4 {
			dir.Write(u32(valOff[i]))
		} else {
			var v [4]byte
			copy(v[:], fl.data)
			dir.Write(v[:])
		}
	}
	dir.Write(u32(0))
	if _, err := wr.bw.Write(dir.Bytes()); err != nil {
		return err
	}
	if err := wr.bw.Flush(); err != nil {
		return err
	}
	if _, err := wr.f.Seek(4, io.SeekStart); err != nil {
		return err
	}
	_, err := wr.f.Write(u32(ifd))
	return err
}
