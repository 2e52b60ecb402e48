package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAlertsTest(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "watch.yaml")
	os.WriteFile(rules, []byte(`
areas: {box: {bbox: [128, 38, 129, 39]}}
rules:
  - {name: gaps in box, kind: dark, area: box}
  - {name: renames, kind: identity_change}
`), 0o644)
	events := filepath.Join(dir, "events.jsonl")
	os.WriteFile(events, []byte(
		`{"type":"gap","mmsi":111,"start":"2026-01-01T00:00:00Z","end":"2026-01-01T20:00:00Z","lat":38.5,"lon":128.5,"confidence":0.9}
{"type":"gap","mmsi":222,"start":"2026-01-01T00:00:00Z","end":"2026-01-01T20:00:00Z","lat":10,"lon":10,"confidence":0.9}
{"type":"identity_change","mmsi":333,"start":"2026-01-02T00:00:00Z","end":"2026-01-02T00:00:00Z","lat":0,"lon":0,"confidence":0.8}
{"type":"gap","mmsi":111,"start":"2026-01-01T00:00:00Z","end":"2026-01-01T20:00:00Z","lat":38.5,"lon":128.5,"confidence":0.9}
`), 0o644)
	out := run(t, "alerts", "test", rules, events)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"rule":"gaps in box"`) || !strings.Contains(lines[0], `"mmsi":111`) ||
		!strings.Contains(lines[1], `"rule":"renames"`) {
		t.Fatalf("alerts:\n%s", out)
	}

	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("rules:\n  - {name: x, kind: enter, area: nowhere}\n"), 0o644)
	var o, e bytes.Buffer
	root.SetOut(&o)
	root.SetErr(&e)
	root.SetArgs([]string{"alerts", "test", bad, events})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "bad.yaml: rule 1 (x): area \"nowhere\" is not defined") {
		t.Fatalf("bad rules file: %v", err)
	}
}
