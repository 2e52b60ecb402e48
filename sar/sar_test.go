package sar

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func sample() []Detection {
	t0 := time.Date(2024, 3, 1, 21, 30, 5, 0, time.UTC)
	return []Detection{
		{ID: "a", Scene: "S1A_X", Time: t0, Lat: 42.71, Lon: 133.07, LengthM: 104.5, WidthM: 18, HeadingDeg: 35, Score: 12.25, Pixels: 60, Source: "lookout-cfar"},
		{ID: "b", Scene: "S1A_X", Time: t0, Lat: 42.6, Lon: 132.9, Score: 7, Source: "lookout-cfar"},
	}
}

func TestCSVAndGeoJSONRoundTrip(t *testing.T) {
	for name, write := range map[string]func(*bytes.Buffer, []Detection) error{
		"csv":     func(b *bytes.Buffer, d []Detection) error { return WriteCSV(b, d) },
		"geojson": func(b *bytes.Buffer, d []Detection) error { return WriteGeoJSON(b, d) },
	} {
		var buf bytes.Buffer
		if err := write(&buf, sample()); err != nil {
			t.Fatal(err)
		}
		got, st, err := Import(&buf, "file", time.Time{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st.Accepted != 2 || st.Rows != 2 {
			t.Fatalf("%s: stats %v", name, st)
		}
		for i, want := range sample() {
			if got[i] != want {
				t.Errorf("%s: row %d = %+v, want %+v", name, i, got[i], want)
			}
		}
	}
}

func TestImportGFWStyleWithBadRows(t *testing.T) {
	in := `scene_id,detect_id,detect_timestamp,detect_lat,detect_lon,presence,length_m,ssvid
S1B_1,S1B_1;133.1;42.7,2021-06-01 21:30:05 UTC,42.7,133.1,0.93,88.2,
S1B_1,x2,2021-06-01 21:30:05 UTC,95,133.1,0.5,40,
S1B_1,x3,yesterday,42.7,133.1,0.5,40,
S1B_1,x4,2021-06-01 21:30:05 UTC,42.7,,0.5,40,
S1B_1,x5,2021-06-01 21:30:05 UTC,42.7,133.2,0.5,-3,
S1B_1,x6,2021-06-01 21:30:05 UTC,42.7
S1B_1,x7,1622583005,42.8,133.3,0.61,,
`
	ds, st, err := Import(strings.NewReader(in), "gfw", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 7 || st.Accepted != 2 || len(ds) != 2 {
		t.Fatalf("stats %v", st)
	}
	for _, r := range []string{"bad latitude", "bad time", "missing longitude", "bad length", "wrong number of fields"} {
		if st.Rejected[r] != 1 {
			t.Errorf("reason %q counted %d, want 1 (%v)", r, st.Rejected[r], st)
		}
	}
	want := time.Date(2021, 6, 1, 21, 30, 5, 0, time.UTC)
	if !ds[0].Time.Equal(want) || ds[0].LengthM != 88.2 || ds[0].Score != 0.93 || ds[0].Scene != "S1B_1" || ds[0].Source != "gfw" {
		t.Errorf("first = %+v", ds[0])
	}
	if !ds[1].Time.Equal(want) || ds[1].LengthM != 0 || ds[1].ID != "x7" {
		t.Errorf("unix time row = %+v", ds[1])
	}
}

func TestImportErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                             "empty",
		"a,b,c\n1,2,3\n":               "no latitude column",
		"latitude,foo\n1,2\n":          "no longitude column",
		`{"type":"Feature"}`:           "want a GeoJSON FeatureCollection",
		`{"type":"FeatureCollection",`: "reading GeoJSON",
	} {
		_, _, err := Import(strings.NewReader(in), "x", time.Time{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Import(%q) err = %v, want %q", in, err, want)
		}
	}
}

func TestImportGeoJSONDefaultTime(t *testing.T) {
	in := `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[133.1,42.7]},"properties":{"confidence":0.8,"estimated_length":120}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[133.1,42.7],[133,42]]},"properties":{}}]}`
	def := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	ds, st, err := Import(strings.NewReader(in), "skylight", def)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || st.Rejected["geometry is not a point"] != 1 {
		t.Fatalf("%v %v", ds, st)
	}
	if d := ds[0]; d.Lat != 42.7 || d.Lon != 133.1 || d.LengthM != 120 || d.Score != 0.8 || !d.Time.Equal(def) {
		t.Errorf("got %+v", d)
	}
}

func TestImportSimulatorScenes(t *testing.T) {
	in := `{"id":"S1-20240301T093000","time":"2024-03-01T09:30:00Z","footprint":{"min_lat":41,"min_lon":131,"max_lat":43,"max_lon":134},"detections":[{"lat":42.7,"lon":133.05,"time":"2024-03-01T09:30:00Z","length_m":104,"score":0.91,"truth":"273111000","ais_on":false,"vessel":3},{"lat":42.6,"lon":133.1,"time":"2024-03-01T09:30:00Z","length_m":31,"score":0.6,"truth":"false_alarm"}],"misses":[]}
{"id":"S1-20240302T093000","time":"2024-03-02T09:30:00Z","footprint":{"min_lat":41,"min_lon":131,"max_lat":43,"max_lon":134},"detections":[{"lat":142.6,"lon":133.1,"time":"2024-03-02T09:30:00Z","length_m":31,"score":0.6,"truth":"false_alarm"}],"misses":[]}
`
	ds, st, err := Import(strings.NewReader(in), "sim", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || st.Rejected["bad latitude"] != 1 || ds[0].Scene != "S1-20240301T093000" || ds[0].LengthM != 104 || ds[1].ID != "sim#2" {
		t.Fatalf("%+v %v", ds, st)
	}
}
