package serve

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"github.com/lookout-osint/lookout/ref"
)

// The first screen is sent in the page itself: the default story's JSON
// and a drawing of it (land, the groups, the trips) as inline SVG, so the
// headline and the trips are on screen as soon as the HTML is, while
// MapLibre starts its software WebGL behind the drawing (seconds on a
// machine without a GPU). The page swaps the drawing for the map once the
// map has drawn the same view.

// firstMarker is where index.html takes the first screen.
const firstMarker = "<!--lookout:first-screen-->"

// Colours shared by the drawing and the map: the server assigns them so
// both agree.
var (
	groupColors  = []string{"#2c3e91", "#c0392b", "#7b3294", "#008837"}
	vesselColors = []string{"#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#1b9e77",
		"#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#17becf", "#bcbd22", "#8c564b"}
)

// colorVessels colours each trip by its vessel, the vessels with the most
// trips first, and returns that order.
func colorVessels(tracks *geojson.FeatureCollection) []uint32 {
	n := map[uint32]int{}
	for _, f := range tracks.Features {
		n[f.Properties["mmsi"].(uint32)]++
	}
	order := make([]uint32, 0, len(n))
	for m := range n {
		order = append(order, m)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		return n[a] > n[b] || n[a] == n[b] && a < b
	})
	color := map[uint32]string{}
	for i, m := range order {
		color[m] = vesselColors[i%len(vesselColors)]
	}
	for _, f := range tracks.Features {
		f.Properties["color"] = color[f.Properties["mmsi"].(uint32)]
	}
	return order
}

// groupShapes outlines each group as the convex hull of circles round its
// ports (catalogue positions; about 33 km), so a one-port group is still
// an area, and lists the ports for their labels.
func groupShapes(cat *ref.Catalog, names ...string) (outlines, ports *geojson.FeatureCollection) {
	outlines, ports = newFC(), newFC()
	for i, g := range names {
		grp := cat.Group(g)
		if grp == nil {
			continue
		}
		var pts []orb.Point
		var in []ref.Port
		for _, id := range grp.PortIDs {
			if p, ok := cat.Port(id); ok {
				in = append(in, p)
			}
		}
		if len(in) == 0 {
			continue
		}
		for _, p := range in {
			const r = 0.3 // degrees of latitude
			for k := range 16 {
				a := float64(k) / 16 * 2 * math.Pi
				pts = append(pts, orb.Point{round4(p.Lon + r*math.Cos(a)/math.Cos(p.Lat*math.Pi/180)), round4(p.Lat + r*math.Sin(a))})
			}
			f := geojson.NewFeature(orb.Point{p.Lon, p.Lat})
			f.Properties = geojson.Properties{"name": p.Name, "group": g}
			ports.Append(f)
		}
		f := geojson.NewFeature(orb.Polygon{convexHull(pts)})
		f.Properties = geojson.Properties{"name": g, "color": groupColors[i%len(groupColors)], "ports": len(in)}
		outlines.Append(f)
	}
	return outlines, ports
}

// convexHull is Andrew's monotone chain, closed.
func convexHull(pts []orb.Point) orb.Ring {
	p := slices.Clone(pts)
	slices.SortFunc(p, func(a, b orb.Point) int {
		if a[0] != b[0] {
			return cmpF(a[0], b[0])
		}
		return cmpF(a[1], b[1])
	})
	cross := func(o, a, b orb.Point) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	half := func(list []orb.Point) []orb.Point {
		var h []orb.Point
		for _, q := range list {
			for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
				h = h[:len(h)-1]
			}
			h = append(h, q)
		}
		return h[:len(h)-1]
	}
	lower := half(p)
	slices.Reverse(p)
	ring := append(lower, half(p)...)
	return append(ring, ring[0])
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// storyView is the box (west, south, east, north) of the trips, which
// the page frames; with no trips, the sea between the default groups.
func storyView(tracks *geojson.FeatureCollection) [4]float64 {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, f := range tracks.Features {
		b = b.Union(f.Geometry.Bound())
	}
	if math.IsInf(b.Min[0], 0) {
		return [4]float64{127, 38, 137, 46}
	}
	return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
}

// Web Mercator as MapLibre uses it: the world is the unit square, y down.
func mercX(lon float64) float64 { return (lon + 180) / 360 }
func mercY(lat float64) float64 {
	return (1 - math.Log(math.Tan(math.Pi/4+lat*math.Pi/360))/math.Pi) / 2
}

// previewWidth is the drawing's width in its own units, about the map's
// width in pixels on a laptop, so line widths and text read as on the map.
const previewWidth = 1000.0

