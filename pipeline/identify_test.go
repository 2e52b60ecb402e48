package pipeline

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIdentifyInflatesOnce: a gzip input is known by its content's hash and
// its bytes' hash, and its content is left in a temporary plain copy for
// reading, so that it is not inflated a second time; with no room for the
// copy the input itself is read again. A plain input is read as it is.
func TestIdentifyInflatesOnce(t *testing.T) {
	dir := t.TempDir()
	content := []byte(strings.Repeat("!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*23\n", 1000))
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(content)
	zw.Close()
	gz, plain := filepath.Join(dir, "day.nmea.gz"), filepath.Join(dir, "day.nmea")
	if err := os.WriteFile(gz, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plain, content, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

	t.Setenv("TMPDIR", t.TempDir())
	id, err := identify(gz, true)
	if err != nil {
		t.Fatal(err)
	}
	if id.hash != sum(content) || id.raw != sum(zb.Bytes()) || id.size != int64(zb.Len()) {
		t.Fatalf("gzip input: hash %s raw %s size %d, want %s %s %d", id.hash, id.raw, id.size, sum(content), sum(zb.Bytes()), zb.Len())
	}
	got, err := os.ReadFile(id.plain)
	if err != nil || id.plain == gz || !bytes.Equal(got, content) || id.plainSize != int64(len(content)) {
		t.Fatalf("gzip input: plain copy %q (%d bytes, %v), want the content in a file of its own", id.plain, len(got), err)
	}
	id.done()
	if _, err := os.Stat(id.plain); !os.IsNotExist(err) {
		t.Fatalf("the plain copy outlives done: %v", err)
	}

	id, err = identify(plain, true)
	if err != nil || id.plain != plain || id.hash != sum(content) || id.raw != id.hash || id.size != int64(len(content)) {
		t.Fatalf("plain input: %+v, %v", id, err)
	}

	t.Setenv("TMPDIR", filepath.Join(dir, "missing"))
	id, err = identify(gz, true)
	if err != nil || id.plain != gz || id.hash != sum(content) {
		t.Fatalf("no room for a copy: %+v, %v; want the input read again", id, err)
	}
	id.done()
}
