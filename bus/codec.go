package bus

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/lookout-osint/lookout/ais"
)

// AppendMessage appends a compact binary form of m (a tracked type) to dst.
// Floats are kept exactly, so a worker decodes the very values the
// publisher's decoder produced and its events equal a local run's.
func AppendMessage(dst []byte, m *ais.Message) []byte {
	dst = append(dst, m.Type, m.Repeat, m.Channel)
	dst = binary.LittleEndian.AppendUint32(dst, m.MMSI)
	var rx int64
	if !m.RxTime.IsZero() {
		rx = m.RxTime.UnixNano()
	}
	dst = binary.AppendVarint(dst, rx)
	dst = appendStr(dst, m.Station)
	switch m.Type {
	case 1, 2, 3:
		p := &m.PosA
		dst = append(dst, p.Status, byte(p.Turn), b2u(p.Accuracy), b2u(p.RAIM), p.Second, p.Maneuver)
		dst = appendF(dst, p.Speed, p.Lon, p.Lat, p.Course)
		dst = binary.LittleEndian.AppendUint16(dst, p.Heading)
	case 18, 19:
		p := &m.PosB
		dst = append(dst, b2u(p.Accuracy), b2u(p.RAIM), p.Second)
		dst = appendF(dst, p.Speed, p.Lon, p.Lat, p.Course)
		dst = binary.LittleEndian.AppendUint16(dst, p.Heading)
		if m.Type == 19 {
			x := &m.ExtB
			dst = appendStr(dst, x.ShipName)
			dst = append(dst, x.ShipType, x.EPFD)
			dst = appendDim(dst, x.Dim)
		}
	case 27:
		l := &m.LongRange
		dst = append(dst, b2u(l.Accuracy), b2u(l.RAIM), l.Status, l.Speed, b2u(l.GNSS))
		dst = appendF(dst, l.Lon, l.Lat)
		dst = binary.LittleEndian.AppendUint16(dst, l.Course)
	case 5:
		s := &m.StaticA
		dst = binary.LittleEndian.AppendUint32(dst, s.IMO)
		dst = appendStr(dst, s.CallSign)
		dst = appendStr(dst, s.ShipName)
		dst = append(dst, s.ShipType, s.AISVersion, s.EPFD, s.ETAMonth, s.ETADay, s.ETAHour, s.ETAMinute, b2u(s.DTE))
		dst = appendDim(dst, s.Dim)
		dst = appendF(dst, s.Draught)
		dst = appendStr(dst, s.Destination)
	case 24:
		s := &m.StaticB
		dst = append(dst, s.PartNo, s.ShipType, s.Model)
		dst = appendStr(dst, s.ShipName)
		dst = appendStr(dst, s.CallSign)
		dst = appendStr(dst, s.VendorID)
		dst = binary.LittleEndian.AppendUint32(dst, s.Serial)
		dst = binary.LittleEndian.AppendUint32(dst, s.MothershipMMSI)
		dst = appendDim(dst, s.Dim)
	}
	return dst
}

var errShort = errors.New("bus: truncated message")

// decoder reads what AppendMessage wrote; the first error sticks.
type decoder struct {
	b   []byte
	err error
	// intern, if set, holds the strings decoded so far (station, names):
	// a batch's messages repeat a few, and a string each was an
	// allocation per message.
	intern map[string]string
}

// maxInterned bounds a decoder's intern map.
const maxInterned = 1 << 14

func (d *decoder) take(n int) []byte {
	if d.err != nil || len(d.b) < n {
		d.err = errShort
		return make([]byte, n)
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8    { return d.take(1)[0] }
func (d *decoder) bool() bool   { return d.u8() != 0 }
func (d *decoder) u16() uint16  { return binary.LittleEndian.Uint16(d.take(2)) }
func (d *decoder) u32() uint32  { return binary.LittleEndian.Uint32(d.take(4)) }
func (d *decoder) f64() float64 { return math.Float64frombits(binary.LittleEndian.Uint64(d.take(8))) }
func (d *decoder) str() string {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k) {
		d.err = errShort
		return ""
	}
	d.b = d.b[k:]
	b := d.take(int(n))
	if d.intern == nil {
		return string(b)
	}
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.intern) < maxInterned {
		d.intern[s] = s
	}
	return s
}
func (d *decoder) dim() ais.Dimensions {
	return ais.Dimensions{ToBow: d.u16(), ToStern: d.u16(), ToPort: d.u16(), ToStarboard: d.u16()}
}

// next decodes one message into m (reset first).
func (d *decoder) next(m *ais.Message) error {
	*m = ais.Message{Type: d.u8(), Repeat: d.u8(), Channel: d.u8(), MMSI: d.u32()}
	rx, k := binary.Varint(d.b)
	if k <= 0 {
		return errShort
	}
	d.b = d.b[k:]
	if rx != 0 {
		m.RxTime = time.Unix(0, rx).UTC()
	}
	m.Station = d.str()
	switch m.Type {
	case 1, 2, 3:
		p := &m.PosA
		p.Status, p.Turn, p.Accuracy, p.RAIM, p.Second, p.Maneuver = d.u8(), int8(d.u8()), d.bool(), d.bool(), d.u8(), d.u8()
		p.Speed, p.Lon, p.Lat, p.Course = d.f64(), d.f64(), d.f64(), d.f64()
		p.Heading = d.u16()
	case 18, 19:
		p := &m.PosB
		p.Accuracy, p.RAIM, p.Second = d.bool(), d.bool(), d.u8()
		p.Speed, p.Lon, p.Lat, p.Course = d.f64(), d.f64(), d.f64(), d.f64()
		p.Heading = d.u16()
		if m.Type == 19 {
			x := &m.ExtB
			x.ShipName = d.str()
			x.ShipType, x.EPFD = d.u8(), d.u8()
			x.Dim = d.dim()
		}
	case 27:
		l := &m.LongRange
		l.Accuracy, l.RAIM, l.Status, l.Speed, l.GNSS = d.bool(), d.bool(), d.u8(), d.u8(), d.bool()
		l.Lon, l.Lat = d.f64(), d.f64()
		l.Course = d.u16()
	case 5:
		s := &m.StaticA
		s.IMO = d.u32()
		s.CallSign, s.ShipName = d.str(), d.str()
		s.ShipType, s.AISVersion, s.EPFD, s.ETAMonth, s.ETADay, s.ETAHour, s.ETAMinute, s.DTE =
			d.u8(), d.u8(), d.u8(), d.u8(), d.u8(), d.u8(), d.u8(), d.bool()
		s.Dim = d.dim()
		s.Draught = d.f64()
		s.Destination = d.str()
	case 24:
		s := &m.StaticB
		s.PartNo, s.ShipType, s.Model = d.u8(), d.u8(), d.u8()
		s.ShipName, s.CallSign, s.VendorID = d.str(), d.str(), d.str()
		s.Serial, s.MothershipMMSI = d.u32(), d.u32()
		s.Dim = d.dim()
	default:
		if d.err == nil {
			d.err = errors.New("bus: message of an untracked type")
		}
	}
	return d.err
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendF(dst []byte, fs ...float64) []byte {
	for _, f := range fs {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
	}
	return dst
}

func appendDim(dst []byte, d ais.Dimensions) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, d.ToBow)
	dst = binary.LittleEndian.AppendUint16(dst, d.ToStern)
	dst = binary.LittleEndian.AppendUint16(dst, d.ToPort)
	return binary.LittleEndian.AppendUint16(dst, d.ToStarboard)
}
