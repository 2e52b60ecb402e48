package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	from, to, err := parsePeriod("2026-03-01", "2026-04-01T12:00:00Z")
	if err != nil || !from.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("got %v %v %v", from, to, err)
	}
	if from, to, err := parsePeriod("", ""); err != nil || !from.IsZero() || !to.IsZero() {
		t.Errorf("open period: %v %v %v", from, to, err)
	}
}

// TestPeriodFlagsNamed: every command that takes --since and --until
// names the flag that holds a bad time, before it opens a store.
func TestPeriodFlagsNamed(t *testing.T) {
	dir := t.TempDir()
	for _, c := range [][]string{{"events"}, {"export", "--out", dir}, {"track", "445000123"}} {
		for _, bad := range []struct{ since, until, want string }{
			{"yesterday", "", `--since "yesterday"`},
			{"2026-03-01", "soon", `--until "soon"`},
		} {
			args := append(append([]string{}, c...), "--db", dir+"/none.duckdb", "--since", bad.since, "--until", bad.until)
			var out bytes.Buffer
			root.SetOut(&out)
			root.SetErr(&out)
			root.SetArgs(args)
			err := root.Execute()
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("lookout %s: error %v, want one naming %s", strings.Join(args, " "), err, bad.want)
			}
		}
	}
}
