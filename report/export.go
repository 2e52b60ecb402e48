package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lookout-osint/lookout/geoenc"
	"github.com/lookout-osint/lookout/store/output"
)

// Formats lists the export formats besides HTML.
var Formats = []string{"kml", "geojson"}

// WriteGeoJSON writes everything the report maps as one FeatureCollection:
// each vessel's track (package store/output's line, with the vessel's
// name and colour), every event of the evidence list and every trip as a
// line from departure to arrival with its evidence IDs.
func (r *Report) WriteGeoJSON(w io.Writer) error {
	g, err := geoenc.NewGeoJSON(w, map[string]any{"name": r.Title})
	if err != nil {
		return err
	}
	for _, v := range r.Vessels {
		for _, f := range output.TrackFeatures(v.MMSI, r.Tracks[v.MMSI], false) {
			f.Properties["kind"], f.Properties["name"], f.Properties["stroke"] = "track", v.Name(), v.Colour
			if err := g.Write(f); err != nil {
				return err
			}
		}
	}
	for i := range r.Evidence {
		if err := g.Write(geoenc.Event(&r.Evidence[i].Event)); err != nil {
			return err
		}
	}
	for i, t := range r.Trips.Trips {
		a, aok := r.callPoint(t.Depart.Evidence)
		b, bok := r.callPoint(t.Arrive.Evidence)
		if !aok || !bok {
			continue
		}
		f := geojson.NewFeature(geoenc.Line(orb.LineString{a, b}))
		f.ID = fmt.Sprintf("trip-%d", i+1)
		f.Properties = geojson.Properties{
			"kind": "trip", "mmsi": t.MMSI, "from": t.From, "to": t.To, "month": t.Month, "possible_dark": t.Dark,
			"depart": strings.Join(t.Depart.Ports, " / "), "depart_time": t.Depart.Start.Format(time.RFC3339),
			"arrive": strings.Join(t.Arrive.Ports, " / "), "arrive_time": t.Arrive.Start.Format(time.RFC3339),
			"evidence": t.Evidence,
		}
		if err := g.Write(f); err != nil {
			return err
		}
	}
	return g.Close()
}

// callPoint is where a port call took place: the position of its first
// event found in the evidence list.
func (r *Report) callPoint(ids []string) (orb.Point, bool) {
	for _, id := range ids {
		i := slices.IndexFunc(r.Evidence, func(e Evidence) bool { return e.ID == id })
		if i >= 0 && r.Evidence[i].Event.Placed() {
			return orb.Point{r.Evidence[i].Event.Lon, r.Evidence[i].Event.Lat}, true
		}
	}
	return orb.Point{}, false
}

// WriteKML writes the report for Google Earth: a folder of tracks (each a
// line with its time span, as lookout track writes it) and a folder of
// events (placemarks with their time span, evidence in the description and
// ID in the data, as lookout analyze writes them).
func (r *Report) WriteKML(w io.Writer) error {
	k, err := geoenc.NewKML(w, r.Title)
	if err != nil {
		return err
	}
	k.Folder("Tracks")
	for _, v := range r.Vessels {
		for _, p := range output.TrackPlacemarks(v.MMSI, r.Tracks[v.MMSI], false) {
			if err := k.Placemark(p); err != nil {
				return err
			}
		}
	}
	k.EndFolder()
	k.Folder("Events")
	for i := range r.Evidence {
		if err := k.Placemark(geoenc.EventPlacemark(&r.Evidence[i].Event)); err != nil {
			return err
		}
	}
	return k.Close()
}
