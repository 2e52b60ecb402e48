package ais

import (
	"strconv"
	"time"
)

// navStatus names navigation status codes as gpsd's status_text does.
var navStatus = [16]string{
	"Under way using engine", "At anchor", "Not under command",
	"Restricted manoeuverability", "Constrained by her draught", "Moored",
	"Aground", "Engaged in fishing", "Under way sailing",
	"Reserved for HSC", "Reserved for WIG", "Reserved", "Reserved",
	"Reserved", "AIS-SART is active", "Not defined",
}

// epfdText names position-fixing device types (epfd_text).
var epfdText = [16]string{
	"Undefined", "GPS", "GLONASS", "Combined GPS/GLONASS", "Loran-C",
	"Chayka", "Integrated navigation system", "Surveyed", "Galileo",
	"Undefined", "Undefined", "Undefined", "Undefined", "Undefined",
	"Undefined", "Internal GNSS",
}

// jsonWriter appends "key":value pairs to a JSON object under construction.
type jsonWriter struct{ b []byte }

func (w *jsonWriter) key(k string) {
	w.b = append(w.b, ',', '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}
func (w *jsonWriter) u(k string, v uint64) { w.key(k); w.b = strconv.AppendUint(w.b, v, 10) }
func (w *jsonWriter) f(k string, v float64, prec int) {
	w.key(k)
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
}

// quotedF writes a 6-decimal number as a JSON string, the way gpsd writes
// the corners of type 22 and 23 areas.
func (w *jsonWriter) quotedF(k string, v float64) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = strconv.AppendFloat(w.b, v, 'f', 6, 64)
	w.b = append(w.b, '"')
}
func (w *jsonWriter) bool(k string, v bool) { w.key(k); w.b = strconv.AppendBool(w.b, v) }
func (w *jsonWriter) str(k, v string)       { w.key(k); w.b = appendJSONString(w.b, v) }
func (w *jsonWriter) raw(k, v string) {
	w.key(k)
	w.b = append(w.b, v...)
}

func (w *jsonWriter) data(k string, d []byte, nbits int) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = strconv.AppendInt(w.b, int64(nbits), 10)
	w.b = append(w.b, ':')
	const hexd = "0123456789abcdef"
	for _, c := range d[:(nbits+7)/8] {
		w.b = append(w.b, hexd[c>>4], hexd[c&15])
	}
	w.b = append(w.b, '"')
}

func (w *jsonWriter) dims(d Dimensions) {
	w.u("to_bow", uint64(d.ToBow))
	w.u("to_stern", uint64(d.ToStern))
	w.u("to_port", uint64(d.ToPort))
	w.u("to_starboard", uint64(d.ToStarboard))
}

func (w *jsonWriter) epfd(v uint8) {
	w.u("epfd", uint64(v))
	w.str("epfd_text", epfdText[v&15])
}

// appendJSONString quotes s; bytes outside printable ASCII are escaped so
// that output stays valid whatever a station name contains.
func appendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c >= 0x7f:
			b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// gpsdTurn renders rate of turn as gpsd's scaled JSON does, except that the
// sign is kept (port turns are negative).
func gpsdTurn(w *jsonWriter, t int8) {
	switch t {
	case TurnNotAvailable:
		w.raw("turn", `"nan"`)
	case 127:
		w.raw("turn", `"fastright"`)
	case -127:
		w.raw("turn", `"fastleft"`)
	default:
		r := float64(t) / 4.733
		r *= r
		if t < 0 {
			r = -r
		}
		w.f("turn", r, 0)
	}
}

func gpsdSpeed(w *jsonWriter, s float64) {
	switch {
	case s >= SpeedNotAvailable-0.05:
		w.raw("speed", `"nan"`)
	case s >= 102.15: // 1022: 102.2 knots or faster
		w.raw("speed", `"fast"`)
	default:
		w.f("speed", s, 1)
	}
}

