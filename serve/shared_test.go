package serve

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/remote"
	"github.com/lookout-osint/lookout/store/storetest"
)

// otherCommandEnv makes the test binary act as another lookout command on
// a DuckDB file the test serves (see otherCommand).
const otherCommandEnv = "LOOKOUT_SERVE_TEST_OTHER"

const sharedMMSI = 273000111

// newcomer is what the other command stores: a vessel the server has not
// seen, with an encounter (an event with evidence, which must cross the
// socket intact).
func newcomer() *store.Batch {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	return &store.Batch{
		Identities: []store.Identity{{MMSI: sharedMMSI, Time: t0, IMO: 9999995, Name: "SHARED NEWCOMER"}},
		Positions:  []store.Position{{MMSI: sharedMMSI, Time: t0, Lat: 43.1, Lon: 131.9, SOG: 3, COG: store.NaN32, Heading: -1}},
		Events: []event.Event{{Type: event.Encounter, MMSI: sharedMMSI, OtherMMSI: 273000222, Start: t0, End: t0.Add(3 * time.Hour),
			Lat: 43.1, Lon: 131.9, Confidence: 0.8, Evidence: map[string]any{"min_distance_m": 120.5, "note": "x"}}},
	}
}

// otherCommand is a second process using the file as lookout ingest and
// lookout vessel do: through backend, which must find the server.
func otherCommand(path string) int {
	ctx := context.Background()
	st, err := backend.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	if _, ok := st.(*remote.Client); !ok {
		fmt.Fprintf(os.Stderr, "open gave a %T, not the server's store\n", st)
		return 1
	}
	if _, err := st.Write(ctx, newcomer()); err != nil {
		fmt.Fprintln(os.Stderr, "write:", err)
		return 1
	}
	st.Close()
	ro, err := backend.OpenReadOnly(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open read-only:", err)
		return 1
	}
	defer ro.Close()
	evs, err := ro.Events(ctx, store.EventQuery{MMSI: sharedMMSI})
	if err != nil || len(evs) != 1 || evs[0].Evidence["min_distance_m"] != 120.5 {
		fmt.Fprintf(os.Stderr, "events read back: %v %v\n", evs, err)
		return 1
	}
	n := 0
	if err := ro.ScanPositions(ctx, time.Time{}, time.Time{}, func(*store.Position) error { n++; return nil }); err != nil || n == 0 {
		fmt.Fprintf(os.Stderr, "scan positions: %d %v\n", n, err)
		return 1
	}
	return 0
}

func vesselMMSIs(t *testing.T, srv *httptest.Server) []uint32 {
	t.Helper()
	var v struct {
		Vessels []VesselSummary `json:"vessels"`
	}
	get(t, srv, "/api/vessels?limit=1000", 200, &v)
	var out []uint32
	for _, x := range v.Vessels {
		out = append(out, x.MMSI)
	}
	return out
}

// TestOtherCommandsThroughServer: while the server holds a DuckDB file,
// another process (lookout ingest, vessel, report) writes and reads it
// through the server, and the API shows what it wrote at once, though the
// vessel list was computed before.
func TestOtherCommandsThroughServer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "served.duckdb")
	st, err := duckdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Write(ctx, &store.Batch{Identities: []store.Identity{{MMSI: 273000001, Time: time.Unix(1e9, 0).UTC(), Name: "FIRST"}}}); err != nil {
		t.Fatal(err)
	}
	s := New(st, Options{Log: log.New(io.Discard, "", 0)})
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := remote.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.ServeStore(ln, path, "") }()
	defer func() {
		ln.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(remote.SocketPath(path)); !os.IsNotExist(err) {
			t.Errorf("socket left behind: %v", err)
		}
	}()
	srv := httptest.NewServer(s)
	defer srv.Close()
	if ms := vesselMMSIs(t, srv); slices.Contains(ms, sharedMMSI) {
		t.Fatal("newcomer listed before it was written")
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), otherCommandEnv+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the other command: %v\n%s", err, out)
	}
	if ms := vesselMMSIs(t, srv); !slices.Contains(ms, sharedMMSI) {
		t.Fatalf("vessel list %v lacks the vessel the other command wrote", ms)
	}
	var d Dossier
	get(t, srv, fmt.Sprintf("/api/vessels/%d", sharedMMSI), 200, &d)
	if d.Name != "SHARED NEWCOMER" || len(d.Events) != 1 {
		t.Errorf("dossier: name %q, %d events", d.Name, len(d.Events))
	}
}

