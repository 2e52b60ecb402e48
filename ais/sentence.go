package ais

import (
	"bytes"
	"encoding/binary"
	"errors"
	"time"
)

// Sentence is one parsed !xxVDM/!xxVDO sentence with what its tag block or
// timestamp prefix said. Byte slices alias the parsed line.
type Sentence struct {
	Talker  [2]byte
	Own     bool // VDO
	Total   int  // number of sentences in the message, 1–9
	Part    int  // this sentence's number, 1–Total
	SeqID   int  // sequential message id 0–9, -1 when empty
	Channel byte // 0 when empty
	Payload []byte
	Fill    int
	// Checksum is the sentence's (verified) checksum; $PGHP refers to it.
	Checksum byte

	// From an NMEA 4.10 tag block or a timestamp prefix.
	Time    time.Time // zero when not given
	Station []byte    // tag block s:, nil when not given
	// Tag block g: (sentence-grouping) values, 0 when absent.
	GroupPart, GroupTotal, GroupID int

	// pghpStation is the station named by a preceding $PGHP. It labels
	// the message but is not part of the reassembly key, because the DMA
	// writes $PGHP before the first part only.
	pghpStation []byte
	// times remembers the tag block times a Reader parsed (nil: none).
	times *timeCache
}

// timeCache holds the latest tag block time parsed for each last digit of
// its text: a real-rate feed writes many lines a second, a few seconds out
// of order across its stations, and parsing the digits into a time was a
// tenth of a Reader's instructions.
type timeCache [10]struct {
	n    int
	text [24]byte
	t    time.Time
}

// unix is parseUnix(v), from the cache when v was parsed last for its digit.
func (c *timeCache) unix(v []byte) (time.Time, bool) {
	if c == nil || len(v) == 0 || len(v) > len(c[0].text) {
		return parseUnix(v)
	}
	e := &c[v[len(v)-1]%10]
	if e.n == len(v) && string(e.text[:e.n]) == string(v) {
		return e.t, true
	}
	t, ok := parseUnix(v)
	if ok {
		e.n, e.t = copy(e.text[:], v), t
	}
	return t, ok
}

// ParseSentence parses one line: an optional timestamp prefix (unix seconds
// or ISO 8601), an optional NMEA 4.10 tag block and a !xxVDM/!xxVDO
// sentence with its checksum. It verifies both checksums and the sentence's
// fields but does not decode the payload. Errors are this package's Err*
// values.
func ParseSentence(line []byte) (Sentence, error) {
	var s Sentence
	err := parseSentence(&s, line, false)
	if err == errOtherNMEA || err == errTagOnly {
		err = ErrNotAIS
	}
	return s, err
}

// Internal outcomes of parseSentence for lines that are not AIS but not
// faults either; a Reader counts them apart from rejections, ParseSentence
// reports them as ErrNotAIS.
var (
	// errOtherNMEA: a well-formed NMEA sentence of another kind (GPS,
	// instruments, $PGHP): boat multiplexers mix them with AIS.
	errOtherNMEA = errors.New("other NMEA sentence")
	// errTagOnly: a valid tag block alone on its line (the DMA writes
	// \si:AISD*3F\ before its sentences); its fields are in the Sentence
	// and apply to the next sentence, as AisLib reads them.
	errTagOnly = errors.New("tag block only")
)

