package ref

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUserFileOverrides(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "areas.geojson", `{"type":"FeatureCollection","features":[
	 {"type":"Feature","properties":{"name":"Nampo anchorage","kind":"anchorage","port":"60280"},
	  "geometry":{"type":"Polygon","coordinates":[[[125.0,38.6],[125.3,38.6],[125.3,38.8],[125.0,38.8],[125.0,38.6]]]}},
	 {"type":"Feature","properties":{"name":"STS box","groups":"AOI-STS, WATCH"},
	  "geometry":{"type":"MultiPolygon","coordinates":[[[[132.0,40.0],[133.0,40.0],[133.0,41.0],[132.0,41.0]]]]}}]}`)
	path := writeFile(t, dir, "lookout.yaml", `
groups:
  - name: RU-FE
    add: ["60800"]
    remove: ["60720"]
  - name: KP
    description: only two
    ports: ["60280", "60510"]
  - name: WATCH
    ports: ["60725", "60280"]
areas:
  - name: Vostochnyy port limits
    kind: port_limits
    port: "60725"
    polygon: [[[133.00,42.70],[133.20,42.70],[133.20,42.80],[133.00,42.80],[133.00,42.70]]]
  - name: Vostochnyy inner berth
    port: "60725"
    groups: [BERTHS]
    polygon: [[[133.05,42.74],[133.10,42.74],[133.10,42.76],[133.05,42.76]]]
geojson: [areas.geojson]
`)
	base := Default()
	c, err := base.WithUserFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !c.InGroup("60800", "RU-FE") || c.InGroup("60720", "RU-FE") || !c.InGroup("60725", "RU-FE") {
		t.Errorf("RU-FE after add/remove: %v", c.Group("RU-FE").PortIDs)
	}
	if got := c.Group("KP"); !slices.Equal(got.PortIDs, []string{"60280", "60510"}) || got.Description != "only two" {
		t.Errorf("KP replaced: %+v", got)
	}
	if c.InGroup("60500", "KP") || !slices.Contains(c.GroupsOf("60280"), "WATCH") {
		t.Errorf("groups of 60500 %v, 60280 %v", c.GroupsOf("60500"), c.GroupsOf("60280"))
	}
	// The base catalog is untouched.
	if base.InGroup("60800", "RU-FE") || !base.InGroup("60500", "KP") || base.Group("WATCH") != nil || len(base.Areas()) != 0 {
		t.Error("WithUserFile changed the catalog it was called on")
	}
	// Areas take precedence over port points, the smallest area first.
	pl, ok := c.Locate(42.75, 133.07, 10)
	if !ok || pl.Area == nil || pl.Area.Name != "Vostochnyy inner berth" || pl.Port.ID != "60725" {
		t.Fatalf("Locate in berth = %+v %v", pl, ok)
	}
	if !slices.Equal(pl.Groups, []string{"RU-FE", "RU-PAC", "WATCH", "BERTHS"}) {
		t.Errorf("berth groups %v", pl.Groups)
	}
	pl, ok = c.Locate(42.71, 133.19, 1)
	if !ok || pl.Name() != "Vostochnyy port limits" || pl.Port.ID != "60725" {
		t.Errorf("Locate in port limits = %+v %v", pl, ok)
	}
	// Nampo anchorage reaches 40 km from the Nampo point, beyond the radius.
	pl, ok = c.Locate(38.62, 125.02, 5)
	if !ok || pl.Name() != "Nampo anchorage" || !slices.Equal(pl.Groups, []string{"KP", "WATCH"}) {
		t.Errorf("Locate in Nampo anchorage = %+v %v", pl, ok)
	}
	if !c.InGroupAt(38.62, 125.02, "KP", 5) || base.InGroupAt(38.62, 125.02, "KP", 5) {
		t.Error("InGroupAt does not use the area")
	}
	pl, ok = c.Locate(40.5, 132.5, 5)
	if !ok || pl.Name() != "STS box" || pl.Port.ID != "" || !slices.Equal(pl.Groups, []string{"WATCH", "AOI-STS"}) {
		t.Errorf("Locate in STS box = %+v %v", pl, ok)
	}
	if !c.InGroupAt(40.5, 132.5, "AOI-STS", 0) || c.InGroupAt(39.5, 132.5, "AOI-STS", 0) {
		t.Error("InGroupAt for an area-only group")
	}
	// Outside areas: nearest port point within the radius, or nothing.
	if pl, ok := c.Locate(43.10, 131.89, 5); !ok || pl.Area != nil || pl.Port.ID != "60610" {
		t.Errorf("Locate Vladivostok = %+v %v", pl, ok)
	}
	if _, ok := c.Locate(39.5, 134.0, 20); ok {
		t.Error("open sea located somewhere")
	}
	// A bare GeoJSON file is a file of areas.
	if c3, err := base.WithUserFile(filepath.Join(dir, "areas.geojson")); err != nil {
		t.Errorf("GeoJSON user file: %v", err)
	} else if pl, ok := c3.Locate(38.62, 125.02, 5); !ok || pl.Name() != "Nampo anchorage" || len(c3.Areas()) != 2 || c3.Group("AOI-STS") == nil {
		t.Errorf("GeoJSON user file: Locate = %+v %v", pl, ok)
	}
	// JSON works too.
	jpath := writeFile(t, dir, "groups.json", `{"groups":[{"name":"X","ports":["60725"]}]}`)
	if c2, err := base.WithUserFile(jpath); err != nil || !c2.InGroup("60725", "X") {
		t.Errorf("JSON user file: %v", err)
	}
}

func TestUserFileErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "point.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"p"},"geometry":{"type":"Point","coordinates":[1,2]}}]}`)
	writeFile(t, dir, "noname.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`)
	writeFile(t, dir, "feature.geojson", `{"type":"Feature"}`)
	for _, c := range []struct{ name, body, want string }{
		{"unknown port", "groups:\n  - name: X\n    ports: [\"99999999\"]\n", `unknown WPI port number "99999999"`},
		{"typo field", "groups:\n  - name: X\n    prots: [\"60725\"]\n", "field prots not found"},
		{"bad yaml", "groups: [\n", "yaml"},
		{"empty", "", "empty file"},
		{"no group name", "groups:\n  - ports: [\"60725\"]\n", "group 1 has no name"},
		{"twice", "groups:\n  - name: A\n  - name: A\n", `group "A" defined twice`},
		{"area no polygon", "areas:\n  - name: a\n", "no polygon"},
		{"area lat/lon swapped", "areas:\n  - name: a\n    polygon: [[[42.7,133.0],[42.8,133.0],[42.8,133.1]]]\n", "is not [lon, lat]"},
		{"area too few points", "areas:\n  - name: a\n    polygon: [[[1,1],[2,2]]]\n", "at least 3 distinct points"},
		{"area unknown port", "areas:\n  - name: a\n    port: \"1\"\n    polygon: [[[0,0],[1,0],[1,1]]]\n", `unknown WPI port number "1"`},
		{"area no name", "areas:\n  - polygon: [[[0,0],[1,0],[1,1]]]\n", "area has no name"},
		{"geojson missing", "geojson: [nope.geojson]\n", "nope.geojson"},
		{"geojson point", "geojson: [point.geojson]\n", `geometry "Point", want Polygon or MultiPolygon`},
		{"geojson no name", "geojson: [noname.geojson]\n", "area has no name"},
		{"geojson not a collection", "geojson: [feature.geojson]\n", "want FeatureCollection"},
	} {
		path := writeFile(t, dir, "u.yaml", c.body)
		_, err := Default().WithUserFile(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
	if _, err := Default().WithUserFile(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}
