package ref

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/lookout-osint/lookout/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"gopkg.in/yaml.v3"
)

// Area is a user polygon: port limits, an anchorage, an area of interest.
// A position inside an area is reported as in that area, in preference to
// the nearest port point.
type Area struct {
	Name   string
	Kind   string   // free text, e.g. "port_limits", "anchorage", "aoi"
	PortID string   // WPI number of the port it belongs to, or ""
	Groups []string // groups it belongs to (besides its port's groups)
	// Polygon is in lon/lat (GeoJSON order). Holes are honoured.
	Polygon orb.MultiPolygon
	Source  string // file it came from

	bound orb.Bound
	area  float64 // in square degrees, to rank nested areas
}

// Contains reports whether the position is inside the area.
func (a *Area) Contains(lat, lon float64) bool {
	pt := orb.Point{lon, lat}
	return a.bound.Contains(pt) && planar.MultiPolygonContains(a.Polygon, pt)
}

// userFile is the shape of the embedded groups file and of user files
// (YAML or JSON).
type userFile struct {
	Groups []userGroup `yaml:"groups"`
	Areas  []userArea  `yaml:"areas"`
	// GeoJSON lists GeoJSON files (relative to the user file) whose Polygon
	// and MultiPolygon features become areas. Feature properties: name
	// (required), kind, port, groups (a list or a comma-separated string).
	GeoJSON []string `yaml:"geojson"`
}

type userGroup struct {
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	Ports       *[]string `yaml:"ports"`  // replaces the group's ports when given
	Add         []string  `yaml:"add"`    // ports added to the group
	Remove      []string  `yaml:"remove"` // ports taken out of the group
}

type userArea struct {
	Name    string           `yaml:"name"`
	Kind    string           `yaml:"kind"`
	Port    string           `yaml:"port"`
	Groups  []string         `yaml:"groups"`
	Polygon [][][2]float64   `yaml:"polygon"`      // GeoJSON Polygon coordinates
	Multi   [][][][2]float64 `yaml:"multipolygon"` // GeoJSON MultiPolygon coordinates
}

func parseUserFile(b []byte) (*userFile, error) {
	var uf userFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&uf); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, err
	}
	return &uf, nil
}

// WithUserFile returns a copy of the catalog with the groups and areas of a
// user file applied; c itself is unchanged. The file is either a GeoJSON
// FeatureCollection of areas (properties: name, kind, port, groups) or YAML
// or JSON of this shape. A group named in
// the file replaces (ports:), extends (add:) or trims (remove:) the group of
// that name, or is created. Areas are polygons given inline or in GeoJSON
// files the user file lists. Example:
//
//	groups:
//	  - name: RU-FE
//	    add: ["60800"]          # WPI numbers
//	  - name: WATCH
//	    description: ports we watch
//	    ports: ["60725", "60280"]
//	areas:
//	  - name: Vostochnyy anchorage
//	    kind: anchorage
//	    port: "60725"
//	    polygon: [[[133.05,42.70],[133.15,42.70],[133.15,42.76],[133.05,42.76],[133.05,42.70]]]
//	geojson: [areas.geojson]
func (c *Catalog) WithUserFile(path string) (*Catalog, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ref: user file: %w", err)
	}
	// A bare GeoJSON FeatureCollection is a file of areas.
	var probe struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(b, &probe) == nil && probe.Type == "FeatureCollection" {
		n := c.clone()
		if err := n.addGeoJSON(path); err != nil {
			return nil, fmt.Errorf("ref: %w", err)
		}
		n.index()
		return n, nil
	}
	uf, err := parseUserFile(b)
	if err != nil {
		return nil, fmt.Errorf("ref: user file %s: %w", path, err)
	}
	n := c.clone()
	if err := n.applyGroups(uf.Groups, path); err != nil {
		return nil, err
	}
	for i, ua := range uf.Areas {
		mp, err := ua.polygon()
		if err != nil {
			return nil, fmt.Errorf("ref: %s: area %d (%q): %w", path, i+1, ua.Name, err)
		}
		if err := n.addArea(ua.Name, ua.Kind, ua.Port, ua.Groups, mp, path); err != nil {
			return nil, fmt.Errorf("ref: %s: area %d: %w", path, i+1, err)
		}
	}
	for _, g := range uf.GeoJSON {
		gp := g
		if !filepath.IsAbs(gp) {
			gp = filepath.Join(filepath.Dir(path), gp)
		}
		if err := n.addGeoJSON(gp); err != nil {
			return nil, fmt.Errorf("ref: %s: %w", path, err)
		}
	}
	n.index()
	return n, nil
}

