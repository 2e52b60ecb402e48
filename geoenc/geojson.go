// Package geoenc encodes what Lookout draws on a map (events, tracks,
// ports, detections) as GeoJSON (RFC 7946, through package orb/geojson)
// and KML 2.2, for the API, the web map, QGIS and Google Earth. Every
// command and package that writes either format goes through it, so an
// event or a track reads the same wherever it is exported.
package geoenc

import (
	"encoding/json"
	"errors"
	"io"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lookout-osint/lookout/event"
)

// EventProperties are an event feature's properties: the event's own
// fields as package event writes them, its ID (the evidence lists and the
// API cite it) and its length in hours.
type EventProperties struct {
	*event.Event
	ID    string  `json:"id"`
	Hours float64 `json:"hours"`
}

// EventFeature is an event as a GeoJSON point.
type EventFeature = geojson.FeatureOf[EventProperties]

// Event returns e as a GeoJSON point feature whose ID is the event's.
func Event(e *event.Event) *EventFeature {
	id := e.ID()
	return &EventFeature{Type: "Feature", ID: id, Geometry: Point(e.Lon, e.Lat),
		Properties: EventProperties{Event: e, ID: id, Hours: Round(e.Duration().Hours(), 2)}}
}

// Point is lon, lat rounded to six decimals (0.1 m, finer than AIS
// reports), so files do not carry binary noise such as 124.70000000000002.
func Point(lon, lat float64) orb.Point { return orb.Point{Round(lon, 6), Round(lat, 6)} }

// Line is a track's vertices rounded like Point; a track of one position
// is that point, since a GeoJSON LineString needs two.
func Line(ls orb.LineString) orb.Geometry {
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[i] = Point(p[0], p[1])
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

// Round rounds x to the given number of decimals.
func Round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// GeoJSON writes one FeatureCollection feature by feature, so that an
// export of millions of events is never held whole in memory.
type GeoJSON struct {
	w   io.Writer
	n   int
	err error
}

// NewGeoJSON starts a FeatureCollection on w. members are foreign members
// of the collection (RFC 7946 §6.1), such as a report's "name".
func NewGeoJSON(w io.Writer, members map[string]any) (*GeoJSON, error) {
	head := map[string]any{}
	for k, v := range members {
		head[k] = v
	}
	head["type"] = "FeatureCollection"
	b, err := json.Marshal(head)
	if err != nil {
		return nil, err
	}
	// Open the object again after its last member to add "features".
	b = append(b[:len(b)-1], `,"features":[`...)
	_, err = w.Write(append(b, '\n'))
	return &GeoJSON{w: w, err: err}, err
}

// Write adds one feature: a geojson.Feature, an EventFeature or any other
// geojson.FeatureOf.
func (g *GeoJSON) Write(f json.Marshaler) error {
	if g.err != nil {
		return g.err
	}
	b, err := f.MarshalJSON()
	if err != nil {
		return err
	}
	if g.n > 0 {
		_, g.err = io.WriteString(g.w, ",\n")
	}
	if g.err == nil {
		_, g.err = g.w.Write(b)
	}
	g.n++
	return g.err
}

// Close ends the collection.
func (g *GeoJSON) Close() error {
	if g.err != nil {
		return g.err
	}
	_, g.err = io.WriteString(g.w, "\n]}\n")
	if g.err == nil {
		g.err = errClosed
		return nil
	}
	return g.err
}

var errClosed = errors.New("geoenc: GeoJSON writer closed")
