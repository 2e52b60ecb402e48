package ais

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// A Navico GoFree server writes one field of its own after the fill bits
// (the part count, it seems); gpsd reads these sentences, so must we.
func TestGoFreeExtraField(t *testing.T) {
	in := "!AIVDM,1,1,1,,13aI8e?P00PGpU:NR6s00?vT2000,0,0*1C\r\n" +
		"!AIVDM,2,1,7,,53aL=FP000010=5J220PE8=DhE>2Q0ThuA>V220j1`6223?ns4j0DS2CQiC`88,0,2*75\r\n" +
		"!AIVDM,2,2,7,,888888883,2,2*7F\r\n"
	msgs, st, errs := readString(t, in)
	if len(msgs) != 2 || len(errs) != 0 {
		t.Fatalf("%d messages, rejected %v", len(msgs), errs)
	}
	if msgs[0].Type != 1 || msgs[1].Type != 5 || st.Sentences != 3 {
		t.Errorf("types %d %d, %d sentences", msgs[0].Type, msgs[1].Type, st.Sentences)
	}
	// An empty fill field before the extra one is no fill.
	if s, err := ParseSentence([]byte(nmea("AIVDM,1,1,,A,13aI8e?P00PGpU:NR6s00?vT2000,,2"))); err != nil || s.Fill != 0 {
		t.Errorf("empty fill, extra field: %v %d", err, s.Fill)
	}
	// The fill bits are still the field after the payload, not the extra one.
	if _, err := ParseSentence([]byte(nmea("AIVDM,1,1,,A,13aI8e?P00PGpU:NR6s00?vT2000,7,0"))); err != ErrFillBits {
		t.Errorf("fill 7 before an extra field: %v", err)
	}
}

// The Danish Maritime Authority's streams put a tag block alone on a line
// (\si:AISD*3F\) before the $PGHP and the sentence it belongs to; AisLib
// merges such lines into the next packet's tags. They are read, counted as
// tag-only lines and never rejected.
func TestTagBlockAloneOnItsLine(t *testing.T) {
	in := strings.Join([]string{
		`\si:AISD*3F\`,
		"$PGHP,1,2014,8,7,14,42,6,278,219,,2190076,1,3B*53",
		"!BSVDM,1,1,,A,1:02Ih001U0d=V:Op85<2aT>0<0F,0*3B",
		// AisLib's own example: the older "1G2:0125" grouping, c: wins
		// over the $PGHP time.
		"$PGHP,1,2010,6,11,11,46,11,929,244,0,,1,72*21",
		`\si:AISD*3F\`,
		"\\1G2:0125,c:1354719387*0D\\!AIVDM,2,1,4,A,539LiHP2;42`@pE<000<tq@V1<TpL4000000001?1SV@@73R0J0TQCAD,0*1E",
		`\2G2:0125*7B\!AIVDM,2,2,4,A,R0EQCP000000000,2*45`,
		// A tag-only line carrying time and station labels the next
		// sentence, and that one only.
		tagBlock("s:north,c:1426032000"),
		nmea(type1),
		nmea(type1),
	}, "\r\n")
	msgs, st, errs := readString(t, in)
	if len(errs) != 0 || len(msgs) != 4 {
		t.Fatalf("%d messages, rejected %v", len(msgs), errs)
	}
	if st.TagOnly != 3 || st.Other != 2 {
		t.Errorf("tag-only %d, other %d; want 3 and 2", st.TagOnly, st.Other)
	}
	if want := time.Date(2014, 8, 7, 14, 42, 6, 278e6, time.UTC); !msgs[0].RxTime.Equal(want) || msgs[0].Station != "2190076" {
		t.Errorf("DMA sentence: %v %q", msgs[0].RxTime, msgs[0].Station)
	}
	if msgs[1].Type != 5 || !msgs[1].RxTime.Equal(time.Unix(1354719387, 0)) {
		t.Errorf("grouped type 5: type %d time %v", msgs[1].Type, msgs[1].RxTime)
	}
	if !msgs[2].RxTime.Equal(time.Unix(1426032000, 0)) || msgs[2].Station != "north" {
		t.Errorf("after a tag-only line: %v %q", msgs[2].RxTime, msgs[2].Station)
	}
	if !msgs[3].RxTime.IsZero() || msgs[3].Station != "" {
		t.Errorf("the tag-only line leaked to a second sentence: %v %q", msgs[3].RxTime, msgs[3].Station)
	}
}

