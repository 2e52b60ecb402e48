package ais

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
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

func readAll(t testing.TB, r io.Reader, each func(*Message)) Stats {
	rd := NewReader(r)
	for rd.Next() {
		m := rd.Message()
		if m.Type < 1 || m.Type > 27 {
			t.Fatalf("bad type %d", m.Type)
		}
		each(m)
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return rd.Stats()
}

// The AMSA sample: 34,029 VDM/VDO sentences among other NMEA, a few of them
// cut or corrupted on the way. Nearly all must decode; what does not must
// be counted, never fatal.
func TestRealAMSA(t *testing.T) {
	var positions, outside int
	st := readAll(t, openMaybeGzip(t, sharedData(t, "ais-real", "amsa-risky-ais.txt.gz")), func(m *Message) {
		if lat, lon, ok := m.Position(); ok && m.IsPositionReport() {
			positions++
			if lat < -60 || lat > 0 || lon < 90 || lon > 180 {
				outside++
			}
		}
	})
	t.Logf("AMSA: %d lines, %d sentences, %d messages, rejected %v", st.Lines, st.Sentences, st.Messages, st.Rejected)
	if st.Lines != 44687 {
		t.Errorf("lines %d, want 44687", st.Lines)
	}
	if vdm := st.Sentences + st.Rejected[ErrChecksum.Error()] + st.Rejected[ErrNoChecksum.Error()]; vdm != 34029 {
		t.Errorf("%d VDM/VDO sentences seen, want 34029", vdm)
	}
	if st.Messages < 33900 || st.ByType[1] < 19000 || st.ByType[5] < 1700 {
		t.Errorf("too few messages: %d, type 1 %d, type 5 %d", st.Messages, st.ByType[1], st.ByType[5])
	}
	if bad := st.RejectedTotal() - st.Rejected[ErrNotAIS.Error()]; bad > 100 {
		t.Errorf("%d AIS sentences rejected, expected a few dozen", bad)
	}
	// Australian waters: a decoder with wrong bit offsets or scaling would
	// scatter these.
	if positions < 20000 || outside > positions/20 {
		t.Errorf("%d of %d positions outside Australian waters", outside, positions)
	}
}

// The DMA sample: every sentence follows a $PGHP line that timestamps it.
func TestRealDMA(t *testing.T) {
	from := time.Date(2010, 6, 11, 11, 46, 0, 0, time.UTC)
	to := from.Add(time.Minute)
	var untimed, nostation int
	st := readAll(t, openMaybeGzip(t, sharedData(t, "ais-real", "dma-aislib-stream_example.txt")), func(m *Message) {
		if m.RxTime.Before(from) || m.RxTime.After(to) {
			untimed++
		}
		if m.Station == "" {
			nostation++
		}
	})
	t.Logf("DMA: %d lines, %d sentences, %d messages, rejected %v", st.Lines, st.Sentences, st.Messages, st.Rejected)
	if st.Sentences != 4500 || st.Messages != 4051 || st.RejectedTotal() != 0 {
		t.Errorf("sentences %d, messages %d, rejected %v", st.Sentences, st.Messages, st.Rejected)
	}
	// One $PGHP per message (4,051; the 449 second parts have none), 1,106
	// of them with an empty station field.
	if untimed != 0 || nostation != 1106 {
		t.Errorf("%d messages without a receive time, %d without a station", untimed, nostation)
	}
}
