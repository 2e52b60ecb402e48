package analyze

import (
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// The table names both vessels of an event when it knows them, prints an
// IMO number in full and leaves an event without a place unplaced.
func TestTableNamesVesselsAndPrintsFigures(t *testing.T) {
	var b strings.Builder
	w, err := NewNamedWriter(&b, "table", func(m uint32) string { return map[uint32]string{445004957: "XIN WIND"}[m] })
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 15, 19, 40, 0, 0, time.UTC)
	w.Write(&event.Event{Type: event.Encounter, MMSI: 445004957, OtherMMSI: 616171143, Start: t0, End: t0.Add(time.Hour), Lat: 38.355, Lon: 129.2287})
	w.Write(&event.Event{Type: event.SanctionsMatch, MMSI: 477653457, Start: t0, End: t0, Evidence: map[string]any{"vessel_imo": float64(1287150)}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if !strings.Contains(lines[1], "445004957 XIN WIND") || !strings.Contains(lines[1], "616171143 ") || !strings.Contains(lines[1], "38.3550") {
		t.Errorf("encounter row %q", lines[1])
	}
	if strings.Contains(lines[2], "0.0000") || !strings.Contains(lines[2], "vessel_imo=1287150") {
		t.Errorf("sanctions row %q", lines[2])
	}
}
