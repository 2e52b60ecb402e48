package serve

import (
	"context"
	"encoding/json"
	"io/fs"
	"log"
	"net/http/httptest"
	"path/filepath"
	"time"

	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// shuttleStore holds one vessel sailing Vostochnyy (RU-FE) → Najin (KP)
// twice, with a return leg between, as positions and port visits, and
// the extra events given.
func shuttleStore(t *testing.T, extra ...event.Event) *httptest.Server {
	return shuttleStoreWeb(t, nil, extra...)
}

// shuttleStoreWeb is shuttleStore serving the front end web.
func shuttleStoreWeb(t *testing.T, web fs.FS, extra ...event.Event) *httptest.Server {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "story.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	const m = 445000777
	vos := [2]float64{133.083333, 42.75} // ref/data/ports.csv 60725
	naj := [2]float64{130.3, 42.233333}  // 60510
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var b store.Batch
	at := t0
	visit := func(p [2]float64, id, name, group string) {
		b.Events = append(b.Events, event.Event{Type: event.PortVisit, MMSI: m, Start: at, End: at.Add(24 * time.Hour),
			Lat: p[1], Lon: p[0], Port: name, PortID: id, PortGroup: group, Confidence: 0.9, Source: event.SourceAIS})
		at = at.Add(24 * time.Hour)
	}
	sail := func(a, z [2]float64) {
		for k := 0; k <= 40; k++ {
			f := float64(k) / 40
			b.Positions = append(b.Positions, store.Position{MMSI: m, Time: at, Lon: a[0] + f*(z[0]-a[0]), Lat: a[1] + f*(z[1]-a[1]), SOG: 10, COG: 250})
			at = at.Add(30 * time.Minute)
		}
	}
	visit(vos, "60725", "Vostochnyy", "RU-FE")
	sail(vos, naj)
	visit(naj, "60510", "Najin", "KP")
	sail(naj, vos)
	visit(vos, "60725", "Vostochnyy", "RU-FE")
	sail(vos, naj)
	visit(naj, "60510", "Najin", "KP")
	b.Identities = []store.Identity{{MMSI: m, Time: t0, Name: "STORY SHUTTLE", ShipType: 80}}
	b.Events = append(b.Events, extra...)
	if _, err := st.Write(ctx, &b); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(st, Options{Web: web, Log: log.New(io.Discard, "", 0)}))
	t.Cleanup(srv.Close)
	return srv
}

// TestFirstScreenInPage: the page carries the default story and its
// drawing, so the trips show before any script or request: the story's
// JSON (the same as /api/story) and one drawn path per trip, in the
// colours the story gives its vessels, with the groups labelled.
func TestFirstScreenInPage(t *testing.T) {
	web := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><main>" + firstMarker + "</main>")}}
	srv := shuttleStoreWeb(t, web)
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	var st struct {
		Tracks fc         `json:"tracks"`
		Groups fc         `json:"groups"`
		View   [4]float64 `json:"view"`
	}
	get(t, srv, "/api/story", 200, &st)
	_, js, ok := strings.Cut(page, `<script type="application/json" id="story-json">`)
	js, _, _ = strings.Cut(js, "</script>")
	var inPage map[string]any
	if !ok || json.Unmarshal([]byte(js), &inPage) != nil || inPage["trips"] != 2.0 {
		t.Fatalf("the page carries no story: %.300s", page)
	}
	if n := strings.Count(page, `class="trip"`); n != len(st.Tracks.Features) || n != 2 {
		t.Fatalf("%d trips drawn in the page, %d in the story", n, len(st.Tracks.Features))
	}
	for _, f := range st.Tracks.Features {
		if c, _ := f.Properties["color"].(string); c == "" || !strings.Contains(page, `stroke="`+c+`"`) {
			t.Fatalf("trip colour %q is not the drawing's", c)
		}
	}
	for _, g := range []string{">RU-FE</text>", ">KP</text>", ">Vostochnyy</text>"} {
		if !strings.Contains(page, g) {
			t.Errorf("the drawing has no label %s", g)
		}
	}
	if len(st.Groups.Features) != 2 || st.Groups.Features[0].Geometry.Type != "Polygon" {
		t.Fatalf("groups %+v", st.Groups)
	}
	// The view is the trips' box: from Najin to Vostochnyy.
	if v := st.View; !(v[0] <= 130.31 && v[2] >= 133.08 && v[1] <= 42.24 && v[3] >= 42.75) {
		t.Fatalf("view %v does not hold Najin and Vostochnyy", v)
	}
}

// TestStory: the first screen's trips are the trips /api/trips counts, each
// drawn as the vessel's track between the two ports, with the headline
// figures matching.
func TestStory(t *testing.T) {
	srv := shuttleStore(t)
	var st struct {
		Trips     int               `json:"trips"`
		DarkTrips int               `json:"possible_dark_trips"`
		Vessels   int               `json:"vessels"`
		Names     map[string]string `json:"names"`
		Tracks    fc                `json:"tracks"`
	}
	get(t, srv, "/api/story", 200, &st)
	var tr struct {
		Trips []any `json:"trips"`
	}
	get(t, srv, "/api/trips?from=RU-FE&to=KP", 200, &tr)
	if st.Trips != 2 || st.DarkTrips != 0 || st.Vessels != 1 || len(tr.Trips) != 2 || st.Names["445000777"] != "STORY SHUTTLE" {
		t.Fatalf("story: %d seen, %d dark, %d vessels, names %v; /api/trips: %d trips", st.Trips, st.DarkTrips, st.Vessels, st.Names, len(tr.Trips))
	}
	if len(st.Tracks.Features) != 2 {
		t.Fatalf("%d tracks for 2 trips", len(st.Tracks.Features))
	}
	for _, f := range st.Tracks.Features {
		var coords [][2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &coords); err != nil {
			t.Fatal(err)
		}
		times, _ := f.Properties["times"].([]any)
		if f.Geometry.Type != "LineString" || len(coords) < 2 || len(times) != len(coords) {
			t.Fatalf("trip drawn as %s with %d points and %d times", f.Geometry.Type, len(coords), len(times))
		}
		// Eastern end first: the track runs Vostochnyy → Najin, not back.
		if first, last := coords[0], coords[len(coords)-1]; first[0] < 133 || last[0] > 130.4 {
			t.Fatalf("trip track runs %v → %v, not Vostochnyy → Najin", first, last)
		}
	}
	var back struct {
		Trips int `json:"trips"`
	}
	get(t, srv, "/api/story?from=KP&to=RU-FE", 200, &back)
	if back.Trips != 1 {
		t.Fatalf("KP → RU-FE: %d trips, want 1", back.Trips)
	}
	for _, bad := range []string{"?from=KP&to=KP", "?from=RU-FE&to=NOWHERE", "?both=maybe", "?colour=red"} {
		get(t, srv, "/api/story"+bad, 400, nil)
	}
}

// TestPortsGroupsNeverNull: a port in no group sends an empty list, which
// the map's styles measure; null made MapLibre warn about circle-radius.
func TestPortsGroupsNeverNull(t *testing.T) {
	srv := newServer(t, "")
	resp, err := http.Get(srv.URL + "/api/ports?kind=wpi&bbox=110,20,160,60")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"groups":[]`) {
		t.Fatal("no port outside every group in the box: the check cannot fail")
	}
	if strings.Contains(string(b), `"groups":null`) {
		t.Fatal(`a port sends "groups": null`)
	}
}
