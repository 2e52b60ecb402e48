package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/ais"
)

// Reasons a CSV row is rejected; Stats counts them under the error's text.
var (
	ErrBadNumber   = errors.New("bad number")
	ErrMissingMMSI = errors.New("missing MMSI")
	ErrOutOfRange  = errors.New("value out of range")
	ErrBadTime     = errors.New("bad timestamp")
	ErrBadRow      = errors.New("malformed CSV row")
	// ErrImplausibleTime: a timestamp that parses but cannot be a
	// reception (year 0001 or 9999 from an export's placeholder): before
	// AIS existed or more than a year after the wall clock.
	ErrImplausibleTime = errors.New("implausible timestamp (before 1990 or more than a year ahead)")
)

// earliestPlausible is well before the first AIS receivers (around 2000).
var earliestPlausible = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// Column names, normalised (lower case, letters and digits only), that both
// exports and their variants over the years use. Each field lists every
// spelling seen; lookup is by name, never by position.
var columns = map[string]field{
	"timestamp": fTime, "basedatetime": fTime, "datetime": fTime, "time": fTime, "msgtime": fTime,
	"typeofmobile": fClass, "transceiverclass": fClass, "transceiver": fClass,
	"mmsi":     fMMSI,
	"latitude": fLat, "lat": fLat,
	"longitude": fLon, "lon": fLon, "long": fLon, "lng": fLon,
	"navigationalstatus": fStatus, "navigationstatus": fStatus, "navstatus": fStatus, "status": fStatus,
	"rot": fROT, "rateofturn": fROT,
	"sog": fSOG, "speedoverground": fSOG, "speed": fSOG,
	"cog": fCOG, "courseoverground": fCOG, "course": fCOG,
	"heading": fHeading, "trueheading": fHeading,
	"imo": fIMO, "imonumber": fIMO,
	"callsign": fCallSign,
	"name":     fName, "vesselname": fName, "shipname": fName,
	"shiptype": fShipType, "vesseltype": fShipType, "shipandcargotype": fShipType,
	"cargotype": fCargo, "cargo": fCargo,
	"width": fWidth, "beam": fWidth,
	"length":  fLength,
	"draught": fDraught, "draft": fDraught,
	"destination": fDest,
	"eta":         fETA,
	"a":           fA, "b": fB, "c": fC, "d": fD,
	"sizea": fA, "sizeb": fB, "sizec": fC, "sized": fD,
}

// unitSuffixes are stripped from a column name that is not known as it
// stands: "Latitude_degrees", "SOG_knots", "Draught_m", "Time_UTC".
var unitSuffixes = []string{"degrees", "degree", "deg", "knots", "knot", "kts", "kn", "metres", "meters", "metre", "meter", "m", "utc"}

// fieldNames are the names --columns gives Lookout's fields by, with the
// spellings listed when a header lacks one.
var fieldNames = []struct {
	name  string
	f     field
	known string
}{
	{"time", fTime, "Timestamp, BaseDateTime, Time, DateTime"},
	{"mmsi", fMMSI, "MMSI"},
	{"lat", fLat, "Latitude, Lat"},
	{"lon", fLon, "Longitude, Lon, Long, Lng"},
	{"sog", fSOG, "SOG, Speed"},
	{"cog", fCOG, "COG, Course"},
	{"heading", fHeading, "Heading"},
	{"status", fStatus, "Navigational status, Status"},
	{"rot", fROT, "ROT"},
	{"class", fClass, "Type of mobile, TransceiverClass"},
	{"imo", fIMO, "IMO"},
	{"callsign", fCallSign, "Callsign"},
	{"name", fName, "Name, VesselName"},
	{"shiptype", fShipType, "Ship type, VesselType"},
	{"cargo", fCargo, "Cargo type, Cargo"},
	{"width", fWidth, "Width"},
	{"length", fLength, "Length"},
	{"draught", fDraught, "Draught, Draft"},
	{"destination", fDest, "Destination"},
	{"eta", fETA, "ETA"},
}

