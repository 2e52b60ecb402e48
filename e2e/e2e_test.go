// Package e2e drives the web map in headless Chromium (e2e/run.mjs, with
// playwright-core from web/node_modules) against a server on a loopback
// port. It needs node, scripts/build-web to have run and Debian's chromium:
// without them it skips, except in CI (CI=true), where it fails.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/serve"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/web"
)

// requirements says what is missing to run the browser test, or "".
func requirements() string {
	chromium := os.Getenv("LOOKOUT_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		return "chromium is not installed (apt-get install chromium)"
	}
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not installed"
	}
	if _, err := os.Stat("../web/node_modules/playwright-core/package.json"); err != nil {
		return "web/node_modules is missing (run scripts/build-web)"
	}
	if _, err := os.Stat("../web/dist/index.html"); err != nil {
		return "the web bundle is not built (run scripts/build-web)"
	}
	return ""
}

const (
	tankerMMSI = 445000123
	tankerName = "E2E SHUTTLE TANKER"
)

// testStore holds one tanker sailing from off Vostochnyy towards the DPRK
// coast, with a gap and a port visit; it returns how many events it holds.
func testStore(t *testing.T) (store.Store, int) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "e2e.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var b store.Batch
	lat, lon := 42.6, 133.0
	for i := range 200 {
		lat, lon = geo.Destination(lat, lon, 225, 2.5)
		b.Positions = append(b.Positions, store.Position{MMSI: tankerMMSI, Time: t0.Add(time.Duration(i) * 10 * time.Minute),
			Lat: lat, Lon: lon, SOG: 8, COG: 225, Heading: 225, Status: 0})
	}
	b.Identities = []store.Identity{{MMSI: tankerMMSI, Time: t0, IMO: 9123457, Name: tankerName, CallSign: "HMXX9", ShipType: 80, Length: 110, Draught: 6.1}}
	mid := b.Positions[100]
	b.Events = []event.Event{
		{Type: event.Gap, MMSI: tankerMMSI, Start: mid.Time, End: mid.Time.Add(14 * time.Hour), Lat: mid.Lat, Lon: mid.Lon, Confidence: 0.8,
			Source: event.SourceAIS, Evidence: map[string]any{"duration_h": 14.0, "deliberate": true}},
		{Type: event.PortVisit, MMSI: tankerMMSI, Start: t0.Add(-30 * time.Hour), End: t0.Add(-2 * time.Hour), Lat: 42.73, Lon: 133.07,
			Port: "VOSTOCHNYY", PortGroup: "RU-FE", Confidence: 4, Source: event.SourceAIS},
	}
	if _, err := st.Write(ctx, &b); err != nil {
		t.Fatal(err)
	}
	return st, len(b.Events)
}

// serveWeb serves st with the built web map on a loopback port until the
// test ends, and returns the page's URL.
func serveWeb(t *testing.T, st store.Store) string {
	t.Helper()
	s := serve.New(st, serve.Options{Web: web.FS(), Log: log.New(io.Discard, "", 0)})
	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String() + "/"
}

// needBrowser skips the test when the browser test cannot run, except in
// CI (CI=true), where that fails it.
func needBrowser(t *testing.T) {
	t.Helper()
	if why := requirements(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser test cannot run in CI: %s (scripts/ci-web-deps installs it)", why)
		}
		t.Skip(why)
	}
}

func TestBrowser(t *testing.T) {
	needBrowser(t)
	st, nEvents := testStore(t)
	url := serveWeb(t, st)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := []string{"run.mjs", url, "shuttle"}
	if shot := os.Getenv("LOOKOUT_E2E_SCREENSHOT"); shot != "" {
		args = append(args, shot)
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	t.Logf("run.mjs: %s%s", out.String(), errb.String())
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	var res struct {
		Foreign     []string `json:"foreign"`
		DossierMMSI string   `json:"dossier_mmsi"`
		Vertices    int      `json:"vertices"`
		Rendered    int      `json:"rendered"`
		UsableMS    int      `json:"usable_ms"`
		AtStart     struct {
			Status string `json:"status"`
		} `json:"events_at_start"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("run.mjs output: %v", err)
	}
	if res.DossierMMSI != "445000123" || res.Vertices < 2 || res.Rendered < 1 || len(res.Foreign) != 0 {
		t.Fatalf("result %+v", res)
	}
	// Before a vessel is picked the map holds every event of the store.
	if want := fmt.Sprintf("%d events of all vessels", nEvents); !strings.HasPrefix(res.AtStart.Status, want) {
		t.Errorf("event status at start %q, want it to begin %q", res.AtStart.Status, want)
	}
}
