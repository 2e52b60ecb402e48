package geoenc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lookout-osint/lookout/event"
)

// A place whose longitude cannot be a latitude, so a swapped pair shows.
var nampo = event.Event{Type: event.Encounter, MMSI: 445123000, OtherMMSI: 273111222,
	Start: time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
	Lat: 38.7312345678, Lon: 125.3512345678, Port: `Nampo "West" & <Sea>`, PortID: "61080", Confidence: 0.8,
	Evidence: map[string]any{"min_distance_m": 120.0}}

func TestGeoJSONParsesBackLonLat(t *testing.T) {
	var buf bytes.Buffer
	g, err := NewGeoJSON(&buf, map[string]any{"name": "Report <1>", "type": "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	e := nampo
	if err := g.Write(Event(&e)); err != nil {
		t.Fatal(err)
	}
	line := geojson.NewFeature(Line(orb.LineString{{125.1, 38.1}, {125.2, 38.2}}))
	line.Properties["mmsi"] = 445123000
	if err := g.Write(line); err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if g.Write(line) == nil {
		t.Error("a closed collection took another feature")
	}
	fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
	if err != nil {
		t.Fatalf("does not parse: %v\n%s", err, buf.String())
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 2 || fc.ExtraMembers["name"] != "Report <1>" {
		t.Fatalf("collection %q with %d features, members %v", fc.Type, len(fc.Features), fc.ExtraMembers)
	}
	ev := fc.Features[0]
	p, ok := ev.Geometry.(orb.Point)
	if !ok || p != (orb.Point{125.351235, 38.731235}) {
		t.Errorf("event geometry %#v: want [lon, lat] to six decimals", ev.Geometry)
	}
	if ev.ID != e.ID() || ev.Properties["id"] != e.ID() || ev.Properties["type"] != "encounter" ||
		ev.Properties["hours"] != 3.5 || ev.Properties["port"] != e.Port || ev.Properties["other_mmsi"] != 273111222.0 {
		t.Errorf("event properties %v, id %v", ev.Properties, ev.ID)
	}
	if ls, ok := fc.Features[1].Geometry.(orb.LineString); !ok || ls[1] != (orb.Point{125.2, 38.2}) {
		t.Errorf("line %#v", fc.Features[1].Geometry)
	}
	if _, ok := Line(orb.LineString{{1, 2}}).(orb.Point); !ok {
		t.Error("a one-position track is not a point")
	}
}

func TestGeoJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	g, _ := NewGeoJSON(&buf, nil)
	g.Close()
	fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
	if err != nil || len(fc.Features) != 0 {
		t.Fatalf("%v, %s", err, buf.String())
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(b []byte) (int, error) {
	if f.after--; f.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(b), nil
}

func TestWriteErrorsReported(t *testing.T) {
	e := nampo
	g, err := NewGeoJSON(&failWriter{after: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g.Write(Event(&e))
	if g.Write(Event(&e)) == nil || g.Close() == nil {
		t.Error("GeoJSON: a failed write was not reported")
	}
	k, err := NewKML(&failWriter{after: 3}, "x")
	if err == nil {
		for i := 0; i < 3; i++ {
			k.Placemark(EventPlacemark(&e))
		}
		err = k.Close()
	}
	if err == nil {
		t.Error("KML: a failed write was not reported")
	}
}

// kmlDoc is the part of KML 2.2 these writers use, to read a file back.
type kmlDoc struct {
	XMLName  xml.Name `xml:"http://www.opengis.net/kml/2.2 kml"`
	Document struct {
		Name    string `xml:"name"`
		Folders []struct {
			Name       string         `xml:"name"`
			Placemarks []kmlPlacemark `xml:"Placemark"`
		} `xml:"Folder"`
		Placemarks []kmlPlacemark `xml:"Placemark"`
	}
}

type kmlPlacemark struct {
	Name        string `xml:"name"`
	Description string `xml:"description"`
	Begin       string `xml:"TimeSpan>begin"`
	End         string `xml:"TimeSpan>end"`
	When        string `xml:"TimeStamp>when"`
	Data        []Data `xml:"ExtendedData>Data"`
	Point       string `xml:"Point>coordinates"`
	Line        string `xml:"LineString>coordinates"`
	Outer       string `xml:"Polygon>outerBoundaryIs>LinearRing>coordinates"`
	Inner       string `xml:"Polygon>innerBoundaryIs>LinearRing>coordinates"`
	Multi       []struct {
		Outer string `xml:"outerBoundaryIs>LinearRing>coordinates"`
	} `xml:"MultiGeometry>Polygon"`
}

func TestKMLWellFormed(t *testing.T) {
	var buf bytes.Buffer
	k, err := NewKML(&buf, "Tracks & events")
	if err != nil {
		t.Fatal(err)
	}
	e := nampo
	k.Folder("Events <all>")
	k.Placemark(EventPlacemark(&e))
	k.EndFolder()
	k.Folder("Shapes")
	k.Placemark(&Placemark{Name: "track", Begin: e.Start, End: e.End, Geometry: orb.LineString{{125, 38}, {125.5, 38.5}}})
	k.Placemark(&Placemark{When: e.Start, Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.2, 0.1}, {0.3, 0.1}, {0.3, 0.2}, {0.2, 0.1}}}})
	k.Placemark(&Placemark{Name: "cells", Geometry: orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{2, 2}, {3, 2}, {3, 3}, {2, 2}}}}})
	if err := k.Placemark(&Placemark{Geometry: orb.MultiPoint{{1, 2}}}); err == nil {
		t.Error("a MultiPoint was taken though KML of it is not written")
	}
	// Close closes the open folder.
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, buf.String())
		}
	}
	var doc kmlDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	d := doc.Document
	if d.Name != "Tracks & events" || len(d.Folders) != 2 || d.Folders[0].Name != "Events <all>" || len(d.Placemarks) != 0 {
		t.Fatalf("document %+v", d)
	}
	ev := d.Folders[0].Placemarks[0]
	if ev.Point != "125.351235,38.731235" || ev.Begin != "2026-03-01T06:00:00Z" || ev.End != "2026-03-01T09:30:00Z" ||
		!strings.Contains(ev.Description, "120") {
		t.Errorf("event placemark %+v", ev)
	}
	data := map[string]string{}
	for _, x := range ev.Data {
		data[x.Name] = x.Value
	}
	if data["id"] != e.ID() || data["port"] != e.Port || data["other_mmsi"] != "273111222" {
		t.Errorf("event data %v", data)
	}
	sh := d.Folders[1].Placemarks
	if len(sh) != 3 || sh[0].Line != "125,38 125.5,38.5" || sh[1].When != "2026-03-01T06:00:00Z" ||
		sh[1].Outer != "0,0 1,0 1,1 0,0" || sh[1].Inner == "" || len(sh[2].Multi) != 2 || sh[2].Multi[1].Outer != "2,2 3,2 3,3 2,2" {
		t.Errorf("shapes %+v", sh)
	}
	for _, empty := range []string{"<TimeStamp></TimeStamp>", "<MultiGeometry></MultiGeometry>", "<ExtendedData></ExtendedData>", "<Point></Point>", "<TimeSpan></TimeSpan>"} {
		if strings.Contains(buf.String(), empty) {
			t.Errorf("empty element %s written", empty)
		}
	}
	if n := strings.Count(buf.String(), "\n<Placemark>"); n != 4 {
		t.Errorf("%d placemarks begin a line, want 4", n)
	}
}

// TestEventOpen: an event a store holds provisionally says so ("open":
// true, the map draws it as going on); a closed one carries no such key.
func TestEventOpen(t *testing.T) {
	e := nampo
	open := func() any {
		b, err := Event(&e).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		f, err := geojson.UnmarshalFeature(b)
		if err != nil {
			t.Fatal(err)
		}
		return f.Properties["open"]
	}
	if got := open(); got != nil {
		t.Errorf("a closed event has \"open\": %v", got)
	}
	e.Open = true
	if got := open(); got != true {
		t.Errorf("open event: \"open\" = %v, want true", got)
	}
}
