package report

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/sim"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/output"
	"github.com/lookout-osint/lookout/trips"
)

// The scenario: a short simulation, ingested through the analysis
// pipeline into a DuckDB store, shared by the tests.
var (
	fixOnce sync.Once
	fixDir  string
	fixErr  error
)

// scenario is small but long enough for the covert tankers to shuttle
// between the Russian Far East and the DPRK a few times.
var scenario = sim.Config{Seed: 1, Days: 18, Vessels: 40, Interval: 20 * time.Minute, Workers: 2}

func fixture(t *testing.T) (store.Store, []event.Event) {
	t.Helper()
	ctx := context.Background()
	fixOnce.Do(func() {
		if fixDir, fixErr = os.MkdirTemp("", "reporttest"); fixErr != nil {
			return
		}
		if _, fixErr = sim.Run(scenario, fixDir); fixErr != nil {
			return
		}
		var st *duckdb.Store
		if st, fixErr = duckdb.Open(ctx, filepath.Join(fixDir, "test.duckdb")); fixErr != nil {
			return
		}
		defer st.Close()
		opt := analyze.DefaultOptions()
		_, fixErr = pipeline.Files(ctx, st, pipeline.Config{Analyze: &opt}, []string{filepath.Join(fixDir, "ais.nmea.gz")})
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	st, err := duckdb.Open(ctx, filepath.Join(fixDir, "test.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	evs, err := st.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return st, evs
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixDir != "" {
		os.RemoveAll(fixDir)
	}
	os.Exit(code)
}

func options() Options {
	opt := DefaultOptions()
	opt.Sanctions = sanctions.Default()
	opt.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return opt
}

func attr(t *testing.T, tag, name string) int {
	t.Helper()
	m := regexp.MustCompile(`\b` + name + `="(-?\d+)"`).FindStringSubmatch(tag)
	if m == nil {
		t.Fatalf("no %s in %.200s", name, tag)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestReportCarriesTheTripCounts(t *testing.T) {
	st, evs := fixture(t)
	opt := options()
	want := tripsCount(evs)
	total := want.Total[0]
	if total.Trips+total.DarkTrips == 0 {
		t.Fatalf("the scenario has no RU-FE→KP trip to report (%d events): pick another seed", len(evs))
	}
	r, err := Build(context.Background(), StoreSource{Store: st}, opt)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()

	head := regexp.MustCompile(`<section id="headline"[^>]*>`).FindString(html)
	if head == "" {
		t.Fatal("no headline section")
	}
	for name, w := range map[string]int{"data-trips": total.Trips, "data-dark-trips": total.DarkTrips, "data-visits": total.Visits, "data-dark-visits": total.DarkVisits} {
		if got := attr(t, head, name); got != w {
			t.Errorf("headline %s = %d, trips.Count says %d", name, got, w)
		}
	}
	// The chart's bars add up to the same totals, month by month.
	byMonth := map[string][2]int{}
	for _, m := range want.ByMonth {
		byMonth[m.Month] = [2]int{m.Trips, m.DarkTrips}
	}
	var seen, dark int
	for _, bar := range regexp.MustCompile(`<g class="bar"[^>]*>`).FindAllString(html, -1) {
		month := regexp.MustCompile(`data-month="([0-9-]+)"`).FindStringSubmatch(bar)[1]
		got := [2]int{attr(t, bar, "data-trips"), attr(t, bar, "data-dark-trips")}
		if got != byMonth[month] {
			t.Errorf("chart %s = %v, trips.Count says %v", month, got, byMonth[month])
		}
		seen += got[0]
		dark += got[1]
	}
	if seen != total.Trips || dark != total.DarkTrips {
		t.Errorf("chart sums to %d seen, %d dark; want %d, %d", seen, dark, total.Trips, total.DarkTrips)
	}
	// Each vessel row carries its own counts.
	for _, v := range want.ByVessel {
		row := regexp.MustCompile(`<tr id="v-` + strconv.FormatUint(uint64(v.MMSI), 10) + `"[^>]*>`).FindString(html)
		if v.Trips+v.DarkTrips == 0 {
			continue
		}
		if row == "" {
			t.Errorf("vessel %d made %d trips but has no row", v.MMSI, v.Trips+v.DarkTrips)
			continue
		}
		if attr(t, row, "data-trips") != v.Trips || attr(t, row, "data-dark-trips") != v.DarkTrips {
			t.Errorf("vessel %d row %s, want %d/%d", v.MMSI, row, v.Trips, v.DarkTrips)
		}
	}
	// Every trip's evidence is in the evidence list, and every cited ID
	// resolves inside the page.
	for _, tr := range want.Trips {
		for _, id := range tr.Evidence {
			if !strings.Contains(html, `id="ev-`+id+`"`) {
				t.Errorf("trip of %d: evidence %s not in the evidence list", tr.MMSI, id)
			}
		}
	}
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(html, -1) {
		if !strings.Contains(html, `id="`+m[1]+`"`) {
			t.Errorf("link to #%s goes nowhere", m[1])
		}
	}
	for _, s := range []string{`id="map"`, `class="land"`, `class="trk"`, `id="chart"`, `id="evidence-table"`, "PortEntryKm", "BlockCoefficient", "DefaultMinStrength", "RS-"} {
		if !strings.Contains(html, s) {
			t.Errorf("report lacks %q", s)
		}
	}
	// What a reader sees: numbers in full, no Go maps, no invented places,
	// and the vessels of the trips named.
	for _, bad := range []*regexp.Regexp{regexp.MustCompile(`\d\.\d+e(\+|&#43;)\d\d`), regexp.MustCompile(`map\[`), regexp.MustCompile(`0\.0000, 0\.0000`)} {
		if m := bad.FindString(html); m != "" {
			t.Errorf("report shows %q", m)
		}
	}
	if len(r.Trips.Trips) > 0 {
		tr := r.Trips.Trips[0]
		if n := r.NameOf(tr.MMSI); n == "" || !strings.Contains(html, `<a href="#v-`+strconv.FormatUint(uint64(tr.MMSI), 10)+`">`+strconv.FormatUint(uint64(tr.MMSI), 10)+`</a> `+template.HTMLEscapeString(n)) {
			t.Errorf("trip of %d not named (%q)", tr.MMSI, n)
		}
	}
	noExternal(t, html)
}

// tripsCount is what lookout trips --from RU-FE --to KP computes.
func tripsCount(evs []event.Event) trips.Result {
	return trips.Count(evs, trips.Config{From: "RU-FE", To: "KP", Slack: 6 * time.Hour, GroupsOf: ref.Default().GroupsOf})
}

// noExternal fails on anything the page would fetch: src or href to
// another origin, CSS url() or @import, or a link element.
func noExternal(t *testing.T, html string) {
	t.Helper()
	for _, re := range []string{
		`(?i)\b(src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(https?:|//|ftp:|file:)`,
		`(?i)url\(\s*["']?\s*(https?:|//)`,
		`(?i)@import`,
		`(?i)<link\b`,
		`(?i)<(iframe|object|embed|img)\b`,
	} {
		if m := regexp.MustCompile(re).FindString(html); m != "" {
			t.Errorf("page refers outside itself: %q", m)
		}
	}
}

func TestDossier(t *testing.T) {
	st, evs := fixture(t)
	opt := options()
	all := tripsCount(evs)
	var v trips.Tally
	for _, tv := range all.ByVessel {
		if tv.Trips+tv.DarkTrips > v.Trips+v.DarkTrips {
			v = tv
		}
	}
	if v.MMSI == 0 {
		t.Fatal("no vessel made a trip")
	}
	opt.MMSI = v.MMSI
	r, err := Build(context.Background(), StoreSource{Store: st}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total.Trips != v.Trips || r.Total.DarkTrips != v.DarkTrips {
		t.Errorf("dossier of %d: %d/%d trips, want %d/%d", v.MMSI, r.Total.Trips, r.Total.DarkTrips, v.Trips, v.DarkTrips)
	}
	if len(r.Vessels) == 0 || r.Vessels[0].MMSI != v.MMSI {
		t.Fatalf("dossier of %d lists vessels %+v", v.MMSI, r.Vessels)
	}
	if len(r.Tracks[v.MMSI]) < 10 {
		t.Errorf("dossier track has %d points", len(r.Tracks[v.MMSI]))
	}
	for _, e := range r.Evidence {
		linked := linked(evs, v.MMSI)
		if !linked[e.Event.MMSI] && !linked[e.Event.OtherMMSI] && len(e.CitedBy) == 0 {
			t.Errorf("dossier of %d shows %s of %d, neither its own nor cited", v.MMSI, e.Event.Type, e.Event.MMSI)
		}
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Vessel dossier") {
		t.Error("dossier page does not say what it is")
	}
	if n := r.Vessels[0].Name(); n == "" || r.Title != fmt.Sprintf("Vessel dossier: %s (MMSI %d)", n, v.MMSI) {
		t.Errorf("dossier title %q does not name the vessel (%q)", r.Title, n)
	}
	noExternal(t, buf.String())
}

func TestExports(t *testing.T) {
	st, _ := fixture(t)
	r, err := Build(context.Background(), StoreSource{Store: st}, options())
	if err != nil {
		t.Fatal(err)
	}
	var k bytes.Buffer
	if err := r.WriteKML(&k); err != nil {
		t.Fatal(err)
	}
	// The KML parses, tracks have time spans, events carry evidence.
	dec := xml.NewDecoder(&k)
	var placemarks, spans, lines, ids int
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("KML does not parse: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "Placemark":
				placemarks++
			case "TimeSpan":
				spans++
			case "LineString":
				lines++
			case "Data":
				if len(se.Attr) == 1 && se.Attr[0].Value == "id" {
					ids++
				}
			}
		}
	}
	if ids != len(r.Evidence) {
		t.Errorf("KML: %d event placemarks carry their ID, want %d", ids, len(r.Evidence))
	}
	if lines != len(r.Tracks) || placemarks != len(r.Tracks)+len(r.Evidence) || spans != placemarks {
		t.Errorf("KML: %d lines for %d tracks, %d placemarks for %d tracks + %d events, %d time spans",
			lines, len(r.Tracks), placemarks, len(r.Tracks), len(r.Evidence), spans)
	}

	var g bytes.Buffer
	if err := r.WriteGeoJSON(&g); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string
		Features []struct {
			Type     string
			Geometry struct {
				Type        string
				Coordinates json.RawMessage
			}
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(g.Bytes(), &fc); err != nil {
		t.Fatalf("GeoJSON does not parse: %v", err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) < len(r.Evidence)+len(r.Tracks) {
		t.Fatalf("GeoJSON %s with %d features, want ≥ %d", fc.Type, len(fc.Features), len(r.Evidence)+len(r.Tracks))
	}
	valid := func(p []float64) bool {
		return len(p) == 2 && p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90 && !math.IsNaN(p[0])
	}
	kinds := map[string]int{}
	for i, f := range fc.Features {
		kinds[f.Geometry.Type]++
		switch f.Geometry.Type {
		case "Point":
			var p []float64
			if json.Unmarshal(f.Geometry.Coordinates, &p) != nil || !valid(p) {
				t.Errorf("feature %d: bad point %s", i, f.Geometry.Coordinates)
			}
		case "LineString":
			var ps [][]float64
			if json.Unmarshal(f.Geometry.Coordinates, &ps) != nil || len(ps) < 2 {
				t.Errorf("feature %d: bad line", i)
			}
			for _, p := range ps {
				if !valid(p) {
					t.Errorf("feature %d: bad position %v", i, p)
					break
				}
			}
		default:
			t.Errorf("feature %d: geometry %q", i, f.Geometry.Type)
		}
	}
	if kinds["LineString"] < len(r.Tracks) || kinds["Point"] < len(r.Evidence) {
		t.Errorf("GeoJSON geometries %v for %d tracks and %d events", kinds, len(r.Tracks), len(r.Evidence))
	}
}

func TestEventSourceReport(t *testing.T) {
	_, evs := fixture(t)
	opt := options()
	r, err := Build(context.Background(), &EventSource{List: evs, Files: []File{{Name: "events.jsonl", Events: int64(len(evs))}}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := tripsCount(evs)
	if r.Total != want.Total[0] {
		t.Errorf("from events: %+v, want %+v", r.Total, want.Total[0])
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Built from event files only") {
		t.Error("an events-only report does not say what it lacks")
	}
}

// TestRendersInChromium opens the page in headless Chromium: no script
// error, the script ran, and the screenshot is not blank.
func TestRendersInChromium(t *testing.T) {
	if _, err := os.Stat(Chromium); err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("LOOKOUT_CHROMIUM") != "" {
			t.Fatalf("CI needs %s to render the report (scripts/ci-web-deps installs it)", Chromium)
		}
		t.Skipf("%s not installed", Chromium)
	}
	st, _ := fixture(t)
	r, err := Build(context.Background(), StoreSource{Store: st}, options())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	// Errors thrown or logged by the page are written into the title, and
	// the title says the report's script ran (its layer toggles work).
	probe := `<script>window.__errs=[];window.addEventListener('error',function(e){window.__errs.push(String(e.message))});
var ce=console.error;console.error=function(){window.__errs.push([].join.call(arguments,' '));ce.apply(console,arguments)};</script>`
	after := `<script>(function(){var cb=document.querySelector('#layers input[data-layer="tracks"]');cb.checked=false;cb.dispatchEvent(new Event('change'));
var off=document.querySelectorAll('#map .tracks.off').length;cb.checked=true;cb.dispatchEvent(new Event('change'));
document.title='RENDERED off='+off+' errors='+window.__errs.length+' '+window.__errs.join('|');})();</script>`
	html := strings.Replace(buf.String(), "<head>", "<head>"+probe, 1)
	html = strings.Replace(html, "</body>", after+"</body>", 1)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
			"--user-data-dir=" + filepath.Join(dir, "profile")}, append(args, "file://"+page)...)
		out, err := exec.CommandContext(ctx, Chromium, args...).Output()
		if err != nil {
			t.Fatalf("chromium %v: %v", args, err)
		}
		return out
	}
	dom := string(run("--dump-dom"))
	title := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(dom)
	if title == nil || !strings.HasPrefix(title[1], "RENDERED off=1 errors=0") {
		t.Fatalf("page did not run cleanly: title %q", title)
	}
	shot := filepath.Join(dir, "report.png")
	run("--window-size=1280,1600", "--hide-scrollbars", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Not blank: many distinct colours, and land and sea both drawn.
	colours := map[uint32]bool{}
	var land, sea int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			colours[r<<16|g<<8|bl] = true
			switch {
			case r == 0xef && g == 0xe9 && bl == 0xdc:
				land++
			case r == 0xdc && g == 0xea && bl == 0xf5:
				sea++
			}
		}
	}
	if len(colours) < 50 || land < 500 || sea < 500 {
		t.Errorf("screenshot looks blank: %d colours, %d land and %d sea samples", len(colours), land, sea)
	}
	if keep := os.Getenv("REPORT_SCREENSHOT"); keep != "" {
		if b, err := os.ReadFile(shot); err == nil {
			os.WriteFile(keep, b, 0o644)
		}
	}
}

// A fleet report counts the fleet's trips only: the same figures as
// lookout trips with the same fleet, and says whose trips they are.
func TestFleetReport(t *testing.T) {
	st, evs := fixture(t)
	ctx := context.Background()
	tanker, err := trips.ParseShipTypes("tanker")
	if err != nil {
		t.Fatal(err)
	}
	opt := options()
	opt.Fleet = trips.Fleet{ShipTypes: tanker}
	r, err := Build(ctx, StoreSource{Store: st}, opt)
	if err != nil {
		t.Fatal(err)
	}
	isTanker := func(m uint32) bool {
		hist, err := st.Identities(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		typ := output.Latest(hist).ShipType
		return typ >= 80 && typ <= 89
	}
	all := tripsCount(evs)
	want := all.Only(isTanker)
	if r.Total != want.Total[0] {
		t.Errorf("fleet report total %+v, want %+v", r.Total, want.Total[0])
	}
	if len(r.Trips.Trips) == 0 {
		t.Fatal("no tanker trip in the scenario")
	}
	for _, tr := range r.Trips.Trips {
		if !isTanker(tr.MMSI) {
			t.Errorf("trip of %d, not a tanker", tr.MMSI)
		}
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "fleet: AIS ship type 80-89") {
		t.Error("the fleet report does not say whose trips it counts")
	}
}

// Evidence read back from JSON holds numbers as float64: the report must
// print an IMO number in full, and a sanctions match (about an identity,
// not a place) with no position.
func TestEvidenceReadsAsWritten(t *testing.T) {
	_, evs := fixture(t)
	all := tripsCount(evs)
	if len(all.Trips) == 0 {
		t.Fatal("no trip in the scenario")
	}
	tr := all.Trips[0]
	var b bytes.Buffer
	event.NewWriter(&b).Write(&event.Event{Type: event.SanctionsMatch, MMSI: tr.MMSI, Start: tr.Depart.Start, End: tr.Arrive.End, Confidence: 0.9,
		Evidence: map[string]any{"vessel_imo": 8660313, "list": "UN", "strength": 0.9, "entry_name": "CHON MA SAN"}})
	match, _, err := event.ReadAll(&b)
	if err != nil || len(match) != 1 {
		t.Fatal(err)
	}
	opt := options()
	opt.Sanctions = nil
	r, err := Build(context.Background(), &EventSource{List: append(slices.Clone(evs), match[0])}, opt)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	row := regexp.MustCompile(`<tr id="ev-` + match[0].ID() + `".*?</tr>`).FindString(html)
	if row == "" {
		t.Fatal("the sanctions match is not in the evidence")
	}
	if !strings.Contains(row, "<i>vessel_imo</i> 8660313") || strings.Contains(row, "0.0000") || !strings.Contains(row, "<td>—</td>") {
		t.Errorf("sanctions match row: %s", row)
	}
}
