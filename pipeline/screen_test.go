package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/risk"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/serve"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// testdata/listed.nmea (see its README): a vessel broadcasting CHON MA
// SAN's IMO number and name, and an unlisted one.
const (
	listedMMSI   = 445123000
	listedIMO    = 8660313
	unlistedMMSI = 273000001
)

func matchesOf(t *testing.T, st store.Store, mmsi uint32) []event.Event {
	t.Helper()
	evs, err := st.Events(context.Background(), store.EventQuery{Types: []event.Type{event.SanctionsMatch}, MMSI: mmsi})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func riskOf(t *testing.T, st store.Store) map[uint32]float64 {
	t.Helper()
	evs, err := st.Events(context.Background(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32]float64{}
	for _, s := range risk.Scores(risk.DefaultConfig(), evs, risk.VesselsIn(ref.Default(), evs)) {
		out[s.MMSI] = s.Total
	}
	return out
}

// The headline of issue 15: straight after an ingest, a listed tanker is
// flagged in the store, its risk and the API, and an unlisted ship is not.
func testListedAfterIngest(t *testing.T, st store.Store) {
	ctx := context.Background()
	opt := analyze.DefaultOptions()
	if _, err := pipeline.Files(ctx, st, pipeline.Config{Analyze: &opt}, []string{"testdata/listed.nmea"}); err != nil {
		t.Fatal(err)
	}
	ms := matchesOf(t, st, listedMMSI)
	if len(ms) != 1 {
		t.Fatalf("%d sanctions matches stored for %d, want 1: %+v", len(ms), listedMMSI, ms)
	}
	m := ms[0]
	if m.Confidence < 0.95 || m.Evidence["exact"] != true || m.Evidence["reason"] == "" || m.Evidence["matched_field"] != "imo" ||
		!strings.EqualFold(fmt.Sprint(m.Evidence["entry_name"]), "CHON MA SAN") {
		t.Errorf("match %+v", m)
	}
	if m.Lat == 0 || m.Lon == 0 {
		t.Errorf("match placed at %.4f, %.4f, not at the vessel", m.Lat, m.Lon)
	}
	if un := matchesOf(t, st, unlistedMMSI); len(un) != 0 {
		t.Errorf("unlisted vessel matched: %+v", un)
	}
	scores := riskOf(t, st)
	if scores[listedMMSI] < 50 || scores[unlistedMMSI] >= 50 {
		t.Errorf("risk: listed %.1f (want >= 50), unlisted %.1f", scores[listedMMSI], scores[unlistedMMSI])
	}

	srv := httptest.NewServer(serve.New(st, serve.Options{Log: log.New(io.Discard, "", 0)}))
	defer srv.Close()
	for _, c := range []struct {
		mmsi   uint32
		listed bool
	}{{listedMMSI, true}, {unlistedMMSI, false}} {
		resp, err := http.Get(fmt.Sprintf("%s/api/vessels/%d", srv.URL, c.mmsi))
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Sanctions []json.RawMessage `json:"sanctions_matches"`
			Risk      *risk.Score       `json:"risk_score"`
		}
		err = json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("dossier %d: %d %v", c.mmsi, resp.StatusCode, err)
		}
		score := 0.0
		if d.Risk != nil {
			score = d.Risk.Total
		}
		if c.listed != (len(d.Sanctions) > 0) || c.listed != (score >= 50) {
			t.Errorf("API dossier of %d: %d sanctions matches, risk %.1f", c.mmsi, len(d.Sanctions), score)
		}
	}

	// A second ingest (the file under another name) stores no second match.
	dup := filepath.Join(t.TempDir(), "again.nmea")
	b, _ := os.ReadFile("testdata/listed.nmea")
	if err := os.WriteFile(dup, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Files(ctx, st, pipeline.Config{Analyze: &opt}, []string{dup}); err != nil {
		t.Fatal(err)
	}
	if ms := matchesOf(t, st, listedMMSI); len(ms) != 1 {
		t.Errorf("%d matches after ingesting the data again", len(ms))
	}
}

func TestListedAfterIngestDuckDB(t *testing.T) {
	st := openDuck(t, filepath.Join(t.TempDir(), "s.duckdb"))
	defer st.Close()
	testListedAfterIngest(t, st)
}

func TestListedAfterIngestPostgres(t *testing.T) {
	url := storetest.PostgresSchema(t, storetest.PostgresURL(t), "pipeline_listed")
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	testListedAfterIngest(t, st)
}

// Lists live in the store: the built-in ones are stored by the first
// ingest; an imported list re-screens what is stored; a list without a
// usable entry is refused with nothing stored.
func testImportListRescreens(t *testing.T, st store.Store) {
	ctx := context.Background()
	if _, err := pipeline.Files(ctx, st, pipeline.Config{}, []string{"testdata/listed.nmea"}); err != nil {
		t.Fatal(err)
	}
	rows, err := st.(store.ListStore).Lists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(sanctions.Builtin()) || rows[0].Hash == "" || rows[0].Source == "" || rows[0].Imported.IsZero() || rows[0].Entries == 0 {
		t.Fatalf("stored lists after the first ingest: %+v", rows)
	}
	before, _ := st.Counts(ctx)

	bad, err := sanctions.Read(strings.NewReader("name,imo\n"), "csv", "BAD", "test")
	if err == nil {
		if _, err = pipeline.ImportList(ctx, st, bad); err == nil {
			t.Fatal("a list without entries was imported")
		}
	}
	if after, _ := st.Counts(ctx); after != before {
		t.Fatalf("refused import changed the store: %+v -> %+v", before, after)
	}

	l, err := sanctions.Read(strings.NewReader("name,programs\nTEST VESSEL ONE,TEST\n"), "csv", "TEST", "test list")
	if err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.ImportList(ctx, st, l)
	if err != nil {
		t.Fatal(err)
	}
	if res.Matches < 1 {
		t.Errorf("import: %+v", res)
	}
	if ms := matchesOf(t, st, unlistedMMSI); len(ms) != 1 || ms[0].Evidence["list"] != "TEST" {
		t.Errorf("after importing TEST: %+v", ms)
	}
	// Re-importing a list naming the listed tanker too updates its match
	// (one event, now naming both lists) instead of adding one.
	l2, err := sanctions.Read(strings.NewReader("name,imo,programs\nCHON MA SAN,8660313,TEST\n"), "csv", "TEST", "test list 2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.ImportList(ctx, st, l2); err != nil {
		t.Fatal(err)
	}
	ms := matchesOf(t, st, listedMMSI)
	if len(ms) != 1 || !strings.Contains(fmt.Sprint(ms[0].Evidence["matches"]), "TEST") {
		t.Errorf("listed tanker after importing TEST: %+v", ms)
	}
	if ms := matchesOf(t, st, unlistedMMSI); len(ms) != 1 {
		t.Errorf("a re-import dropped or duplicated the earlier match: %+v", ms)
	}
	rows, _ = st.(store.ListStore).Lists(ctx)
	if len(rows) != len(sanctions.Builtin())+1 {
		t.Errorf("%d lists stored, want the built-in ones and TEST", len(rows))
	}
}

func TestImportListRescreensDuckDB(t *testing.T) {
	st := openDuck(t, filepath.Join(t.TempDir(), "s.duckdb"))
	defer st.Close()
	testImportListRescreens(t, st)
}

func TestImportListRescreensPostgres(t *testing.T) {
	url := storetest.PostgresSchema(t, storetest.PostgresURL(t), "pipeline_import")
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	testImportListRescreens(t, st)
}