// AppendJSON appends m as one JSON object in the shape of gpsd's AIS JSON
// (gpsdecode -j, scaled; the field names AIS-catcher also uses), plus
// "rxtime" (RFC 3339) and "station" when known, and a newline. Values keep
// the AIS not-available conventions (lat 91, lon 181, heading 511, ...) as
// gpsd prints them; speed and turn print "nan" when not available. As in
// gpsd, type 17 positions have one decimal and the corners of type 22/23
// areas are quoted strings. A type 6 or 8 whose application layout is known
// prints its decoded members instead of "data" (see AppField); one whose
// payload does not fit its layout prints "data" and "app_error".
func AppendJSON(dst []byte, m *Message) []byte {
	w := jsonWriter{b: append(dst, `{"class":"AIS"`...)}
	if !m.RxTime.IsZero() {
		w.key("rxtime")
		w.b = append(w.b, '"')
		w.b = m.RxTime.UTC().AppendFormat(w.b, time.RFC3339Nano)
		w.b = append(w.b, '"')
	}
	if m.Station != "" {
		w.str("station", m.Station)
	}
	w.u("type", uint64(m.Type))
	w.u("repeat", uint64(m.Repeat))
	w.u("mmsi", uint64(m.MMSI))
	w.raw("scaled", "true")
	switch m.Type {
	case 1, 2, 3:
		p := &m.PosA
		w.u("status", uint64(p.Status))
		w.str("status_text", navStatus[p.Status&15])
		gpsdTurn(&w, p.Turn)
		gpsdSpeed(&w, p.Speed)
		w.bool("accuracy", p.Accuracy)
		w.f("lon", p.Lon, 6)
		w.f("lat", p.Lat, 6)
		w.f("course", p.Course, 1)
		w.u("heading", uint64(p.Heading))
		w.u("second", uint64(p.Second))
		w.u("maneuver", uint64(p.Maneuver))
		w.bool("raim", p.RAIM)
		w.u("radio", uint64(p.Radio))
	case 4, 11:
		b := &m.Base
		w.key("timestamp")
		w.b = append(w.b, '"')
		w.b = appendPadded(w.b, int(b.Year), 4)
		w.b = append(w.b, '-')
		w.b = appendMonthDayTime(w.b, int(b.Month), int(b.Day), int(b.Hour), int(b.Minute))
		w.b = append(w.b, ':')
		w.b = appendPadded(w.b, int(b.Second), 2)
		w.b = append(w.b, 'Z', '"')
		w.bool("accuracy", b.Accuracy)
		w.f("lon", b.Lon, 6)
		w.f("lat", b.Lat, 6)
		w.epfd(b.EPFD)
		w.bool("raim", b.RAIM)
		w.u("radio", uint64(b.Radio))
	case 5:
		s := &m.StaticA
		w.u("imo", uint64(s.IMO))
		w.u("ais_version", uint64(s.AISVersion))
		w.str("callsign", s.CallSign)
		w.str("shipname", s.ShipName)
		w.u("shiptype", uint64(s.ShipType))
		w.dims(s.Dim)
		w.epfd(s.EPFD)
		w.key("eta")
		w.b = append(w.b, '"')
		w.b = appendMonthDayTime(w.b, int(s.ETAMonth), int(s.ETADay), int(s.ETAHour), int(s.ETAMinute))
		w.b = append(w.b, 'Z', '"')
		w.f("draught", s.Draught, 1)
		w.str("destination", s.Destination)
		w.u("dte", b2u(s.DTE))
	case 6, 8, 25, 26:
		x := &m.Binary
		if m.Type == 6 {
			w.u("seqno", uint64(x.SeqNo))
			w.u("dest_mmsi", uint64(x.DestMMSI))
			w.bool("retransmit", x.Retransmit)
		}
		if m.Type >= 25 {
			w.bool("addressed", x.Addressed)
			w.bool("structured", x.Structured)
			if x.Addressed {
				w.u("dest_mmsi", uint64(x.DestMMSI))
			}
		}
		if m.Type < 25 || x.Structured {
			w.u("dac", uint64(x.DAC))
			w.u("fid", uint64(x.FI))
		}
		if x.App != nil && m.Type < 25 {
			w.app(x.App)
			break
		}
		w.data("data", x.Data, x.DataBits)
		if x.AppErr != nil && m.Type < 25 {
			w.str("app_error", x.AppErr.Error())
		}
		if m.Type == 26 {
			w.u("radio", uint64(x.Radio))
		}
	case 7, 13:
		for k := 0; k < m.Ack.Count; k++ {
			w.u(ackKeys[k], uint64(m.Ack.MMSI[k]))
			w.u(ackSeqKeys[k], uint64(m.Ack.Seq[k]))
		}
	case 9:
		s := &m.SAR
		w.u("alt", uint64(s.Altitude))
		w.u("speed", uint64(s.Speed))
		w.bool("accuracy", s.Accuracy)
		w.f("lon", s.Lon, 6)
		w.f("lat", s.Lat, 6)
		w.f("course", s.Course, 1)
		w.u("second", uint64(s.Second))
		w.u("regional", uint64(s.Regional))
		w.u("dte", b2u(s.DTE))
		w.bool("assigned", s.Assigned)
		w.bool("raim", s.RAIM)
		w.u("radio", uint64(s.Radio))
	case 10:
		w.u("dest_mmsi", uint64(m.UTCQuery.DestMMSI))
	case 12:
		s := &m.Safety
		w.u("seqno", uint64(s.SeqNo))
		w.u("dest_mmsi", uint64(s.DestMMSI))
		w.bool("retransmit", s.Retransmit)
		w.str("text", s.Text)
	case 14:
		w.str("text", m.Safety.Text)
	case 15:
		q := &m.Query
		w.u("mmsi1", uint64(q.MMSI1))
		w.u("type1_1", uint64(q.Type1_1))
		w.u("offset1_1", uint64(q.Offset1_1))
		w.u("type1_2", uint64(q.Type1_2))
		w.u("offset1_2", uint64(q.Offset1_2))
		w.u("mmsi2", uint64(q.MMSI2))
		w.u("type2_1", uint64(q.Type2_1))
		w.u("offset2_1", uint64(q.Offset2_1))
	case 16:
		a := &m.Assign
		w.u("mmsi1", uint64(a.MMSI1))
		w.u("offset1", uint64(a.Offset1))
		w.u("increment1", uint64(a.Increment1))
		if a.MMSI2 != 0 {
			w.u("mmsi2", uint64(a.MMSI2))
			w.u("offset2", uint64(a.Offset2))
			w.u("increment2", uint64(a.Increment2))
		}
	case 17:
		g := &m.DGNSS
		w.f("lon", g.Lon, 1)
		w.f("lat", g.Lat, 1)
		w.data("data", g.Data, g.DataBits)
	case 18, 19:
		p := &m.PosB
		w.u("reserved", uint64(p.Reserved))
		gpsdSpeed(&w, p.Speed)
		w.bool("accuracy", p.Accuracy)
		w.f("lon", p.Lon, 6)
		w.f("lat", p.Lat, 6)
		w.f("course", p.Course, 1)
		w.u("heading", uint64(p.Heading))
		w.u("second", uint64(p.Second))
		w.u("regional", uint64(p.Regional))
		if m.Type == 18 {
			w.bool("cs", p.CS)
			w.bool("display", p.Display)
			w.bool("dsc", p.DSC)
			w.bool("band", p.Band)
			w.bool("msg22", p.Msg22)
			w.bool("assigned", p.Assigned)
			w.bool("raim", p.RAIM)
			w.u("radio", uint64(p.Radio))
			break
		}
		e := &m.ExtB
		w.str("shipname", e.ShipName)
		w.u("shiptype", uint64(e.ShipType))
		w.dims(e.Dim)
		w.epfd(e.EPFD)
		w.bool("raim", p.RAIM)
		w.u("dte", b2u(e.DTE))
		w.bool("assigned", p.Assigned)
	case 20:
		l := &m.DataLink
		for k := 0; k < l.Count; k++ {
			w.u(dlKeys[k][0], uint64(l.Offset[k]))
			w.u(dlKeys[k][1], uint64(l.Number[k]))
			w.u(dlKeys[k][2], uint64(l.Timeout[k]))
			w.u(dlKeys[k][3], uint64(l.Increment[k]))
		}
	case 21:
		a := &m.AtoN
		w.u("aid_type", uint64(a.AidType))
		w.str("name", a.Name)
		w.f("lon", a.Lon, 6)
		w.f("lat", a.Lat, 6)
		w.bool("accuracy", a.Accuracy)
		w.dims(a.Dim)
		w.epfd(a.EPFD)
		w.u("second", uint64(a.Second))
		w.u("regional", uint64(a.Regional))
		w.bool("off_position", a.OffPosition)
		w.bool("raim", a.RAIM)
		w.bool("virtual_aid", a.Virtual)
		w.bool("assigned", a.Assigned)
	case 22:
		c := &m.ChanMgmt
		w.u("channel_a", uint64(c.ChannelA))
		w.u("channel_b", uint64(c.ChannelB))
		w.u("txrx", uint64(c.TxRx))
		w.bool("power", c.Power)
		if c.Addressed {
			w.u("dest1", uint64(c.Dest1))
			w.u("dest2", uint64(c.Dest2))
		} else {
			w.quotedF("ne_lon", c.NELon)
			w.quotedF("ne_lat", c.NELat)
			w.quotedF("sw_lon", c.SWLon)
			w.quotedF("sw_lat", c.SWLat)
		}
		w.bool("addressed", c.Addressed)
		w.bool("band_a", c.BandA)
		w.bool("band_b", c.BandB)
		w.u("zonesize", uint64(c.ZoneSize))
	case 23:
		g := &m.GroupAsgn
		w.quotedF("ne_lon", g.NELon)
		w.quotedF("ne_lat", g.NELat)
		w.quotedF("sw_lon", g.SWLon)
		w.quotedF("sw_lat", g.SWLat)
		w.u("stationtype", uint64(g.StationType))
		w.u("shiptype", uint64(g.ShipType))
		w.u("txrx", uint64(g.TxRx))
		w.u("interval", uint64(g.Interval))
		w.u("quiet", uint64(g.Quiet))
	case 24:
		s := &m.StaticB
		w.u("partno", uint64(s.PartNo))
		if s.PartNo == 0 {
			w.str("shipname", s.ShipName)
			break
		}
		w.u("shiptype", uint64(s.ShipType))
		if s.VendorIDLong != "" {
			w.str("vendorid", s.VendorIDLong)
		} else { // a Message not built by this package's decoder
			w.str("vendorid", s.VendorID)
		}
		w.u("model", uint64(s.Model))
		w.u("serial", uint64(s.Serial))
		w.str("callsign", s.CallSign)
		if m.MMSI/10000000 == 98 {
			w.u("mothership_mmsi", uint64(s.MothershipMMSI))
		} else {
			w.dims(s.Dim)
		}
	case 27:
		l := &m.LongRange
		w.bool("accuracy", l.Accuracy)
		w.bool("raim", l.RAIM)
		w.u("status", uint64(l.Status))
		w.str("status_text", navStatus[l.Status&15])
		w.f("lon", l.Lon, 6)
		w.f("lat", l.Lat, 6)
		w.u("speed", uint64(l.Speed))
		w.u("course", uint64(l.Course))
		w.u("gnss", b2u(l.GNSS))
	}
	return append(w.b, '}', '\n')
}

