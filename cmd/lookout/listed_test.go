package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Issue 15's headline, as an analyst types it: after lookout ingest of a
// file where CHON MA SAN (IMO 8660313) broadcasts its IMO number, lookout
// vessel and lookout report flag it and its risk is at least 50, with no
// step in between; the unlisted ship in the same file stays clean.
func TestIngestFlagsListedTanker(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	run(t, "ingest", "-q", "--db", db, "../../pipeline/testdata/listed.nmea")

	out := runStdout(t, "vessel", "--db", db, "445123000")
	if !strings.Contains(out, "sanctions_match") || !strings.Contains(out, "CHON MA SAN") {
		t.Errorf("vessel shows no sanctions match:\n%s", out)
	}
	m := regexp.MustCompile(`(?m)^Risk ([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("vessel printed no risk:\n%s", out)
	}
	if r, _ := strconv.ParseFloat(m[1], 64); r < 50 {
		t.Errorf("risk %.1f, want at least 50", r)
	}
	if out := runStdout(t, "vessel", "--db", db, "273000001"); strings.Contains(out, "sanctions_match") || strings.Contains(out, "listed") {
		t.Errorf("the unlisted ship is flagged:\n%s", out)
	}

	html := filepath.Join(dir, "r.html")
	run(t, "report", "--db", db, "--from", "RU-FE", "--to", "KP", "--out", html)
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "IMO number identical") || strings.Contains(string(b), "TEST VESSEL ONE") {
		t.Error("the report does not show the match of the listed tanker alone")
	}
}

// runStdout is run for a command that prints on os.Stdout itself.
func runStdout(t *testing.T, args ...string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdout
	os.Stdout = f
	defer func() { os.Stdout = saved }()
	out := run(t, args...)
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return out + string(b)
}