// ParseColumns parses a --columns value, "field=Column,...": each of
// Lookout's fields (time, mmsi, lat, lon, sog, cog, heading, status, rot,
// class, imo, callsign, name, shiptype, cargo, width, length, draught,
// destination, eta) read from the named header column.
func ParseColumns(spec string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(spec, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return nil, fmt.Errorf("--columns: %q is not field=Column", kv)
		}
		if fieldByName(k) == fNone {
			names := make([]string, len(fieldNames))
			for i, f := range fieldNames {
				names[i] = f.name
			}
			return nil, fmt.Errorf("--columns: unknown field %q (fields: %s)", k, strings.Join(names, ", "))
		}
		out[k] = v
	}
	return out, nil
}

func fieldByName(name string) field {
	for _, f := range fieldNames {
		if f.name == name {
			return f.f
		}
	}
	return fNone
}

// HeaderError says which required columns a CSV header lacks. It wraps
// ErrUnknownFormat: the file is a dialect Lookout cannot read as it is.
type HeaderError struct {
	Line    int64    // the header's line number
	Missing []string // Lookout field names (see ParseColumns)
	Header  []string // the header's column names
}

func (e *HeaderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d: the CSV header has no ", e.Line)
	for i, m := range e.Missing {
		if i > 0 {
			b.WriteString(", no ")
		}
		for _, f := range fieldNames {
			if f.name == m {
				fmt.Fprintf(&b, "%s column (looked for %s)", m, f.known)
			}
		}
	}
	b.WriteString("; the header has ")
	for i, h := range e.Header {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 40 {
			fmt.Fprintf(&b, "… (%d columns)", len(e.Header))
			break
		}
		fmt.Fprintf(&b, "%q", h)
	}
	fmt.Fprintf(&b, "; name the columns with --columns %s=COLUMN", e.Missing[0])
	return b.String()
}

func (e *HeaderError) Unwrap() error { return ErrUnknownFormat }

// mapHeader finds each field's column: the user's names first (exact,
// then ignoring case and punctuation), then the known spellings.
func mapHeader(hdr []string, user map[string]string) (col [nFields]int, known int) {
	for i := range col {
		col[i] = -1
	}
	for name, want := range user {
		f := fieldByName(name)
		for i, h := range hdr {
			if strings.TrimSpace(h) == want {
				col[f] = i
				break
			}
		}
		if col[f] < 0 {
			for i, h := range hdr {
				if normalise(h) == normalise(want) {
					col[f] = i
					break
				}
			}
		}
	}
	for i, h := range hdr {
		f, ok := lookupColumn(normalise(h))
		if ok && col[f] < 0 && user[fieldNameOf(f)] == "" {
			col[f] = i
		}
	}
	for f, c := range col {
		// A, B, C, D alone say little: "a,b,c" is no AIS header.
		if c >= 0 && (field(f) < fA || field(f) > fD) {
			known++
		}
	}
	return col, known
}

func fieldNameOf(f field) string {
	for _, x := range fieldNames {
		if x.f == f {
			return x.name
		}
	}
	return ""
}

func lookupColumn(n string) (field, bool) {
	if f, ok := columns[n]; ok {
		return f, true
	}
	for _, suf := range unitSuffixes {
		if len(n) > len(suf) && strings.HasSuffix(n, suf) {
			if f, ok := columns[n[:len(n)-len(suf)]]; ok {
				return f, true
			}
		}
	}
	return fNone, false
}

type field int

const (
	fNone field = iota
	fTime
	fClass
	fMMSI
	fLat
	fLon
	fStatus
	fROT
	fSOG
	fCOG
	fHeading
	fIMO
	fCallSign
	fName
	fShipType
	fCargo
	fWidth
	fLength
	fDraught
	fDest
	fETA
	fA
	fB
	fC
	fD
	nFields
)

// csvReader turns the rows of a DMA or MarineCadastre export into AIS
// messages. See the package documentation for the mapping.
type csvReader struct {
	r      *bufio.Reader
	delim  byte
	rec    []string
	col    [nFields]int // column index per field, -1 when absent
	stats  ais.Stats
	err    error
	queue  [3]ais.Message
	n, i   int
	static map[uint32]uint64 // hash of the last static columns sent per MMSI
	seed   maphash.Seed
	// The last timestamp and navigation status parsed: rows come in runs
	// of equal values, and parsing them is the costly part of a row.
	lastTS     string
	lastT      time.Time
	lastStatus string
	lastCode   uint8
	latest     time.Time // the latest plausible timestamp
}