var (
	ackKeys    = [4]string{"mmsi1", "mmsi2", "mmsi3", "mmsi4"}
	ackSeqKeys = [4]string{"mmsiseq1", "mmsiseq2", "mmsiseq3", "mmsiseq4"}
	dlKeys     = [4][4]string{
		{"offset1", "number1", "timeout1", "increment1"},
		{"offset2", "number2", "timeout2", "increment2"},
		{"offset3", "number3", "timeout3", "increment3"},
		{"offset4", "number4", "timeout4", "increment4"},
	}
)

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// appendMonthDayTime appends "MM-DDTHH:MM", the part that gpsd's type 4/11
// timestamp and its type 5 ETA share.
func appendMonthDayTime(b []byte, month, day, hour, minute int) []byte {
	b = appendPadded(b, month, 2)
	b = append(b, '-')
	b = appendPadded(b, day, 2)
	b = append(b, 'T')
	b = appendPadded(b, hour, 2)
	b = append(b, ':')
	return appendPadded(b, minute, 2)
}

func appendPadded(b []byte, v, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for n := len(s); n < width; n++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// CSVHeader is the header row AppendCSV's rows follow.
const CSVHeader = "rxtime,station,type,mmsi,lat,lon,speed,course,heading,status,turn,imo,callsign,shipname,shiptype,to_bow,to_stern,to_port,to_starboard,draught,eta,destination\n"

// AppendCSV appends m as one CSV row of CSVHeader's columns: the fields a
// spreadsheet user wants from positions and static data. Not-available
// values are empty cells, never the AIS sentinels; columns a message type
// does not carry are empty too.
func AppendCSV(dst []byte, m *Message) []byte {
	b := dst
	if !m.RxTime.IsZero() {
		b = m.RxTime.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	b = append(b, ',')
	b = appendCSVString(b, m.Station)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(m.Type), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(m.MMSI), 10)
	b = append(b, ',')
	if lat, lon, ok := m.Position(); ok {
		b = strconv.AppendFloat(b, lat, 'f', 6, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, lon, 'f', 6, 64)
	} else {
		b = append(b, ',')
	}
	b = append(b, ',')
	if v, ok := m.Speed(); ok {
		b = strconv.AppendFloat(b, v, 'f', 1, 64)
	}
	b = append(b, ',')
	if v, ok := m.Course(); ok {
		b = strconv.AppendFloat(b, v, 'f', 1, 64)
	}
	b = append(b, ',')
	if v, ok := m.Heading(); ok {
		b = strconv.AppendInt(b, int64(v), 10)
	}
	b = append(b, ',')
	switch m.Type {
	case 1, 2, 3:
		b = strconv.AppendUint(b, uint64(m.PosA.Status), 10)
		b = append(b, ',')
		if r, ok := m.PosA.RateOfTurn(); ok {
			b = strconv.AppendFloat(b, r, 'f', 0, 64)
		}
	case 27:
		b = strconv.AppendUint(b, uint64(m.LongRange.Status), 10)
		b = append(b, ',')
	default:
		b = append(b, ',')
	}
	b = append(b, ',')
	var (
		imo                  uint32
		callsign, name, dest string
		shiptype             uint8
		dim                  *Dimensions
		draught              float64
		eta                  bool
	)
	switch m.Type {
	case 5:
		s := &m.StaticA
		imo, callsign, name, dest, shiptype, dim, draught = s.IMO, s.CallSign, s.ShipName, s.Destination, s.ShipType, &s.Dim, s.Draught
		eta = s.HasETA()
	case 19:
		name, shiptype, dim = m.ExtB.ShipName, m.ExtB.ShipType, &m.ExtB.Dim
	case 21:
		name, dim = m.AtoN.Name, &m.AtoN.Dim
	case 24:
		s := &m.StaticB
		name, callsign, shiptype = s.ShipName, s.CallSign, s.ShipType
		if s.PartNo == 1 && s.MothershipMMSI == 0 {
			dim = &s.Dim
		}
	}
	if imo != 0 {
		b = strconv.AppendUint(b, uint64(imo), 10)
	}
	b = append(b, ',')
	b = appendCSVString(b, callsign)
	b = append(b, ',')
	b = appendCSVString(b, name)
	b = append(b, ',')
	if shiptype != 0 {
		b = strconv.AppendUint(b, uint64(shiptype), 10)
	}
	if dim != nil {
		for _, v := range [4]uint16{dim.ToBow, dim.ToStern, dim.ToPort, dim.ToStarboard} {
			b = append(b, ',')
			b = strconv.AppendUint(b, uint64(v), 10)
		}
	} else {
		b = append(b, ",,,,"...)
	}
	b = append(b, ',')
	if draught > 0 {
		b = strconv.AppendFloat(b, draught, 'f', 1, 64)
	}
	b = append(b, ',')
	if eta {
		s := &m.StaticA
		b = appendPadded(b, int(s.ETAMonth), 2)
		b = append(b, '-')
		b = appendPadded(b, int(s.ETADay), 2)
		if s.ETAHour < 24 && s.ETAMinute < 60 {
			b = append(b, 'T')
			b = appendPadded(b, int(s.ETAHour), 2)
			b = append(b, ':')
			b = appendPadded(b, int(s.ETAMinute), 2)
		}
	}
	b = append(b, ',')
	b = appendCSVString(b, dest)
	return append(b, '\n')
}

// appendCSVString writes s, quoted when it holds a comma, quote or line
// break (RFC 4180), and with a leading apostrophe when a spreadsheet would
// take it for a formula.
func appendCSVString(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if len(s) > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		s = "'" + s
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}
