package ais

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"testing"
)

// amsaVDM returns the AMSA sample's VDM/VDO lines.
func amsaVDM(b testing.TB) []byte {
	var out bytes.Buffer
	sc := bufio.NewScanner(openMaybeGzip(b, sharedData(b, "ais-real", "amsa-risky-ais.txt.gz")))
	for sc.Scan() {
		l := sc.Bytes()
		if len(l) > 6 && l[0] == '!' && bytes.HasPrefix(l[3:], []byte("VD")) {
			out.Write(l)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// repeatReader replays data n times without holding n copies.
type repeatReader struct {
	data []byte
	off  int
	n    int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.data[r.off:])
	r.off += k
	if r.off == len(r.data) {
		r.off = 0
		r.n--
	}
	return k, nil
}

// BenchmarkReaderAMSA decodes the AMSA mix; sentences/s is the headline.
func BenchmarkReaderAMSA(b *testing.B) {
	data := amsaVDM(b)
	lines := bytes.Count(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var msgs int64
	for i := 0; i < b.N; i++ {
		r := NewReader(bytes.NewReader(data))
		for r.Next() {
			msgs++
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "sentences/s")
	_ = msgs
}

const posLine = "!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n"

// BenchmarkPositionReport shows the per-message cost and that a position
// report allocates nothing once the Reader is warm.
func BenchmarkPositionReport(b *testing.B) { benchLines(b, []byte(posLine)) }

// benchLines reads data over and over, one message per op.
func benchLines(b *testing.B, data []byte) {
	r := NewReader(&repeatReader{data: data, n: -1})
	r.Next()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !r.Next() {
			b.Fatal("stopped")
		}
	}
}

// BenchmarkDecodePayload is the lower-level API alone.
func BenchmarkDecodePayload(b *testing.B) {
	var d Decoder
	var m Message
	p := []byte("15M67FC000G?ufbE`FepT@3n00Sa")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := d.Decode(p, 0, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNoAllocsPerPositionReport(t *testing.T) {
	mixed := "!AIVDM,1,1,,B,B7P?qA000:g9u0L4UKoQ3wQ4oP06,0*5E\n" + // 18
		"!AIVDM,1,1,,B,KC5E2b@U19PFdLbMuc5=ROv62<7m,0*16\n" + // 27
		"!AIVDM,1,1,1,1,577JNW02BLa=I8`cN20t=@98DE`F0U<h4pB22216C@J>@4M20FlRCp11H2PCQBDSp888880,2*52\n" // 5, names interned
	r := NewReader(&repeatReader{data: []byte(mixed), n: -1})
	for i := 0; i < 10; i++ {
		r.Next()
	}
	if a := testing.AllocsPerRun(999, func() { r.Next() }); a != 0 {
		t.Fatalf("%v allocations per message of types 18, 27, 5", a)
	}
	if st := r.Stats(); st.RejectedTotal() != 0 || st.ByType[18] < 300 || st.ByType[27] < 300 || st.ByType[5] < 300 {
		t.Fatalf("mixed stats %+v", st)
	}
	r = NewReader(&repeatReader{data: []byte(posLine + "\\s:stationX,c:1241544035*1B\\" + posLine[:len(posLine)-1] + "\n"), n: -1})
	for i := 0; i < 10; i++ {
		r.Next()
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if !r.Next() {
			t.Fatal("stopped")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per position report, want 0", allocs)
	}
	if st := r.Stats(); st.RejectedTotal() != 0 || st.Messages < 1000 {
		t.Fatalf("stats %+v", st)
	}
	// Every other message carries the tag block's station and time.
	m := r.Message()
	if !r.Next() {
		t.Fatal("stopped")
	}
	if m.Station == "" {
		r.Next()
	}
	if m.Type != 1 || m.Station != "stationX" || m.RxTime.Unix() != 1241544035 {
		t.Fatalf("got type %d station %q time %v", m.Type, m.Station, m.RxTime)
	}
}

// BenchmarkTaggedLines reads position reports with tag blocks as a
// real-rate feed writes them: receive times in order, several lines a
// second, a few stations. One op is one line.
func BenchmarkTaggedLines(b *testing.B) {
	var data []byte
	for i := range 1000 {
		tb := fmt.Sprintf("c:%d,s:STATION%d", 1709251200+i/8, i%5)
		data = append(data, fmt.Sprintf("\\%s*%02X\\%s", tb, xorChecksum([]byte(tb)), posLine)...)
	}
	benchLines(b, data)
}