func parseSentence(s *Sentence, line []byte, laxChecksum bool) error {
	s.Time = time.Time{}
	s.Station = nil
	s.pghpStation = nil
	s.GroupPart, s.GroupTotal, s.GroupID = 0, 0, 0
	line = trimSpace(line)
	if len(line) == 0 {
		return ErrNotAIS
	}
	if c := line[0]; c != '!' && c != '$' && c != '\\' {
		i := indexSentenceStart(line)
		if i < 0 {
			return ErrNotAIS
		}
		if t, ok := parsePrefixTime(line[:i]); ok {
			s.Time = t
		}
		line = line[i:]
	}
	if line[0] == '\\' {
		end := bytes.IndexByte(line[1:], '\\')
		if end < 0 {
			return ErrTagBlock
		}
		if err := parseTagBlock(s, line[1:1+end]); err != nil {
			return err
		}
		line = line[end+2:]
		if len(line) == 0 {
			return errTagOnly
		}
	}
	return parseVDM(s, line, laxChecksum)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] <= ' ') {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// indexSentenceStart finds where a sentence or tag block starts after a
// logging prefix.
func indexSentenceStart(b []byte) int {
	for i, c := range b {
		if c == '!' || c == '\\' || c == '$' {
			return i
		}
	}
	return -1
}

// xorChecksum is the NMEA checksum of b, eight bytes at a time.
func xorChecksum(b []byte) byte {
	var x uint64
	for len(b) >= 8 {
		x ^= binary.LittleEndian.Uint64(b)
		b = b[8:]
	}
	x ^= x >> 32
	x ^= x >> 16
	x ^= x >> 8
	c := byte(x)
	for _, v := range b {
		c ^= v
	}
	return c
}

func hexNibble(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func hexByte(b []byte) (byte, bool) {
	if len(b) < 2 {
		return 0, false
	}
	h, ok1 := hexNibble(b[0])
	l, ok2 := hexNibble(b[1])
	return h<<4 | l, ok1 && ok2
}

func parseVDM(s *Sentence, line []byte, laxChecksum bool) error {
	// "!AIVDM," is the shortest possible start.
	if len(line) < 7 || line[3] != 'V' || line[4] != 'D' || (line[5] != 'M' && line[5] != 'O') {
		if isNMEASentence(line) {
			return errOtherNMEA
		}
		return ErrNotAIS
	}
	if line[6] != ',' {
		return ErrMalformed
	}
	star := bytes.LastIndexByte(line, '*')
	if star < 0 {
		return ErrNoChecksum
	}
	want, ok := hexByte(line[star+1:])
	if !ok {
		return ErrNoChecksum
	}
	if xorChecksum(line[1:star]) != want && !laxChecksum {
		return ErrChecksum
	}
	s.Checksum = want
	// Some loggers append ",unixtime" (or " unixtime") after the checksum,
	// possibly followed by more fields of their own.
	if rest := line[star+3:]; len(rest) > 1 && (rest[0] == ',' || rest[0] == ' ') && s.Time.IsZero() {
		rest = rest[1:]
		if i := bytes.IndexAny(rest, ", \t;"); i >= 0 {
			rest = rest[:i]
		}
		if t, ok := parseUnix(rest); ok {
			s.Time = t
		}
	}
	s.Talker = [2]byte{line[1], line[2]}
	s.Own = line[5] == 'O'
	f := line[7:star]

	// total
	if len(f) < 2 || f[1] != ',' || f[0] < '1' || f[0] > '9' {
		return ErrMalformed
	}
	s.Total = int(f[0] - '0')
	f = f[2:]
	// part
	if len(f) < 2 || f[1] != ',' || f[0] < '1' || f[0] > '9' {
		return ErrMalformed
	}
	s.Part = int(f[0] - '0')
	if s.Part > s.Total {
		return ErrMalformed
	}
	f = f[2:]
	// sequential message id: empty or one digit
	s.SeqID = -1
	switch {
	case len(f) > 0 && f[0] == ',':
		f = f[1:]
	case len(f) > 1 && f[1] == ',' && f[0] >= '0' && f[0] <= '9':
		s.SeqID = int(f[0] - '0')
		f = f[2:]
	default:
		return ErrMalformed
	}
	// channel: empty or one character
	s.Channel = 0
	switch {
	case len(f) > 0 && f[0] == ',':
		f = f[1:]
	case len(f) > 1 && f[1] == ',':
		s.Channel = f[0]
		f = f[2:]
	default:
		return ErrMalformed
	}
	comma := bytes.IndexByte(f, ',')
	if comma < 0 {
		return ErrMalformed
	}
	s.Payload = f[:comma]
	f = f[comma+1:]
	// A Navico GoFree server adds one field of its own after the fill
	// bits ("...,0,2*75"); gpsd ignores whatever follows them, and so do we.
	if i := bytes.IndexByte(f, ','); i >= 0 {
		f = f[:i]
	}
	switch {
	case len(f) == 0:
		s.Fill = 0
	case len(f) == 1 && f[0] >= '0' && f[0] <= '9':
		s.Fill = int(f[0] - '0')
		if s.Fill > 5 {
			return ErrFillBits
		}
	default:
		return ErrMalformed
	}
	// Continuation parts may be empty (some encoders split at a slot
	// boundary); an empty whole message is caught when it is decoded.
	if len(s.Payload) == 0 && s.Total == 1 {
		return ErrEmptyPayload
	}
	return nil
}

// parseTagBlock parses the inside of \...\ : comma-separated k:value
// fields and an optional *hh checksum, which is verified when present.
func parseTagBlock(s *Sentence, tb []byte) error {
	if star := bytes.LastIndexByte(tb, '*'); star >= 0 {
		want, ok := hexByte(tb[star+1:])
		if !ok || star+3 != len(tb) {
			return ErrTagBlock
		}
		if xorChecksum(tb[:star]) != want {
			return ErrTagChecksum
		}
		tb = tb[:star]
	}
	for len(tb) > 0 {
		var field []byte
		if i := bytes.IndexByte(tb, ','); i >= 0 {
			field, tb = tb[:i], tb[i+1:]
		} else {
			field, tb = tb, nil
		}
		colon := bytes.IndexByte(field, ':')
		if colon < 1 {
			return ErrTagBlock
		}
		v := field[colon+1:]
		if colon > 1 {
			// "1G2:0125" is the older form of g:1-2-0125 (AisLib reads
			// it); other multi-letter keys (the DMA's si:) are
			// proprietary and carry nothing Lookout uses.
			if p, t, ok := parseOldGroup(field[:colon]); ok {
				id, ok := atoiN(v)
				if !ok || len(v) > 9 {
					return ErrTagBlock
				}
				s.GroupPart, s.GroupTotal, s.GroupID = p, t, id
			}
			continue
		}
		switch field[0] {
		case 'c':
			t, ok := s.times.unix(v)
			if !ok {
				return ErrTagBlock
			}
			s.Time = t
		case 's':
			s.Station = v
		case 'g':
			p, t, id, ok := parseGroup(v)
			if !ok {
				return ErrTagBlock
			}
			s.GroupPart, s.GroupTotal, s.GroupID = p, t, id
		}
	}
	return nil
}

// badTagField returns the first field of line's tag block that makes it
// malformed, for a reject message; the whole block when no field is.
func badTagField(line []byte) string {
	i := bytes.IndexByte(line, '\\')
	if i < 0 {
		return ""
	}
	tb := line[i+1:]
	if end := bytes.IndexByte(tb, '\\'); end >= 0 {
		tb = tb[:end]
	} else {
		return "no closing backslash"
	}
	if star := bytes.LastIndexByte(tb, '*'); star >= 0 {
		tb = tb[:star]
	}
	for _, f := range bytes.Split(tb, []byte(",")) {
		var s Sentence
		if parseTagBlock(&s, f) != nil {
			return string(f)
		}
	}
	return string(tb)
}

// parseOldGroup parses the key of the "nGm:id" grouping form.
func parseOldGroup(k []byte) (part, total int, ok bool) {
	g := bytes.IndexByte(k, 'G')
	if g < 1 || g > 2 || len(k)-g-1 < 1 || len(k)-g-1 > 2 {
		return 0, 0, false
	}
	part, ok1 := atoiN(k[:g])
	total, ok2 := atoiN(k[g+1:])
	if !ok1 || !ok2 || part < 1 || part > total {
		return 0, 0, false
	}
	return part, total, true
}

// isNMEASentence reports whether line starts like an NMEA 0183 sentence: a
// start character, an address of capitals and digits (five, "GPGGA", or
// a proprietary one such as "PGHP"), a comma, and later a checksum.
func isNMEASentence(line []byte) bool {
	if len(line) < 5 || line[0] != '$' && line[0] != '!' {
		return false
	}
	n := 1
	for n < len(line) && n <= 9 && (line[n] >= 'A' && line[n] <= 'Z' || line[n] >= '0' && line[n] <= '9') {
		n++
	}
	return n >= 4 && n < len(line) && line[n] == ',' && bytes.IndexByte(line[n:], '*') > 0
}

// parseGroup parses a g: value "part-total-id".
func parseGroup(v []byte) (part, total, id int, ok bool) {
	var n [3]int
	k := 0
	for _, c := range v {
		switch {
		case c == '-':
			k++
			if k > 2 {
				return 0, 0, 0, false
			}
		case c >= '0' && c <= '9':
			if n[k] > 1e8 {
				return 0, 0, 0, false
			}
			n[k] = n[k]*10 + int(c-'0')
		default:
			return 0, 0, 0, false
		}
	}
	if k != 2 || n[0] < 1 || n[0] > n[1] {
		return 0, 0, 0, false
	}
	return n[0], n[1], n[2], true
}

// parseUnix parses unix seconds with an optional fraction. Thirteen-digit
// integers are taken as milliseconds, which some receivers write.
func parseUnix(v []byte) (time.Time, bool) {
	var sec, frac, scale int64 = 0, 0, 1
	digits := 0
	i := 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		if digits >= 14 {
			return time.Time{}, false
		}
		sec = sec*10 + int64(v[i]-'0')
		digits++
	}
	if digits == 0 {
		return time.Time{}, false
	}
	if i < len(v) {
		if v[i] != '.' {
			return time.Time{}, false
		}
		for i++; i < len(v); i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			if scale < 1e9 {
				frac = frac*10 + int64(c-'0')
				scale *= 10
			}
		}
	}
	if digits >= 13 && scale == 1 {
		return time.UnixMilli(sec).UTC(), true
	}
	return time.Unix(sec, frac*(1e9/scale)).UTC(), true
}

