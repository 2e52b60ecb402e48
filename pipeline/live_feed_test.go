package pipeline_test

import (
	"context"
	"fmt"
	"math"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/live"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// sentence armours AIS bits ('0'/'1' per bit) into one NMEA sentence
// without a tag block, as a receiver relays it.
func sentence(bits []byte) string {
	fill := 0
	for len(bits)%6 != 0 {
		bits = append(bits, 0)
		fill++
	}
	var sb strings.Builder
	for i := 0; i < len(bits); i += 6 {
		v := 0
		for _, b := range bits[i : i+6] {
			v = v<<1 | int(b)
		}
		if v < 40 {
			v += 48
		} else {
			v += 56
		}
		sb.WriteByte(byte(v))
	}
	body := fmt.Sprintf("AIVDM,1,1,,A,%s,%d", sb.String(), fill)
	var sum byte
	for i := 0; i < len(body); i++ {
		sum ^= body[i]
	}
	return fmt.Sprintf("!%s*%02X\n", body, sum)
}

type bits []byte

func (b *bits) u(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		*b = append(*b, byte(v>>uint(i))&1)
	}
}

func (b *bits) str(s string, n int) {
	for k := 0; k < n; k++ {
		c := byte('@')
		if k < len(s) {
			c = s[k]
		}
		b.u(uint64(c&63), 6)
	}
}

func position(mmsi uint32, lat, lon float64) string {
	var b bits
	b.u(1, 6)
	b.u(0, 2)
	b.u(uint64(mmsi), 30)
	b.u(0, 4)
	b.u(0x80, 8)
	b.u(100, 10)
	b.u(0, 1)
	b.u(uint64(int64(math.Round(lon*600000)))&(1<<28-1), 28)
	b.u(uint64(int64(math.Round(lat*600000)))&(1<<27-1), 27)
	b.u(900, 12)
	b.u(90, 9)
	b.u(0, 6)
	b.u(0, 25)
	return sentence(b)
}

func static(mmsi uint32, name string) string {
	var b bits
	b.u(5, 6)
	b.u(0, 2)
	b.u(uint64(mmsi), 30)
	b.u(0, 2)
	b.u(0, 30) // no IMO number: vessels sharing one are linked as a reused identity
	b.str("UBCD", 7)
	b.str(name, 20)
	b.u(80, 8)
	b.u(uint64(50+mmsi%50), 9) // dimensions of its own, for the same reason
	b.u(20, 9)
	b.u(8, 6)
	b.u(8, 6)
	b.u(1, 4)
	b.u(0, 20)
	b.u(75, 8)
	b.str("NAKHODKA", 20)
	b.u(0, 2)
	return sentence(b)
}

// traffic is one vessel's positions and a rename, with two lines the
// decoder must reject.
func traffic() (lines []string, positions int) {
	for i := 0; i < 20; i++ {
		lines = append(lines, position(273000001, 40.5, 133+0.001*float64(i)))
	}
	lines = append(lines, static(273000001, "SEA STAR"), "hello from a confused relay\n",
		strings.Replace(position(273000001, 40.5, 133), "*", "*0", 1), static(273000001, "OCEAN PEARL"))
	return lines, 20
}

func config(t testing.TB) (pipeline.LiveConfig, store.Store) {
	st, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "live.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	return configWith(t, st)
}

func configWith(t testing.TB, st store.Store) (pipeline.LiveConfig, store.Store) {
	t.Cleanup(func() { st.Close() })
	opt := analyze.DefaultOptions()
	opt.NoLand = true
	opt.Track.ReorderWindow = 500 * time.Millisecond
	return pipeline.LiveConfig{Detect: true, Analyze: opt, Store: st, Backoff: live.Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond},
		Stream: pipeline.StreamOptions{Interval: 50 * time.Millisecond}}, st
}