// previewSVG draws the story for the first screen: sea, land, the groups
// outlined and labelled with their ports, the trips in their vessels'
// colours (possibly dark dashed, port-to-port dotted), each with a title
// that names it.
func (s *Server) previewSVG(st *Story) []byte {
	v := st.View
	// Drawn in Web Mercator from the view's north-west corner, the view
	// previewWidth wide; data-merc says so, for first.js to frame it as
	// the map will be. The view box here is for a page without scripts.
	x0, y0 := mercX(v[0]), mercY(v[3])
	k := previewWidth / math.Max(mercX(v[2])-x0, 1e-6)
	h := (mercY(v[1]) - y0) * k
	px := func(p orb.Point) (float64, float64) { return (mercX(p[0]) - x0) * k, (mercY(p[1]) - y0) * k }
	// One unit is a pixel or so: finer detail is not seen.
	tol := math.Max(v[2]-v[0], 0.01) / previewWidth
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg id="preview" xmlns="http://www.w3.org/2000/svg" viewBox="%.0f %.0f %.0f %.0f" data-merc="%g %g %g" role="img" aria-label="The trips %s → %s on a map">`,
		-0.4*previewWidth, -0.2*h, 1.5*previewWidth, 1.4*h, x0, y0, k, html.EscapeString(st.From), html.EscapeString(st.To))
	path := func(ls orb.LineString, closed bool) {
		for i, p := range ls {
			x, y := px(p)
			if i == 0 {
				fmt.Fprintf(&b, "M%.1f %.1f", x, y)
			} else {
				fmt.Fprintf(&b, "L%.1f %.1f", x, y)
			}
		}
		if closed {
			b.WriteByte('Z')
		}
	}
	// The land of a box wider than the trips': the window shows more.
	dx, dy := math.Max(v[2]-v[0], 2), math.Max(v[3]-v[1], 2)
	wide := [4]float64{v[0] - dx, v[1] - dy, v[2] + dx, v[3] + dy}
	b.WriteString(`<path fill="#f2efe6" stroke="#9a9788" stroke-width="0.6" fill-rule="evenodd" d="`)
	for _, poly := range s.landIn(wide, tol) {
		for _, ring := range poly {
			path(orb.LineString(ring), true)
		}
	}
	b.WriteString(`"/>`)
	for _, f := range st.Groups.Features {
		c := f.Properties["color"].(string)
		fmt.Fprintf(&b, `<path fill="%s" fill-opacity="0.12" stroke="%s" stroke-width="2" d="`, c, c)
		path(orb.LineString(f.Geometry.(orb.Polygon)[0]), true)
		b.WriteString(`"/>`)
	}
	for _, f := range st.Tracks.Features {
		p := f.Properties
		dash, width := "", 2.5
		switch {
		case p["straight"] != nil:
			dash, width = ` stroke-dasharray="1 3"`, 1.5
		case p["possible_dark"] == true:
			dash, width = ` stroke-dasharray="6 4"`, 2
		}
		fmt.Fprintf(&b, `<path class="trip" data-mmsi="%d" fill="none" stroke="%s" stroke-width="%g" stroke-opacity="0.85" stroke-linecap="round" stroke-linejoin="round"%s d="`,
			p["mmsi"], p["color"], width, dash)
		path(simplify.DouglasPeucker(tol).LineString(f.Geometry.(orb.LineString).Clone()), false)
		name := st.Names[p["mmsi"].(uint32)]
		if name == "" {
			name = fmt.Sprint("MMSI ", p["mmsi"])
		}
		fmt.Fprintf(&b, `"><title>%s: %s → %s, %s</title></path>`, html.EscapeString(name), html.EscapeString(p["depart"].(string)),
			html.EscapeString(p["arrive"].(string)), html.EscapeString(p["start"].(string)[:10]))
	}
	for _, f := range st.GroupPorts.Features {
		x, y := px(f.Geometry.(orb.Point))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#555" stroke="#fff"/><text x="%.1f" y="%.1f" dx="0.6em" dy="0.35em" class="pv-port">%s</text>`,
			x, y, x, y, html.EscapeString(f.Properties["name"].(string)))
	}
	for _, f := range st.Groups.Features {
		ring := f.Geometry.(orb.Polygon)[0]
		top := ring[0]
		for _, p := range ring {
			if p[1] > top[1] {
				top = p
			}
		}
		x, y := px(top)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" dy="-0.4em" class="pv-group" fill="%s">%s</text>`, x, y, f.Properties["color"], html.EscapeString(f.Properties["name"].(string)))
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// firstScreen is what replaces firstMarker in index.html: the default
// story as JSON for the page's scripts, and its drawing. Kept with the
// derived figures, so it is made once per store version. s.mu must be
// held.
func (s *Server) firstScreen(ctx context.Context) ([]byte, error) {
	d, err := s.derivedLocked(ctx)
	if err != nil {
		return nil, err
	}
	if d.first != nil {
		return d.first, nil
	}
	st, err := s.storyLocked(ctx, storyFrom, storyTo, false)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	// JSON in a script element must not close it: json.Marshal escapes <,
	// > and & already, so "</script>" cannot appear.
	b.WriteString(`<script type="application/json" id="story-json">`)
	b.Write(st.json)
	b.WriteString(`</script>`)
	b.Write(s.previewSVG(st.Story))
	d.first = b.Bytes()
	return d.first, nil
}

// index is index.html with the first screen in it; the plain file when
// the story cannot be told (no default groups).
func (s *Server) index(ctx context.Context) ([]byte, error) {
	page, err := fs.ReadFile(s.opt.Web, "index.html")
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(page, []byte(firstMarker)) || s.opt.Catalog.Group(storyFrom) == nil || s.opt.Catalog.Group(storyTo) == nil {
		return page, nil
	}
	var first []byte
	if err := s.withStore(func() (err error) { first, err = s.firstScreen(ctx); return }); err != nil {
		return nil, err
	}
	return bytes.Replace(page, []byte(firstMarker), first, 1), nil
}
