package report

import (
	"fmt"
	"html/template"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
)

// mercator maps longitude/latitude to SVG pixels.
type mercator struct {
	bound      orb.Bound
	x0, y1, k  float64
	width, hgt float64
}

func mercY(lat float64) float64 {
	lat = math.Max(-85, math.Min(85, lat))
	return math.Log(math.Tan(math.Pi/4 + lat*math.Pi/360))
}

func newMercator(b orb.Bound, width float64) *mercator {
	m := &mercator{bound: b, width: width}
	m.x0 = b.Min[0] * math.Pi / 180
	m.y1 = mercY(b.Max[1])
	m.k = width / ((b.Max[0] - b.Min[0]) * math.Pi / 180)
	m.hgt = (m.y1 - mercY(b.Min[1])) * m.k
	return m
}

func (m *mercator) xy(lon, lat float64) (float64, float64) {
	return (lon*math.Pi/180 - m.x0) * m.k, (m.y1 - mercY(lat)) * m.k
}

// mapBound is the box around what the map shows: tracks, events and the
// ports of both groups, padded.
func (r *Report) mapBound(cat *ref.Catalog) orb.Bound {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	add := func(lon, lat float64) {
		if lat == 0 && lon == 0 || math.IsNaN(lat) || math.IsNaN(lon) {
			return
		}
		b = b.Extend(orb.Point{lon, lat})
	}
	for _, ps := range r.Tracks {
		for _, p := range ps {
			add(p.Lon, p.Lat)
		}
	}
	for _, e := range r.Evidence {
		add(e.Event.Lon, e.Event.Lat)
	}
	for _, g := range []string{r.From, r.To} {
		if grp := cat.Group(g); grp != nil {
			for _, id := range grp.PortIDs {
				if p, ok := cat.Port(id); ok {
					add(p.Lon, p.Lat)
				}
			}
		}
	}
	if math.IsInf(b.Min[0], 1) {
		return orb.Bound{Min: orb.Point{117, 33}, Max: orb.Point{143, 46}}
	}
	padX := math.Max(1, (b.Max[0]-b.Min[0])*0.06)
	padY := math.Max(0.7, (b.Max[1]-b.Min[1])*0.06)
	b.Min[0], b.Max[0] = math.Max(-180, b.Min[0]-padX), math.Min(180, b.Max[0]+padX)
	b.Min[1], b.Max[1] = math.Max(-80, b.Min[1]-padY), math.Min(80, b.Max[1]+padY)
	return b
}

// eventColours colour the event markers by type.
var eventColours = map[event.Type]string{
	event.PortVisit:             "#555555",
	event.Encounter:             "#e6007e",
	event.Loitering:             "#ff9900",
	event.Gap:                   "#000000",
	event.PossibleDarkPortVisit: "#7b2cbf",
	event.Spoofing:              "#d00000",
	event.IdentityChange:        "#0077b6",
	event.DraughtChange:         "#2a9d8f",
	event.SanctionsMatch:        "#b5179e",
	event.DarkDetection:         "#6a040f",
}

