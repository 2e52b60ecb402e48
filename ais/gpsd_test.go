package ais

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestJSONMatchesGpsd checks AppendJSON against gpsdecode's own output.
// Known, deliberate differences: turn keeps its sign; names are trimmed at
// both ends; type 24 parts are not merged; ship/aid type texts are not
// emitted.
func TestJSONMatchesGpsd(t *testing.T) {
	f, err := os.Open("testdata/gpsd-golden.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var g struct {
			NMEA []string       `json:"nmea"`
			Gpsd map[string]any `json:"gpsd"`
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatal(err)
		}
		r := NewReader(strings.NewReader(strings.Join(g.NMEA, "\n")))
		if !r.Next() {
			t.Fatalf("%q: no message, %v", g.NMEA, r.Stats().Rejected)
		}
		line := AppendJSON(nil, r.Message())
		var got map[string]any
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("invalid JSON %s: %v", line, err)
		}
		typ := got["type"].(float64)
		for k, want := range g.Gpsd {
			if strings.HasSuffix(k, "_text") && k != "status_text" && k != "epfd_text" {
				continue
			}
			if k == "epfd_text" && want == "INVALID EPFD" {
				continue
			}
			v, ok := got[k]
			if !ok {
				if typ == 24 {
					continue // gpsd merges parts A and B
				}
				t.Errorf("%q: %s missing, gpsd has %v", g.NMEA, k, want)
				continue
			}
			if !gpsdSame(k, typ, v, want) {
				t.Errorf("%q: %s = %v, gpsd says %v", g.NMEA, k, v, want)
			}
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d golden lines", n)
	}
}

func gpsdSame(k string, typ float64, got, want any) bool {
	if s, ok := want.(string); ok {
		if g, ok := got.(string); ok {
			return g == strings.TrimSpace(s)
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && k != "text" {
			want = f
		} else {
			g, _ := got.(string)
			return g == strings.TrimSpace(s)
		}
	}
	w, ok1 := toFloat(want)
	g, ok2 := toFloat(got)
	if !ok1 || !ok2 {
		return false
	}
	switch {
	case k == "turn":
		return math.Abs(g) == w // gpsd drops the sign
	}
	return math.Abs(g-w) <= 1e-6*math.Max(1, math.Abs(w))
}

// Every message of the real samples renders as valid JSON and CSV with
// the header's column count.
func TestJSONAndCSVAreValid(t *testing.T) {
	cols := strings.Count(CSVHeader, ",") + 1
	var buf []byte
	readAll(t, openMaybeGzip(t, sharedData(t, "ais-real", "amsa-risky-ais.txt.gz")), func(m *Message) {
		buf = AppendJSON(buf[:0], m)
		if !json.Valid(buf) {
			t.Fatalf("invalid JSON: %s", buf)
		}
		buf = AppendCSV(buf[:0], m)
		if c := countCSVFields(string(buf)); c != cols {
			t.Fatalf("%d CSV fields, want %d: %s", c, cols, buf)
		}
	})
}

func countCSVFields(row string) int {
	n, quoted := 1, false
	for _, c := range row {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			n++
		}
	}
	return n
}

func TestJSONEscapesStation(t *testing.T) {
	m := Message{Type: 14, Station: "a\"b\\c\x01\xff", Safety: SafetyMessage{Text: `say "hi"`}}
	var v map[string]any
	if err := json.Unmarshal(AppendJSON(nil, &m), &v); err != nil {
		t.Fatal(err)
	}
	if v["station"] != "a\"b\\c\x01\u00ff" || v["text"] != `say "hi"` {
		t.Errorf("got %q %q", v["station"], v["text"])
	}
}
