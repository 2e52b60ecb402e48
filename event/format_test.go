package event

import (
	"encoding/json"
	"testing"
)

// Evidence read back from JSON holds numbers as float64: an IMO number must
// still print as one.
func TestEvidenceTextPrintsNumbersInFull(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(`{"vessel_imo":1287150,"speed_kn":12.345678,"distance_m":1234567.25,"exact":true,"name":"CHON MA SAN","tiny":0.000012,"fields":[{"f":"imo"}]}`), &m); err != nil {
		t.Fatal(err)
	}
	want := `distance_m=1234567.2 exact=true fields=[{"f":"imo"}] name=CHON MA SAN speed_kn=12.3457 tiny=1.2e-05 vessel_imo=1287150`
	if got := EvidenceText(m); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := FormatValue(float32(8660313)); got != "8660313" {
		t.Errorf("float32 IMO: %s", got)
	}
}

func TestPlaceText(t *testing.T) {
	e := Event{Type: SanctionsMatch, MMSI: 445123000}
	if e.Placed() || e.PlaceText() != "" {
		t.Errorf("a sanctions match has no place, got %q", e.PlaceText())
	}
	e = Event{Lat: 42.8, Lon: 0}
	if got := e.PlaceText(); got != "42.8000, 0.0000" {
		t.Errorf("on the meridian: %q", got)
	}
}
