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