func (c *Catalog) clone() *Catalog {
	n := *c
	n.groups = make(map[string]*Group, len(c.groups))
	for name, g := range c.groups {
		cp := *g
		cp.PortIDs = slices.Clone(g.PortIDs)
		cp.Areas = slices.Clone(g.Areas)
		n.groups[name] = &cp
	}
	n.order = slices.Clone(c.order)
	n.areas = slices.Clone(c.areas)
	return &n
}

func (c *Catalog) ensureGroup(name string) *Group {
	g := c.groups[name]
	if g == nil {
		g = &Group{Name: name}
		c.groups[name] = g
		c.order = append(c.order, name)
	}
	return g
}

func (c *Catalog) checkPorts(src, group string, ids []string) error {
	for _, id := range ids {
		if !c.hasPortID(id) {
			return fmt.Errorf("ref: %s: group %q: unknown WPI port number %q", src, group, id)
		}
	}
	return nil
}

func (c *Catalog) hasPortID(id string) bool {
	_, ok := c.byID[id]
	return ok
}

func (c *Catalog) applyGroups(gs []userGroup, src string) error {
	seen := map[string]bool{}
	for i, ug := range gs {
		name := strings.TrimSpace(ug.Name)
		if name == "" {
			return fmt.Errorf("ref: %s: group %d has no name", src, i+1)
		}
		if seen[name] {
			return fmt.Errorf("ref: %s: group %q defined twice", src, name)
		}
		seen[name] = true
		var lists [][]string
		if ug.Ports != nil {
			lists = append(lists, *ug.Ports)
		}
		for _, l := range append(lists, ug.Add, ug.Remove) {
			if err := c.checkPorts(src, name, l); err != nil {
				return err
			}
		}
		g := c.ensureGroup(name)
		if ug.Description != "" {
			g.Description = ug.Description
		}
		if ug.Ports != nil {
			g.PortIDs = nil
			for _, id := range *ug.Ports {
				if !slices.Contains(g.PortIDs, id) {
					g.PortIDs = append(g.PortIDs, id)
				}
			}
		}
		for _, id := range ug.Add {
			if !slices.Contains(g.PortIDs, id) {
				g.PortIDs = append(g.PortIDs, id)
			}
		}
		g.PortIDs = slices.DeleteFunc(g.PortIDs, func(id string) bool { return slices.Contains(ug.Remove, id) })
	}
	return nil
}

func (ua userArea) polygon() (orb.MultiPolygon, error) {
	switch {
	case ua.Polygon != nil && ua.Multi != nil:
		return nil, errors.New("give polygon or multipolygon, not both")
	case ua.Polygon != nil:
		return toMulti([][][][2]float64{ua.Polygon})
	case ua.Multi != nil:
		return toMulti(ua.Multi)
	}
	return nil, errors.New("no polygon or multipolygon")
}

func toMulti(coords [][][][2]float64) (orb.MultiPolygon, error) {
	if len(coords) == 0 {
		return nil, errors.New("empty multipolygon")
	}
	var mp orb.MultiPolygon
	for pi, poly := range coords {
		if len(poly) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", pi+1)
		}
		var p orb.Polygon
		for ri, ring := range poly {
			var r orb.Ring
			for _, pt := range ring {
				lon, lat := pt[0], pt[1]
				if math.IsNaN(lon) || math.IsNaN(lat) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
					return nil, fmt.Errorf("polygon %d ring %d: point [%v, %v] is not [lon, lat] in degrees", pi+1, ri+1, lon, lat)
				}
				r = append(r, orb.Point{lon, lat})
			}
			if len(r) > 0 && r[0] != r[len(r)-1] {
				r = append(r, r[0])
			}
			if len(r) < 4 {
				return nil, fmt.Errorf("polygon %d ring %d: %d points, a ring needs at least 3 distinct points", pi+1, ri+1, len(ring))
			}
			p = append(p, r)
		}
		mp = append(mp, p)
	}
	return mp, nil
}

func (c *Catalog) addArea(name, kind, port string, groups []string, mp orb.MultiPolygon, src string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("area has no name")
	}
	if port != "" && !c.hasPortID(port) {
		return fmt.Errorf("area %q: unknown WPI port number %q", name, port)
	}
	a := &Area{Name: name, Kind: kind, PortID: port, Groups: slices.Clone(groups), Polygon: mp, Source: src, bound: mp.Bound()}
	a.area = math.Abs(planar.Area(mp))
	for _, gname := range groups {
		if strings.TrimSpace(gname) == "" {
			return fmt.Errorf("area %q: empty group name", name)
		}
		g := c.ensureGroup(gname)
		g.Areas = append(g.Areas, a)
	}
	c.areas = append(c.areas, a)
	// Nested areas (an anchorage inside port limits): the smaller one wins.
	sort.SliceStable(c.areas, func(i, j int) bool { return c.areas[i].area < c.areas[j].area })
	return nil
}

