package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/risk"
)

// run executes the CLI with args and returns what it printed on stdout.
func run(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("lookout %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func TestSanctionsImportListScreenRisk(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	listCSV := filepath.Join(dir, "demo.csv")
	if err := os.WriteFile(listCSV, []byte("name,imo,aliases,programs\nDEMO TANKER 7,1000007,OLD DEMO,DEMO\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "sanctions", "--db", db, "import", "--name", "DEMO", listCSV); !strings.Contains(out, "1 entries") {
		t.Errorf("import printed %q", out)
	}
	if out := run(t, "sanctions", "--db", db, "list", "--program", "DEMO"); !strings.Contains(out, "DEMO TANKER 7") {
		t.Errorf("list printed %q", out)
	}
	ids := filepath.Join(dir, "ids.csv")
	if err := os.WriteFile(ids, []byte("mmsi,imo,name,first,last\n"+
		"613000001,1000007,NEW NAME,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z\n"+
		"613000002,,OLD DEMO,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	matches := run(t, "sanctions", "--db", db, "screen", ids)
	evs, _, err := event.ReadAll(strings.NewReader(matches))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].MMSI != 613000001 || evs[0].Evidence["exact"] != true || evs[1].Evidence["matched_field"] != "alias" {
		t.Fatalf("screen wrote %s", matches)
	}
	// The matches feed the risk score, which cites them.
	mf := filepath.Join(dir, "matches.jsonl")
	if err := os.WriteFile(mf, []byte(matches), 0o644); err != nil {
		t.Fatal(err)
	}
	out := run(t, "risk", "--format", "json", "--no-foc", mf)
	var top risk.Score
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &top); err != nil {
		t.Fatalf("risk printed %q: %v", out, err)
	}
	if top.MMSI != 613000001 || len(top.Factors) != 1 || top.Factors[0].EventIDs[0] != evs[0].ID() {
		t.Errorf("top score %+v", top)
	}
}
