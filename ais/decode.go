package ais

// minBits is the shortest payload accepted per message type. Where
// transmitters commonly drop trailing spare bits (type 5 sent with 420 or
// 422 of 424 bits, type 24 A with 160 of 168) the minimum stops before
// those spares; missing spare bits read as zero.
var minBits = [28]int{
	1: 168, 2: 168, 3: 168, 4: 168, 5: 420, 6: 88, 7: 72, 8: 56, 9: 168,
	10: 72, 11: 168, 12: 72, 13: 72, 14: 40, 15: 88, 16: 96, 17: 80,
	18: 168, 19: 312, 20: 72, 21: 272, 22: 168, 23: 160, 24: 160, 25: 40,
	26: 60, 27: 96,
}

// Decoder decodes armored payloads into Messages. Its zero value is ready to
// use; it keeps scratch storage between calls so that decoding does not
// allocate, and text fields are interned so that repeated names do not
// allocate either. A Decoder is not safe for concurrent use.
type Decoder struct {
	bits     bitbuf
	scratch  []byte
	data     []byte
	app      []AppField // application fields of the last type 6/8
	appState appDec
	strs     map[string]string
}

// Decode decodes one complete armored payload (all parts of a
// multi-sentence message concatenated) with the fill-bit count of its last
// sentence into m. It sets m's Type, Repeat, MMSI and the body for the type;
// it leaves RxTime, Station, Channel and Own alone. Byte slices in m alias
// the Decoder's storage until its next call.
func (d *Decoder) Decode(payload []byte, fill int, m *Message) error {
	if len(payload) == 0 {
		return ErrEmptyPayload
	}
	if fill < 0 || fill > 5 {
		return ErrFillBits
	}
	if err := d.bits.load(payload, fill); err != nil {
		return err
	}
	return d.decodeBits(m)
}

// Decode decodes one payload with a fresh Decoder; see (*Decoder).Decode.
// Use a long-lived Decoder on hot paths.
func Decode(payload []byte, fill int) (*Message, error) {
	var d Decoder
	m := new(Message)
	if err := d.Decode(payload, fill, m); err != nil {
		return nil, err
	}
	return m, nil
}

func (d *Decoder) str(off uint, nchars int) string {
	d.scratch = d.bits.text(d.scratch, off, nchars)
	return d.intern(d.scratch)
}

func (d *Decoder) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	if d.strs == nil || len(d.strs) > 100000 {
		d.strs = make(map[string]string)
	}
	s := string(b)
	d.strs[s] = s
	return s
}

// Scaling helpers: positions are in 1/10000 minute (28/27 bits) or 1/10
// minute (18/17 bits); sentinels 181/91 come out exactly.
func lon28(b *bitbuf, off uint) float64 { return float64(b.i(off, 28)) / 600000 }
func lat27(b *bitbuf, off uint) float64 { return float64(b.i(off, 27)) / 600000 }
func lon18(b *bitbuf, off uint) float64 { return float64(b.i(off, 18)) / 600 }
func lat17(b *bitbuf, off uint) float64 { return float64(b.i(off, 17)) / 600 }