func normalise(h string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(h) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// newCSVReader reads the header and maps columns by name (user's names
// first). It fails with a *HeaderError when the header lacks a time, an
// MMSI or a position column.
func newCSVReader(r *bufio.Reader, delim byte, user map[string]string) (*csvReader, error) {
	c := &csvReader{r: r, delim: delim, static: map[uint32]uint64{}, seed: maphash.MakeSeed(),
		latest: time.Now().UTC().AddDate(1, 0, 0)}
	var hdr []string
	for len(hdr) == 0 {
		line, err := c.line()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if len(bytes.TrimSpace(line)) > 0 {
			var ok bool
			if hdr, ok = c.split(bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))); !ok {
				return nil, fmt.Errorf("line %d: %w: unclosed quote in the header", c.stats.Lines, ErrBadRow)
			}
		}
	}
	hdr = append([]string(nil), hdr...)
	c.col, _ = mapHeader(hdr, user)
	var missing []string
	for _, f := range []field{fTime, fMMSI, fLat, fLon} {
		if c.col[f] < 0 {
			missing = append(missing, fieldNameOf(f))
		}
	}
	if len(missing) > 0 {
		return nil, &HeaderError{Line: c.stats.Lines, Missing: missing, Header: hdr}
	}
	return c, nil
}

// line returns the next line without its line ending. A line longer than
// the buffer is rejected and skipped.
func (c *csvReader) line() ([]byte, error) {
	for {
		line, err := c.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			c.stats.Lines++
			c.reject(ErrBadRow)
			for err == bufio.ErrBufferFull {
				_, err = c.r.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			continue
		}
		if err != nil && (err != io.EOF || len(line) == 0) {
			return nil, err
		}
		c.stats.Lines++
		return bytes.TrimRight(line, "\r\n"), nil
	}
}

// split cuts a line into fields. Exports never break a record over lines,
// so unlike encoding/csv a stray quote can cost at most its own line: a
// field that opens with '"' runs to the next '"' followed by the delimiter
// or the end of the line ("" inside it is one quote); quotes elsewhere are
// kept as they are. ok is false when an opening quote is never closed.
// The line is converted to a string once and fields are substrings of it.
func (c *csvReader) split(b []byte) (rec []string, ok bool) {
	line := string(b)
	rec = c.rec[:0]
	for {
		if len(line) > 0 && line[0] == '"' {
			var f strings.Builder
			i := 1
			for {
				j := strings.IndexByte(line[i:], '"')
				if j < 0 {
					return rec, false
				}
				f.WriteString(line[i : i+j])
				i += j + 1
				if i < len(line) && line[i] == '"' {
					f.WriteByte('"')
					i++
					continue
				}
				if i < len(line) && line[i] != c.delim {
					return rec, false
				}
				break
			}
			rec = append(rec, f.String())
			if i >= len(line) {
				break
			}
			line = line[i+1:]
			continue
		}
		j := strings.IndexByte(line, c.delim)
		if j < 0 {
			rec = append(rec, line)
			break
		}
		rec = append(rec, line[:j])
		line = line[j+1:]
	}
	c.rec = rec
	return rec, true
}

