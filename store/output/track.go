// Package output writes what the store holds in the forms analysts load
// elsewhere: a vessel's track as GeoJSON (QGIS, geojson.io), KML (Google
// Earth) or CSV.
package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lookout-osint/lookout/geoenc"
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
		fc := geojson.NewFeatureCollection()
		fc.Features = append(fc.Features, TrackFeatures(mmsi, ps, points)...)
		return json.NewEncoder(w).Encode(fc)
	case "kml":
		return geoenc.WriteKML(w, fmt.Sprintf("MMSI %d", mmsi), TrackPlacemarks(mmsi, ps, points))
	case "csv":
		return trackCSV(w, ps)
	}
	return fmt.Errorf("unknown track format %q (want one of %s)", format, strings.Join(TrackFormats, ", "))
}

// TrackFeatures is a vessel's track in GeoJSON: one line (a point for a
// single position) with its span and number of positions, and with points
// every position as a point with its time, speed, course, heading and
// receiving station (each left out where unknown).
func TrackFeatures(mmsi uint32, ps []store.Position, points bool) []*geojson.Feature {
	if len(ps) == 0 {
		return nil
	}
	line := geojson.NewFeature(geoenc.Line(lineOf(ps)))
	line.Properties = geojson.Properties{"mmsi": mmsi, "start": ps[0].Time.Format(time.RFC3339),
		"end": ps[len(ps)-1].Time.Format(time.RFC3339), "positions": len(ps)}
	fs := []*geojson.Feature{line}
	if points {
		for _, p := range ps {
			f := geojson.NewFeature(geoenc.Point(p.Lon, p.Lat))
			f.Properties = geojson.Properties{"mmsi": p.MMSI, "time": p.Time.Format(time.RFC3339), "status": p.Status}
			if !store.IsNaN32(p.SOG) {
				f.Properties["sog"] = p.SOG
			}
			if !store.IsNaN32(p.COG) {
				f.Properties["cog"] = p.COG
			}
			if p.Heading >= 0 {
				f.Properties["heading"] = p.Heading
			}
			if p.Station != "" {
				f.Properties["station"] = p.Station
			}
			fs = append(fs, f)
		}
	}
	return fs
}

func lineOf(ps []store.Position) orb.LineString {
	ls := make(orb.LineString, len(ps))
	for i, p := range ps {
		ls[i] = orb.Point{p.Lon, p.Lat}
	}
	return ls
}

// TrackPlacemarks is a vessel's track in KML: one line with its time span
// and, with points, every position stamped with its time and described by
// its speed, course and station.
func TrackPlacemarks(mmsi uint32, ps []store.Position, points bool) []*geoenc.Placemark {
	if len(ps) == 0 {
		return nil
	}
	pms := []*geoenc.Placemark{{Name: fmt.Sprintf("MMSI %d track", mmsi), Begin: ps[0].Time, End: ps[len(ps)-1].Time,
		Geometry: geoenc.Line(lineOf(ps))}}
	if points {
		for _, p := range ps {
			pms = append(pms, &geoenc.Placemark{When: p.Time, Geometry: geoenc.Point(p.Lon, p.Lat),
				Description: fmt.Sprintf("sog %s kn, cog %s°, station %s", text32(p.SOG), text32(p.COG), p.Station)})
		}
	}
	return pms
}

func text32(f float32) string {
	if store.IsNaN32(f) {
		return "n/a"
	}
	return strconv.FormatFloat(float64(f), 'f', -1, 32)
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