func (d *Decoder) decodeBits(m *Message) error {
	b := &d.bits
	if b.n < 38 {
		return ErrTooShort
	}
	t := uint8(b.u(0, 6))
	if t == 0 || t > 27 {
		return ErrUnknownType
	}
	if b.n < minBits[t] {
		return ErrTooShort
	}
	m.Type = t
	m.Repeat = uint8(b.u(6, 2))
	m.MMSI = uint32(b.u(8, 30))
	switch t {
	case 1, 2, 3:
		p := &m.PosA
		p.Status = uint8(b.u(38, 4))
		p.Turn = int8(b.i(42, 8))
		p.Speed = float64(b.u(50, 10)) / 10
		p.Accuracy = b.flag(60)
		p.Lon = lon28(b, 61)
		p.Lat = lat27(b, 89)
		p.Course = float64(b.u(116, 12)) / 10
		p.Heading = uint16(b.u(128, 9))
		p.Second = uint8(b.u(137, 6))
		p.Maneuver = uint8(b.u(143, 2))
		p.RAIM = b.flag(148)
		p.Radio = uint32(b.u(149, 19))
	case 4, 11:
		s := &m.Base
		s.Year = uint16(b.u(38, 14))
		s.Month = uint8(b.u(52, 4))
		s.Day = uint8(b.u(56, 5))
		s.Hour = uint8(b.u(61, 5))
		s.Minute = uint8(b.u(66, 6))
		s.Second = uint8(b.u(72, 6))
		s.Accuracy = b.flag(78)
		s.Lon = lon28(b, 79)
		s.Lat = lat27(b, 107)
		s.EPFD = uint8(b.u(134, 4))
		s.RAIM = b.flag(148)
		s.Radio = uint32(b.u(149, 19))
	case 5:
		s := &m.StaticA
		s.AISVersion = uint8(b.u(38, 2))
		s.IMO = uint32(b.u(40, 30))
		s.CallSign = d.str(70, 7)
		s.ShipName = d.str(112, 20)
		s.ShipType = uint8(b.u(232, 8))
		s.Dim = dims(b, 240)
		s.EPFD = uint8(b.u(270, 4))
		s.ETAMonth = uint8(b.u(274, 4))
		s.ETADay = uint8(b.u(278, 5))
		s.ETAHour = uint8(b.u(283, 5))
		s.ETAMinute = uint8(b.u(288, 6))
		s.Draught = float64(b.u(294, 8)) / 10
		s.Destination = d.str(302, 20)
		s.DTE = b.flag(422)
	case 6:
		x := &m.Binary
		*x = BinaryMessage{
			SeqNo:      uint8(b.u(38, 2)),
			DestMMSI:   uint32(b.u(40, 30)),
			Retransmit: b.flag(70),
			DAC:        uint16(b.u(72, 10)),
			FI:         uint8(b.u(82, 6)),
		}
		d.data, x.DataBits = b.bytesFrom(d.data, 88)
		x.Data = d.data
		d.decodeApp(6, x, 88)
	case 8:
		x := &m.Binary
		*x = BinaryMessage{DAC: uint16(b.u(40, 10)), FI: uint8(b.u(50, 6))}
		d.data, x.DataBits = b.bytesFrom(d.data, 56)
		x.Data = d.data
		d.decodeApp(8, x, 56)
	case 7, 13:
		a := &m.Ack
		*a = Acknowledge{}
		for k := 0; k < 4; k++ {
			off := 40 + 32*k
			if b.n < off+30 {
				break
			}
			a.MMSI[k] = uint32(b.u(uint(off), 30))
			a.Seq[k] = uint8(b.u(uint(off+30), 2))
			a.Count = k + 1
		}
	case 9:
		s := &m.SAR
		s.Altitude = uint16(b.u(38, 12))
		s.Speed = uint16(b.u(50, 10))
		s.Accuracy = b.flag(60)
		s.Lon = lon28(b, 61)
		s.Lat = lat27(b, 89)
		s.Course = float64(b.u(116, 12)) / 10
		s.Second = uint8(b.u(128, 6))
		s.Regional = uint8(b.u(134, 8))
		s.DTE = b.flag(142)
		s.Assigned = b.flag(146)
		s.RAIM = b.flag(147)
		s.Radio = uint32(b.u(148, 20))
	case 10:
		m.UTCQuery.DestMMSI = uint32(b.u(40, 30))
	case 12:
		s := &m.Safety
		s.SeqNo = uint8(b.u(38, 2))
		s.DestMMSI = uint32(b.u(40, 30))
		s.Retransmit = b.flag(70)
		s.Text = d.str(72, (b.n-72)/6)
	case 14:
		s := &m.Safety
		*s = SafetyMessage{Text: d.str(40, (b.n-40)/6)}
	case 15:
		q := &m.Query
		*q = Interrogation{
			MMSI1:     uint32(b.u(40, 30)),
			Type1_1:   uint8(b.u(70, 6)),
			Offset1_1: uint16(b.u(76, 12)),
		}
		if b.n >= 110 {
			q.Type1_2 = uint8(b.u(90, 6))
			q.Offset1_2 = uint16(b.u(96, 12))
		}
		if b.n >= 158 {
			q.MMSI2 = uint32(b.u(110, 30))
			q.Type2_1 = uint8(b.u(140, 6))
			q.Offset2_1 = uint16(b.u(146, 12))
		}
	case 16:
		a := &m.Assign
		*a = AssignmentMode{
			MMSI1:      uint32(b.u(40, 30)),
			Offset1:    uint16(b.u(70, 12)),
			Increment1: uint16(b.u(82, 10)),
		}
		if b.n >= 144 {
			a.MMSI2 = uint32(b.u(92, 30))
			a.Offset2 = uint16(b.u(122, 12))
			a.Increment2 = uint16(b.u(134, 10))
		}
	case 17:
		g := &m.DGNSS
		g.Lon = lon18(b, 40)
		g.Lat = lat17(b, 58)
		d.data, g.DataBits = b.bytesFrom(d.data, 80)
		g.Data = d.data
	case 18, 19:
		p := &m.PosB
		*p = PositionReportB{
			Reserved: uint8(b.u(38, 8)),
			Speed:    float64(b.u(46, 10)) / 10,
			Accuracy: b.flag(56),
			Lon:      lon28(b, 57),
			Lat:      lat27(b, 85),
			Course:   float64(b.u(112, 12)) / 10,
			Heading:  uint16(b.u(124, 9)),
			Second:   uint8(b.u(133, 6)),
		}
		if t == 18 {
			p.Regional = uint8(b.u(139, 2))
			p.CS = b.flag(141)
			p.Display = b.flag(142)
			p.DSC = b.flag(143)
			p.Band = b.flag(144)
			p.Msg22 = b.flag(145)
			p.Assigned = b.flag(146)
			p.RAIM = b.flag(147)
			p.Radio = uint32(b.u(148, 20))
			break
		}
		p.Regional = uint8(b.u(139, 4))
		p.RAIM = b.flag(305)
		p.Assigned = b.flag(307)
		e := &m.ExtB
		e.ShipName = d.str(143, 20)
		e.ShipType = uint8(b.u(263, 8))
		e.Dim = dims(b, 271)
		e.EPFD = uint8(b.u(301, 4))
		e.DTE = b.flag(306)
	case 20:
		l := &m.DataLink
		*l = DataLinkMgmt{}
		for k := 0; k < 4; k++ {
			off := 40 + 30*k
			if b.n < off+30 {
				break
			}
			l.Offset[k] = uint16(b.u(uint(off), 12))
			l.Number[k] = uint8(b.u(uint(off+12), 4))
			l.Timeout[k] = uint8(b.u(uint(off+16), 3))
			l.Increment[k] = uint16(b.u(uint(off+19), 11))
			l.Count = k + 1
		}
	case 21:
		a := &m.AtoN
		a.AidType = uint8(b.u(38, 5))
		a.Accuracy = b.flag(163)
		a.Lon = lon28(b, 164)
		a.Lat = lat27(b, 192)
		a.Dim = dims(b, 219)
		a.EPFD = uint8(b.u(249, 4))
		a.Second = uint8(b.u(253, 6))
		a.OffPosition = b.flag(259)
		a.Regional = uint8(b.u(260, 8))
		a.RAIM = b.flag(268)
		a.Virtual = b.flag(269)
		a.Assigned = b.flag(270)
		d.scratch = b.text(d.scratch, 43, 20)
		if b.n >= 278 && len(d.scratch) == 20 {
			d.scratch = append(d.scratch, b.text(nil, 272, (b.n-272)/6)...)
		}
		a.Name = d.intern(d.scratch)
	case 22:
		c := &m.ChanMgmt
		*c = ChannelManagement{
			ChannelA:  uint16(b.u(40, 12)),
			ChannelB:  uint16(b.u(52, 12)),
			TxRx:      uint8(b.u(64, 4)),
			Power:     b.flag(68),
			Addressed: b.flag(139),
			BandA:     b.flag(140),
			BandB:     b.flag(141),
			ZoneSize:  uint8(b.u(142, 3)),
		}
		if c.Addressed {
			c.Dest1 = uint32(b.u(69, 30))
			c.Dest2 = uint32(b.u(104, 30))
		} else {
			c.NELon = lon18(b, 69)
			c.NELat = lat17(b, 87)
			c.SWLon = lon18(b, 104)
			c.SWLat = lat17(b, 122)
		}
	case 23:
		g := &m.GroupAsgn
		g.NELon = lon18(b, 40)
		g.NELat = lat17(b, 58)
		g.SWLon = lon18(b, 75)
		g.SWLat = lat17(b, 93)
		g.StationType = uint8(b.u(110, 4))
		g.ShipType = uint8(b.u(114, 8))
		g.TxRx = uint8(b.u(144, 2))
		g.Interval = uint8(b.u(146, 4))
		g.Quiet = uint8(b.u(150, 4))
	case 24:
		s := &m.StaticB
		*s = StaticDataReport{PartNo: uint8(b.u(38, 2))}
		switch s.PartNo {
		case 0:
			s.ShipName = d.str(40, 20)
		case 1:
			if b.n < 168 {
				return ErrTooShort
			}
			s.ShipType = uint8(b.u(40, 8))
			s.VendorID = d.str(48, 3)
			s.VendorIDLong = d.str(48, 7)
			s.Model = uint8(b.u(66, 4))
			s.Serial = uint32(b.u(70, 20))
			s.CallSign = d.str(90, 7)
			if m.MMSI/10000000 == 98 {
				s.MothershipMMSI = uint32(b.u(132, 30))
			} else {
				s.Dim = dims(b, 132)
			}
		default:
			return ErrMalformed
		}
	case 25:
		x := &m.Binary
		*x = BinaryMessage{Addressed: b.flag(38), Structured: b.flag(39)}
		off := 40
		if x.Addressed {
			x.DestMMSI = uint32(b.u(40, 30))
			off = 70
		}
		if x.Structured {
			if b.n < off+16 {
				return ErrTooShort
			}
			x.DAC = uint16(b.u(uint(off), 10))
			x.FI = uint8(b.u(uint(off+10), 6))
			off += 16
		}
		d.data, x.DataBits = b.bytesFrom(d.data, off)
		x.Data = d.data
	case 26:
		x := &m.Binary
		*x = BinaryMessage{Addressed: b.flag(38), Structured: b.flag(39)}
		off := 40
		if x.Addressed {
			x.DestMMSI = uint32(b.u(40, 30))
			off = 70
		}
		if x.Structured {
			off += 16
		}
		if b.n < off+20 {
			return ErrTooShort
		}
		if x.Structured {
			x.DAC = uint16(b.u(uint(off-16), 10))
			x.FI = uint8(b.u(uint(off-6), 6))
		}
		end := b.n - 20
		x.Radio = uint32(b.u(uint(end), 20))
		n := b.n
		b.n = end
		d.data, x.DataBits = b.bytesFrom(d.data, off)
		b.n = n
		x.Data = d.data
	case 27:
		l := &m.LongRange
		l.Accuracy = b.flag(38)
		l.RAIM = b.flag(39)
		l.Status = uint8(b.u(40, 4))
		l.Lon = lon18(b, 44)
		l.Lat = lat17(b, 62)
		l.Speed = uint8(b.u(79, 6))
		l.Course = uint16(b.u(85, 9))
		l.GNSS = b.flag(94)
	}
	return nil
}

func dims(b *bitbuf, off uint) Dimensions {
	return Dimensions{
		ToBow:       uint16(b.u(off, 9)),
		ToStern:     uint16(b.u(off+9, 9)),
		ToPort:      uint16(b.u(off+18, 6)),
		ToStarboard: uint16(b.u(off+24, 6)),
	}
}
