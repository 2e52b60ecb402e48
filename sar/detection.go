// Package sar holds Lookout's satellite radar work: the ship detections
// themselves (made by sar/cfar or imported from Global Fishing Watch,
// Skylight or xView3-style exports) and their CSV and GeoJSON forms.
// Sub-packages read GeoTIFF scenes (sar/geotiff), detect ships in them
// (sar/cfar), render synthetic scenes (sar/render) and match detections to
// AIS tracks (sar/match).
package sar

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/lookout-osint/lookout/geoenc"
)

// Detection is one ship-like target seen in a satellite image.
type Detection struct {
	ID    string    `json:"id,omitempty"`
	Scene string    `json:"scene,omitempty"`
	Time  time.Time `json:"time"`
	Lat   float64   `json:"lat"`
	Lon   float64   `json:"lon"`
	// LengthM and WidthM are the estimated hull size in metres, 0 when
	// unknown. HeadingDeg is the hull axis in degrees clockwise from north,
	// 0–180 (radar cannot tell bow from stern), meaningful only when
	// LengthM > 0.
	LengthM    float64 `json:"length_m,omitempty"`
	WidthM     float64 `json:"width_m,omitempty"`
	HeadingDeg float64 `json:"heading_deg,omitempty"`
	// Score is how sure the detector is: for sar/cfar the peak contrast in
	// background standard deviations; for imports, the source's own score
	// (GFW presence probability, Skylight confidence).
	Score float64 `json:"score"`
	// Pixels is the number of pixels above threshold (0 for imports).
	Pixels int `json:"pixels,omitempty"`
	// Source names the detector: "lookout-cfar", "gfw", "skylight", a file name.
	Source string `json:"source,omitempty"`
}

// CSVHeader is the column order of WriteCSV; Import reads it back.
var CSVHeader = []string{"id", "scene", "time", "lat", "lon", "length_m", "width_m", "heading_deg", "score", "pixels", "source"}

func ftoa(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// WriteCSV writes detections with CSVHeader.
func WriteCSV(w io.Writer, ds []Detection) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, d := range ds {
		t := ""
		if !d.Time.IsZero() {
			t = d.Time.UTC().Format(time.RFC3339)
		}
		if err := cw.Write([]string{d.ID, d.Scene, t, ftoa(d.Lat, 6), ftoa(d.Lon, 6), ftoa(d.LengthM, 1), ftoa(d.WidthM, 1),
			ftoa(d.HeadingDeg, 1), ftoa(d.Score, 3), strconv.Itoa(d.Pixels), d.Source}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteGeoJSON writes detections as a FeatureCollection of points whose
// properties are the Detection fields.
func WriteGeoJSON(w io.Writer, ds []Detection) error {
	fc := geojson.FeatureCollectionOf[Detection]{Type: "FeatureCollection", Features: make([]*geojson.FeatureOf[Detection], 0, len(ds))}
	for _, d := range ds {
		fc.Features = append(fc.Features, &geojson.FeatureOf[Detection]{Type: "Feature", Geometry: geoenc.Point(d.Lon, d.Lat), Properties: d})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(fc)
}