func (c *csvReader) Next() bool {
	for {
		if c.i+1 < c.n {
			c.i++
			c.deliver()
			return true
		}
		if c.err != nil {
			return false
		}
		line, err := c.line()
		if err != nil {
			if err != io.EOF {
				c.err = err
			}
			return false
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		c.n, c.i = 0, -1
		rec, ok := c.split(line)
		if !ok {
			c.reject(ErrBadRow)
			continue
		}
		if err := c.row(rec); err != nil {
			c.reject(err)
		}
		if c.n > 0 {
			c.i = 0
			c.deliver()
			return true
		}
	}
}

func (c *csvReader) deliver() {
	c.stats.Messages++
	c.stats.ByType[c.queue[c.i].Type]++
}

func (c *csvReader) Message() *ais.Message { return &c.queue[c.i] }
func (c *csvReader) Err() error            { return c.err }

func (c *csvReader) Stats() ais.Stats {
	s := c.stats
	s.Rejected = make(map[string]int64, len(c.stats.Rejected))
	for k, v := range c.stats.Rejected {
		s.Rejected[k] = v
	}
	return s
}

func (c *csvReader) reject(err error) {
	if c.stats.Rejected == nil {
		c.stats.Rejected = map[string]int64{}
	}
	c.stats.Rejected[err.Error()]++
}

func (c *csvReader) get(rec []string, f field) string {
	i := c.col[f]
	if i < 0 || i >= len(rec) {
		return ""
	}
	v := rec[i]
	if v != "" && (v[0] == ' ' || v[len(v)-1] == ' ' || v[0] == '\t' || v[len(v)-1] == '\t') {
		v = strings.TrimSpace(v)
	}
	return v
}

// row converts one record into messages in c.queue. It returns the reason
// when the row, or part of it, is rejected; the sound parts (static data
// beside a bad position) are still delivered.
func (c *csvReader) row(rec []string) error {
	ms := c.get(rec, fMMSI)
	if ms == "" {
		return ErrMissingMMSI
	}
	mmsi, err := strconv.ParseUint(ms, 10, 32)
	if err != nil {
		return ErrBadNumber
	}
	if mmsi == 0 || mmsi > 999999999 {
		return ErrOutOfRange
	}
	ts := c.get(rec, fTime)
	if ts != c.lastTS || c.lastT.IsZero() {
		t, err := parseTime(ts)
		if err != nil {
			return ErrBadTime
		}
		if t.Before(earliestPlausible) || t.After(c.latest) {
			return ErrImplausibleTime
		}
		c.lastTS, c.lastT = ts, t
	}
	t := c.lastT
	c.stats.Sentences++
	class := classOf(c.get(rec, fClass))

	var bad error
	note := func(err error) {
		if bad == nil {
			bad = err
		}
	}
	c.staticMessages(rec, uint32(mmsi), t, class, note)

	lat, err1 := num(c.get(rec, fLat), ais.LatNotAvailable)
	lon, err2 := num(c.get(rec, fLon), ais.LonNotAvailable)
	if err := errors.Join(err1, err2); err != nil {
		note(ErrBadNumber)
		return bad
	}
	if !(lat == ais.LatNotAvailable || lat >= -90 && lat <= 90) || !(lon == ais.LonNotAvailable || lon >= -180 && lon <= 180) {
		note(ErrOutOfRange)
		return bad
	}
	sog, err := num(c.get(rec, fSOG), ais.SpeedNotAvailable)
	if err != nil {
		note(ErrBadNumber)
		sog = ais.SpeedNotAvailable
	} else if sog < 0 || sog > ais.SpeedNotAvailable {
		note(ErrOutOfRange)
		sog = ais.SpeedNotAvailable
	}
	cog, err := num(c.get(rec, fCOG), ais.CourseNotAvailable)
	if err != nil {
		note(ErrBadNumber)
		cog = ais.CourseNotAvailable
	} else if cog < 0 || cog > 360 {
		note(ErrOutOfRange)
		cog = ais.CourseNotAvailable
	}
	hdg := uint16(ais.HeadingNotAvailable)
	if h, err := num(c.get(rec, fHeading), ais.HeadingNotAvailable); err != nil {
		note(ErrBadNumber)
	} else if h >= 0 && h < 360 {
		hdg = uint16(h)
	}
	sec := uint8(t.Second())

	m := c.push(uint32(mmsi), t)
	switch class {
	case classB:
		m.Type = 18
		m.PosB = ais.PositionReportB{Speed: sog, Lat: lat, Lon: lon, Course: cog, Heading: hdg, Second: sec}
	case classBase:
		m.Type = 4
		m.Base = ais.BaseStationReport{
			Year: uint16(t.Year()), Month: uint8(t.Month()), Day: uint8(t.Day()),
			Hour: uint8(t.Hour()), Minute: uint8(t.Minute()), Second: sec, Lat: lat, Lon: lon,
		}
	case classAtoN:
		m.Type = 21
		m.AtoN = ais.AidToNavigation{Name: c.get(rec, fName), Lat: lat, Lon: lon, Second: sec}
	case classSAR:
		m.Type = 9
		spd := uint16(ais.SARSpeedNotAvailable)
		if sog < ais.SpeedNotAvailable {
			spd = uint16(math.Round(sog))
		}
		m.SAR = ais.SARAircraftReport{Altitude: ais.SARAltNotAvailable, Speed: spd, Lat: lat, Lon: lon, Course: cog, Second: sec}
	default:
		m.Type = 1
		m.PosA = ais.PositionReportA{
			Status: c.navStatus(c.get(rec, fStatus)), Turn: turn(c.get(rec, fROT)),
			Speed: sog, Lat: lat, Lon: lon, Course: cog, Heading: hdg, Second: sec,
		}
	}
	return bad
}

// staticMessages queues static data (type 5 for class A, type 24 parts A
// and B for class B) when the row's static columns differ from the last ones
// sent for this MMSI: exports repeat them on every row, and downstream an
// identity history wants changes, not repetitions.
func (c *csvReader) staticMessages(rec []string, mmsi uint32, t time.Time, class int, note func(error)) {
	if class != classA && class != classB {
		return
	}
	name, call := cleanText(c.get(rec, fName)), cleanText(c.get(rec, fCallSign))
	imoS, typS, cargoS := c.get(rec, fIMO), c.get(rec, fShipType), c.get(rec, fCargo)
	lenS, widS, drS := c.get(rec, fLength), c.get(rec, fWidth), c.get(rec, fDraught)
	destS, etaS := cleanText(c.get(rec, fDest)), c.get(rec, fETA)
	abcd := [4]string{c.get(rec, fA), c.get(rec, fB), c.get(rec, fC), c.get(rec, fD)}
	if name == "" && call == "" && destS == "" && unknown(imoS) && unknown(typS) && unknown(lenS) && unknown(widS) && unknown(drS) {
		return
	}
	var h maphash.Hash
	h.SetSeed(c.seed)
	for _, f := range []string{name, call, imoS, typS, cargoS, lenS, widS, drS, destS, etaS, abcd[0], abcd[1], abcd[2], abcd[3]} {
		h.WriteString(f)
		h.WriteByte(0)
	}
	fp := h.Sum64()
	if old, ok := c.static[mmsi]; ok && old == fp {
		return
	}
	c.static[mmsi] = fp

	var imo uint32
	if v, ok := intField(imoS, note); ok && v > 0 && v < 1<<30 {
		imo = uint32(v)
	}
	shipType := shipTypeCode(typS, cargoS, note)
	dim := dimensions(lenS, widS, abcd, note)
	var draught float64
	if v, err := num(drS, 0); err != nil {
		note(ErrBadNumber)
	} else if v > 0 && v <= 25.5 {
		draught = v
	} else if v != 0 {
		note(ErrOutOfRange)
	}

	if class == classB {
		a := c.push(mmsi, t)
		a.Type = 24
		a.StaticB = ais.StaticDataReport{PartNo: 0, ShipName: name}
		b := c.push(mmsi, t)
		b.Type = 24
		b.StaticB = ais.StaticDataReport{PartNo: 1, ShipType: shipType, CallSign: call, Dim: dim}
		return
	}
	m := c.push(mmsi, t)
	m.Type = 5
	m.StaticA = ais.StaticVoyageData{
		IMO: imo, CallSign: call, ShipName: name, ShipType: shipType, Dim: dim,
		Draught: draught, Destination: destS, ETAHour: 24, ETAMinute: 60,
	}
	if eta, err := parseTime(etaS); err == nil {
		m.StaticA.ETAMonth, m.StaticA.ETADay = uint8(eta.Month()), uint8(eta.Day())
		m.StaticA.ETAHour, m.StaticA.ETAMinute = uint8(eta.Hour()), uint8(eta.Minute())
	}
}

func (c *csvReader) push(mmsi uint32, t time.Time) *ais.Message {
	m := &c.queue[c.n]
	c.n++
	*m = ais.Message{MMSI: mmsi, RxTime: t}
	return m
}

const (
	classA = iota
	classB
	classBase
	classAtoN
	classSAR
)

func classOf(s string) int {
	switch {
	case s == "" || s == "A" || s == "Class A":
		return classA
	case strings.EqualFold(s, "class b") || strings.EqualFold(s, "b"):
		return classB
	case strings.EqualFold(s, "base station"):
		return classBase
	case strings.EqualFold(s, "aton"):
		return classAtoN
	case strings.EqualFold(s, "sar airborne"):
		return classSAR
	}
	return classA
}

// timeLayouts are the timestamp forms of the DMA (day first) and
// MarineCadastre (ISO) exports; both are UTC.
var timeLayouts = []string{
	"02/01/2006 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	time.RFC3339,
	"02/01/2006 15:04",
	"20060102_150405", // Spire
	"2006-01-02 15:04:05 MST",
	"2006/01/02 15:04:05",
	"02-01-2006 15:04:05",
}

func parseTime(s string) (time.Time, error) {
	if t, ok := fastTime(s); ok {
		return t, nil
	}
	// Unix seconds (ten digits, an optional fraction).
	if len(s) >= 10 && s[0] >= '1' && s[0] <= '9' {
		if v, err := strconv.ParseFloat(s, 64); err == nil && v < 1e11 && strings.IndexByte(s, 'e') < 0 && strings.IndexByte(s, 'E') < 0 {
			sec, frac := math.Modf(v)
			return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, ErrBadTime
}

// fastTime parses the two common layouts, "02/01/2006 15:04:05" and
// "2006-01-02T15:04:05", without time.Parse's generality.
func fastTime(s string) (time.Time, bool) {
	if len(s) != 19 || s[13] != ':' || s[16] != ':' || (s[10] != ' ' && s[10] != 'T') {
		return time.Time{}, false
	}
	var y, mo, d int
	var ok1, ok2, ok3 bool
	switch {
	case s[2] == '/' && s[5] == '/':
		d, ok1 = digits(s[0:2])
		mo, ok2 = digits(s[3:5])
		y, ok3 = digits(s[6:10])
	case s[4] == '-' && s[7] == '-':
		y, ok1 = digits(s[0:4])
		mo, ok2 = digits(s[5:7])
		d, ok3 = digits(s[8:10])
	default:
		return time.Time{}, false
	}
	h, ok4 := digits(s[11:13])
	mi, ok5 := digits(s[14:16])
	se, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || se > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC), true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// num parses a decimal (a decimal comma is accepted); an empty or
// "Unknown"-style cell gives na.
func num(s string, na float64) (float64, error) {
	if v, ok := fastDecimal(s); ok {
		return v, nil
	}
	if unknown(s) {
		return na, nil
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return na, ErrBadNumber
	}
	return v, nil
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// fastDecimal parses the plain decimals exports are made of ("-12.345",
// "57,8794") exactly: with at most 15 digits the integer mantissa and the
// power of ten are both exact in float64, so one division rounds
// correctly. Anything else is left to strconv.
func fastDecimal(s string) (float64, bool) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, i = s[0] == '-', 1
	}
	var mant uint64
	digits, frac, point := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if point {
				frac++
			}
		case (c == '.' || c == ',') && !point:
			point = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	v := float64(mant) / pow10[frac]
	if neg {
		v = -v
	}
	return v, true
}

func intField(s string, note func(error)) (int64, bool) {
	if unknown(s) {
		return 0, false
	}
	s = strings.TrimPrefix(strings.ToUpper(s), "IMO")
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		note(ErrBadNumber)
		return 0, false
	}
	return v, true
}

func unknown(s string) bool {
	if s == "" {
		return true
	}
	if c := s[0]; c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' {
		return false
	}
	for _, u := range []string{"unknown", "undefined", "n/a", "na", "nan", "null"} {
		if strings.EqualFold(s, u) {
			return true
		}
	}
	return false
}