// mapSVG draws the map: land, reception cells, ports of both groups,
// tracks and events, each event linking to its entry in the evidence list.
func (r *Report) mapSVG(cat *ref.Catalog, land *geo.Land) template.HTML {
	b := r.mapBound(cat)
	m := newMercator(b, 1000)
	var s strings.Builder
	fmt.Fprintf(&s, `<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="Map of tracks and events">`, m.width, m.hgt)
	fmt.Fprintf(&s, `<rect class="sea" width="%.0f" height="%.0f"/>`, m.width, m.hgt)

	// Reception cells under the land so coasts stay crisp.
	s.WriteString(`<g class="layer cov">`)
	for _, c := range r.Coverage.Cells {
		if c.Lon+0.5 < b.Min[0] || c.Lon > b.Max[0] || c.Lat+0.5 < b.Min[1] || c.Lat > b.Max[1] {
			continue
		}
		x0, y0 := m.xy(c.Lon, c.Lat+0.5)
		x1, y1 := m.xy(c.Lon+0.5, c.Lat)
		fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%d positions</title></rect>`, x0, y0, x1-x0, y1-y0, c.Positions)
	}
	s.WriteString(`</g>`)

	s.WriteString(`<path class="land" d="`)
	for _, poly := range land.Polygons() {
		if !poly.Bound().Intersects(b) {
			continue
		}
		for _, ring := range clip.Polygon(b, poly.Clone()) {
			ringPath(&s, m, ring)
		}
	}
	s.WriteString(`"/>`)

	// Graticule every whole 2 degrees.
	s.WriteString(`<g class="grat">`)
	for lon := math.Ceil(b.Min[0]/2) * 2; lon <= b.Max[0]; lon += 2 {
		x, _ := m.xy(lon, b.Min[1])
		fmt.Fprintf(&s, `<line x1="%.1f" y1="0" x2="%.1f" y2="%.0f"/><text x="%.1f" y="%.0f">%g°E</text>`, x, x, m.hgt, x+3, m.hgt-4, lon)
	}
	for lat := math.Ceil(b.Min[1]/2) * 2; lat <= b.Max[1]; lat += 2 {
		_, y := m.xy(b.Min[0], lat)
		fmt.Fprintf(&s, `<line x1="0" y1="%.1f" x2="%.0f" y2="%.1f"/><text x="3" y="%.1f">%g°N</text>`, y, m.width, y, y-3, lat)
	}
	s.WriteString(`</g>`)

	// Ports of both groups.
	s.WriteString(`<g class="layer ports">`)
	for _, g := range []string{r.From, r.To} {
		grp := cat.Group(g)
		if grp == nil {
			continue
		}
		for _, id := range grp.PortIDs {
			p, ok := cat.Port(id)
			if !ok || !b.Contains(orb.Point{p.Lon, p.Lat}) {
				continue
			}
			x, y := m.xy(p.Lon, p.Lat)
			fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="6" height="6"><title>%s (%s, WPI %s)</title></rect><text x="%.1f" y="%.1f">%s</text>`,
				x-3, y-3, template.HTMLEscapeString(p.Name), g, id, x+5, y-4, template.HTMLEscapeString(p.Name))
		}
	}
	s.WriteString(`</g>`)

	// Tracks, broken into solid runs and dotted silences.
	s.WriteString(`<g class="layer tracks">`)
	for _, v := range r.Vessels {
		ps := r.Tracks[v.MMSI]
		if len(ps) == 0 {
			continue
		}
		fmt.Fprintf(&s, `<g class="trk" data-mmsi="%d" stroke="%s"><title>MMSI %d %s</title>`, v.MMSI, v.Colour, v.MMSI, template.HTMLEscapeString(v.Name()))
		var solid, dotted strings.Builder
		lx, ly := math.NaN(), math.NaN()
		for i, p := range ps {
			x, y := m.xy(p.Lon, p.Lat)
			switch {
			case i == 0:
				fmt.Fprintf(&solid, "M%.1f %.1f", x, y)
			case p.Time.Sub(ps[i-1].Time) > 3*time.Hour:
				fmt.Fprintf(&dotted, "M%.1f %.1fL%.1f %.1f", lx, ly, x, y)
				fmt.Fprintf(&solid, "M%.1f %.1f", x, y)
			case math.Abs(x-lx)+math.Abs(y-ly) < 0.8:
				continue
			default:
				fmt.Fprintf(&solid, "L%.1f %.1f", x, y)
			}
			lx, ly = x, y
		}
		fmt.Fprintf(&s, `<path d="%s"/>`, solid.String())
		if dotted.Len() > 0 {
			fmt.Fprintf(&s, `<path class="silent" d="%s"/>`, dotted.String())
		}
		s.WriteString(`</g>`)
	}
	s.WriteString(`</g>`)

	// Events (voyages are drawn by their tracks; draught changes sit on
	// port visits).
	byType := map[event.Type][]*Evidence{}
	for i := range r.Evidence {
		e := &r.Evidence[i]
		if e.Event.Type == event.Voyage || e.Event.Type == event.DraughtChange || (e.Event.Lat == 0 && e.Event.Lon == 0) {
			continue
		}
		byType[e.Event.Type] = append(byType[e.Event.Type], e)
	}
	for _, t := range slices.Sorted(maps.Keys(byType)) {
		fmt.Fprintf(&s, `<g class="layer ev" data-type="%s" fill="%s">`, t, colourOf(t))
		for _, e := range byType[t] {
			x, y := m.xy(e.Event.Lon, e.Event.Lat)
			rad := 3.5
			if t != event.PortVisit {
				rad = 5
			}
			fmt.Fprintf(&s, `<a href="#ev-%s"><circle cx="%.1f" cy="%.1f" r="%.1f"><title>%s MMSI %d %s (%s)</title></circle></a>`,
				e.ID, x, y, rad, t, e.Event.MMSI, e.Event.Start.UTC().Format("2006-01-02 15:04"), e.ID)
		}
		s.WriteString(`</g>`)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

func colourOf(t event.Type) string {
	if c, ok := eventColours[t]; ok {
		return c
	}
	return "#444444"
}

// ringPath appends one ring, dropping vertices closer than half a pixel to
// the last one drawn.
func ringPath(s *strings.Builder, m *mercator, ring orb.Ring) {
	if len(ring) < 3 {
		return
	}
	n := 0
	lx, ly := math.NaN(), math.NaN()
	for _, p := range ring {
		x, y := m.xy(p[0], p[1])
		if n > 0 && math.Abs(x-lx)+math.Abs(y-ly) < 0.5 {
			continue
		}
		if n == 0 {
			fmt.Fprintf(s, "M%.1f %.1f", x, y)
		} else {
			fmt.Fprintf(s, "L%.1f %.1f", x, y)
		}
		lx, ly = x, y
		n++
	}
	if n > 0 {
		s.WriteString("Z")
	}
}

// chartSVG draws trips per month: AIS-seen trips solid, possible dark
// trips hatched on top, with the figures as data attributes.
func (r *Report) chartSVG() template.HTML {
	const h, top, bottom, left = 220.0, 16.0, 34.0, 36.0
	n := len(r.Months)
	if n == 0 {
		return template.HTML(`<p>No months in the period.</p>`)
	}
	bw := math.Max(14, math.Min(60, 760/float64(n)))
	w := left + bw*float64(n) + 10
	maxV := 1
	for _, mo := range r.Months {
		maxV = max(maxV, mo.Trips+mo.Dark)
	}
	scale := (h - top - bottom) / float64(maxV)
	var s strings.Builder
	fmt.Fprintf(&s, `<svg id="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" style="max-width:%.0fpx" role="img" aria-label="Trips per month">`, w, h, w*1.2)
	s.WriteString(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e9d5ff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#7b2cbf" stroke-width="3"/></pattern></defs>`)
	step := max(1, int(math.Ceil(float64(maxV)/5)))
	for v := 0; v <= maxV; v += step {
		y := h - bottom - float64(v)*scale
		fmt.Fprintf(&s, `<line class="tick" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f"/><text class="axis" x="%.0f" y="%.1f" text-anchor="end">%d</text>`, left, w-10, y, y, left-4, y+4, v)
	}
	for i, mo := range r.Months {
		x := left + float64(i)*bw + 2
		ys := h - bottom - float64(mo.Trips)*scale
		yd := ys - float64(mo.Dark)*scale
		fmt.Fprintf(&s, `<g class="bar" data-month="%s" data-trips="%d" data-dark-trips="%d"><title>%s: %d seen, %d possible dark</title>`, mo.Month, mo.Trips, mo.Dark, mo.Month, mo.Trips, mo.Dark)
		fmt.Fprintf(&s, `<rect class="seen" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, x, ys, bw-4, float64(mo.Trips)*scale)
		fmt.Fprintf(&s, `<rect fill="url(#hatch)" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, x, yd, bw-4, float64(mo.Dark)*scale)
		fmt.Fprintf(&s, `<text class="axis" x="%.1f" y="%.0f" text-anchor="middle">%s</text></g>`, x+(bw-4)/2, h-bottom+14, mo.Month[2:])
	}
	fmt.Fprintf(&s, `<rect class="seen" x="%.0f" y="%.0f" width="10" height="10"/><text class="axis" x="%.0f" y="%.0f">seen in AIS</text>`, left+4, h-14, left+18, h-5)
	fmt.Fprintf(&s, `<rect fill="url(#hatch)" x="%.0f" y="%.0f" width="10" height="10"/><text class="axis" x="%.0f" y="%.0f">possible dark</text>`, left+110, h-14, left+124, h-5)
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}