// waitStored waits (generously: the point is "while the feed runs", not
// how fast) until the store holds want positions and at least one event.
func waitStored(t testing.TB, st store.Store, want int64) store.Counts {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := st.Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.Positions >= want && c.Events >= 1 {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s of a running feed the store holds %+v, want %d positions and an event", c, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func checkResult(t testing.TB, res pipeline.LiveResult, st store.Store, positions int64) {
	t.Helper()
	c, err := st.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The events: the rename, and the sanctions stage's match of the first
	// name, SEA STAR, with OFAC's SEA STAR III (a name differing by its
	// number only: a weak match).
	if c.Positions != positions || c.Identities != 2 || c.Events != 2 {
		t.Errorf("store holds %+v, want %d positions, 2 identities, 2 events (the rename, a sanctions match)", c, positions)
	}
	if ms, err := st.Events(context.Background(), store.EventQuery{Types: []event.Type{event.SanctionsMatch}}); err != nil || len(ms) != 1 ||
		ms[0].Evidence["vessel_name"] != "SEA STAR" || ms[0].Lat == 0 {
		t.Errorf("sanctions matches stored from the feed: %+v, %v", ms, err)
	}
	if got := res.Decoder.RejectedTotal(); got != 2 {
		t.Errorf("%d lines rejected (%v), want 2", got, res.Decoder.Rejected)
	}
	if res.Store.Positions != positions || res.Totals.Events["identity_change"] != 1 {
		t.Errorf("result: %d positions stored, events %v", res.Store.Positions, res.Totals.Events)
	}
}

// TestUDPIntoStore: datagrams without tag blocks are stamped on arrival,
// decoded, stored and analysed while the feed runs; the rename is an event
// before the feed ends; bad lines are counted.
func TestUDPIntoStore(t *testing.T) {
	cfg, st := config(t)
	cfg.Listen = []string{"udp://127.0.0.1:0"}
	ready := make(chan net.Addr, 1)
	cfg.OnListen = func(_ string, a net.Addr) { ready <- a }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan pipeline.LiveResult, 1)
	errc := make(chan error, 1)
	go func() {
		res, err := pipeline.Live(ctx, cfg)
		done <- res
		errc <- err
	}()
	c, err := net.Dial("udp", (<-ready).String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lines, n := traffic()
	for i := 0; i < len(lines); i += 4 { // several lines per datagram, as relays send them
		dg := strings.Join(lines[i:min(i+4, len(lines))], "")
		if _, err := c.Write([]byte(dg)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // loopback drops bursts beyond the socket buffer
	}
	waitStored(t, st, int64(n))
	cancel()
	res := <-done
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	checkResult(t, res, st, int64(n))
	if res.Input.Stamped != int64(len(lines)-1) {
		t.Errorf("%d lines stamped with their arrival time, want %d (all but the one that is no AIS sentence)", res.Input.Stamped, len(lines)-1)
	}
}

// TestTCPReconnect: the server drops the connection mid-line; the feed
// reconnects, the cut line is discarded (not glued to the next), and every
// whole line of both connections is stored.
func TestTCPReconnect(t *testing.T) {
	cfg, st := config(t)
	tcpReconnect(t, cfg, st)
}

// TestTCPReconnectPostgres is TestTCPReconnect into PostGIS, in a schema
// of its own on the server named by LOOKOUT_TEST_PG.
func TestTCPReconnectPostgres(t *testing.T) {
	u := storetest.PostgresSchema(t, storetest.PostgresURL(t), "lookout_feed")
	ctx := context.Background()
	st, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := configWith(t, st)
	// A connection of its own to watch the store: one PostgreSQL store is
	// one connection, not for concurrent use.
	check, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	tcpReconnect(t, cfg, check)
}

// tcpReconnect runs the test with cfg, watching the store through st.
func tcpReconnect(t *testing.T, cfg pipeline.LiveConfig, st store.Store) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg.Connect = []string{"tcp://" + ln.Addr().String()}
	lines, n := traffic()
	half := 10
	go func() {
		c1, err := ln.Accept()
		if err != nil {
			return
		}
		c1.Write([]byte(strings.Join(lines[:half], "") + lines[half][:20]))
		c1.Close()
		c2, err := ln.Accept()
		if err != nil {
			return
		}
		defer c2.Close()
		c2.Write([]byte(strings.Join(lines[half:], "")))
		buf := make([]byte, 1)
		c2.Read(buf) // held open until the feed hangs up
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan pipeline.LiveResult, 1)
	errc := make(chan error, 1)
	go func() {
		res, err := pipeline.Live(ctx, cfg)
		done <- res
		errc <- err
	}()
	waitStored(t, st, int64(n))
	cancel()
	res := <-done
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	checkResult(t, res, st, int64(n))
	if res.Input.Connects != 2 || res.Input.Errors < 1 {
		t.Errorf("%d connections, %d errors; want 2 connections after the drop, the drop counted", res.Input.Connects, res.Input.Errors)
	}
}

func TestCheckRejectsBadInputs(t *testing.T) {
	for _, c := range []struct {
		cfg  pipeline.LiveConfig
		want string
	}{
		{pipeline.LiveConfig{Detect: true}, "at least one input"},
		{pipeline.LiveConfig{Detect: true, Listen: []string{"tcp://:1"}}, "only udp:// can listen"},
		{pipeline.LiveConfig{Detect: true, Connect: []string{"udp://:1"}}, "udp:// is for --listen"},
		{pipeline.LiveConfig{Detect: true, Connect: []string{"127.0.0.1:1"}}, "want udp://HOST:PORT or tcp://HOST:PORT"},
		{pipeline.LiveConfig{Detect: true, AISStream: "wss://x", Listen: []string{"udp://:1"}}, "cannot be combined"},
		{pipeline.LiveConfig{Listen: []string{"udp://:1"}}, "nothing to do"},
	} {
		if err := c.cfg.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
}