func cleanText(s string) string {
	if unknown(s) {
		return ""
	}
	return s
}

// navStatuses are the DMA's spelled-out navigation statuses, by code.
var navStatuses = []string{
	"under way using engine", "at anchor", "not under command", "restricted", "constrained by her draught",
	"moored", "aground", "engaged in fishing", "under way sailing",
}

func (c *csvReader) navStatus(s string) uint8 {
	if s != c.lastStatus {
		c.lastStatus, c.lastCode = s, navStatus(s)
	}
	return c.lastCode
}

func navStatus(s string) uint8 {
	// MarineCadastre writes codes as decimals ("8.0").
	if v, ok := wholeNumber(s); ok && v >= 0 && v <= 15 {
		return uint8(v)
	}
	l := strings.ToLower(s)
	for i, p := range navStatuses {
		if strings.HasPrefix(l, p) {
			return uint8(i)
		}
	}
	switch {
	case strings.Contains(l, "hsc"):
		return 9
	case strings.Contains(l, "wig"):
		return 10
	case strings.Contains(l, "towing astern"):
		return 11
	case strings.Contains(l, "pushing ahead"):
		return 12
	case strings.Contains(l, "sart"):
		return 14
	}
	return 15
}

// wholeNumber parses an integer written as "8" or "8.0".
func wholeNumber(s string) (int, bool) {
	if v, err := strconv.Atoi(s); err == nil {
		return v, true
	}
	v, ok := fastDecimal(s)
	if !ok || v != math.Trunc(v) || math.Abs(v) > 1e9 || strings.IndexByte(s, ',') >= 0 {
		return 0, false
	}
	return int(v), true
}

