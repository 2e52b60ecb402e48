package ais

import (
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// bitWriter builds payloads for tests: the inverse of bitbuf.
type bitWriter struct{ bits []byte }

func (w *bitWriter) put(v uint64, n int) *bitWriter {
	for k := n - 1; k >= 0; k-- {
		w.bits = append(w.bits, byte(v>>uint(k)&1))
	}
	return w
}

func (w *bitWriter) text(s string, nchars int) *bitWriter {
	for k := 0; k < nchars; k++ {
		c := byte('@')
		if k < len(s) {
			c = s[k]
		}
		w.put(uint64(strings.IndexByte(sixbitText, c)), 6)
	}
	return w
}

// sentences armors the payload into !AIVDM sentences of at most 60
// payload characters each.
func (w *bitWriter) sentences(seq int) []string {
	bits := w.bits
	fill := (6 - len(bits)%6) % 6
	for k := 0; k < fill; k++ {
		bits = append(bits, 0)
	}
	var p []byte
	for k := 0; k < len(bits); k += 6 {
		v := bits[k]<<5 | bits[k+1]<<4 | bits[k+2]<<3 | bits[k+3]<<2 | bits[k+4]<<1 | bits[k+5]
		if v < 40 {
			p = append(p, v+48)
		} else {
			p = append(p, v+56)
		}
	}
	total := (len(p) + 59) / 60
	var out []string
	for part := 1; part <= total; part++ {
		chunk := p[(part-1)*60 : min(part*60, len(p))]
		f := 0
		if part == total {
			f = fill
		}
		id := ""
		if total > 1 {
			id = fmt.Sprint(seq % 10)
		}
		body := fmt.Sprintf("AIVDM,%d,%d,%s,A,%s,%d", total, part, id, chunk, f)
		var cs byte
		for i := 0; i < len(body); i++ {
			cs ^= body[i]
		}
		out = append(out, fmt.Sprintf("!%s*%02X", body, cs))
	}
	return out
}

// appHeader starts a type 6 or 8 message from mmsi with dac/fi.
func appHeader(typ uint8, mmsi uint32, dac uint16, fi uint8) *bitWriter {
	w := &bitWriter{}
	w.put(uint64(typ), 6).put(0, 2).put(uint64(mmsi), 30)
	if typ == 6 {
		w.put(1, 2).put(244000001, 30).put(0, 2)
	} else {
		w.put(0, 2)
	}
	return w.put(uint64(dac), 10).put(uint64(fi), 6)
}

// craftedApps returns synthetic application messages, one or more per
// layout, with random field values and the shape constraints each layout
// has (counts, lengths). gpsdecode decoded them into
// testdata/gpsd-app-golden.jsonl; see TestGenerateAppSamples.
func craftedApps() [][]string {
	rng := rand.New(rand.NewSource(19))
	var out [][]string
	seq := 0
	add := func(w *bitWriter) {
		seq++
		out = append(out, w.sentences(seq))
	}
	random := func(w *bitWriter, n int) *bitWriter {
		for k := 0; k < n; k++ {
			w.put(uint64(rng.Intn(2)), 1)
		}
		return w
	}
	mmsi := func() uint32 { return uint32(200000000 + rng.Intn(500000000)) }
	for rep := 0; rep < 3; rep++ {
		add(random(appHeader(8, mmsi(), 1, 11), 296))
		add(random(appHeader(8, mmsi(), 1, 31), 304))
		add(random(appHeader(6, mmsi(), 1, 12), 272))
		add(random(appHeader(6, mmsi(), 1, 18), 272))
		add(random(appHeader(6, mmsi(), 1, 20), 272))
		add(random(appHeader(8, mmsi(), 1, 13), 416))
		add(random(appHeader(8, mmsi(), 1, 15), 16))
		add(random(appHeader(6, mmsi(), 1, 16), 16))
		for _, n := range []int{1, 3, 28} {
			add(random(appHeader(6, mmsi(), 1, 25), 12+17*n))
		}
		for _, n := range []int{1, 2, 16} {
			for _, fi := range []uint8{27, 28} {
				w := appHeader(8, mmsi(), 1, fi)
				if fi == 28 {
					w = appHeader(6, mmsi(), 1, fi)
				}
				add(random(random(w, 56).put(uint64(n), 5), 55*n))
			}
		}
		for _, fi := range []uint8{29, 30} {
			w := appHeader(8, mmsi(), 1, fi)
			if fi == 30 {
				w = appHeader(6, mmsi(), 1, fi)
			}
			add(random(w, 10).text("NO ANCHORING 0900-1700", 22))
		}
		for _, n := range []int{1, 3} {
			add(random(appHeader(6, mmsi(), 1, 32), 9+88*n))
		}
		add(random(appHeader(8, mmsi(), 1, 17), 122*2))
		w := random(appHeader(8, mmsi(), 200, 10), 0).text("DE1234", 8)
		add(random(random(w, 37).put(uint64(rng.Intn(6)), 3), 24))
		add(random(appHeader(8, mmsi(), 200, 24), 112))
		add(random(appHeader(8, mmsi(), 200, 40), 112))
		add(random(appHeader(6, mmsi(), 200, 21), 160))
		w = random(appHeader(6, mmsi(), 200, 22), 140).put(uint64(rng.Intn(4)), 2)
		add(random(w, 2))
		add(random(appHeader(6, mmsi(), 200, 55), 80))
		add(random(appHeader(6, mmsi(), 235, 10), 48))
		add(random(appHeader(6, mmsi(), 250, 10), 48))
	}
	// Added later, after the messages above (which keep their values).
	rng = rand.New(rand.NewSource(1914))
	for rep := 0; rep < 3; rep++ {
		add(random(appHeader(8, mmsi(), 1, 19), 181).put(uint64(rng.Intn(16)), 5).put(uint64(rng.Intn(24)), 5).
			put(uint64(rng.Intn(60)), 6).put(uint64(rng.Intn(16)), 5).put(0, 102))
		for _, n := range []int{1, 3} {
			add(random(appHeader(6, mmsi(), 1, 14), 9+93*n))
		}
	}
	return out
}

// TestGenerateAppSamples writes craftedApps as NMEA to the file named by
// LOOKOUT_GEN_APP, for regenerating the golden file with gpsdecode:
//
//	LOOKOUT_GEN_APP=/tmp/app.nmea go test ./ais -run TestGenerateAppSamples
//	gpsdecode < /tmp/app.nmea   (then pair lines with messages)
func TestGenerateAppSamples(t *testing.T) {
	path := os.Getenv("LOOKOUT_GEN_APP")
	if path == "" {
		t.Skip("LOOKOUT_GEN_APP not set")
	}
	var b strings.Builder
	for _, m := range craftedApps() {
		for _, l := range m {
			b.WriteString(l + "\n")
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
