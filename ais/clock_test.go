package ais

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// type1At is a type 1 report whose UTC second field is s.
func type1At(t *testing.T, s int) string {
	t.Helper()
	// The second is the 6 bits from bit 137; rebuild the payload with it.
	bits := unarmorBits("15M67FC000G?ufbE`FepT@3n00Sa")
	for i := 0; i < 6; i++ {
		bits[137+i] = byte(s>>(5-i)) & 1
	}
	return nmea("AIVDM,1,1,,B," + armorBits(bits) + ",0")
}

func unarmorBits(p string) []byte {
	var bits []byte
	for _, c := range []byte(p) {
		v := c - 48
		if v > 40 {
			v -= 8
		}
		for i := 5; i >= 0; i-- {
			bits = append(bits, (v>>i)&1)
		}
	}
	return bits
}

func armorBits(bits []byte) string {
	var b strings.Builder
	for i := 0; i+6 <= len(bits); i += 6 {
		v := byte(0)
		for _, x := range bits[i : i+6] {
			v = v<<1 | x
		}
		if v >= 40 {
			v += 8
		}
		b.WriteByte(v + 48)
	}
	return b.String()
}

// A log without timestamps, given a start: reports are placed by their own
// UTC second around the clock, which follows them across minutes.
func TestClockFromStartAndSeconds(t *testing.T) {
	start := time.Date(2024, 5, 1, 12, 0, 50, 0, time.UTC)
	var lines []string
	for _, s := range []int{50, 52, 49, 58, 3, 7, 60} {
		lines = append(lines, type1At(t, s))
	}
	r := NewReader(strings.NewReader(strings.Join(lines, "\n")))
	r.Clock, r.Start = true, start
	var got []time.Time
	for r.Next() {
		if r.Message().PosA.Second == 0 && len(got) == 0 {
			t.Fatal("test payload did not take the second")
		}
		got = append(got, r.Message().RxTime)
	}
	at := func(m, s int) time.Time { return time.Date(2024, 5, 1, 12, m, s, 0, time.UTC) }
	want := []time.Time{at(0, 50), at(0, 52), at(0, 49), at(0, 58), at(1, 3), at(1, 7), at(1, 7)}
	if len(got) != len(want) {
		t.Fatalf("%d messages", len(got))
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("message %d at %v, want %v", i, got[i], want[i])
		}
	}
}

// With no start, the clock waits for the input's own time (here a boat's
// GPS $GPRMC); messages before it stay untimed.
func TestClockFromGPS(t *testing.T) {
	zda := "GPZDA,195819,16,04,14,-02,00"
	in := type1At(t, 10) + "\n$GPRMC,195719,A,5310.8115,N,00525.7025,E,0.0,0.0,160414,0.7,E,A*10\n" + type1At(t, 20) + "\n" +
		"$" + zda + fmt.Sprintf("*%02X", xorChecksum([]byte(zda))) + "\n" + type1At(t, 21) + "\n"
	r := NewReader(strings.NewReader(in))
	r.Clock = true
	var got []time.Time
	for r.Next() {
		got = append(got, r.Message().RxTime)
	}
	want := []time.Time{{}, time.Date(2014, 4, 16, 19, 57, 20, 0, time.UTC), time.Date(2014, 4, 16, 19, 58, 21, 0, time.UTC)}
	if len(got) != 3 {
		t.Fatalf("%d messages", len(got))
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("message %d at %v, want %v", i, got[i], want[i])
		}
	}
}

// The real untimed samples: with the clock on, nearly every message of the
// AMSA file (base stations) and the SignalK logs (GPS) gets a time, all
// within the capture's own span.
func TestClockOnRealSamples(t *testing.T) {
	for _, c := range []struct {
		name     string
		from, to time.Time
		minTimed float64
	}{
		{"signalk-gofree-merrimac.log", time.Date(2014, 4, 16, 19, 0, 0, 0, time.UTC), time.Date(2014, 4, 16, 21, 0, 0, 0, time.UTC), 0.95},
		{"signalk-nais400-merrimac.log", time.Date(2014, 4, 16, 19, 0, 0, 0, time.UTC), time.Date(2014, 4, 16, 21, 0, 0, 0, time.UTC), 0.8},
	} {
		r := NewReader(openMaybeGzip(t, sharedData(t, "ais-real", c.name)))
		r.Clock = true
		var n, timed, outside int
		for r.Next() {
			n++
			if tm := r.Message().RxTime; !tm.IsZero() {
				timed++
				if tm.Before(c.from) || tm.After(c.to) {
					outside++
				}
			}
		}
		t.Logf("%s: %d of %d messages timed, %d outside the capture", c.name, timed, n, outside)
		if float64(timed) < c.minTimed*float64(n) || outside > 0 {
			t.Errorf("%s: %d of %d timed, %d outside %v–%v", c.name, timed, n, outside, c.from, c.to)
		}
	}
}