// turn converts a rate of turn in degrees per minute to AIS's raw value
// (ROT = (raw/4.733)²); empty gives not available.
func turn(s string) int8 {
	v, err := num(s, math.NaN())
	if err != nil || math.IsNaN(v) {
		return ais.TurnNotAvailable
	}
	r := math.Round(4.733 * math.Sqrt(math.Abs(v)))
	if r > 126 {
		r = 126
	}
	if v < 0 {
		r = -r
	}
	return int8(r)
}

// shipTypes maps the DMA's ship type names to the first code of their AIS
// range (ITU-R M.1371 table 53). MarineCadastre gives the code itself.
var shipTypes = map[string]uint8{
	"wig": 20, "fishing": 30, "towing": 31, "towing long/wide": 32, "dredging": 33,
	"diving": 34, "military": 35, "sailing": 36, "pleasure": 37, "hsc": 40,
	"pilot": 50, "sar": 51, "tug": 52, "port tender": 53, "anti-pollution": 54,
	"law enforcement": 55, "medical": 58, "not party to conflict": 59,
	"passenger": 60, "cargo": 70, "tanker": 80, "other": 90,
}

// shipTypeCode returns the AIS ship type; the DMA's cargo category (X, Y,
// Z, OS: hazard categories A–D) adds 1–4 to the WIG, HSC, passenger,
// cargo, tanker and other bases, as the AIS code does.
func shipTypeCode(typ, cargo string, note func(error)) uint8 {
	if unknown(typ) {
		return 0
	}
	if v, ok := wholeNumber(typ); ok {
		if v < 0 || v > 255 {
			note(ErrOutOfRange)
			return 0
		}
		return uint8(v)
	}
	code, ok := shipTypes[strings.ToLower(typ)]
	if !ok {
		return 0
	}
	if code%10 == 0 {
		switch strings.ToLower(strings.TrimPrefix(cargo, "Category ")) {
		case "x":
			code++
		case "y":
			code += 2
		case "z":
			code += 3
		case "os":
			code += 4
		}
	}
	return code
}

// dimensions uses the DMA's A, B, C, D (to bow, stern, port, starboard)
// when given, else splits length and width evenly about the reference
// point: downstream only ever adds them up to length and beam.
func dimensions(length, width string, abcd [4]string, note func(error)) ais.Dimensions {
	var v [4]float64
	ok := true
	for i, s := range abcd {
		x, err := num(s, -1)
		if err != nil {
			note(ErrBadNumber)
		}
		if x < 0 {
			ok = false
		}
		v[i] = x
	}
	if !ok {
		l, err1 := num(length, 0)
		w, err2 := num(width, 0)
		if errors.Join(err1, err2) != nil {
			note(ErrBadNumber)
		}
		v = [4]float64{math.Ceil(l / 2), math.Floor(l / 2), math.Ceil(w / 2), math.Floor(w / 2)}
	}
	var d [4]uint16
	for i, x := range v {
		if x < 0 || x > 1000 {
			note(ErrOutOfRange)
			continue
		}
		d[i] = uint16(math.Round(x))
	}
	return ais.Dimensions{ToBow: d[0], ToStern: d[1], ToPort: d[2], ToStarboard: d[3]}
}
