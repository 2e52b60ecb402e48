package ais

import (
	"fmt"
	"strings"
	"testing"
)

// Each message carries its own line's station, however many stations
// take turns (more than the reader's cache of recent ones).
func TestStationPerLine(t *testing.T) {
	var in strings.Builder
	var want []string
	for i := range 200 {
		st := fmt.Sprintf("ST%d", (i*7)%13)
		tag := fmt.Sprintf("c:%d,s:%s", 1700000000+i, st)
		const vdm = "AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0"
		fmt.Fprintf(&in, "\\%s*%02X\\!%s*%02X\n", tag, xorChecksum([]byte(tag)), vdm, xorChecksum([]byte(vdm)))
		want = append(want, st)
	}
	r := NewReader(strings.NewReader(in.String()))
	n := 0
	for r.Next() {
		if got := r.Message().Station; got != want[n] {
			t.Fatalf("message %d: station %q, want %q", n, got, want[n])
		}
		n++
	}
	if n != len(want) {
		t.Fatalf("%d messages, want %d (rejected %v)", n, len(want), r.Stats().Rejected)
	}
}
