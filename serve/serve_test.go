package serve

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geoenc"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

const testToken = "s3cret-token"

// fixture is a store built from a short simulated scenario
// (testdata/README.md) through the same analysis pipeline as lookout
// ingest, plus one satellite detection.
type fixture struct {
	st     store.Store
	vessel store.Identity // a vessel with a name, an IMO and positions
	dark   event.Event
}

var (
	fixOnce sync.Once
	fix     fixture
	fixErr  error
	fixDir  string
)

func TestMain(m *testing.M) {
	if path := os.Getenv(otherCommandEnv); path != "" {
		os.Exit(otherCommand(path))
	}
	code := m.Run()
	if fix.st != nil {
		fix.st.Close()
	}
	if fixDir != "" {
		os.RemoveAll(fixDir)
	}
	os.Exit(code)
}

func setup(t *testing.T) *fixture {
	t.Helper()
	fixOnce.Do(func() { fixErr = build() })
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return &fix
}

func build() error {
	ctx := context.Background()
	var err error
	if fixDir, err = os.MkdirTemp("", "serve-test"); err != nil {
		return err
	}
	st, err := duckdb.Open(ctx, filepath.Join(fixDir, "test.duckdb"))
	if err != nil {
		return err
	}
	fix.st = st
	opt := analyze.DefaultOptions()
	if _, err := pipeline.Files(ctx, st, pipeline.Config{Analyze: &opt}, []string{filepath.Join("testdata", "scenario.nmea.gz")}); err != nil {
		return err
	}
	fix.dark = event.Event{Type: event.DarkDetection, Start: time.Date(2024, 3, 1, 21, 0, 0, 0, time.UTC), Lat: 39.05, Lon: 125.2,
		Confidence: 0.9, Source: event.SourceSatellite, Evidence: map[string]any{"length_m": 95.0}}
	fix.dark.End = fix.dark.Start
	if _, err := st.Write(ctx, &store.Batch{Events: []event.Event{fix.dark}}); err != nil {
		return err
	}
	ms, err := st.FindVessels(ctx, "")
	if err != nil {
		return err
	}
	for _, m := range ms {
		ids, err := st.Identities(ctx, m)
		if err != nil {
			return err
		}
		ps, err := st.Track(ctx, m, time.Time{}, time.Time{})
		if err != nil {
			return err
		}
		last := ids[len(ids)-1]
		if last.IMO != 0 && len(last.Name) >= 5 && len(ps) > 50 {
			fix.vessel = last
			return nil
		}
	}
	return fmt.Errorf("no vessel with a name, an IMO and 50 positions in the test scenario")
}

func newServer(t *testing.T, token string) *httptest.Server {
	return newServerMax(t, token, 0)
}

func newServerMax(t *testing.T, token string, maxUpload int64) *httptest.Server {
	t.Helper()
	f := setup(t)
	web := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Lookout</title>")}, "app.js": {Data: []byte("//")}}
	s := New(f.st, Options{Token: token, Web: web, MaxUpload: maxUpload, Log: log.New(io.Discard, "", 0)})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

// get fetches path and decodes the JSON answer into v (when not nil),
// failing unless the status is want.
func get(t *testing.T, srv *httptest.Server, path string, want int, v any) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	checkResponse(t, "GET "+path, resp, want, v)
}

