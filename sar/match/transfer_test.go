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
	if n := LinkDarkTransfers(dark, transfers, nil, 3, time.Hour); n != 1 {
		t.Fatalf("linked %d, want 1", n)
	}
	if d := dark[0]; d.OtherMMSI != 445413211 || d.Evidence["dark_transfer_id"] != transfers[0].ID() || d.Evidence["dark_transfer_km"] != 0.56 {
		t.Errorf("partner detection %+v", d)
	}
	if dark[1].OtherMMSI != 0 || dark[2].OtherMMSI != 0 {
		t.Errorf("unrelated detections linked: %+v %+v", dark[1], dark[2])
	}
}

// A tanker that waited for its partner drifted 18 km before they met: the
// centre of its loitering lies 9 km from the meeting, and the partner is
// found beside the tanker where its AIS put it at the image time.
func TestLinkDarkTransferBesideTheTankerNotTheLoiteringCentre(t *testing.T) {
	t0 := time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)
	// Drifting north at 1 kn for 10 h, then 3 h with the partner.
	tr := Track{MMSI: 445413211}
	for h := 0; h <= 13; h++ {
		tr.Fixes = append(tr.Fixes, Fix{Time: t0.Add(time.Duration(h) * time.Hour), Lat: 40.5 + float64(h)*1.852/111.2, Lon: 132.0, SOG: 1, COG: 0})
	}
	transfers := []event.Event{{Type: event.PossibleDarkTransfer, MMSI: 445413211, Start: t0, End: t0.Add(13 * time.Hour),
		Lat: 40.5 + 6.5*1.852/111.2, Lon: 132.0}}
	at := t0.Add(11*time.Hour + 30*time.Minute)
	lat, _, _, _ := tr.PositionAt(at, Options{})
	mk := func() []event.Event {
		return []event.Event{{Type: event.DarkDetection, Start: at, Lat: lat + 0.001, Lon: 132.0, Evidence: map[string]any{}}}
	}
	dark := mk()
	if n := LinkDarkTransfers(dark, transfers, PositionsOf([]Track{tr}, Options{}), 3, time.Hour); n != 1 {
		t.Fatalf("partner beside the tanker at the image time: linked %d, want 1", n)
	}
	if ev := dark[0].Evidence; ev["dark_transfer_km"] != 0.11 || ev["dark_transfer_km_from"] != "vessel_at_image_time" {
		t.Errorf("evidence %v", ev)
	}
	// Without the tanker's track, the loitering centre is too far.
	if n := LinkDarkTransfers(mk(), transfers, nil, 3, time.Hour); n != 0 {
		t.Errorf("linked %d by the loitering centre 9 km away", n)
	}
}
