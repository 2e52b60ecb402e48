package output

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// An encounter stored under the partner's MMSI names this vessel as its
// other vessel: the OTHER column must show the partner. A sanctions match
// has no place and no IMO in exponent form.
func TestVesselTextShowsThePartnerAndNoFakePlace(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	v := Vessel{MMSI: 445123000, Identities: []store.Identity{{MMSI: 445123000, Time: t0, IMO: 8660313, Name: "CHON MA SAN"}},
		Events: []event.Event{
			{Type: event.Encounter, MMSI: 273111111, OtherMMSI: 445123000, Start: t0, End: t0.Add(3 * time.Hour), Lat: 42.6, Lon: 133.1},
			{Type: event.SanctionsMatch, MMSI: 445123000, Start: t0, End: t0, Confidence: 1,
				Evidence: map[string]any{"vessel_imo": float64(8660313), "list": "UN"}},
		}}
	var b bytes.Buffer
	if err := v.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	var enc, match string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "encounter"):
			enc = l
		case strings.HasPrefix(l, "sanctions_match"):
			match = l
		}
	}
	if !strings.Contains(enc, "273111111") || strings.Contains(enc, "445123000") {
		t.Errorf("encounter row %q: want the partner 273111111 as OTHER", enc)
	}
	if strings.Contains(match, "0.0000") || !strings.Contains(match, "vessel_imo=8660313") {
		t.Errorf("sanctions row %q: want no position and the IMO in full", match)
	}
	if !strings.Contains(out, "CHON MA SAN") {
		t.Errorf("no name in\n%s", out)
	}
}
