package pipeline_test

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// A small AIS encoder for test input: position reports (type 1) and static
// and voyage data (type 5), wrapped in NMEA with tag blocks as receivers
// log them.

type bitWriter struct{ b []byte }

func (w *bitWriter) u(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		w.b = append(w.b, byte(v>>uint(i))&1)
	}
}

func (w *bitWriter) i(v int64, n int) { w.u(uint64(v)&(1<<uint(n)-1), n) }

func (w *bitWriter) str(s string, n int) {
	for k := 0; k < n; k++ {
		c := byte('@')
		if k < len(s) {
			c = s[k]
		}
		if c >= 64 {
			c -= 64
		}
		w.u(uint64(c), 6)
	}
}

func (w *bitWriter) armor() (string, int) {
	fill := (6 - len(w.b)%6) % 6
	for k := 0; k < fill; k++ {
		w.b = append(w.b, 0)
	}
	var sb strings.Builder
	for k := 0; k < len(w.b); k += 6 {
		v := 0
		for j := 0; j < 6; j++ {
			v = v<<1 | int(w.b[k+j])
		}
		if v < 40 {
			v += 48
		} else {
			v += 56
		}
		sb.WriteByte(byte(v))
	}
	return sb.String(), fill
}

func checksum(s string) string {
	var c byte
	for k := 0; k < len(s); k++ {
		c ^= s[k]
	}
	return fmt.Sprintf("%02X", c)
}

func line(t time.Time, station, payload string, fill int) string {
	tag := fmt.Sprintf("c:%d,s:%s", t.Unix(), station)
	body := fmt.Sprintf("AIVDM,1,1,,A,%s,%d", payload, fill)
	return fmt.Sprintf("\\%s*%s\\!%s*%s\n", tag, checksum(tag), body, checksum(body))
}

func type1(t time.Time, station string, mmsi uint32, lat, lon, sog, cog float64) string {
	var w bitWriter
	w.u(1, 6)
	w.u(0, 2)
	w.u(uint64(mmsi), 30)
	w.u(0, 4)    // status: under way using engine
	w.i(-128, 8) // rate of turn n/a
	w.u(uint64(math.Round(sog*10)), 10)
	w.u(1, 1)
	w.i(int64(math.Round(lon*600000)), 28)
	w.i(int64(math.Round(lat*600000)), 27)
	w.u(uint64(math.Round(cog*10)), 12)
	w.u(511, 9)
	w.u(uint64(t.Second()), 6)
	w.u(0, 2)
	w.u(0, 3)
	w.u(0, 1)
	w.u(0, 19)
	p, fill := w.armor()
	return line(t, station, p, fill)
}

func type5(t time.Time, station string, mmsi, imo uint32, callSign, name string, shipType int, draught float64, dest string) string {
	var w bitWriter
	w.u(5, 6)
	w.u(0, 2)
	w.u(uint64(mmsi), 30)
	w.u(0, 2)
	w.u(uint64(imo), 30)
	w.str(callSign, 7)
	w.str(name, 20)
	w.u(uint64(shipType), 8)
	w.u(80, 9) // to bow
	w.u(20, 9) // to stern
	w.u(8, 6)  // to port
	w.u(8, 6)  // to starboard
	w.u(1, 4)
	w.u(3, 4)
	w.u(15, 5)
	w.u(12, 5)
	w.u(0, 6)
	w.u(uint64(math.Round(draught*10)), 8)
	w.str(dest, 20)
	w.u(0, 1)
	w.u(0, 1)
	p, fill := w.armor()
	return line(t, station, p, fill)
}
