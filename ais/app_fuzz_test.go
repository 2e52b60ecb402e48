package ais

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// FuzzAppPayload feeds arbitrary application data under every known
// DAC/FI (and others) to the type 6/8 decoder: it must never panic, a
// decoded message must render as valid JSON with balanced arrays, and a
// rejected payload must name its DAC/FI.
func FuzzAppPayload(f *testing.F) {
	if fh, err := os.Open("testdata/gpsd-app-golden.jsonl"); err == nil {
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var g struct{ NMEA []string }
			if json.Unmarshal(sc.Bytes(), &g) != nil {
				continue
			}
			r := NewReader(strings.NewReader(strings.Join(g.NMEA, "\n")))
			if r.Next() {
				m := r.Message()
				x := &m.Binary
				f.Add(m.Type == 6, x.DAC, x.FI, append([]byte(nil), x.Data...), uint8(x.DataBits%8))
			}
		}
		fh.Close()
	}
	f.Add(false, uint16(1), uint8(22), make([]byte, 30), uint8(0))
	f.Fuzz(func(t *testing.T, addressed bool, dac uint16, fi uint8, data []byte, cut uint8) {
		typ := uint8(8)
		if addressed {
			typ = 6
		}
		if len(data) > 120 {
			data = data[:120]
		}
		w := appHeader(typ, 123456789, dac&1023, fi&63)
		for _, b := range data {
			w.put(uint64(b), 8)
		}
		if c := int(cut % 8); c < len(w.bits) {
			w.bits = w.bits[:len(w.bits)-c]
		}
		payload := strings.Join(w.sentences(1), "\n")
		r := NewReader(strings.NewReader(payload))
		if !r.Next() {
			return // too long for one message, or rejected envelope
		}
		m := r.Message()
		x := &m.Binary
		if x.App != nil && x.AppErr != nil {
			t.Fatal("both decoded and bad")
		}
		if x.AppErr != nil {
			prefix := fmt.Sprintf("DAC %d FI %d: ", dac&1023, fi&63)
			if !strings.HasPrefix(x.AppErr.Error(), prefix) || !errors.Is(x.AppErr, ErrAppPayload) {
				t.Fatalf("error %q does not name the DAC/FI", x.AppErr)
			}
		}
		depth := 0
		for _, fl := range x.App {
			switch fl.Kind {
			case AppArray, AppObject:
				depth++
			case AppEnd:
				depth--
			}
			if depth < 0 {
				t.Fatal("unbalanced AppEnd")
			}
		}
		if depth != 0 {
			t.Fatalf("%d unclosed arrays/objects", depth)
		}
		line := AppendJSON(nil, m)
		if !json.Valid(line) {
			t.Fatalf("invalid JSON %s", line)
		}
	})
}
