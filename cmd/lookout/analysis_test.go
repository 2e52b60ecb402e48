package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// TestAnalysisCommandsReadTheStore runs trips, risk, oilcap and eval on a
// store as the README shows them (--db): a tanker and a cargo ship each
// make one trip Vostochnyy → Nampo, and the tanker discharges there.
func TestAnalysisCommandsReadTheStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "a.duckdb")
	st, err := duckdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var b store.Batch
	var truth bytes.Buffer
	w := event.NewWriter(&truth)
	for i, v := range []struct {
		mmsi uint32
		name string
		typ  uint8
	}{{616171143, "SHUN LIGHT 51", 80}, {273000001, "CARGO ONE", 70}} {
		b.Identities = append(b.Identities, store.Identity{MMSI: v.mmsi, Time: t0, Name: v.name, ShipType: v.typ, Length: 100, Beam: 16})
		b.Positions = append(b.Positions, store.Position{MMSI: v.mmsi, Time: t0, Lat: 42.7, Lon: 133.0, SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15})
		start := t0.Add(time.Duration(i) * time.Hour)
		evs := []event.Event{
			{Type: event.PortVisit, MMSI: v.mmsi, Start: start, End: start.Add(20 * time.Hour), Lat: 42.75, Lon: 133.07, Port: "Vostochnyy", PortID: "60725", PortGroup: "RU-FE", Confidence: 4},
			{Type: event.PortVisit, MMSI: v.mmsi, Start: start.Add(72 * time.Hour), End: start.Add(100 * time.Hour), Lat: 38.73, Lon: 125.4, Port: "Nampo", PortID: "60280", PortGroup: "KP", Confidence: 4},
		}
		if v.typ == 80 {
			evs = append(evs, event.Event{Type: event.DraughtChange, MMSI: v.mmsi, Start: start.Add(72 * time.Hour), End: start.Add(98 * time.Hour),
				Lat: 38.73, Lon: 125.4, Port: "Nampo", PortGroup: "KP",
				Evidence: map[string]any{"change_m": -2.0, "context": "port_visit", "length_m": 100.0, "beam_m": 16.0}})
		}
		b.Events = append(b.Events, evs...)
		for i := range evs {
			w.Write(&evs[i])
		}
	}
	if _, err := st.Write(ctx, &b); err != nil {
		t.Fatal(err)
	}
	st.Close()
	truthPath := filepath.Join(dir, "truth.jsonl")
	if err := os.WriteFile(truthPath, truth.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetArgs(args)
		defer root.SetOut(nil)
		if err := root.Execute(); err != nil {
			t.Fatalf("lookout %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	out := run("trips", "--db", db, "--from", "RU-FE", "--to", "KP", "--ship-type", "tanker", "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "616171143,") || !strings.HasSuffix(lines[1], ",SHUN LIGHT 51") {
		t.Errorf("trips of tankers:\n%s", out)
	}
	out = run("risk", "--db", db)
	if !strings.Contains(out, "616171143  SHUN LIGHT 51") || !strings.Contains(out, "CARGO ONE") {
		t.Errorf("risk:\n%s", out)
	}
	out = run("oilcap", "--db", db, "--details")
	if !strings.Contains(out, "2024  1 ") || !strings.Contains(out, "616171143 SHUN LIGHT 51") {
		t.Errorf("oilcap:\n%s", out)
	}
	out = run("eval", "--truth", truthPath, "--db", db)
	if !strings.Contains(out, "overall") || !strings.Contains(out, "1.000   1.000  1.000") {
		t.Errorf("eval against the store's own events:\n%s", out)
	}
}

// A file's line must not contradict the run's total: events are stored as
// the detectors close them, most when the run ends.
func TestIngestFileLineSaysEventsSoFar(t *testing.T) {
	s := ingestSummary(pipeline.FileResult{Name: "day1.nmea.gz", Positions: 754, Identities: 78})
	if strings.Contains(s, "0 new events") || !strings.Contains(s, "0 events added while reading it (the rest when the run ends)") {
		t.Errorf("%s", s)
	}
}
