// Package packed writes the files the geo package embeds: a magic line,
// then unsigned and signed varints, gzip-compressed at the best level. The
// generators genland and genwater share it, so the two formats differ only
// in what they write, not in how.
package packed

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"os"
)

// Writer writes one packed file; Close completes it.
type Writer struct {
	fh  *os.File
	zw  *gzip.Writer
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
}

// Create starts the file at path with its magic line.
func Create(path, magic string) (*Writer, error) {
	fh, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	zw, err := gzip.NewWriterLevel(fh, gzip.BestCompression)
	if err != nil {
		fh.Close()
		return nil, err
	}
	w := &Writer{fh: fh, zw: zw, w: bufio.NewWriter(zw)}
	w.w.WriteString(magic + "\n")
	return w, nil
}

// Uint writes v as an unsigned varint.
func (w *Writer) Uint(v uint64) { w.w.Write(w.buf[:binary.PutUvarint(w.buf[:], v)]) }

// Int writes v as a signed varint.
func (w *Writer) Int(v int64) { w.w.Write(w.buf[:binary.PutVarint(w.buf[:], v)]) }

// Close flushes and closes the file; a write error shows here.
func (w *Writer) Close() error {
	if err := w.w.Flush(); err != nil {
		w.fh.Close()
		return err
	}
	if err := w.zw.Close(); err != nil {
		w.fh.Close()
		return err
	}
	return w.fh.Close()
}
