package sim

import (
	"math"
	"strconv"
)

// bits accumulates an AIS payload most-significant bit first, the order
// ITU-R M.1371 fields are laid out in, straight into 6-bit values.
type bits struct {
	out  [72]byte // 6-bit values; payloads are at most 424 bits
	nout int
	acc  uint64
	nacc int
}

// u writes the low n bits of v (n ≤ 32).
func (w *bits) u(v uint64, n int) {
	w.acc = w.acc<<uint(n) | v&(1<<uint(n)-1)
	w.nacc += n
	for w.nacc >= 6 {
		w.nacc -= 6
		w.out[w.nout] = byte(w.acc>>uint(w.nacc)) & 63
		w.nout++
	}
	w.acc &= 1<<uint(w.nacc) - 1
}

func (w *bits) i(v int64, n int) { w.u(uint64(v)&(1<<uint(n)-1), n) }

// str writes text in AIS 6-bit ASCII, padded with '@' (the "no character"
// value), upper-cased, with characters outside the table as spaces.
func (w *bits) str(s string, chars int) {
	for k := 0; k < chars; k++ {
		var c byte = '@'
		if k < len(s) {
			c = s[k]
			if c >= 'a' && c <= 'z' {
				c -= 32
			}
			if c < 32 || c > 95 {
				c = ' '
			}
		}
		w.u(uint64(c&63), 6)
	}
}

// armor turns the bits into NMEA payload characters and returns the number
// of fill bits added to complete the last character.
func (w *bits) armor() (string, int) {
	fill := 0
	if w.nacc > 0 {
		fill = 6 - w.nacc
		w.u(0, fill)
	}
	out := make([]byte, w.nout)
	for k, v := range w.out[:w.nout] {
		if v < 40 {
			out[k] = v + 48
		} else {
			out[k] = v + 56
		}
	}
	return string(out), fill
}

func lonLat(w *bits, lat, lon float64) {
	w.i(int64(math.Round(lon*600000)), 28)
	w.i(int64(math.Round(lat*600000)), 27)
}

func sogField(kn float64) uint64 {
	v := math.Round(kn * 10)
	if v > 1022 {
		v = 1022
	}
	if v < 0 {
		v = 0
	}
	return uint64(v)
}

func cogField(deg float64) uint64 {
	v := uint64(math.Round(deg*10)) % 3600
	return v
}

func headingField(deg float64) uint64 { return uint64(math.Round(deg)) % 360 }

// posReport is what a class A or B position report carries.
type posReport struct {
	mmsi     uint32
	status   int // navigational status (class A)
	sog, cog float64
	heading  float64
	lat, lon float64
	second   int
}

// encodeType1 encodes a class A position report (type 1 scheduled, 3 polled).
func encodeType1(typ int, p posReport) (string, int) {
	var w bits
	w.u(uint64(typ), 6)
	w.u(0, 2)
	w.u(uint64(p.mmsi), 30)
	w.u(uint64(p.status), 4)
	w.i(-128, 8) // rate of turn not available
	w.u(sogField(p.sog), 10)
	w.u(1, 1)
	lonLat(&w, p.lat, p.lon)
	w.u(cogField(p.cog), 12)
	w.u(headingField(p.heading), 9)
	w.u(uint64(p.second), 6)
	w.u(0, 2)
	w.u(0, 3)
	w.u(0, 1)
	w.u(0, 19)
	return w.armor()
}

// encodeType18 encodes a class B "CS" position report.
func encodeType18(p posReport) (string, int) {
	var w bits
	w.u(18, 6)
	w.u(0, 2)
	w.u(uint64(p.mmsi), 30)
	w.u(0, 8)
	w.u(sogField(p.sog), 10)
	w.u(0, 1)
	lonLat(&w, p.lat, p.lon)
	w.u(cogField(p.cog), 12)
	w.u(headingField(p.heading), 9)
	w.u(uint64(p.second), 6)
	w.u(0, 2)
	w.u(1, 1) // carrier-sense unit
	w.u(0, 1)
	w.u(1, 1)
	w.u(1, 1)
	w.u(1, 1)
	w.u(0, 1)
	w.u(0, 1)
	w.u(0, 20)
	return w.armor()
}

// staticData is what types 5 and 24 carry.
type staticData struct {
	mmsi                      uint32
	imo                       uint32
	callSign, name            string
	shipType                  int
	bow, stern, port, starbrd int
	draught                   float64
	destination               string
	etaMonth, etaDay          int
	etaHour, etaMinute        int
}