// A damaged tag-only line is rejected by name with its line number, and the
// sentences around it are still read.
func TestMalformedTagOnlyLine(t *testing.T) {
	in := nmea(type1) + "\n" + `\si:AISD*40\` + "\n" + tagBlock("s:x,c:notatime") + "\n" + `\si:AISD` + "\n" + nmea(type1) + "\n"
	msgs, st, errs := readString(t, in)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the 2 good ones", len(msgs))
	}
	if len(errs) != 3 || st.TagOnly != 0 {
		t.Fatalf("rejected %v, tag-only %d", errs, st.TagOnly)
	}
	for i, want := range []error{ErrTagChecksum, ErrTagBlock, ErrTagBlock} {
		if !errors.Is(errs[i], want) || !strings.Contains(errs[i].Error(), "line ") {
			t.Errorf("reject %d: %v, want %v with its line", i, errs[i], want)
		}
	}
	if !strings.HasPrefix(errs[0].Error(), "line 2:") {
		t.Errorf("reject names %q, want line 2", errs[0])
	}
	if !strings.Contains(errs[1].Error(), `field "c:notatime"`) {
		t.Errorf("reject %q does not name the field", errs[1])
	}
}

// Loggers append the receive time after the checksum, sometimes with
// more fields of their own after it.
func TestTrailingEpoch(t *testing.T) {
	s := nmea(type1)
	want := time.Unix(1541030400, 0)
	for _, line := range []string{s + ",1541030400", s + ",1541030400\r", s + " 1541030400", s + ",1541030400,-45.5,A", s + ",1541030400.000"} {
		msgs, _, errs := readString(t, line+"\n")
		if len(msgs) != 1 || len(errs) != 0 || !msgs[0].RxTime.Equal(want) {
			t.Errorf("%q: %d messages %v, rejects %v", line, len(msgs), msgs, errs)
		}
	}
	a1, a2 := part(type5[0], "1", "A"), part(type5[1], "1", "A")
	msgs, _, errs := readString(t, a1+",1541030400\n"+a2+",1541030401\n")
	if len(msgs) != 1 || len(errs) != 0 || !msgs[0].RxTime.Equal(want) {
		t.Errorf("two parts: %v, rejects %v", msgs, errs)
	}
}

// A multiplexer log mixes AIS with GPS and instrument sentences: those are
// counted as other sentences, not rejected.
func TestOtherSentencesAreNotErrors(t *testing.T) {
	in := "$GPGGA,195719,5310.8115,N,00525.7025,E,1,00,1.10,-2,M,,M,,*57\n" +
		nmea(type1) + "\n" +
		"$SDHDG,182.0,,,,*7B\n$PGRMZ,0,f,3*1B\nnot NMEA at all\n"
	msgs, st, errs := readString(t, in)
	if len(msgs) != 1 || st.Other != 3 || len(errs) != 1 || !errors.Is(errs[0], ErrNotAIS) {
		t.Errorf("%d messages, other %d, rejects %v", len(msgs), st.Other, errs)
	}
}

// Issue 16: a file mixing LF with bare CR lost about half its sentences.
func TestMixedLineEnds(t *testing.T) {
	ends := []string{"\n", "\r", "\r\n", "\r", "\n", "\r\n", "\r\r\n", "\n\r"}
	var b strings.Builder
	for _, e := range ends {
		b.WriteString(nmea(type1) + e)
	}
	in := b.String()
	msgs, st, errs := readString(t, in)
	if len(msgs) != len(ends) || len(errs) != 0 {
		t.Errorf("%d of %d messages, rejects %v", len(msgs), len(ends), errs)
	}
	// "\r\r\n" and "\n\r" each hold one empty line.
	if st.Lines != int64(len(ends)+2) || st.Lines != countLines(in) {
		t.Errorf("%d lines, want %d (oracle %d)", st.Lines, len(ends)+2, countLines(in))
	}
	// The same through a reader that hands over a byte at a time, so that
	// every CR LF is split between reads.
	r := NewReader(&oneByte{s: in})
	n := 0
	for r.Next() {
		n++
	}
	if n != len(ends) || r.Stats().Lines != st.Lines {
		t.Errorf("byte by byte: %d messages, %d lines", n, r.Stats().Lines)
	}
}

type oneByte struct{ s string }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(o.s) == 0 {
		return 0, io.EOF
	}
	p[0] = o.s[0]
	o.s = o.s[1:]
	return 1, nil
}

// countLines counts lines the way a Reader does: LF, CR LF and a bare CR
// each end one, and data after the last terminator is one more.
func countLines(s string) int64 {
	var n int64
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			n++
		case '\r':
			n++
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		}
	}
	if len(s) > 0 && s[len(s)-1] != '\n' && s[len(s)-1] != '\r' {
		n++
	}
	return n
}

// chunks hands over its input in the given sizes, then the rest.
type chunks struct {
	s     string
	sizes []int
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.s) == 0 {
		return 0, io.EOF
	}
	n := len(c.s)
	if len(c.sizes) > 0 {
		n, c.sizes = min(c.sizes[0], n), c.sizes[1:]
	}
	n = copy(p, c.s[:n])
	c.s = c.s[n:]
	return n, nil
}

// An over-long line whose CR (or CR LF) ends exactly where a read ends is
// one line: the sentence after it is read, and counted once.
func TestOverlongLineEndingAtARead(t *testing.T) {
	long := strings.Repeat("x", MaxLineLength+10)
	for _, end := range []string{"\r", "\r\n"} {
		in := long + end + nmea(type1) + "\r\n" + nmea(type1) + "\n"
		r := NewReader(&chunks{s: in, sizes: []int{len(long) + 1}})
		n := 0
		for r.Next() {
			n++
		}
		st := r.Stats()
		if n != 2 || st.Lines != 3 || st.Rejected[ErrLineTooLong.Error()] != 1 || st.Lines != countLines(in) {
			t.Errorf("%q: %d messages, %d lines (oracle %d), rejected %v", end, n, st.Lines, countLines(in), st.Rejected)
		}
	}
}

// A Reader takes a tag block's time from its last one when the text
// repeats; every line must still get what parsing it alone gives, and a
// bad time must still be rejected after a good one.
func TestTagTimesInARow(t *testing.T) {
	body := "AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0"
	times := []string{"1709251200", "1709251200", "1709251201", "1709251200.5", "1709251200", "1709251200123",
		"", "x1709251200", "1709251200", "17092512000", "170925120", "1709251200", "12345678901234567890123456", "1709251200", "1709251205", "1709251202", "1709251205"}
	var in strings.Builder
	for _, c := range times {
		in.WriteString(tagBlock("c:"+c+",s:X") + nmea(body) + "\n")
	}
	r := NewReader(strings.NewReader(in.String()))
	var got []time.Time
	for r.Next() {
		got = append(got, r.Message().RxTime)
	}
	var want []time.Time
	for _, l := range strings.Split(strings.TrimSpace(in.String()), "\n") {
		if s, err := ParseSentence([]byte(l)); err == nil {
			want = append(want, s.Time)
		}
	}
	if len(want) != 14 || !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Fatalf("times read %v, each line alone %v", got, want)
	}
	if n := r.Stats().Rejected[ErrTagBlock.Error()]; n != 3 {
		t.Errorf("%d bad tag blocks rejected, want 3", n)
	}
}
