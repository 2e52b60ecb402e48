package match

import (
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

func TestLinkDarkTransfers(t *testing.T) {
	t0 := time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)
	transfers := []event.Event{
		{Type: event.PossibleDarkTransfer, MMSI: 445413211, Start: t0, End: t0.Add(7 * time.Hour), Lat: 40.5, Lon: 132.0},
		{Type: event.Loitering, MMSI: 1, Start: t0, End: t0.Add(7 * time.Hour), Lat: 40.6, Lon: 132.0},
	}
	dark := []event.Event{
		// Beside the loitering tanker during the transfer: its partner.
		{Type: event.DarkDetection, Start: t0.Add(3 * time.Hour), Lat: 40.505, Lon: 132.0, Evidence: map[string]any{}},
		// The same spot a day later: not the partner.
		{Type: event.DarkDetection, Start: t0.Add(30 * time.Hour), Lat: 40.505, Lon: 132.0, Evidence: map[string]any{}},
		// During the transfer but 11 km off.
		{Type: event.DarkDetection, Start: t0.Add(3 * time.Hour), Lat: 40.6, Lon: 132.0, Evidence: map[string]any{}},
	}
	if n := LinkDarkTransfers(dark, transfers, 3, time.Hour); n != 1 {
		t.Fatalf("linked %d, want 1", n)
	}
	if d := dark[0]; d.OtherMMSI != 445413211 || d.Evidence["dark_transfer_id"] != transfers[0].ID() || d.Evidence["dark_transfer_km"] != 0.56 {
		t.Errorf("partner detection %+v", d)
	}
	if dark[1].OtherMMSI != 0 || dark[2].OtherMMSI != 0 {
		t.Errorf("unrelated detections linked: %+v %+v", dark[1], dark[2])
	}
}