// encodeType5 encodes class A static and voyage data: 424 bits, which take
// two sentences on the air.
func encodeType5(s staticData) (string, int) {
	var w bits
	w.u(5, 6)
	w.u(0, 2)
	w.u(uint64(s.mmsi), 30)
	w.u(0, 2)
	w.u(uint64(s.imo), 30)
	w.str(s.callSign, 7)
	w.str(s.name, 20)
	w.u(uint64(s.shipType), 8)
	w.u(uint64(s.bow), 9)
	w.u(uint64(s.stern), 9)
	w.u(uint64(s.port), 6)
	w.u(uint64(s.starbrd), 6)
	w.u(1, 4) // GPS
	w.u(uint64(s.etaMonth), 4)
	w.u(uint64(s.etaDay), 5)
	w.u(uint64(s.etaHour), 5)
	w.u(uint64(s.etaMinute), 6)
	d := math.Round(s.draught * 10)
	if d > 255 {
		d = 255
	}
	w.u(uint64(d), 8)
	w.str(s.destination, 20)
	w.u(0, 1)
	w.u(0, 1)
	return w.armor()
}

// encodeType24A encodes class B static data part A (the name).
func encodeType24A(s staticData) (string, int) {
	var w bits
	w.u(24, 6)
	w.u(0, 2)
	w.u(uint64(s.mmsi), 30)
	w.u(0, 2)
	w.str(s.name, 20)
	return w.armor()
}

// encodeType24B encodes class B static data part B (type, call sign, size).
func encodeType24B(s staticData) (string, int) {
	var w bits
	w.u(24, 6)
	w.u(0, 2)
	w.u(uint64(s.mmsi), 30)
	w.u(1, 2)
	w.u(uint64(s.shipType), 8)
	w.str("LKS", 3)
	w.u(1, 4)
	w.u(uint64(s.mmsi%1000000), 20)
	w.str(s.callSign, 7)
	w.u(uint64(s.bow), 9)
	w.u(uint64(s.stern), 9)
	w.u(uint64(s.port), 6)
	w.u(uint64(s.starbrd), 6)
	w.u(0, 6)
	return w.armor()
}

// baseReport is a type 4 base station report.
type baseReport struct {
	mmsi     uint32
	unix     int64
	lat, lon float64
}

func encodeType4(b baseReport) (string, int) {
	y, mo, d, h, mi, s := civil(b.unix)
	var w bits
	w.u(4, 6)
	w.u(0, 2)
	w.u(uint64(b.mmsi), 30)
	w.u(uint64(y), 14)
	w.u(uint64(mo), 4)
	w.u(uint64(d), 5)
	w.u(uint64(h), 5)
	w.u(uint64(mi), 6)
	w.u(uint64(s), 6)
	w.u(1, 1)
	lonLat(&w, b.lat, b.lon)
	w.u(7, 4) // surveyed position
	w.u(0, 10)
	w.u(0, 1)
	w.u(0, 19)
	return w.armor()
}

// nmeaChecksum is the XOR of every byte, the checksum NMEA 0183 and tag
// blocks share.
func nmeaChecksum(s string) byte {
	var c byte
	for i := 0; i < len(s); i++ {
		c ^= s[i]
	}
	return c
}

const hexDigits = "0123456789ABCDEF"

func appendChecksum(dst []byte, body string) []byte {
	c := nmeaChecksum(body)
	return append(dst, '*', hexDigits[c>>4], hexDigits[c&15])
}

// appendLines writes the sentences of one payload, each behind a tag block
// carrying the receive time and station, and returns dst. seq is the
// sequential message id used for multi-sentence messages (0–9).
func appendLines(dst []byte, unix int64, station string, payload string, fill int, channel byte, seq int) []byte {
	tag := "c:" + strconv.FormatInt(unix, 10) + ",s:" + station
	const maxChars = 60
	n := (len(payload) + maxChars - 1) / maxChars
	for k := 0; k < n; k++ {
		part := payload[k*maxChars : min(len(payload), (k+1)*maxChars)]
		f := 0
		if k == n-1 {
			f = fill
		}
		dst = append(dst, '\\')
		dst = append(dst, tag...)
		dst = appendChecksum(dst, tag)
		dst = append(dst, '\\')
		start := len(dst)
		dst = append(dst, "!AIVDM,"...)
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, int64(k+1), 10)
		dst = append(dst, ',')
		if n > 1 {
			dst = strconv.AppendInt(dst, int64(seq), 10)
		}
		dst = append(dst, ',', channel, ',')
		dst = append(dst, part...)
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, int64(f), 10)
		body := string(dst[start+1:])
		dst = appendChecksum(dst, body)
		dst = append(dst, '\n')
	}
	return dst
}

// AppendPositionLine appends one class A position report (type 1) of mmsi
// at lat, lon, as station heard it at unix time t, tag block and newline
// included: what a test needs to make hostile input (a flood of one MMSI,
// one report heard by many stations) with the simulator's own encoder.
func AppendPositionLine(dst []byte, t int64, station string, mmsi uint32, lat, lon, sog, cog float64) []byte {
	payload, fill := encodeType1(1, posReport{mmsi: mmsi, sog: sog, cog: cog, heading: cog, lat: lat, lon: lon, second: int(t % 60)})
	return appendLines(dst, t, station, payload, fill, 'A', 0)
}
