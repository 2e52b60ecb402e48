package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/risk"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
)

// A list imported into a store screens what report --db and risk --db
// --ais look at, as it screens what ingest stores: a team sharing a store
// shares its lists. The list names a vessel on no built-in list, and the
// lists directory is empty, so only the store's list can flag it.
func TestReportAndRiskScreenAgainstStoreLists(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOOKOUT_LISTS", filepath.Join(dir, "no-lists"))
	db := filepath.Join(dir, "s.duckdb")
	list := filepath.Join(dir, "team.csv")
	if err := os.WriteFile(list, []byte("name,mmsi,programs\nTEST VESSEL ONE,273000001,TEAM\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "sanctions", "--db", db, "import", "--name", "TEAM", list)

	// Identities stored by a writer that does not screen (an older
	// version, a worker): no sanctions_match is stored for them.
	ctx := context.Background()
	st, err := backend.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	_, err = st.Write(ctx, &store.Batch{
		Positions:  []store.Position{{MMSI: 273000001, Time: at, Lat: 55.5, Lon: 4.5, SOG: 10, COG: 90, Heading: -1}},
		Identities: []store.Identity{{MMSI: 273000001, Time: at, Name: "TEST VESSEL ONE", ShipType: 80}},
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	html := filepath.Join(dir, "dossier.html")
	run(t, "report", "vessel", "--db", db, "273000001", "--out", html)
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "TEAM") {
		t.Error("report --db does not screen against the list imported into the store")
	}

	out := run(t, "risk", "--db", db, "--ais", "../../pipeline/testdata/listed.nmea", "--format", "json", "--top", "0")
	listed := map[uint32]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var s risk.Score
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("risk printed %q: %v", line, err)
		}
		for _, f := range s.Factors {
			if f.Name == "listed" {
				listed[s.MMSI] = true
			}
		}
	}
	if !listed[273000001] {
		t.Errorf("risk --db --ais: TEST VESSEL ONE is not listed (listed: %v)", listed)
	}
}
