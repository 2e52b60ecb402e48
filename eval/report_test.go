package eval

import (
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/event"
)

func TestWriteTable(t *testing.T) {
	tr := sampleTruth()
	sat := ev(event.Loitering, 77, 0, 5)
	sat.Source = event.SourceSatellite
	r := Evaluate(append(tr, sat), append(tr[1:], ev(event.Spoofing, 9, 0, 1)), DefaultConfig())
	var b strings.Builder
	if err := WriteTable(&b, r, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"port_visit", "spoofing", "overall", "1 satellite-only truth events"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "loitering") || strings.Contains(out, "missed truth") {
		t.Errorf("table shows an absent type or misses without -v:\n%s", out)
	}
	b.Reset()
	if err := WriteTable(&b, r, true); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	if !strings.Contains(out, "missed truth events (false negatives) (1)") || !strings.Contains(out, "spurious detections (false positives) (1)") ||
		!strings.Contains(out, "port 12345") {
		t.Errorf("verbose table:\n%s", out)
	}
}
