package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/store/output"
)

// Formats lists the export formats besides HTML.
var Formats = []string{"kml", "geojson"}

// WriteGeoJSON writes everything the report maps as one FeatureCollection:
// each vessel's track (package store/output's feature, with the vessel's
// colour), every event of the evidence list (package analyze's feature,
// with its ID) and every trip as a line from departure to arrival with its
// evidence IDs.
func (r *Report) WriteGeoJSON(w io.Writer) error {
	var feats []json.RawMessage
	for _, v := range r.Vessels {
		ps := r.Tracks[v.MMSI]
		if len(ps) == 0 {
			continue
		}
		var buf bytes.Buffer
		if err := output.Track(&buf, "geojson", v.MMSI, ps, false); err != nil {
			return err
		}
		var fc struct{ Features []map[string]any }
		if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
			return fmt.Errorf("report: track %d: %w", v.MMSI, err)
		}
		for _, f := range fc.Features {
			if p, ok := f["properties"].(map[string]any); ok {
				p["kind"], p["name"], p["stroke"] = "track", v.Name(), v.Colour
			}
			b, err := json.Marshal(f)
			if err != nil {
				return err
			}
			feats = append(feats, b)
		}
	}
	buf, err := r.evidenceAs("geojson")
	if err != nil {
		return err
	}
	var evs struct{ Features []json.RawMessage }
	if err := json.Unmarshal(buf.Bytes(), &evs); err != nil {
		return fmt.Errorf("report: events: %w", err)
	}
	feats = append(feats, evs.Features...)
	for i, t := range r.Trips.Trips {
		a, aok := r.callPoint(t.Depart.Evidence)
		b, bok := r.callPoint(t.Arrive.Evidence)
		if !aok || !bok {
			continue
		}
		f := map[string]any{
			"type":     "Feature",
			"id":       fmt.Sprintf("trip-%d", i+1),
			"geometry": map[string]any{"type": "LineString", "coordinates": [][2]float64{a, b}},
			"properties": map[string]any{
				"kind": "trip", "mmsi": t.MMSI, "from": t.From, "to": t.To, "month": t.Month, "possible_dark": t.Dark,
				"depart": strings.Join(t.Depart.Ports, " / "), "depart_time": t.Depart.Start.Format(time.RFC3339),
				"arrive": strings.Join(t.Arrive.Ports, " / "), "arrive_time": t.Arrive.Start.Format(time.RFC3339),
				"evidence": t.Evidence,
			},
		}
		b2, err := json.Marshal(f)
		if err != nil {
			return err
		}
		feats = append(feats, b2)
	}
	if feats == nil {
		feats = []json.RawMessage{}
	}
	enc := json.NewEncoder(w)
	return enc.Encode(struct {
		Type     string            `json:"type"`
		Name     string            `json:"name"`
		Features []json.RawMessage `json:"features"`
	}{"FeatureCollection", r.Title, feats})
}

// callPoint is where a port call took place: the position of its first
// event found in the evidence list, as [lon, lat].
func (r *Report) callPoint(ids []string) ([2]float64, bool) {
	for _, id := range ids {
		i := slices.IndexFunc(r.Evidence, func(e Evidence) bool { return e.ID == id })
		if i >= 0 && !(r.Evidence[i].Event.Lat == 0 && r.Evidence[i].Event.Lon == 0) {
			return [2]float64{r.Evidence[i].Event.Lon, r.Evidence[i].Event.Lat}, true
		}
	}
	return [2]float64{}, false
}

// WriteKML writes the report for Google Earth: a folder of tracks (each a
// line with its time span, from package store/output) and a folder of
// events (placemarks with their time span and evidence in the description,
// from package analyze). Each writer's document becomes a folder.
func (r *Report) WriteKML(w io.Writer) error {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>`)
	xml.EscapeText(&b, []byte(r.Title))
	b.WriteString("</name>\n<Folder><name>Tracks</name>\n")
	for _, v := range r.Vessels {
		ps := r.Tracks[v.MMSI]
		if len(ps) == 0 {
			continue
		}
		var buf bytes.Buffer
		if err := output.Track(&buf, "kml", v.MMSI, ps, false); err != nil {
			return err
		}
		inner, err := documentBody(buf.String())
		if err != nil {
			return fmt.Errorf("report: track %d: %w", v.MMSI, err)
		}
		b.WriteString("<Folder>")
		b.WriteString(inner)
		b.WriteString("</Folder>\n")
	}
	b.WriteString("</Folder>\n")
	buf, err := r.evidenceAs("kml")
	if err != nil {
		return err
	}
	inner, err := documentBody(r.withEventIDs(buf.String()))
	if err != nil {
		return fmt.Errorf("report: events: %w", err)
	}
	b.WriteString("<Folder>")
	b.WriteString(inner)
	b.WriteString("</Folder>\n</Document></kml>\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// documentBody is what lies inside the <Document> element of a KML file
// (its name and placemarks), so it can become a folder of another.
// evidenceAs renders the evidence events with analyze's writer for format,
// so the report's exports show events exactly as lookout analyze does.
func (r *Report) evidenceAs(format string) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	ew, err := analyze.NewWriter(&buf, format)
	if err != nil {
		return nil, err
	}
	for i := range r.Evidence {
		if err := ew.Write(&r.Evidence[i].Event); err != nil {
			return nil, err
		}
	}
	return &buf, ew.Close()
}

func documentBody(kml string) (string, error) {
	const open, end = "<Document>", "</Document>"
	i, j := strings.Index(kml, open), strings.LastIndex(kml, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("not a KML document")
	}
	return kml[i+len(open) : j], nil
}

// withEventIDs adds each event's ID to its placemark's extended data, so a
// placemark can be cited like the report's evidence list. Package analyze
// writes one placemark a line, in the order given; if that ever changes,
// the KML is left as written.
func (r *Report) withEventIDs(kml string) string {
	lines := strings.SplitAfter(kml, "\n")
	var pm []int
	for i, l := range lines {
		if strings.HasPrefix(l, "<Placemark>") && strings.Count(l, "<ExtendedData>") == 1 {
			pm = append(pm, i)
		}
	}
	if len(pm) != len(r.Evidence) {
		return kml
	}
	for k, i := range pm {
		lines[i] = strings.Replace(lines[i], "<ExtendedData>", `<ExtendedData><Data name="id"><value>`+r.Evidence[k].ID+`</value></Data>`, 1)
	}
	return strings.Join(lines, "")
}
