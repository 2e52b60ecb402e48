package analyze

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// --format json is one JSON array a reader can parse whole, also when no
// event was found (an empty array, not an empty file).
func TestJSONFormatIsOneArray(t *testing.T) {
	t0 := time.Date(2024, 3, 15, 19, 40, 0, 0, time.UTC)
	all := []event.Event{
		{Type: event.Encounter, MMSI: 445004957, OtherMMSI: 616171143, Start: t0, End: t0.Add(time.Hour), Lat: 38.355, Lon: 129.2287},
		{Type: event.Gap, MMSI: 477653457, Start: t0, End: t0.Add(30 * time.Hour), Evidence: map[string]any{"hours": 30.0}},
	}
	for n := 0; n <= len(all); n++ {
		var b strings.Builder
		w, err := NewWriter(&b, "json")
		if err != nil {
			t.Fatal(err)
		}
		for i := range all[:n] {
			if err := w.Write(&all[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var got []event.Event
		if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
			t.Fatalf("%d events: not one JSON array: %v\n%s", n, err, b.String())
		}
		if got == nil || len(got) != n {
			t.Fatalf("%d events: read back %d (nil %v)", n, len(got), got == nil)
		}
		for i := range got {
			if got[i].ID() != all[i].ID() {
				t.Errorf("event %d read back as %s, want %s", i, got[i].ID(), all[i].ID())
			}
		}
	}
}