func (c *Catalog) addGeoJSON(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("geojson: %w", err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return fmt.Errorf("geojson %s: %w", path, err)
	}
	if fc.Type != "FeatureCollection" {
		return fmt.Errorf("geojson %s: type %q, want FeatureCollection", path, fc.Type)
	}
	for i, f := range fc.Features {
		where := fmt.Sprintf("geojson %s: feature %d", path, i+1)
		if f.Geometry == nil {
			return fmt.Errorf("%s: no geometry", where)
		}
		var coords [][][][2]float64
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			coords = [][][][2]float64{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &coords); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		default:
			return fmt.Errorf("%s: geometry %q, want Polygon or MultiPolygon", where, f.Geometry.Type)
		}
		mp, err := toMulti(coords)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		str := func(k string) (string, error) {
			v, ok := f.Properties[k]
			if !ok || v == nil {
				return "", nil
			}
			s, ok := v.(string)
			if !ok {
				return "", fmt.Errorf("%s: property %q must be a string", where, k)
			}
			return s, nil
		}
		var props [3]string
		for j, k := range []string{"name", "kind", "port"} {
			if props[j], err = str(k); err != nil {
				return err
			}
		}
		var groups []string
		switch g := f.Properties["groups"].(type) {
		case nil:
		case string:
			for s := range strings.SplitSeq(g, ",") {
				if s = strings.TrimSpace(s); s != "" {
					groups = append(groups, s)
				}
			}
		case []any:
			for _, v := range g {
				s, ok := v.(string)
				if !ok {
					return fmt.Errorf("%s: property \"groups\" must list strings", where)
				}
				groups = append(groups, s)
			}
		default:
			return fmt.Errorf("%s: property \"groups\" must be a list or a comma-separated string", where)
		}
		if err := c.addArea(props[0], props[1], props[2], groups, mp, path); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

// Areas lists the user areas, smallest first.
func (c *Catalog) Areas() []*Area { return slices.Clone(c.areas) }

// Place answers "where is this position?" for detectors.
type Place struct {
	// Area is the user area containing the position, or nil.
	Area *Area
	// Port is the area's port, or else the nearest port within the radius.
	// Its ID is "" when there is none.
	Port Port
	// DistKm is the distance to Port's point ("in an area" does not need it).
	DistKm float64
	// Groups are the groups of the area and of the port, in catalog order.
	Groups []string
}

// Name is the area's name, else the port's, else "".
func (p Place) Name() string {
	if p.Area != nil {
		return p.Area.Name
	}
	return p.Port.Name
}

// Locate finds the place a position is in: the smallest user area that
// contains it, otherwise the nearest port within radiusKm (the caller's
// port radius). ok is false when it is in neither.
func (c *Catalog) Locate(lat, lon, radiusKm float64) (Place, bool) {
	var pl Place
	for _, a := range c.areas {
		if a.Contains(lat, lon) {
			pl.Area = a
			break
		}
	}
	switch {
	case pl.Area == nil:
		p, d, ok := c.NearestPort(lat, lon, radiusKm)
		if !ok {
			return Place{}, false
		}
		pl.Port, pl.DistKm = p, d
	case pl.Area.PortID != "":
		pl.Port, _ = c.Port(pl.Area.PortID)
		pl.DistKm = geo.DistanceKm(lat, lon, pl.Port.Lat, pl.Port.Lon)
	}
	set := map[string]bool{}
	if pl.Area != nil {
		for _, g := range pl.Area.Groups {
			set[g] = true
		}
	}
	for _, g := range c.portGrps[pl.Port.ID] {
		set[g] = true
	}
	for _, g := range c.order {
		if set[g] {
			pl.Groups = append(pl.Groups, g)
		}
	}
	return pl, true
}

// InGroupAt reports whether a position is in the named group: inside one of
// its areas, inside an area of one of its ports, or within radiusKm of one
// of its ports.
func (c *Catalog) InGroupAt(lat, lon float64, group string, radiusKm float64) bool {
	g := c.groups[group]
	if g == nil {
		return false
	}
	for _, a := range g.Areas {
		if a.Contains(lat, lon) {
			return true
		}
	}
	for _, a := range c.areas {
		if a.PortID != "" && slices.Contains(g.PortIDs, a.PortID) && a.Contains(lat, lon) {
			return true
		}
	}
	for _, pd := range c.PortsWithin(lat, lon, radiusKm) {
		if slices.Contains(g.PortIDs, pd.Port.ID) {
			return true
		}
	}
	return false
}
