package serve

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// TestStoryBadges: a vessel a list names is badged where it matched, the
// vessel that met it where they met, and a vessel that met nobody listed
// is not badged.
func TestStoryBadges(t *testing.T) {
	at := time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)
	const listed, partner, stranger = 445000901, 445000902, 445000903
	srv := shuttleStore(t,
		event.Event{Type: event.SanctionsMatch, MMSI: listed, Start: at, End: at, Lat: 41, Lon: 131, Confidence: 0.99,
			Source: event.SourceAIS, Evidence: map[string]any{"list": "OFAC SDN", "entry_name": "LISTED ONE", "reason": "IMO number"}},
		event.Event{Type: event.Encounter, MMSI: partner, OtherMMSI: listed, Start: at.Add(time.Hour), End: at.Add(5 * time.Hour),
			Lat: 40.5, Lon: 131.5, Confidence: 0.8, Source: event.SourceAIS},
		event.Event{Type: event.Encounter, MMSI: stranger, OtherMMSI: 445000777, Start: at, End: at.Add(3 * time.Hour),
			Lat: 40, Lon: 132, Confidence: 0.8, Source: event.SourceAIS})
	var st struct {
		Badges fc `json:"badges"`
	}
	get(t, srv, "/api/story", 200, &st)
	var got []string
	for _, f := range st.Badges.Features {
		got = append(got, fmt.Sprintf("%s %.0f at %s %v", f.Properties["badge"], f.Properties["mmsi"], f.Geometry.Coordinates, f.Properties["other_mmsi"]))
	}
	want := []string{"listed 445000901 at [131,41] <nil>", "met_listed 445000902 at [131.5,40.5] 4.45000901e+08"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("badges\n%q\nwant\n%q", got, want)
	}
}

// TestCoverage: the reception cells hold every stored position of the
// shuttle, each cell 0.5° wide.
func TestCoverage(t *testing.T) {
	srv := shuttleStore(t)
	var cells fc
	get(t, srv, "/api/coverage", 200, &cells)
	total := 0.0
	for _, f := range cells.Features {
		if f.Geometry.Type != "Polygon" {
			t.Fatalf("cell drawn as %s", f.Geometry.Type)
		}
		total += f.Properties["positions"].(float64)
	}
	// shuttleStore sails three legs of 41 positions.
	if len(cells.Features) < 3 || total != 3*41 {
		t.Fatalf("%d cells holding %.0f positions, want 123 over several cells", len(cells.Features), total)
	}
	get(t, srv, "/api/coverage?bbox=1,2,3,4", 400, nil)
}

// TestViewReport: the map's view exports as the HTML report, counting the
// trips of the vessels in view only, or as one vessel's dossier.
func TestViewReport(t *testing.T) {
	srv := shuttleStore(t)
	page := func(path string) string {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("GET %s: %d %s %q: %.300s", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), b)
		}
		return string(b)
	}
	in := page("/api/report?from=RU-FE&to=KP&vessels=445000777")
	out := page("/api/report?from=RU-FE&to=KP&vessels=445000001")
	if !strings.Contains(in, "STORY SHUTTLE") || strings.Contains(out, "STORY SHUTTLE") {
		t.Fatal("the report of the view does not keep to the vessels in view")
	}
	if d := page("/api/report?mmsi=445000777"); !strings.Contains(d, "STORY SHUTTLE") {
		t.Fatal("the selected vessel's report does not name it")
	}
	for _, bad := range []string{"?from=KP&to=KP", "?to=NOWHERE", "?vessels=12x", "?since=yesterday", "?mmsi=0"} {
		get(t, srv, "/api/report"+bad, 400, nil)
	}
}
