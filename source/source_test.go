package source

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
)

// readAll drains a Reader, copying each message.
func readAll(t *testing.T, r Reader) []ais.Message {
	t.Helper()
	var out []ais.Message
	for r.Next() {
		out = append(out, *r.Message())
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	return out
}

func openTestFile(t *testing.T, name string) (Reader, Format) {
	t.Helper()
	f, err := Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, format, err := NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return r, format
}

func TestDMA(t *testing.T) {
	r, format := openTestFile(t, "dma.csv")
	if format != DMA {
		t.Fatalf("format %q, want dma", format)
	}
	msgs := readAll(t, r)
	st := r.Stats()
	if st.Messages != 11 || len(msgs) != 11 {
		t.Fatalf("messages %d (%d read), want 11", st.Messages, len(msgs))
	}
	wantTypes := map[int]int64{1: 4, 5: 3, 18: 1, 24: 2, 4: 1}
	for typ, n := range wantTypes {
		if st.ByType[typ] != n {
			t.Errorf("type %d: %d, want %d", typ, st.ByType[typ], n)
		}
	}
	wantRej := map[string]int64{
		ErrMissingMMSI.Error(): 1, ErrBadNumber.Error(): 1, ErrOutOfRange.Error(): 1, ErrBadTime.Error(): 1,
	}
	if len(st.Rejected) != len(wantRej) {
		t.Errorf("rejected %v, want %v", st.Rejected, wantRej)
	}
	for k, n := range wantRej {
		if st.Rejected[k] != n {
			t.Errorf("rejected[%q] = %d, want %d", k, st.Rejected[k], n)
		}
	}

	// First row: static data, then the position, both at the row's time.
	s, p := msgs[0], msgs[1]
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if s.Type != 5 || s.MMSI != 111000001 || !s.RxTime.Equal(t0) {
		t.Fatalf("first message %+v", s)
	}
	sa := s.StaticA
	if sa.ShipName != "TEST TANKER ONE" || sa.CallSign != "XX1234" || sa.IMO != 9000001 ||
		sa.ShipType != 81 || sa.Draught != 9.5 || sa.Destination != "NAMPO" {
		t.Errorf("static %+v", sa)
	}
	if sa.Dim != (ais.Dimensions{ToBow: 150, ToStern: 30, ToPort: 16, ToStarboard: 16}) {
		t.Errorf("dimensions %+v", sa.Dim)
	}
	if sa.ETAMonth != 1 || sa.ETADay != 15 || sa.ETAHour != 6 || sa.ETAMinute != 0 {
		t.Errorf("eta %+v", sa)
	}
	lat, lon, ok := p.Position()
	if p.Type != 1 || !ok || lat != 55.5 || lon != 11 || !p.RxTime.Equal(t0) {
		t.Errorf("position %+v", p)
	}
	if sp, ok := p.Speed(); !ok || sp != 12.3 {
		t.Errorf("speed %v %v", sp, ok)
	}
	if h, ok := p.Heading(); !ok || h != 44 {
		t.Errorf("heading %v %v", h, ok)
	}
	if p.PosA.Status != 0 || p.PosA.Turn != 0 {
		t.Errorf("status %d turn %d", p.PosA.Status, p.PosA.Turn)
	}

	// Class B: type 24 A and B, then 18; unknown speed and course are
	// not available, not zero.
	b := msgs[3:6]
	if b[0].Type != 24 || b[0].StaticB.PartNo != 0 || b[0].StaticB.ShipName != "TEST YACHT" {
		t.Errorf("24A %+v", b[0])
	}
	if b[1].Type != 24 || b[1].StaticB.PartNo != 1 || b[1].StaticB.ShipType != 37 || b[1].StaticB.CallSign != "" ||
		b[1].StaticB.Dim != (ais.Dimensions{ToBow: 6, ToStern: 6, ToPort: 2, ToStarboard: 2}) {
		t.Errorf("24B %+v", b[1].StaticB)
	}
	if b[2].Type != 18 {
		t.Errorf("class B position type %d", b[2].Type)
	}
	if _, ok := b[2].Course(); ok {
		t.Error("empty COG read as a course")
	}
	if msgs[6].Type != 4 {
		t.Errorf("base station type %d", msgs[6].Type)
	}
	// Bad latitude: the static data survives, the position does not.
	if m := msgs[7]; m.Type != 5 || m.MMSI != 111000004 {
		t.Errorf("bad-lat row gave %+v", m)
	}
	// 91/181 is AIS's "not available", passed through as such.
	if m := msgs[8]; m.Type != 1 || m.MMSI != 111000001 {
		t.Errorf("not-available row gave type %d mmsi %d", m.Type, m.MMSI)
	} else if _, _, ok := m.Position(); ok {
		t.Error("91/181 read as a position")
	}
	// A draught change re-sends static data.
	if m := msgs[9]; m.Type != 5 || m.StaticA.Draught != 11 {
		t.Errorf("draught change gave %+v", m)
	}
}

func TestNOAA(t *testing.T) {
	r, format := openTestFile(t, "noaa.csv")
	if format != NOAA {
		t.Fatalf("format %q, want noaa", format)
	}
	msgs := readAll(t, r)
	st := r.Stats()
	if len(msgs) != 7 {
		t.Fatalf("%d messages, want 7: %+v", len(msgs), st)
	}
	want := map[string]int64{ErrOutOfRange.Error(): 1, ErrBadNumber.Error(): 2, ErrBadTime.Error(): 1}
	for k, n := range want {
		if st.Rejected[k] != n {
			t.Errorf("rejected[%q] = %d, want %d (%v)", k, st.Rejected[k], n, st.Rejected)
		}
	}
	s := msgs[0].StaticA
	if msgs[0].Type != 5 || s.IMO != 9000011 || s.ShipType != 70 || s.Draught != 11.2 ||
		s.Dim.ToBow+s.Dim.ToStern != 200 || s.Dim.ToPort+s.Dim.ToStarboard != 32 {
		t.Errorf("static %+v", msgs[0])
	}
	p := msgs[1]
	if lat, lon, ok := p.Position(); !ok || lat != 29.7 || lon != -94.9 || !p.RxTime.Equal(time.Date(2023, 6, 1, 0, 0, 1, 0, time.UTC)) {
		t.Errorf("position %+v", p)
	}
	if msgs[5].Type != 18 {
		t.Errorf("class B type %d", msgs[5].Type)
	}
	if _, ok := msgs[5].Heading(); ok {
		t.Error("heading 511 read as a heading")
	}
	// The bad speed row keeps its position with speed not available.
	last := msgs[6]
	if last.MMSI != 111000014 {
		t.Fatalf("last %+v", last)
	}
	if _, ok := last.Speed(); ok {
		t.Error("bad SOG read as a speed")
	}
}

func TestHeaderVariants(t *testing.T) {
	// An older-style DMA header: no '#', semicolons, reordered, no A–D.
	in := "Timestamp;MMSI;Type of mobile;Longitude;Latitude;SOG;Name;Ship type;Length;Width;Size A;Size B;Size C;Size D\n" +
		"02/03/2015 10:11:12;111000021;Class A;12,5;56,25;3,5;OLD STYLE;Cargo;100;20;80;20;12;8\n"
	r, format, err := NewReader(strings.NewReader(in))
	if err != nil || format != DMA {
		t.Fatalf("format %q err %v", format, err)
	}
	msgs := readAll(t, r)
	if len(msgs) != 2 {
		t.Fatalf("%d messages: %+v", len(msgs), r.Stats())
	}
	lat, lon, ok := msgs[1].Position()
	if !ok || lat != 56.25 || lon != 12.5 {
		t.Errorf("position %v %v %v (columns must be found by name)", lat, lon, ok)
	}
	if msgs[0].StaticA.ShipType != 70 || msgs[0].StaticA.ShipName != "OLD STYLE" || msgs[0].StaticA.Dim.ToBow != 80 || msgs[0].StaticA.Dim.ToPort != 12 {
		t.Errorf("static %+v", msgs[0].StaticA)
	}
	if !msgs[1].RxTime.Equal(time.Date(2015, 3, 2, 10, 11, 12, 0, time.UTC)) {
		t.Errorf("time %v: the DMA writes the day first", msgs[1].RxTime)
	}
}

func TestMalformedCSVRowCounted(t *testing.T) {
	in := "MMSI,BaseDateTime,LAT,LON,VesselName\n" +
		"111000031,2023-06-01T00:00:00,1,2,\"SEA \"\"BREEZE\"\", II\"\n" +
		"111000031,2023-06-01T00:00:01,\"1\"x\"\",2,\n" + // broken quoting
		"111000031,2023-06-01T00:00:02,\"1,2\n" + // never closed
		"111000031,2023-06-01T00:00:03,1,2,\n"
	r, _, err := NewReader(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	msgs := readAll(t, r)
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want static + 2 positions (%v)", len(msgs), r.Stats().Rejected)
	}
	if msgs[0].StaticA.ShipName != `SEA "BREEZE", II` {
		t.Errorf("quoted name %q", msgs[0].StaticA.ShipName)
	}
	if !msgs[2].RxTime.Equal(time.Date(2023, 6, 1, 0, 0, 3, 0, time.UTC)) {
		t.Errorf("the row after the bad ones was lost: %+v", msgs[2])
	}
	if n := r.Stats().Rejected[ErrBadRow.Error()]; n != 2 {
		t.Errorf("rejected %v", r.Stats().Rejected)
	}
}

const (
	sentence1 = "!AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0*26"
	sentence2 = "!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C"
)

func TestSniffNMEA(t *testing.T) {
	for name, in := range map[string]string{
		"plain":            "\n\n" + sentence1 + "\n" + sentence2 + "\n",
		"tag block":        "\\c:1704067200,s:test*00\\" + sentence1 + "\n" + sentence2 + "\n",
		"timestamp prefix": "2024-01-01 00:00:00.000 " + sentence1 + "\n" + sentence2 + "\n",
		"no final newline": sentence1 + "\n" + sentence2,
	} {
		r, format, err := NewReader(strings.NewReader(in))
		if err != nil || format != NMEA {
			t.Errorf("%s: format %q err %v", name, format, err)
			continue
		}
		n := 0
		for r.Next() {
			n++
		}
		if n == 0 {
			t.Errorf("%s: no messages decoded (%+v)", name, r.Stats())
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	for _, in := range []string{"hello world\n", "a,b,c\n1,2,3\n", "MMSI;Speed\n"} {
		if _, _, err := NewReader(strings.NewReader(in)); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%q: err %v, want ErrUnknownFormat", in, err)
		}
	}
	// A CSV header without a position column is recognised, then refused.
	if _, _, err := NewReader(strings.NewReader("MMSI,BaseDateTime,SOG\n")); err == nil {
		t.Error("header without positions accepted")
	}
}

func TestOpenGzip(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "noaa.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	// The name says nothing: gzip is recognised by its magic bytes.
	path := filepath.Join(t.TempDir(), "noaa.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("gzip not decompressed (err %v, %d bytes)", err, len(got))
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file opened")
	}
}

func TestRowToTurn(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int8
	}{{"", ais.TurnNotAvailable}, {"0", 0}, {"4.0", 9}, {"-4.0", -9}, {"1000", 126}} {
		if got := turn(c.in); got != c.want {
			t.Errorf("turn(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestSniffEvents(t *testing.T) {
	in := "\n{\"type\":\"gap\",\"mmsi\":1}\n"
	br, f, err := Sniff(strings.NewReader(in))
	if err != nil || f != Events {
		t.Fatalf("format %q err %v", f, err)
	}
	rest, _ := io.ReadAll(br)
	if string(rest) != in {
		t.Errorf("Sniff consumed input: %q", rest)
	}
	if _, _, err := NewReader(strings.NewReader(in)); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("NewReader on events: %v", err)
	}
}

func TestFastDecimal(t *testing.T) {
	for _, s := range []string{"0", "12.3", "-94.90000", "57,8794", "+1.5", "511.0", "29.70000", "0.000001", "123456789012345"} {
		got, ok := fastDecimal(s)
		want, _ := num(strings.Replace(s, ",", ".", 1)+"e0", 0) // through strconv
		if !ok || got != want {
			t.Errorf("fastDecimal(%q) = %v %v, want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "-", ".", "1.2.3", "1e5", "abc", "1234567890123456", "1,2,3"} {
		if _, ok := fastDecimal(s); ok {
			t.Errorf("fastDecimal(%q) accepted", s)
		}
	}
}