func checkResponse(t *testing.T, what string, resp *http.Response, want int, v any) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s: status %d, want %d: %s", what, resp.StatusCode, want, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
		t.Fatalf("%s: Content-Type %q, want JSON", what, ct)
	}
	if want >= 400 {
		var e struct {
			Error  string `json:"error"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal(body, &e); err != nil || e.Error == "" || e.Status != want {
			t.Fatalf("%s: error body %s is not {error, status: %d}", what, body, want)
		}
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: %v in %s", what, err, body)
		}
	}
}

type fc struct {
	Type     string `json:"type"`
	Features []struct {
		Type     string `json:"type"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	Truncated bool `json:"truncated"`
}

func TestHealth(t *testing.T) {
	srv := newServer(t, "")
	var h struct {
		OK     bool             `json:"ok"`
		Web    bool             `json:"web"`
		Counts map[string]int64 `json:"counts"`
	}
	get(t, srv, "/api/health", 200, &h)
	if !h.OK || !h.Web || h.Counts["positions"] == 0 || h.Counts["events"] == 0 {
		t.Fatalf("health %+v", h)
	}
	get(t, srv, "/api/health?x=1", 400, nil)
}

func TestVessels(t *testing.T) {
	f := setup(t)
	srv := newServer(t, "")
	type list struct {
		Vessels []VesselSummary `json:"vessels"`
	}
	var all list
	get(t, srv, "/api/vessels?limit=1000", 200, &all)
	if len(all.Vessels) < 10 {
		t.Fatalf("%d vessels listed", len(all.Vessels))
	}
	for i := 1; i < len(all.Vessels); i++ {
		if all.Vessels[i].Risk > all.Vessels[i-1].Risk {
			t.Fatalf("not by risk: %v before %v", all.Vessels[i-1], all.Vessels[i])
		}
	}
	var two list
	get(t, srv, "/api/vessels?limit=2", 200, &two)
	if len(two.Vessels) != 2 {
		t.Fatalf("limit=2 gave %d", len(two.Vessels))
	}
	v := f.vessel
	for _, q := range []string{strconv.Itoa(int(v.MMSI)), strconv.Itoa(int(v.IMO)), strings.ToLower(v.Name[1 : len(v.Name)-1])} {
		var got list
		get(t, srv, "/api/vessels?q="+urlq(q), 200, &got)
		if !slices.ContainsFunc(got.Vessels, func(s VesselSummary) bool { return s.MMSI == v.MMSI && s.Name == v.Name && s.IMO == v.IMO }) {
			t.Errorf("q=%q: %d %q not in %+v", q, v.MMSI, v.Name, got.Vessels)
		}
	}
	var none list
	get(t, srv, "/api/vessels?q=NO+SUCH+SHIP+ZZZ", 200, &none)
	if none.Vessels == nil || len(none.Vessels) != 0 {
		t.Errorf("no match gave %+v, want []", none.Vessels)
	}
	for _, bad := range []string{"?limit=0", "?limit=1001", "?limit=x", "?q=" + strings.Repeat("a", 101), "?qq=1"} {
		get(t, srv, "/api/vessels"+bad, 400, nil)
	}
}

func urlq(s string) string { return strings.ReplaceAll(s, " ", "+") }

func TestDossier(t *testing.T) {
	f := setup(t)
	srv := newServer(t, "")
	var d struct {
		MMSI       uint32           `json:"mmsi"`
		Name       string           `json:"name"`
		Flag       string           `json:"flag"`
		Identities []store.Identity `json:"identities"`
		PortCalls  []eventJSON      `json:"port_calls"`
		Events     []eventJSON      `json:"events"`
		Sanctions  []eventJSON      `json:"sanctions_matches"`
		FirstSeen  time.Time        `json:"first_seen"`
		LastSeen   time.Time        `json:"last_seen"`
	}
	get(t, srv, fmt.Sprintf("/api/vessels/%d", f.vessel.MMSI), 200, &d)
	if d.MMSI != f.vessel.MMSI || d.Name != f.vessel.Name || len(d.Identities) == 0 || d.FirstSeen.IsZero() || d.Flag == "" {
		t.Fatalf("dossier %+v", d)
	}
	// Seen is when it was heard at a place: its first and last positions.
	ps, err := f.st.Track(context.Background(), f.vessel.MMSI, time.Time{}, time.Time{})
	if err != nil || len(ps) == 0 {
		t.Fatal(len(ps), err)
	}
	if !d.FirstSeen.Equal(ps[0].Time) || !d.LastSeen.Equal(ps[len(ps)-1].Time) {
		t.Errorf("seen %s to %s, positions %s to %s", d.FirstSeen, d.LastSeen, ps[0].Time, ps[len(ps)-1].Time)
	}
	// The identity history speaks the API's snake_case, not Go's field names.
	var keys struct {
		Identities []map[string]any `json:"identities"`
	}
	get(t, srv, fmt.Sprintf("/api/vessels/%d", f.vessel.MMSI), 200, &keys)
	for k := range keys.Identities[0] {
		if k != strings.ToLower(k) {
			t.Errorf("identity key %q", k)
		}
	}
	if d.PortCalls == nil || d.Events == nil || d.Sanctions == nil {
		t.Fatalf("dossier lists must be [] not null: %+v", d)
	}
	evs, _ := f.st.Events(context.Background(), store.EventQuery{MMSI: f.vessel.MMSI})
	if got := len(d.PortCalls) + len(d.Events) + len(d.Sanctions); got != len(evs) {
		t.Fatalf("dossier has %d events, store %d", got, len(evs))
	}
	for _, e := range d.PortCalls {
		if e.Type != event.PortVisit || e.ID != e.Event.ID() {
			t.Fatalf("port call %+v", e)
		}
	}
	get(t, srv, "/api/vessels/123456789", 404, nil)
	for _, bad := range []string{"abc", "0", "-1", "99999999999", "1.5"} {
		get(t, srv, "/api/vessels/"+bad, 400, nil)
	}
}

func TestTrack(t *testing.T) {
	f := setup(t)
	srv := newServer(t, "")
	m := f.vessel.MMSI
	ps, err := f.st.Track(context.Background(), m, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	track := func(q string) (coords [][2]float64, times []int64, props map[string]any) {
		t.Helper()
		var c fc
		get(t, srv, fmt.Sprintf("/api/vessels/%d/track%s", m, q), 200, &c)
		if c.Type != "FeatureCollection" || len(c.Features) == 0 || c.Features[0].Geometry.Type != "LineString" {
			t.Fatalf("%s: %+v", q, c)
		}
		if err := json.Unmarshal(c.Features[0].Geometry.Coordinates, &coords); err != nil {
			t.Fatal(err)
		}
		for _, x := range c.Features[0].Properties["times"].([]any) {
			times = append(times, int64(x.(float64)))
		}
		if len(times) != len(coords) || !slices.IsSorted(times) {
			t.Fatalf("%s: %d times for %d vertices, sorted %v", q, len(times), len(coords), slices.IsSorted(times))
		}
		return coords, times, c.Features[0].Properties
	}
	full, times, props := track("?tolerance_m=0")
	if len(full) != len(ps) || int(props["positions"].(float64)) != len(ps) {
		t.Fatalf("tolerance 0: %d vertices, store has %d positions", len(full), len(ps))
	}
	if full[0] != [2]float64{geoenc.Round(ps[0].Lon, 6), geoenc.Round(ps[0].Lat, 6)} || times[0] != ps[0].Time.Unix() {
		t.Fatalf("first vertex %v at %d, want %v at %v", full[0], times[0], ps[0], ps[0].Time)
	}
	simple, stimes, _ := track("?tolerance_m=2000")
	if len(simple) >= len(full) || len(simple) < 2 {
		t.Fatalf("2 km simplification kept %d of %d", len(simple), len(full))
	}
	if simple[0] != full[0] || simple[len(simple)-1] != full[len(full)-1] || stimes[len(stimes)-1] != times[len(times)-1] {
		t.Fatal("simplification must keep both ends")
	}
	mid := ps[len(ps)/2].Time
	from, to := mid.Add(-3*time.Hour), mid.Add(3*time.Hour)
	_, wtimes, _ := track(fmt.Sprintf("?tolerance_m=0&since=%s&until=%d", from.Format(time.RFC3339), to.Unix()))
	if wtimes[0] < from.Unix() || wtimes[len(wtimes)-1] >= to.Unix() {
		t.Fatalf("window %v..%v gave %d..%d", from, to, wtimes[0], wtimes[len(wtimes)-1])
	}
	var pts fc
	get(t, srv, fmt.Sprintf("/api/vessels/%d/track?points=true&tolerance_m=500", m), 200, &pts)
	if len(pts.Features) < 3 || pts.Features[1].Geometry.Type != "Point" || pts.Features[1].Properties["time"] == nil {
		t.Fatalf("points=true: %d features", len(pts.Features))
	}
	var empty fc
	get(t, srv, "/api/vessels/123456789/track", 200, &empty)
	if len(empty.Features) != 0 {
		t.Fatalf("unknown vessel has a track: %+v", empty)
	}
	for _, bad := range []string{"?since=2024-03-02&until=2024-03-01", "?since=yesterday", "?tolerance_m=-1", "?tolerance_m=NaN",
		"?points=yes", "?until=2024-13-01", "?since=-5000000000"} {
		get(t, srv, fmt.Sprintf("/api/vessels/%d/track%s", m, bad), 400, nil)
	}
	get(t, srv, "/api/vessels/x/track", 400, nil)
}

func TestEvents(t *testing.T) {
	f := setup(t)
	srv := newServer(t, "")
	c, _ := f.st.Counts(context.Background())
	var all fc
	get(t, srv, "/api/events?limit=10000", 200, &all)
	if int64(len(all.Features)) != c.Events || all.Truncated {
		t.Fatalf("%d events served, %d stored", len(all.Features), c.Events)
	}
	types := map[string]int{}
	for _, ft := range all.Features {
		types[ft.Properties["type"].(string)]++
		if ft.Geometry.Type != "Point" || ft.Properties["id"] == "" {
			t.Fatalf("event feature %+v", ft)
		}
	}
	var gaps fc
	get(t, srv, "/api/events?type=gap&limit=10000", 200, &gaps)
	if len(gaps.Features) != types["gap"] || types["gap"] == 0 {
		t.Fatalf("type=gap: %d, of %v", len(gaps.Features), types)
	}
	var one fc
	get(t, srv, "/api/events?limit=1", 200, &one)
	if len(one.Features) != 1 || !one.Truncated {
		t.Fatalf("limit=1: %d features, truncated %v", len(one.Features), one.Truncated)
	}
	var box fc
	get(t, srv, "/api/events?bbox=124,37,131,43&limit=10000", 200, &box)
	for _, ft := range box.Features {
		var p [2]float64
		json.Unmarshal(ft.Geometry.Coordinates, &p)
		if p[0] < 124 || p[0] > 131 || p[1] < 37 || p[1] > 43 {
			t.Fatalf("event at %v outside the box", p)
		}
	}
	var mine fc
	get(t, srv, fmt.Sprintf("/api/events?mmsi=%d&limit=10000", f.vessel.MMSI), 200, &mine)
	for _, ft := range mine.Features {
		if uint32(ft.Properties["mmsi"].(float64)) != f.vessel.MMSI && ft.Properties["other_mmsi"] != float64(f.vessel.MMSI) {
			t.Fatalf("mmsi filter let through %+v", ft.Properties)
		}
	}
	var late fc
	get(t, srv, "/api/events?since=2030-01-01", 200, &late)
	if len(late.Features) != 0 {
		t.Fatalf("events after 2030: %d", len(late.Features))
	}
	// The map's form: every event, beyond the full form's cap, with what
	// the map draws and lists but no evidence.
	var light fc
	get(t, srv, "/api/events?fields=map&limit=100000", 200, &light)
	if len(light.Features) != len(all.Features) || light.Truncated {
		t.Fatalf("fields=map: %d events, want %d", len(light.Features), len(all.Features))
	}
	for i, ft := range light.Features {
		full := all.Features[i].Properties
		p := ft.Properties
		if p["id"] != full["id"] || p["type"] != full["type"] || p["mmsi"] != full["mmsi"] || p["start"] != full["start"] || p["confidence"] != full["confidence"] {
			t.Fatalf("fields=map feature %d %v, full %v", i, p, full)
		}
		if _, ok := p["evidence"]; ok {
			t.Fatalf("fields=map feature has evidence: %v", p)
		}
	}
	// Compressed for a browser (Go's client asks for gzip and inflates
	// it itself unless the request names the encoding).
	req, _ := http.NewRequest("GET", srv.URL+"/api/events?fields=map&limit=100000", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("events not compressed: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var zipped fc
	if err := json.NewDecoder(zr).Decode(&zipped); err != nil || len(zipped.Features) != len(light.Features) {
		t.Fatalf("gzipped events: %d features, %v", len(zipped.Features), err)
	}
	for _, bad := range []string{"type=nonsense", "type=gap,", "bbox=1,2,3", "bbox=a,b,c,d", "bbox=0,50,10,40", "bbox=0,0,200,10",
		"bbox=0,-91,1,1", "limit=100000", "mmsi=abc", "since=2024-03-02&until=2024-03-02", "bogus=1", "fields=evidence",
		"fields=map&limit=300000"} {
		get(t, srv, "/api/events?"+bad, 400, nil)
	}
}

// TestEventsAsTheStore: /api/events filters the events the server holds
// instead of querying the store; every filter must give what the store's
// own query gives, in its order, byte for byte.
func TestEventsAsTheStore(t *testing.T) {
	f := setup(t)
	srv := newServer(t, "")
	ctx := context.Background()
	all, err := f.st.Events(ctx, store.EventQuery{})
	if err != nil || len(all) < 10 {
		t.Fatalf("%d events, %v", len(all), err)
	}
	mid := all[len(all)/2]
	cases := map[string]store.EventQuery{
		"limit=10000":                         {},
		"limit=7":                             {Limit: 7},
		"type=gap,port_visit":                 {Types: []event.Type{event.Gap, event.PortVisit}},
		"bbox=124,37,131,43":                  {BBox: &store.BBox{MinLon: 124, MinLat: 37, MaxLon: 131, MaxLat: 43}},
		"bbox=170,-10,-170,70":                {BBox: &store.BBox{MinLon: 170, MinLat: -10, MaxLon: -170, MaxLat: 70}},
		fmt.Sprintf("mmsi=%d", f.vessel.MMSI): {MMSI: f.vessel.MMSI},
		// An event ending at the start of the window overlaps it; one
		// starting at its end does not.
		fmt.Sprintf("since=%d&until=%d", mid.End.Unix(), mid.End.Unix()+3600): {Since: time.Unix(mid.End.Unix(), 0), Until: time.Unix(mid.End.Unix()+3600, 0)},
	}
	for q, eq := range cases {
		if eq.Limit == 0 {
			eq.Limit = 10000
			if !strings.Contains(q, "limit") {
				q += "&limit=10000"
			}
		}
		want, err := f.st.Events(ctx, eq)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(srv.URL + "/api/events?" + q)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got struct {
			Features []json.RawMessage `json:"features"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if len(got.Features) != len(want) {
			t.Fatalf("%s: %d events served, the store has %d", q, len(got.Features), len(want))
		}
		for i := range want {
			if b, _ := json.Marshal(geoenc.Event(&want[i])); string(b) != string(got.Features[i]) {
				t.Fatalf("%s: event %d is\n%s\nwant\n%s", q, i, got.Features[i], b)
			}
		}
	}
}

func TestSARDetections(t *testing.T) {
	f := setup(t)
	srv := newServer(t, "")
	var got fc
	get(t, srv, "/api/sar/detections", 200, &got)
	if len(got.Features) != 1 || got.Features[0].Properties["id"] != f.dark.ID() || got.Features[0].Properties["source"] != "satellite" {
		t.Fatalf("sar detections %+v", got)
	}
	var none fc
	get(t, srv, "/api/sar/detections?bbox=0,0,10,10", 200, &none)
	if len(none.Features) != 0 {
		t.Fatalf("bbox far away kept %d", len(none.Features))
	}
	get(t, srv, "/api/sar/detections?type=gap", 400, nil)
}

func TestTrips(t *testing.T) {
	srv := newServer(t, "")
	var r struct {
		From    string `json:"from"`
		To      string `json:"to"`
		Trips   []any  `json:"trips"`
		ByMonth []any  `json:"by_month"`
	}
	get(t, srv, "/api/trips?from=RU-FE&to=KP&since=2024-01-01", 200, &r)
	if r.From != "RU-FE" || r.To != "KP" || r.Trips == nil {
		t.Fatalf("trips %+v", r)
	}
	for _, bad := range []string{"", "?from=RU-FE", "?from=KP&to=KP", "?from=RU-FE&to=NOWHERE", "?from=RU-FE&to=KP&both=maybe",
		"?from=RU-FE&to=KP&since=2024-02-01&until=2024-01-01"} {
		get(t, srv, "/api/trips"+bad, 400, nil)
	}
}

func TestRisk(t *testing.T) {
	srv := newServer(t, "")
	var r struct {
		Scores []struct {
			MMSI    uint32  `json:"mmsi"`
			Total   float64 `json:"total"`
			Factors []struct {
				Name   string  `json:"name"`
				Points float64 `json:"points"`
			} `json:"factors"`
			Vessel VesselSummary `json:"vessel"`
		} `json:"scores"`
	}
	get(t, srv, "/api/risk?limit=5", 200, &r)
	if len(r.Scores) == 0 || len(r.Scores) > 5 {
		t.Fatalf("%d scores", len(r.Scores))
	}
	for i, s := range r.Scores {
		sum := 0.0
		for _, f := range s.Factors {
			sum += f.Points
		}
		if s.Vessel.MMSI != s.MMSI || (i > 0 && s.Total > r.Scores[i-1].Total) || sum < s.Total-0.01 {
			t.Fatalf("score %d: %+v", i, s)
		}
	}
	get(t, srv, "/api/risk?limit=0", 400, nil)
	get(t, srv, "/api/risk?min=-1", 400, nil)
}

func TestSanctionsUpload(t *testing.T) {
	f := setup(t)
	list := fmt.Sprintf("name,imo,programs\n%s,%d,TEST-PROGRAM\n", f.vessel.Name, f.vessel.IMO)
	post := func(srv *httptest.Server, auth string, body io.Reader, want int) map[string]any {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/api/sanctions/lists?format=csv&name=TEST", body)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		checkResponse(t, "POST with "+auth, resp, want, &v)
		return v
	}
	readOnly := newServer(t, "")
	post(readOnly, "Bearer "+testToken, strings.NewReader(list), 403)

	srv := newServer(t, testToken)
	post(srv, "", strings.NewReader(list), 401)
	post(srv, "Bearer wrong", strings.NewReader(list), 401)
	post(srv, testToken, strings.NewReader(list), 401)
	post(srv, "Bearer "+testToken, strings.NewReader("not,a,list\n"), 400)
	small := newServerMax(t, testToken, 1000)
	post(small, "Bearer "+testToken, strings.NewReader("name,imo\n"+strings.Repeat("X,1\n", 300)), 413)
	var before struct{ Matches []eventJSON }
	get(t, srv, "/api/sanctions/matches", 200, &before)

	got := post(srv, "Bearer "+testToken, strings.NewReader(list), 200)
	if got["entries"] != 1.0 || got["new_match_events"].(float64) < 1 {
		t.Fatalf("upload: %v", got)
	}
	var after struct{ Matches []eventJSON }
	get(t, srv, "/api/sanctions/matches?min=0.5", 200, &after)
	if !slices.ContainsFunc(after.Matches, func(e eventJSON) bool { return e.MMSI == f.vessel.MMSI && e.Evidence["list"] == "TEST" }) {
		t.Fatalf("no TEST match for %d after upload: %+v", f.vessel.MMSI, after.Matches)
	}
	var d struct {
		Sanctions []eventJSON `json:"sanctions_matches"`
		Risk      *riskJSON   `json:"risk_score"`
	}
	get(t, srv, fmt.Sprintf("/api/vessels/%d", f.vessel.MMSI), 200, &d)
	if len(d.Sanctions) == 0 || d.Risk == nil || !slices.ContainsFunc(d.Risk.Factors, func(f factor) bool { return f.Name == "listed" && len(f.EventIDs) > 0 }) {
		t.Fatalf("dossier after upload: %+v", d)
	}
	get(t, srv, "/api/sanctions/matches?min=2", 400, nil)
	// GET on the upload endpoint is not allowed, and says so in JSON.
	get(t, srv, "/api/sanctions/lists", 405, nil)
}

type riskJSON struct {
	Total   float64  `json:"total"`
	Factors []factor `json:"factors"`
}

type factor struct {
	Name     string   `json:"name"`
	EventIDs []string `json:"event_ids"`
}

func TestPortsAndGroups(t *testing.T) {
	srv := newServer(t, "")
	var ports fc
	get(t, srv, "/api/ports?group=KP", 200, &ports)
	if len(ports.Features) < 3 {
		t.Fatalf("%d KP ports", len(ports.Features))
	}
	for _, p := range ports.Features {
		if !slices.Contains(p.Properties["groups"].([]any), any("KP")) {
			t.Fatalf("port %v not in KP", p.Properties)
		}
	}
	var box fc
	get(t, srv, "/api/ports?bbox=131,42,134,44", 200, &box)
	if len(box.Features) == 0 {
		t.Fatal("no ports around Vladivostok")
	}
	get(t, srv, "/api/ports?group=ATLANTIS", 400, nil)
	// The scenario's busy berths are learned as port areas by the ingest.
	var learned fc
	get(t, srv, "/api/ports?kind=learned", 200, &learned)
	if len(learned.Features) == 0 {
		t.Fatal("no learned port areas")
	}
	for _, f := range learned.Features {
		if f.Properties["kind"] != "learned" || f.Properties["vessels"].(float64) < 2 || f.Geometry.Type != "MultiPolygon" {
			t.Fatalf("learned port area %+v", f)
		}
	}
	get(t, srv, "/api/ports?kind=harbour", 400, nil)
	var g struct {
		Groups []struct {
			Name  string   `json:"name"`
			Ports []string `json:"ports"`
		} `json:"groups"`
	}
	get(t, srv, "/api/groups", 200, &g)
	names := []string{}
	for _, x := range g.Groups {
		names = append(names, x.Name)
	}
	if !slices.Contains(names, "KP") || !slices.Contains(names, "RU-FE") {
		t.Fatalf("groups %v", names)
	}
}

func TestLand(t *testing.T) {
	srv := newServer(t, "")
	req, _ := http.NewRequest("GET", srv.URL+"/api/basemap/land?bbox=124,37,131,43", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var land fc
	if err := json.NewDecoder(zr).Decode(&land); err != nil {
		t.Fatal(err)
	}
	if len(land.Features) == 0 {
		t.Fatal("no land around Korea")
	}
	for _, ft := range land.Features {
		var rings [][][2]float64
		json.Unmarshal(ft.Geometry.Coordinates, &rings)
		for _, r := range rings {
			for _, p := range r {
				if p[0] < 124-1e-6 || p[0] > 131+1e-6 || p[1] < 37-1e-6 || p[1] > 43+1e-6 {
					t.Fatalf("land vertex %v outside the box", p)
				}
			}
		}
	}
	var plain fc
	get(t, srv, "/api/basemap/land?bbox=124,37,131,43&tolerance=0.05", 200, &plain)
	if len(plain.Features) == 0 {
		t.Fatal("no land without gzip")
	}
	for _, bad := range []string{"bbox=170,0,-170,10", "bbox=-180,-90,180,90", "tolerance=5", "bbox=x"} {
		get(t, srv, "/api/basemap/land?"+bad, 400, nil)
	}
}

func TestOpenAPI(t *testing.T) {
	f := setup(t)
	srv := newServer(t, "")
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	get(t, srv, "/api/openapi.json", 200, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Paths) < 12 {
		t.Fatalf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	// Every documented GET path answers (with its required parameters).
	for p, ops := range doc.Paths {
		if _, ok := ops["get"]; !ok {
			continue
		}
		url := strings.ReplaceAll(p, "{mmsi}", strconv.Itoa(int(f.vessel.MMSI)))
		if p == "/api/trips" {
			url += "?from=RU-FE&to=KP"
		}
		resp, err := http.Get(srv.URL + url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("documented %s answers %d", url, resp.StatusCode)
		}
	}
	// Every endpoint is documented.
	for _, p := range []string{"/api/health", "/api/vessels", "/api/vessels/{mmsi}", "/api/vessels/{mmsi}/track", "/api/events",
		"/api/trips", "/api/risk", "/api/sanctions/matches", "/api/sanctions/lists", "/api/sar/detections", "/api/ports",
		"/api/groups", "/api/basemap/land", "/api/story", "/api/coverage", "/api/report"} {
		if doc.Paths[p] == nil {
			t.Errorf("%s is not documented", p)
		}
	}
}

func TestPageAndHeaders(t *testing.T) {
	srv := newServer(t, "")
	for _, path := range []string{"/", "/api/vessels", "/api/nope"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "http") || strings.Contains(csp, "*") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
	resp, _ := http.Get(srv.URL + "/")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte("<title>Lookout</title>")) {
		t.Fatalf("page %s", body)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/app.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("app.js not gzipped: %v %v", err, resp.Header)
	}
	js, _ := io.ReadAll(zr)
	resp.Body.Close()
	if string(js) != "//" || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("app.js %q as %q", js, resp.Header.Get("Content-Type"))
	}
	get(t, srv, "/api/nope", 404, nil)
	get(t, srv, "/api/vessels/1/track/extra", 404, nil)

	// Without a built front end the page says how to build it.
	bare := httptest.NewServer(New(setup(t).st, Options{Log: log.New(io.Discard, "", 0)}))
	defer bare.Close()
	resp, _ = http.Get(bare.URL + "/")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("scripts/build-web")) || resp.Header.Get("X-Lookout-Web") != "missing" {
		t.Fatalf("missing-bundle page: %d %s", resp.StatusCode, body)
	}
}

func TestFindings(t *testing.T) {
	f := setup(t)
	s := New(f.st, Options{})
	fs, err := s.HeadlineFindings(context.Background(), "RU-FE", "KP", 3)
	if err != nil {
		t.Fatal(err)
	}
	if fs.Vessels < 10 || len(fs.Top) == 0 || len(fs.Top) > 3 || fs.ByType[event.DarkDetection] != 1 {
		t.Fatalf("findings %+v", fs)
	}
	var buf bytes.Buffer
	fs.WriteText(&buf)
	for _, want := range []string{"Trips RU-FE → KP", "Events by type", "dark_detection", "Highest risk"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("findings text lacks %q:\n%s", want, buf.String())
		}
	}
}
