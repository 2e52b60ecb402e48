package ais

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func sharedData(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "shared", "data"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	return p
}

func openMaybeGzip(t testing.TB, path string) io.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if filepath.Ext(path) == ".gz" {
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	return f
}

func readAll(t testing.TB, r io.Reader) Stats {
	rd := NewReader(r)
	for rd.Next() {
		m := rd.Message()
		if m.Type < 1 || m.Type > 27 {
			t.Fatalf("bad type %d", m.Type)
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return rd.Stats()
}

func TestRealAMSA(t *testing.T) {
	st := readAll(t, openMaybeGzip(t, sharedData(t, "ais-real", "amsa-risky-ais.txt.gz")))
	t.Logf("AMSA: %+v", st)
}

func TestRealDMA(t *testing.T) {
	st := readAll(t, openMaybeGzip(t, sharedData(t, "ais-real", "dma-aislib-stream_example.txt")))
	t.Logf("DMA: %+v", st)
}
