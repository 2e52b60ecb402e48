package ais

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"strings"
	"testing"
	"time"
)

// nmea wraps a sentence body in ! and its checksum.
func nmea(body string) string {
	return "!" + body + fmt.Sprintf("*%02X", xorChecksum([]byte(body)))
}

func tagBlock(body string) string {
	return "\\" + body + fmt.Sprintf("*%02X", xorChecksum([]byte(body))) + "\\"
}

func TestBitbufMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var b bitbuf
	for iter := 0; iter < 2000; iter++ {
		n := 1 + rng.Intn(200)
		payload := make([]byte, n)
		var bits []byte
		for i := range payload {
			v := byte(rng.Intn(64))
			payload[i] = sixbitArmor(v)
			for k := 5; k >= 0; k-- {
				bits = append(bits, (v>>k)&1)
			}
		}
		fill := rng.Intn(6)
		if fill > n*6 {
			fill = 0
		}
		if err := b.load(payload, fill); err != nil {
			t.Fatal(err)
		}
		bits = bits[:n*6-fill]
		if b.n != len(bits) {
			t.Fatalf("n = %d, want %d", b.n, len(bits))
		}
		for k := 0; k < 50; k++ {
			off := rng.Intn(len(bits) + 1)
			w := 1 + rng.Intn(57)
			var want uint64
			for i := off; i < off+w; i++ {
				want <<= 1
				if i < len(bits) {
					want |= uint64(bits[i])
				}
			}
			if got := b.u(uint(off), uint(w)); got != want {
				t.Fatalf("payload %q fill %d: u(%d,%d) = %x, want %x", payload, fill, off, w, got, want)
			}
		}
	}
}

func sixbitArmor(v byte) byte {
	if v < 40 {
		return v + 48
	}
	return v + 56
}

func TestArmorRejectsBadCharacters(t *testing.T) {
	var b bitbuf
	for _, p := range []string{"15M67FC0\x0000G", "1234567X", "abc{", "ÿ"} {
		if err := b.load([]byte(p), 0); !errors.Is(err, ErrPayloadChar) {
			t.Errorf("%q: %v, want ErrPayloadChar", p, err)
		}
	}
}

