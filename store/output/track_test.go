package output

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
)

var ps = []store.Position{
	{MMSI: 1, Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Lat: 42.5, Lon: 131.25, SOG: 10.5, COG: 90, Heading: -1, Station: "A&B"},
	{MMSI: 1, Time: time.Date(2026, 3, 1, 0, 1, 0, 0, time.UTC), Lat: 42.51, Lon: 131.26, SOG: store.NaN32, COG: store.NaN32, Heading: 91},
}

func TestTrackGeoJSON(t *testing.T) {
	var b bytes.Buffer
	if err := Track(&b, "geojson", 1, ps, true); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b.Bytes(), &fc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if len(fc.Features) != 3 || fc.Features[0].Geometry.Type != "LineString" || string(fc.Features[0].Geometry.Coordinates) != "[[131.25,42.5],[131.26,42.51]]" {
		t.Fatalf("features: %s", b.String())
	}
	if p := fc.Features[2].Properties; p["sog"] != nil || p["heading"] != float64(91) {
		t.Fatalf("unknown speed must be null, heading kept: %v", p)
	}
}

func TestTrackKMLIsXML(t *testing.T) {
	var b bytes.Buffer
	if err := Track(&b, "kml", 1, ps, true); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(&b)
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("KML is not well-formed: %v", err)
		}
	}
}

func TestTrackCSV(t *testing.T) {
	var b bytes.Buffer
	if err := Track(&b, "csv", 1, ps, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || lines[2] != "1,2026-03-01T00:01:00Z,42.51,131.26,,,91,0,,0" {
		t.Fatalf("csv:\n%s", b.String())
	}
	if err := Track(&b, "shp", 1, ps, false); err == nil {
		t.Fatal("unknown format accepted")
	}
}
