package source

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// OpenFile decompresses gzip by its magic bytes and reports the bytes read
// from the file itself, compressed, against the size on disk: what a
// progress bar follows.
func TestOpenFileCountsFileBytes(t *testing.T) {
	text := bytes.Repeat([]byte("!AIVDM,1,1,,A,15MgK45P3@G?fl0E`JbR0OwT0@MS,0*4E\n"), 5000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(text)
	zw.Close()
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		data []byte
	}{{"plain.nmea", text}, {"packed.nmea", gz.Bytes()}} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		var seen countWriter
		r, size, err := OpenFile(path, &seen)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		if !bytes.Equal(got, text) {
			t.Errorf("%s: read %d bytes, not the text", c.name, len(got))
		}
		if size != int64(len(c.data)) || int64(seen) != size {
			t.Errorf("%s: size %d, progress %d, want both %d", c.name, size, seen, len(c.data))
		}
	}
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// Gzip is inflated on a goroutine ahead of the reader: a damaged stream
// still ends in an error, not a clean end of file, after the data before
// the damage; and closing a file half read stops the goroutine.
func TestOpenFileInflaterEnds(t *testing.T) {
	text := bytes.Repeat([]byte("!AIVDM,1,1,,A,15MgK45P3@G?fl0E`JbR0OwT0@MS,0*4E\n"), 60000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(text)
	zw.Close()
	dir := t.TempDir()
	cut := filepath.Join(dir, "cut.nmea.gz")
	if err := os.WriteFile(cut, gz.Bytes()[:gz.Len()-10], 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(cut)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err == nil {
		t.Errorf("truncated gzip read without error")
	}
	if !bytes.HasPrefix(text, got) {
		t.Errorf("truncated gzip: %d bytes read are not the text's start", len(got))
	}

	whole := filepath.Join(dir, "whole.nmea.gz")
	if err := os.WriteFile(whole, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = Open(whole)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 1000)
	if _, err := io.ReadFull(r, head); err != nil || !bytes.Equal(head, text[:1000]) {
		t.Fatalf("first 1000 bytes: %v", err)
	}
	z, ok := r.(*inflater)
	if !ok {
		t.Fatalf("gzip file read through %T, not the inflater", r)
	}
	r.Close() // returns once the goroutine has: a leak would hang here
	select {
	case <-z.exited:
	default:
		t.Errorf("inflating goroutine still running after Close")
	}
	if n, err := r.Read(head); n != 0 || err == nil {
		t.Errorf("read after Close: %d bytes, %v", n, err)
	}
}