func readString(t *testing.T, in string) ([]Message, Stats, []error) {
	t.Helper()
	r := NewReader(strings.NewReader(in))
	var errs []error
	r.OnReject = func(_ []byte, err error) { errs = append(errs, err) }
	var out []Message
	for r.Next() {
		out = append(out, *r.Message())
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return out, r.Stats(), errs
}

const type1 = "AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0"

func TestTagBlocksAndPrefixes(t *testing.T) {
	in := strings.Join([]string{
		tagBlock("s:rORBCOMM000,c:1426032000") + nmea(type1),
		"1426032001.5 " + nmea(type1),
		"2015-03-11T00:00:02Z " + nmea(type1),
		"2015-03-11 02:00:03+02:00;" + nmea(type1),
		tagBlock("c:1426032004000,s:ms") + nmea(type1), // milliseconds
		"\\s:x,c:1426032000*00\\" + nmea(type1),        // bad tag checksum
		"\\s:bad tag" + nmea(type1),                    // unterminated
		nmea(strings.Replace(type1, "AIVDM", "BSVDO", 1)),
	}, "\r\n")
	msgs, st, errs := readString(t, in)
	if len(msgs) != 6 {
		t.Fatalf("%d messages, errs %v", len(msgs), errs)
	}
	base := time.Unix(1426032000, 0).UTC()
	wants := []struct {
		t       time.Time
		station string
	}{
		{base, "rORBCOMM000"},
		{base.Add(1500 * time.Millisecond), ""},
		{base.Add(2 * time.Second), ""},
		{base.Add(3 * time.Second), ""},
		{base.Add(4 * time.Second), "ms"},
		{time.Time{}, ""},
	}
	for i, w := range wants {
		if !msgs[i].RxTime.Equal(w.t) || msgs[i].Station != w.station {
			t.Errorf("message %d: time %v station %q, want %v %q", i, msgs[i].RxTime, msgs[i].Station, w.t, w.station)
		}
	}
	if !msgs[5].Own || msgs[5].Channel != 'B' {
		t.Errorf("VDO not marked own: %+v", msgs[5])
	}
	if st.Rejected[ErrTagChecksum.Error()] != 1 || st.Rejected[ErrTagBlock.Error()] != 1 {
		t.Errorf("rejections %v", st.Rejected)
	}
}

func TestPGHPTimestampsTheNextSentence(t *testing.T) {
	in := "$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B\n" +
		"!AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0*2B\n" +
		"!AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0*2B\n"
	msgs, st, errs := readString(t, in)
	if len(msgs) != 2 || len(errs) != 0 {
		t.Fatalf("%d messages, %v", len(msgs), errs)
	}
	want := time.Date(2010, 6, 11, 11, 46, 11, 390e6, time.UTC)
	if !msgs[0].RxTime.Equal(want) || msgs[0].Station != "992190934" {
		t.Errorf("first: %v %q", msgs[0].RxTime, msgs[0].Station)
	}
	if !msgs[1].RxTime.IsZero() || msgs[1].Station != "" {
		t.Errorf("second sentence must not inherit: %v %q", msgs[1].RxTime, msgs[1].Station)
	}
	if st.RejectedTotal() != 0 {
		t.Errorf("rejected %v", st.Rejected)
	}
}

// type5 is a two-part type 5 message from the pyais vectors.
var type5 = [2]string{
	"AIVDM,2,1,1,A,538CQ>02A;h?D9QC800pu8@T>0P4l9E8L0000017Ah:;;5r50Ahm5;C0,0",
	"AIVDM,2,2,1,A,F@V@00000000000,2",
}

func part(p string, seq, ch string) string {
	p = strings.Replace(p, ",1,A,", ","+seq+","+ch+",", 1)
	return nmea(p)
}

func TestReassembly(t *testing.T) {
	a1, a2 := part(type5[0], "1", "A"), part(type5[1], "1", "A")
	b1, b2 := part(type5[0], "2", "A"), part(type5[1], "2", "A")
	c1, c2 := part(type5[0], "1", "B"), part(type5[1], "1", "B")
	tb := func(s, st string) string { return tagBlock("s:"+st) + s }
	cases := []struct {
		name   string
		lines  []string
		msgs   int
		reject error
	}{
		{"in order", []string{a1, a2}, 1, nil},
		{"interleaved seq ids", []string{a1, b1, a2, b2}, 2, nil},
		{"interleaved channels", []string{a1, c1, c2, a2}, 2, nil},
		{"interleaved stations", []string{tb(a1, "x"), tb(a1, "y"), tb(a2, "y"), tb(a2, "x")}, 2, nil},
		{"missing first", []string{a2}, 0, ErrMissingPart},
		{"missing last", []string{a1}, 0, ErrMissingPart},
		{"restarted", []string{a1, a1, a2}, 1, ErrMissingPart},
		{"duplicate", []string{a1, a2, a2}, 1, ErrMissingPart},
		{"out of order", []string{part("AIVDM,3,1,1,A,538CQ>02A;h?D9QC800pu8@T>0P4l9E8L0000017Ah:;;5r50Ahm5;C0,0", "1", "A"),
			part("AIVDM,3,3,1,A,F@V@00000000000,2", "1", "A")}, 0, ErrOutOfOrder},
	}
	for _, c := range cases {
		msgs, _, errs := readString(t, strings.Join(c.lines, "\n"))
		if len(msgs) != c.msgs {
			t.Errorf("%s: %d messages, want %d (%v)", c.name, len(msgs), c.msgs, errs)
		}
		for _, m := range msgs {
			if m.Type != 5 || m.StaticA.ShipName != "NORDIC HAMBURG" || m.StaticA.Destination != "CTT-LAYBY" || m.StaticA.IMO != 9514755 {
				t.Errorf("%s: decoded %+v", c.name, m.StaticA)
			}
		}
		if c.reject == nil && len(errs) > 0 || c.reject != nil && (len(errs) == 0 || !errors.Is(errs[0], c.reject)) {
			t.Errorf("%s: rejects %v, want %v", c.name, errs, c.reject)
		}
	}
	// A duplicate right after a complete message is a missing-first-part;
	// a duplicate while the group is open is a duplicate.
	three := []string{
		part("AIVDM,3,1,1,A,538CQ>02A;h?D9QC800pu8@T>0P4l9E8L0000017Ah:;;5r50Ahm5;C0,0", "1", "A"),
		part("AIVDM,3,2,1,A,F@V@00000000000,0", "1", "A"),
		part("AIVDM,3,2,1,A,F@V@00000000000,0", "1", "A"),
	}
	_, _, errs := readString(t, strings.Join(three, "\n"))
	if len(errs) != 2 || !errors.Is(errs[0], ErrDuplicatePart) || !errors.Is(errs[1], ErrMissingPart) {
		t.Errorf("duplicate: %v", errs)
	}
}

func TestReassemblyTimeout(t *testing.T) {
	a1, a2 := part(type5[0], "1", "A"), part(type5[1], "1", "A")
	// By receive time.
	in := tagBlock("c:1000") + a1 + "\n" + tagBlock("c:1100") + a2 + "\n"
	msgs, st, _ := readString(t, in)
	if len(msgs) != 0 || st.Rejected[ErrPartTimeout.Error()] != 1 || st.Rejected[ErrMissingPart.Error()] != 1 {
		t.Errorf("by time: %d messages, %v", len(msgs), st.Rejected)
	}
	// By line count.
	var b strings.Builder
	b.WriteString(a1 + "\n")
	for i := 0; i < 1001; i++ {
		b.WriteString(nmea(type1) + "\n")
	}
	b.WriteString(a2 + "\n")
	msgs, st, _ = readString(t, b.String())
	if len(msgs) != 1001 || st.Rejected[ErrPartTimeout.Error()] != 1 {
		t.Errorf("by lines: %d messages, %v", len(msgs), st.Rejected)
	}
}

func TestBadInputIsCountedAndDecodingCarriesOn(t *testing.T) {
	good := nmea(type1)
	huge := "!AIVDM,1,1,,B," + strings.Repeat("1", 10<<20) + ",0*00"
	junk := make([]byte, 4096)
	rand.New(rand.NewSource(2)).Read(junk)
	bad := []struct {
		line string
		want error
	}{
		{string(bytes.ReplaceAll(bytes.ReplaceAll(junk, []byte("\n"), nil), []byte("\r"), nil)), nil}, // any reason
		{good[:20], ErrNoChecksum},
		{huge, ErrLineTooLong},
		{nmea("AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,7"), ErrFillBits},
		{nmea("AIVDM,1,1,,B,15M67FC000G?ufbE`F,0"), ErrTooShort},
		{nmea("AIVDM,1,1,,B,w5M67FC000G?ufbE`FepT@3n00Sa,0"), ErrUnknownType},
		{nmea("AIVDM,1,1,,B,05M67FC000G?ufbE`FepT@3n00Sa,0"), ErrUnknownType},
		{nmea("AIVDM,1,1,,B,15M67FC000G?uf~E`FepT@3n00Sa,0"), ErrPayloadChar},
		{nmea("AIVDM,1,1,,B,,0"), ErrEmptyPayload},
		{strings.Replace(good, "*5C", "*5D", 1), ErrChecksum},
		{nmea("AIVDM,1,2,,B,15M67FC000G?ufbE`FepT@3n00Sa,0"), ErrMalformed},
		{"GPGGA foo", ErrNotAIS},
		{nmea("AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa") + "\x00\xff", ErrMalformed},
	}
	var b strings.Builder
	for _, x := range bad {
		b.WriteString(x.line + "\n" + good + "\n")
	}
	b.WriteString(good[:30]) // truncated last line without newline
	msgs, st, errs := readString(t, b.String())
	if len(msgs) != len(bad) {
		t.Fatalf("%d good messages decoded, want %d", len(msgs), len(bad))
	}
	if st.RejectedTotal() != int64(len(bad)+1) || len(errs) != len(bad)+1 {
		t.Fatalf("rejected %d (%v), want %d", st.RejectedTotal(), errs, len(bad)+1)
	}
	for i, x := range bad {
		if x.want != nil && !errors.Is(errs[i], x.want) {
			t.Errorf("bad line %d: %v, want %v", i, errs[i], x.want)
		}
	}
}

func TestNotAvailableIsExplicit(t *testing.T) {
	// Type 1 with lat 91, lon 181, speed 1023, course 3600, heading 511.
	m, err := Decode([]byte("15NPOOPP00o?b=bE`UNv4?w428D;"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Heading(); ok {
		t.Error("heading 511 reported as available")
	}
	if _, ok := m.Course(); ok {
		t.Error("course 360 reported as available")
	}
	if _, _, ok := m.Position(); !ok {
		t.Error("real position reported unavailable")
	}
	m.PosA.Lat, m.PosA.Lon = LatNotAvailable, LonNotAvailable
	m.PosA.Speed = SpeedNotAvailable
	if _, _, ok := m.Position(); ok || m.PosA.HasPosition() {
		t.Error("lat 91/lon 181 reported as a position")
	}
	if _, ok := m.Speed(); ok {
		t.Error("speed 102.3 reported as available")
	}
	if _, ok := m.PosA.RateOfTurn(); ok {
		t.Error("turn -128 reported as available")
	}
	var s StaticVoyageData
	if s.HasIMO() || s.HasDraught() || s.HasETA() {
		t.Error("zero IMO/draught/ETA reported as available")
	}
	var b BaseStationReport
	if _, ok := b.Time(); ok {
		t.Error("zero base station time reported as available")
	}
}

// Other packages build Messages themselves; the accessors must work on them.
func TestConstructedMessage(t *testing.T) {
	m := Message{Type: 1, MMSI: 123456789, PosA: PositionReportA{Lat: 10, Lon: 20, Speed: 5, Course: 90, Heading: HeadingNotAvailable}}
	if lat, lon, ok := m.Position(); !ok || lat != 10 || lon != 20 {
		t.Errorf("position %v %v %v", lat, lon, ok)
	}
	if _, ok := m.Heading(); ok {
		t.Error("heading")
	}
	st := Message{Type: 5, StaticA: StaticVoyageData{ShipName: "X"}}
	if n, ok := st.ShipName(); !ok || n != "X" {
		t.Error("ship name")
	}
}

// NMEA 4.10 sentence groups: only the first tag block names the station
// and time; the second part must still join its first.
func TestTagBlockGroupsShareStationAndTime(t *testing.T) {
	in := tagBlock("g:1-2-73874,s:r003669945,c:1241544035") + part(type5[0], "1", "A") + "\n" +
		tagBlock("g:2-2-73874") + part(type5[1], "1", "A") + "\n"
	msgs, st, errs := readString(t, in)
	if len(msgs) != 1 || len(errs) != 0 {
		t.Fatalf("%d messages, %v", len(msgs), errs)
	}
	if msgs[0].Station != "r003669945" || msgs[0].RxTime.Unix() != 1241544035 || msgs[0].StaticA.IMO != 9514755 {
		t.Errorf("got %q %v %d", msgs[0].Station, msgs[0].RxTime, msgs[0].StaticA.IMO)
	}
	if st.Sentences != 2 || st.Messages != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestTrailingUnixTime(t *testing.T) {
	msgs, _, errs := readString(t, nmea(type1)+",1276256770\n")
	if len(msgs) != 1 || msgs[0].RxTime.Unix() != 1276256770 {
		t.Fatalf("%v %v", msgs, errs)
	}
}

func TestBareCRLineEnds(t *testing.T) {
	in := strings.Repeat(nmea(type1)+"\r", 500)
	msgs, st, errs := readString(t, in)
	if len(msgs) != 500 || len(errs) != 0 || st.Lines != 500 {
		t.Fatalf("%d messages, %d lines, %v", len(msgs), st.Lines, errs)
	}
}

// A huge line is skipped, not buffered: reading 10 MB of one line and a
// 65,536-sentence stream allocates about the Reader's fixed buffer only.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 13 MB")
	}
	huge := &repeatReader{data: []byte(strings.Repeat("A", 1<<20)), n: 10}
	stream := &repeatReader{data: []byte(posLine), n: 1 << 16}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := NewReader(io.MultiReader(huge, strings.NewReader("\n"), stream))
	n := 0
	for r.Next() {
		n++
	}
	runtime.ReadMemStats(&after)
	if n != 1<<16 || r.Stats().Rejected[ErrLineTooLong.Error()] != 1 {
		t.Fatalf("%d messages, %v", n, r.Stats().Rejected)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 2*readBufSize {
		t.Errorf("allocated %d bytes for 10 MB of junk and 64k sentences", grew)
	}
}