// TestPostgresCacheFollowsOtherWriters: on PostgreSQL other processes
// write while the server runs; no cached answer (vessel list, risk, trips,
// dossier) may outlive the data behind it.
func TestPostgresCacheFollowsOtherWriters(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresSchema(t, storetest.PostgresURL(t), "serve_fresh")
	served, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	other, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Write(ctx, &store.Batch{Identities: []store.Identity{{MMSI: 273000001, Time: time.Unix(1e9, 0).UTC(), Name: "FIRST"}}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(served, Options{Log: log.New(io.Discard, "", 0)}))
	defer srv.Close()
	if ms := vesselMMSIs(t, srv); len(ms) != 1 {
		t.Fatalf("vessels before: %v", ms)
	}
	var d Dossier
	get(t, srv, fmt.Sprintf("/api/vessels/%d", sharedMMSI), 404, nil)

	if _, err := other.Write(ctx, newcomer()); err != nil {
		t.Fatal(err)
	}
	if ms := vesselMMSIs(t, srv); !slices.Contains(ms, sharedMMSI) {
		t.Errorf("vessel list %v lacks the vessel another process wrote", ms)
	}
	get(t, srv, fmt.Sprintf("/api/vessels/%d", sharedMMSI), 200, &d)
	if d.Name != "SHARED NEWCOMER" || len(d.Events) != 1 {
		t.Errorf("dossier: name %q, %d events", d.Name, len(d.Events))
	}
	var r struct {
		Scores []scored `json:"scores"`
	}
	get(t, srv, "/api/risk?limit=100", 200, &r)
	found := false
	for _, sc := range r.Scores {
		found = found || sc.MMSI == sharedMMSI
	}
	if !found {
		t.Error("risk does not score the vessel another process wrote")
	}
	var raw map[string]any
	get(t, srv, "/api/events", 200, &raw)
	if !strings.Contains(fmt.Sprint(raw), "encounter") {
		t.Error("events lack the encounter")
	}
}

// TestRefreshWhileWritten: while other commands write through the server,
// new identities show at once, and what needs every event recomputed
// (event counts, risk, trips) at most once per Options.Refresh.
func TestRefreshWhileWritten(t *testing.T) {
	ctx := context.Background()
	s, srv, c := serveInProcess(t, &store.Batch{}, time.Hour)
	if ms := vesselMMSIs(t, srv); len(ms) != 0 {
		t.Fatalf("vessels of an empty store: %v", ms)
	}
	if _, err := c.Write(ctx, newcomer()); err != nil {
		t.Fatal(err)
	}
	var d Dossier
	get(t, srv, fmt.Sprintf("/api/vessels/%d", sharedMMSI), 200, &d)
	if d.Name != "SHARED NEWCOMER" {
		t.Errorf("a new identity is not shown at once: %+v", d.VesselSummary)
	}
	if n := listedEvents(t, srv, sharedMMSI); n != 0 || len(d.Events) != 0 {
		t.Errorf("events recomputed within the refresh interval: %d listed, %d in the dossier", n, len(d.Events))
	}
	s.mu.Lock()
	s.cacheTime = s.cacheTime.Add(-time.Hour)
	s.mu.Unlock()
	var d2 Dossier
	get(t, srv, fmt.Sprintf("/api/vessels/%d", sharedMMSI), 200, &d2)
	if n := listedEvents(t, srv, sharedMMSI); n != 1 || len(d2.Events) != 1 {
		t.Errorf("events not brought in once the interval passed: %d listed, %d in the dossier", n, len(d2.Events))
	}
}

// listedEvents is the event count the vessel list gives m.
func listedEvents(t *testing.T, srv *httptest.Server, m uint32) int {
	t.Helper()
	var v struct {
		Vessels []VesselSummary `json:"vessels"`
	}
	get(t, srv, "/api/vessels?limit=1000", 200, &v)
	for _, x := range v.Vessels {
		if x.MMSI == m {
			return x.Events
		}
	}
	t.Fatalf("vessel %d not listed", m)
	return 0
}

// TestScanDoesNotHoldUpMap: another command reading the whole store
// through the server (a report's scan of every position) does not stop
// the map's requests while it reads.
func TestScanDoesNotHoldUpMap(t *testing.T) {
	ctx := context.Background()
	var b store.Batch
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 200000 {
		b.Positions = append(b.Positions, store.Position{MMSI: 273000001 + uint32(i%50), Time: t0.Add(time.Duration(i) * time.Second), COG: store.NaN32, SOG: 1, Heading: -1})
	}
	_, srv, c := serveInProcess(t, &b, 0)
	started, release := make(chan struct{}), make(chan struct{})
	scanned := make(chan error, 1)
	go func() {
		first := true
		scanned <- c.ScanPositions(ctx, time.Time{}, time.Time{}, func(*store.Position) error {
			if first {
				first = false
				close(started)
				<-release // the reader dawdles; the server is mid-scan
			}
			return nil
		})
	}()
	<-started
	answered := make(chan struct{})
	go func() {
		get(t, srv, "/api/health", 200, nil)
		get(t, srv, fmt.Sprintf("/api/vessels/%d/track", 273000007), 200, nil)
		close(answered)
	}()
	select {
	case <-answered:
	case <-time.After(30 * time.Second): // only keeps a failing test from hanging
		t.Error("the map's requests waited for another command's scan")
	}
	close(release)
	if err := <-scanned; err != nil {
		t.Fatal(err)
	}
	<-answered
}

// serveInProcess serves a DuckDB store holding b, over HTTP and on its
// socket, and returns a client of the socket. The client is in this
// process (it opens no file, so one process will do).
func serveInProcess(t *testing.T, b *store.Batch, refresh time.Duration) (*Server, *httptest.Server, *remote.Client) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "served.duckdb")
	st, err := duckdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	s := New(st, Options{Log: log.New(io.Discard, "", 0), Refresh: refresh})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	ln, err := remote.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go s.ServeStore(ln, path, "")
	c, err := remote.Dial(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return s, srv, c
}
