package sim

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/lookout-osint/lookout/event"
)

// glitches.jsonl lists the glitches heard (no more than were sent), each
// a position report of its MMSI that no spoofing truth covers: a glitch is
// not spoofing.
func TestGlitchesListed(t *testing.T) {
	dir := shortRun(t)
	var st Stats
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	spoof := map[uint32][]event.Event{}
	f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e event.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Type == event.Spoofing {
			spoof[e.MMSI] = append(spoof[e.MMSI], e)
		}
	}
	g, err := os.Open(filepath.Join(dir, "glitches.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	n := 0
	sc = bufio.NewScanner(g)
	for sc.Scan() {
		var gl Glitch
		if err := json.Unmarshal(sc.Bytes(), &gl); err != nil {
			t.Fatal(err)
		}
		n++
		if gl.MMSI == 0 || gl.Time.IsZero() {
			t.Errorf("glitch %+v lacks its MMSI or time", gl)
		}
		for _, e := range spoof[gl.MMSI] {
			if !gl.Time.Before(e.Start) && !gl.Time.After(e.End) {
				t.Errorf("glitch %+v inside spoofing truth %+v", gl, e)
			}
		}
	}
	if n == 0 || int64(n) > st.Glitches {
		t.Errorf("%d glitches heard of %d sent", n, st.Glitches)
	}
	t.Logf("%d glitches heard of %d sent", n, st.Glitches)
}