// parsePrefixTime parses a logging prefix: unix seconds or ISO 8601
// ("2024-01-02T03:04:05Z", fraction and offset optional, 'T' or space),
// with separators around it.
func parsePrefixTime(p []byte) (time.Time, bool) {
	for len(p) > 0 && isSep(p[len(p)-1]) {
		p = p[:len(p)-1]
	}
	for len(p) > 0 && isSep(p[0]) {
		p = p[1:]
	}
	if len(p) == 0 {
		return time.Time{}, false
	}
	if t, ok := parseUnix(p); ok {
		return t, true
	}
	return parseISO(p)
}

func isSep(c byte) bool {
	return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '|' || c == '[' || c == ']'
}

func atoiN(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(b) > 0
}

func parseISO(p []byte) (time.Time, bool) {
	if len(p) < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') || p[13] != ':' || p[16] != ':' {
		return time.Time{}, false
	}
	y, ok1 := atoiN(p[0:4])
	mo, ok2 := atoiN(p[5:7])
	d, ok3 := atoiN(p[8:10])
	h, ok4 := atoiN(p[11:13])
	mi, ok5 := atoiN(p[14:16])
	sec, ok6 := atoiN(p[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	rest := p[19:]
	nsec := 0
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		scale := 100000000
		i := 1
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			nsec += int(rest[i]-'0') * scale
			scale /= 10
		}
		rest = rest[i:]
	}
	offset := 0
	switch {
	case len(rest) == 0, len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := atoiN(rest[1:3])
		om, ok2 := atoiN(rest[4:6])
		if !ok1 || !ok2 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// pghp is a Danish Maritime Authority $PGHP,1 timestamp sentence:
// $PGHP,1,yyyy,mm,dd,hh,mm,ss,ms,country,region,pss,online,cc*hh where cc
// is the checksum of the sentence it timestamps, which follows it.
type pghp struct {
	time    time.Time
	station []byte
}

func parsePGHP(line []byte, out *pghp) bool {
	line = trimSpace(line)
	if len(line) < 8 || !bytes.HasPrefix(line, []byte("$PGHP,1,")) {
		return false
	}
	star := bytes.LastIndexByte(line, '*')
	if star < 0 {
		return false
	}
	if want, ok := hexByte(line[star+1:]); !ok || xorChecksum(line[1:star]) != want {
		return false
	}
	f := line[8:star]
	var fields [12][]byte
	n := 0
	for n < len(fields) {
		i := bytes.IndexByte(f, ',')
		if i < 0 {
			fields[n] = f
			n++
			break
		}
		fields[n] = f[:i]
		f = f[i+1:]
		n++
	}
	if n != 12 {
		return false
	}
	var v [7]int
	for k := 0; k < 7; k++ {
		x, ok := atoiN(fields[k])
		if !ok {
			return false
		}
		v[k] = x
	}
	if v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60 || v[6] > 999 {
		return false
	}
	out.time = time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], v[6]*1e6, time.UTC)
	out.station = fields[9]
	return true
}
