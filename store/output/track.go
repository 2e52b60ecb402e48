// Package output writes what the store holds in the forms analysts load
// elsewhere: a vessel's track as GeoJSON (QGIS, geojson.io), KML (Google
// Earth) or CSV.
package output

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/store"
)

// TrackFormats lists the formats of Track.
var TrackFormats = []string{"geojson", "kml", "csv"}

// Track writes one vessel's positions. GeoJSON and KML hold the track as a
// line and, with points, every position as a point with its time, speed,
// course and receiving station.
func Track(w io.Writer, format string, mmsi uint32, ps []store.Position, points bool) error {
	switch format {
	case "geojson":
		return trackGeoJSON(w, mmsi, ps, points)
	case "kml":
		return trackKML(w, mmsi, ps, points)
	case "csv":
		return trackCSV(w, ps)
	}
	return fmt.Errorf("unknown track format %q (want one of %s)", format, strings.Join(TrackFormats, ", "))
}

func num32(f float32) any {
	if store.IsNaN32(f) {
		return nil
	}
	return f
}

func trackGeoJSON(w io.Writer, mmsi uint32, ps []store.Position, points bool) error {
	type geometry struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   geometry       `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	if len(ps) > 0 {
		line := make([][2]float64, len(ps))
		for i, p := range ps {
			line[i] = [2]float64{p.Lon, p.Lat}
		}
		typ := "LineString"
		var coords any = line
		if len(ps) == 1 {
			typ, coords = "Point", line[0]
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: geometry{typ, coords}, Properties: map[string]any{
			"mmsi": mmsi, "start": ps[0].Time.Format(time.RFC3339), "end": ps[len(ps)-1].Time.Format(time.RFC3339), "positions": len(ps)}})
	}
	if points {
		for _, p := range ps {
			props := map[string]any{"mmsi": p.MMSI, "time": p.Time.Format(time.RFC3339), "sog": num32(p.SOG), "cog": num32(p.COG), "status": p.Status}
			if p.Heading >= 0 {
				props["heading"] = p.Heading
			}
			if p.Station != "" {
				props["station"] = p.Station
			}
			fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: geometry{"Point", [2]float64{p.Lon, p.Lat}}, Properties: props})
		}
	}
	enc := json.NewEncoder(w)
	return enc.Encode(fc)
}

func trackKML(w io.Writer, mmsi uint32, ps []store.Position, points bool) error {
	var b strings.Builder
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><name>MMSI %d</name>\n", mmsi)
	if len(ps) > 0 {
		fmt.Fprintf(&b, "<Placemark><name>MMSI %d track</name><TimeSpan><begin>%s</begin><end>%s</end></TimeSpan><LineString><tessellate>1</tessellate><coordinates>",
			mmsi, ps[0].Time.Format(time.RFC3339), ps[len(ps)-1].Time.Format(time.RFC3339))
		for _, p := range ps {
			b.WriteString(strconv.FormatFloat(p.Lon, 'f', -1, 64))
			b.WriteByte(',')
			b.WriteString(strconv.FormatFloat(p.Lat, 'f', -1, 64))
			b.WriteByte(' ')
		}
		b.WriteString("</coordinates></LineString></Placemark>\n")
	}
	if points {
		for _, p := range ps {
			fmt.Fprintf(&b, "<Placemark><TimeStamp><when>%s</when></TimeStamp><description>sog %s kn, cog %s°, station %s</description><Point><coordinates>%s,%s</coordinates></Point></Placemark>\n",
				p.Time.Format(time.RFC3339), text32(p.SOG), text32(p.COG), xmlEscape(p.Station),
				strconv.FormatFloat(p.Lon, 'f', -1, 64), strconv.FormatFloat(p.Lat, 'f', -1, 64))
		}
	}
	b.WriteString("</Document></kml>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func text32(f float32) string {
	if store.IsNaN32(f) {
		return "n/a"
	}
	return strconv.FormatFloat(float64(f), 'f', -1, 32)
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func trackCSV(w io.Writer, ps []store.Position) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"mmsi", "time", "lat", "lon", "sog", "cog", "heading", "status", "station", "flags"})
	f32 := func(f float32) string {
		if store.IsNaN32(f) {
			return ""
		}
		return strconv.FormatFloat(float64(f), 'f', -1, 32)
	}
	for _, p := range ps {
		heading := ""
		if p.Heading >= 0 {
			heading = strconv.Itoa(int(p.Heading))
		}
		cw.Write([]string{strconv.FormatUint(uint64(p.MMSI), 10), p.Time.Format(time.RFC3339Nano),
			strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64),
			f32(p.SOG), f32(p.COG), heading, strconv.Itoa(int(p.Status)), p.Station, strconv.FormatUint(uint64(p.Flags), 10)})
	}
	cw.Flush()
	return cw.Error()
}
