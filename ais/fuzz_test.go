package ais

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addVectorSeeds(f *testing.F, each func(lines []string)) {
	// Without the shared data the built-in seeds and testdata/fuzz remain.
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "data", "ais-vectors", "pyais-vectors.jsonl")); err == nil {
		for _, v := range loadVectors(f) {
			each(v.NMEA)
		}
	}
	each([]string{tagBlock("s:r1,c:1426032000,g:1-2-7") + part(type5[0], "1", "A"), tagBlock("g:2-2-7") + part(type5[1], "1", "A")})
	each([]string{"$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B", "!AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0*2B"})
	each([]string{"2015-03-11T00:00:02Z " + nmea(type1), "1426032001.5 " + nmea(type1)})
	each([]string{`\si:AISD*3F\`, "$PGHP,1,2014,8,7,14,42,6,278,219,,2190076,1,3B*53", "!BSVDM,1,1,,A,1:02Ih001U0d=V:Op85<2aT>0<0F,0*3B"})
	each([]string{"!AIVDM,2,1,7,,53aL=FP000010=5J220PE8=DhE>2Q0ThuA>V220j1`6223?ns4j0DS2CQiC`88,0,2*75\r", "!AIVDM,2,2,7,,888888883,2,2*7F\r", nmea(type1) + ",1541030400"})
}

// FuzzParseSentence: any line parses or is rejected with one of the named
// errors; a parsed sentence's fields are in range.
func FuzzParseSentence(f *testing.F) {
	addVectorSeeds(f, func(lines []string) {
		for _, l := range lines {
			f.Add([]byte(l))
		}
	})
	f.Fuzz(func(t *testing.T, line []byte) {
		s, err := ParseSentence(line)
		if err != nil {
			for _, e := range reasons {
				if err == e {
					return
				}
			}
			t.Fatalf("unnamed error %v", err)
		}
		if s.Total < 1 || s.Total > 9 || s.Part < 1 || s.Part > s.Total || s.Fill < 0 || s.Fill > 5 || s.SeqID < -1 || s.SeqID > 9 {
			t.Fatalf("out of range: %+v", s)
		}
		if !bytes.Contains(line, s.Payload) {
			t.Fatalf("payload %q not from the line", s.Payload)
		}
		var m Message
		var d Decoder
		if err := d.Decode(s.Payload, s.Fill, &m); err == nil && (m.Type < 1 || m.Type > 27) {
			t.Fatalf("decoded type %d", m.Type)
		}
	})
}

// FuzzReader drives the line reader and the reassembler with several lines
// at once: counts must add up and every message must render.
func FuzzReader(f *testing.F) {
	addVectorSeeds(f, func(lines []string) { f.Add(strings.Join(lines, "\n")) })
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader(strings.NewReader(in))
		var buf []byte
		for r.Next() {
			m := r.Message()
			if m.Type < 1 || m.Type > 27 {
				t.Fatalf("type %d", m.Type)
			}
			buf = AppendJSON(buf[:0], m)
			if !json.Valid(buf) {
				t.Fatalf("invalid JSON %s", buf)
			}
		}
		st := r.Stats()
		// Every line is counted once, whatever ends it (LF, CR LF, CR).
		if st.Messages > st.Sentences || st.Lines != countLines(in) || st.Other+st.TagOnly+st.Sentences > st.Lines {
			t.Fatalf("inconsistent stats %+v, %d lines in the input", st, countLines(in))
		}
		var sum int64
		for _, n := range st.ByType {
			sum += n
		}
		if sum != st.Messages {
			t.Fatalf("by type %d, messages %d", sum, st.Messages)
		}
		// Read in small pieces, so that terminators (CR LF above all)
		// fall across reads, the same lines and messages come out.
		sizes := make([]int, 0, len(in)/7+1)
		for range len(in)/7 + 1 {
			sizes = append(sizes, 7)
		}
		r2 := NewReader(&chunks{s: in, sizes: sizes})
		for r2.Next() {
		}
		st2 := r2.Stats()
		if st2.Lines != st.Lines || st2.Messages != st.Messages && len(in) < MaxLineLength {
			t.Fatalf("read in pieces: %d lines, %d messages; at once: %d, %d", st2.Lines, st2.Messages, st.Lines, st.Messages)
		}
	})
}
