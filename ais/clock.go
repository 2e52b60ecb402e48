package ais

import (
	"bytes"
	"time"
)

// clock gives receive times to messages of a log that has none (Reader's
// Clock and Start). It follows the times the input itself carries: AIS base
// station and UTC/date responses (types 4 and 11), GPS $--RMC and $--ZDA
// sentences from a boat's multiplexer, and any line that does have a
// receive time; between them, a report's own UTC second (types 1–3, 9, 18,
// 19, 21) places it within the minute nearest the clock, so tracks keep
// their spacing. Before the first of them the clock reads Start.
type clock struct {
	t time.Time
}

// set moves the clock to t, a time the input stated.
func (c *clock) set(t time.Time) {
	if t.Year() >= 1990 {
		c.t = t
	}
}

// stamp gives m a receive time when it has none, and moves the clock.
func (c *clock) stamp(m *Message) {
	if !m.RxTime.IsZero() {
		c.set(m.RxTime)
		return
	}
	if m.Type == 4 || m.Type == 11 {
		if t, ok := m.Base.Time(); ok {
			c.set(t)
		}
	}
	if c.t.IsZero() {
		return // no time yet: the message stays untimed
	}
	t := c.t
	if s, ok := utcSecond(m); ok {
		t = c.t.Truncate(time.Minute).Add(time.Duration(s) * time.Second)
		switch d := t.Sub(c.t); {
		case d > 30*time.Second:
			t = t.Add(-time.Minute)
		case d < -30*time.Second:
			t = t.Add(time.Minute)
		}
		if t.After(c.t) {
			c.t = t
		}
	}
	m.RxTime = t
}

// utcSecond is the UTC second a report says its position was taken at.
func utcSecond(m *Message) (int, bool) {
	var s uint8
	switch m.Type {
	case 1, 2, 3:
		s = m.PosA.Second
	case 18, 19:
		s = m.PosB.Second
	case 9:
		s = m.SAR.Second
	case 21:
		s = m.AtoN.Second
	default:
		return 0, false
	}
	return int(s), s < 60
}

// gpsTime reads the date and time of a $--RMC or $--ZDA sentence (checksum
// verified), the clock of a boat's own GPS.
func gpsTime(line []byte) (time.Time, bool) {
	line = trimSpace(line)
	star := bytes.LastIndexByte(line, '*')
	if len(line) < 7 || star < 0 {
		return time.Time{}, false
	}
	if want, ok := hexByte(line[star+1:]); !ok || xorChecksum(line[1:star]) != want {
		return time.Time{}, false
	}
	f := bytes.Split(line[7:star], []byte(","))
	var hms, date []byte
	var y, mo, d int
	switch string(line[3:6]) {
	case "RMC": // hhmmss.ss,A,lat,N,lon,E,sog,cog,ddmmyy,...
		if len(f) < 9 || len(f[1]) != 1 || f[1][0] != 'A' || len(f[8]) != 6 {
			return time.Time{}, false
		}
		hms, date = f[0], f[8]
		var ok1, ok2, ok3 bool
		d, ok1 = atoiN(date[0:2])
		mo, ok2 = atoiN(date[2:4])
		y, ok3 = atoiN(date[4:6])
		if !ok1 || !ok2 || !ok3 {
			return time.Time{}, false
		}
		y += 2000
		if y > time.Now().Year()+1 {
			y -= 100
		}
	case "ZDA": // hhmmss.ss,dd,mm,yyyy,zh,zm
		if len(f) < 4 {
			return time.Time{}, false
		}
		hms = f[0]
		var ok1, ok2, ok3 bool
		d, ok1 = atoiN(f[1])
		mo, ok2 = atoiN(f[2])
		y, ok3 = atoiN(f[3])
		if !ok1 || !ok2 || !ok3 {
			return time.Time{}, false
		}
		if y < 100 { // a two-digit year (a GoFree server writes "14")
			y += 2000
		}
	default:
		return time.Time{}, false
	}
	if len(hms) < 6 {
		return time.Time{}, false
	}
	h, ok1 := atoiN(hms[0:2])
	mi, ok2 := atoiN(hms[2:4])
	s, ok3 := atoiN(hms[4:6])
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || s > 60 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC), true
}
