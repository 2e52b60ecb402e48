package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/oilcap"
	"github.com/lookout-osint/lookout/store"
)

// shownIdentities is how many identity changes a vessel row shows unfolded.
const shownIdentities = 8

//go:embed report.html.tmpl
var pageText string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"day": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02")
	},
	"stamp": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04")
	},
	"pct":     func(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" },
	"barrels": barrels,
	"ids":     idLinks,
	"ids1":    func(id string) template.HTML { return idLinks([]string{id}) },
	"inc":     func(i int) int { return i + 1 },
	// first and rest split a long identity history: the first changes are
	// shown, the rest folded.
	"first": func(ids []store.Identity) []store.Identity { return ids[:min(len(ids), shownIdentities)] },
	"rest":  func(ids []store.Identity) []store.Identity { return ids[min(len(ids), shownIdentities):] },
	"join":  func(s []string) string { return strings.Join(s, " / ") },
	"short": func(h string) string {
		if len(h) > 16 {
			return h[:16] + "…"
		}
		return h
	},
}).Parse(pageText))

// barrels formats a volume with thousands separators.
func barrels(f float64) string {
	s := strconv.FormatInt(int64(f+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// idLinks links event IDs to their entries in the evidence list.
func idLinks(ids []string) template.HTML {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		id = template.HTMLEscapeString(id)
		fmt.Fprintf(&b, `<a class="id" href="#ev-%s" title="%s">%.8s</a>`, id, id, id)
	}
	return template.HTML(b.String())
}

type typeCount struct {
	Type   event.Type
	Colour string
	Count  int
}

// WriteHTML writes the report as one self-contained HTML page: inline CSS,
// SVG and script, no request to anything outside the file.
func (r *Report) WriteHTML(w io.Writer) error {
	counts := map[event.Type]int{}
	holes := 0
	for _, e := range r.Evidence {
		if e.Event.Type != event.Voyage && e.Event.Type != event.DraughtChange && !(e.Event.Lat == 0 && e.Event.Lon == 0) {
			counts[e.Event.Type]++
		}
		if e.Event.Type == event.Gap && e.Event.Evidence["deliberate"] == false {
			holes++
		}
	}
	var types []typeCount
	for _, t := range slices.Sorted(maps.Keys(counts)) {
		types = append(types, typeCount{t, colourOf(t), counts[t]})
	}
	data := struct {
		R            *Report
		Map, Chart   template.HTML
		EventTypes   []typeCount
		Since, Until time.Time
		Cap          string
		OilGroup     string
		HoleGaps     int
	}{
		R: r, Map: r.mapSVG(r.opt.Catalog, geo.DefaultLand()), Chart: r.chartSVG(), EventTypes: types,
		Since: r.opt.Trips.Since, Until: r.opt.Trips.Until, Cap: barrels(oilcap.CapBarrels), OilGroup: r.opt.Oilcap.Group, HoleGaps: holes,
	}
	return page.Execute(w, data)
}
