package analyze

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/event"
)

var sample = event.Event{Type: event.Encounter, MMSI: 1, OtherMMSI: 2,
	Start: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 3, 1, 3, 0, 0, 0, time.UTC),
	Lat: 40.5, Lon: 132, Confidence: 0.9, Evidence: map[string]any{"min_distance_m": 120.0}}

func TestWriters(t *testing.T) {
	for _, f := range Formats {
		var b bytes.Buffer
		w, err := NewWriter(&b, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(&sample); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		switch f {
		case "jsonl":
			evs, _, err := event.ReadAll(&b)
			if err != nil || len(evs) != 1 || evs[0].OtherMMSI != 2 || !evs[0].End.Equal(sample.End) {
				t.Errorf("jsonl round trip: %v %+v", err, evs)
			}
		case "geojson":
			var fc struct {
				Features []struct {
					Geometry struct{ Coordinates []float64 }
				}
			}
			if err := json.Unmarshal(b.Bytes(), &fc); err != nil || len(fc.Features) != 1 || fc.Features[0].Geometry.Coordinates[0] != 132 {
				t.Errorf("geojson: %v %s", err, out)
			}
		case "kml":
			if err := xml.Unmarshal(b.Bytes(), new(any)); err != nil || !strings.Contains(out, "<coordinates>132,40.5</coordinates>") {
				t.Errorf("kml: %v %s", err, out)
			}
		case "csv":
			rows, err := csv.NewReader(&b).ReadAll()
			if err != nil || len(rows) != 2 || rows[1][1] != "encounter" || rows[1][3] != "2" {
				t.Errorf("csv: %v %v", err, rows)
			}
		case "table":
			if !strings.Contains(out, "encounter") || !strings.Contains(out, "min_distance_m=120") {
				t.Errorf("table: %s", out)
			}
		}
	}
	if _, err := NewWriter(&bytes.Buffer{}, "xls"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestAdapter(t *testing.T) {
	rx := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var b batch
	var noTime int64
	m := &ais.Message{Type: 1, MMSI: 7, RxTime: rx}
	m.PosA = ais.PositionReportA{Lat: 40, Lon: 130, Speed: 10.5, Course: 90, Heading: 511, Status: 5}
	if !add(&b, m, &noTime) || len(b.fixes) != 1 {
		t.Fatal("position report not added")
	}
	f := b.fixes[0]
	if !f.HasPos || f.Lat != 40 || f.SOG != 10.5 || f.COG != 90 || f.Heading != -1 || f.Status != 5 || f.Class != 'A' {
		t.Errorf("fix %+v", f)
	}
	m.PosA.Lat, m.PosA.Lon, m.PosA.Speed = 91, 181, 102.3
	add(&b, m, &noTime)
	if f := b.fixes[1]; f.HasPos || !math.IsNaN(f.SOG) {
		t.Errorf("not-available position or speed passed off as real: %+v", f)
	}
	s := &ais.Message{Type: 5, MMSI: 7, RxTime: rx}
	s.StaticA = ais.StaticVoyageData{IMO: 9000001, ShipName: "SEA STAR@@@", CallSign: "ABC ", ShipType: 80,
		Dim: ais.Dimensions{ToBow: 100, ToStern: 20, ToPort: 10, ToStarboard: 8}, Draught: 7.5}
	add(&b, s, &noTime)
	st := b.statics[0]
	if st.Name != "SEA STAR" || st.CallSign != "ABC" || st.Length != 120 || st.Beam != 18 || st.Draught != 7.5 || st.IMO != 9000001 {
		t.Errorf("static %+v", st)
	}
	if add(&b, &ais.Message{Type: 1, MMSI: 8}, &noTime) || noTime != 1 {
		t.Errorf("message without receive time not counted: %d", noTime)
	}
	if want := []bool{true, true, false}; len(b.order) != 3 || b.order[2] != want[2] {
		t.Errorf("order %v", b.order)
	}
}
