package bus

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
)

// startServer runs an embedded NATS server with JetStream on a random
// port, storing in a temporary directory.
func startServer(t testing.TB) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		t.Fatal("embedded nats-server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s
}

// testStream connects to the server named by LOOKOUT_TEST_NATS (CI runs
// these tests against a real server that way) or to an embedded one, and
// names a stream of the test's own, deleted afterwards.
func testStream(t *testing.T, partitions int) (jetstream.JetStream, Config) {
	t.Helper()
	var js jetstream.JetStream
	if url := os.Getenv("LOOKOUT_TEST_NATS"); url != "" {
		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		if js, err = jetstream.New(nc); err != nil {
			t.Fatal(err)
		}
	} else {
		js = connect(t, startServer(t))
	}
	id := time.Now().UnixNano()
	c := Config{Stream: fmt.Sprintf("LOOKOUT_TEST_%d", id), Prefix: fmt.Sprintf("lookout.test%d", id), Partitions: partitions, Shards: 3}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		js.DeleteStream(ctx, c.Stream)
		js.DeleteStream(ctx, c.Stage2Stream())
		js.DeleteKeyValue(ctx, c.Stream) // a test's progress bucket, if it made one
		js.DeleteObjectStore(ctx, c.StateBucket())
	})
	return js, c
}

func connect(t testing.TB, s *server.Server) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// feed makes a time-ordered stream of vessels in open sea: some steam on,
// some drift for hours (loitering), some fall silent for 14 h (gaps), one
// changes its name.
func feed(vessels int, hours int) []ais.Message {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var out []ais.Message
	for v := range vessels {
		mmsi := uint32(273100000 + v*137)
		lat, lon := 40.0+float64(v%7)*0.3, 134.0+float64(v/7)*0.3
		st := ais.Message{Type: 5, MMSI: mmsi, RxTime: t0.Add(time.Duration(v) * time.Second), Station: "rx1"}
		st.StaticA = ais.StaticVoyageData{IMO: 0, ShipName: fmt.Sprintf("TEST %d", v), CallSign: "UB" + fmt.Sprint(v), ShipType: 80,
			Dim: ais.Dimensions{ToBow: 100, ToStern: 20, ToPort: 10, ToStarboard: 10}, Draught: 8, Destination: "SEA"}
		out = append(out, st)
		for i := 0; i < hours*12; i++ {
			t := t0.Add(time.Duration(i)*5*time.Minute + time.Duration(v)*time.Second)
			h := i / 12
			if v%3 == 1 && h >= 20 && h < 34 {
				continue // silent
			}
			speed := 11.0
			if v%4 == 2 && h >= 10 && h < 20 {
				speed = 0.4
			}
			lat += speed / 60 / 12 * math.Cos(0.7)
			lon += speed / 60 / 12 * math.Sin(0.7) / math.Cos(lat*math.Pi/180)
			m := ais.Message{Type: 1, MMSI: mmsi, RxTime: t, Station: "rx1", Channel: 'A'}
			m.PosA = ais.PositionReportA{Status: 0, Turn: -128, Speed: speed, Lon: lon, Lat: lat, Course: 40.1, Heading: 40, Second: uint8(t.Second())}
			out = append(out, m)
			if v == 5 && i == hours*6 {
				st.RxTime = t
				st.StaticA.ShipName = "RENAMED"
				out = append(out, st)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RxTime.Before(out[j].RxTime) })
	return out
}

func TestCodecRoundTrip(t *testing.T) {
	ms := feed(6, 30)
	m19 := ais.Message{Type: 19, MMSI: 1, RxTime: time.Unix(5, 0).UTC()}
	m19.PosB = ais.PositionReportB{Speed: 1.5, Lon: 3, Lat: 4, Course: 5, Heading: 6}
	m19.ExtB = ais.ExtendedClassB{ShipName: "B", ShipType: 30, Dim: ais.Dimensions{ToBow: 1, ToStern: 2, ToPort: 3, ToStarboard: 4}}
	m24 := ais.Message{Type: 24, MMSI: 2, Station: "s"}
	m24.StaticB = ais.StaticDataReport{PartNo: 1, ShipType: 37, CallSign: "CS", VendorID: "V", MothershipMMSI: 9}
	m27 := ais.Message{Type: 27, MMSI: 3, RxTime: time.Unix(7, 0).UTC()}
	m27.LongRange = ais.LongRangeReport{Lon: 1.5, Lat: 2.5, Speed: 12, Course: 90, Status: 5}
	ms = append(ms, m19, m24, m27)
	var buf []byte
	for i := range ms {
		buf = AppendMessage(buf, &ms[i])
	}
	payload := append(binary.AppendUvarint(nil, uint64(len(ms))), buf...)
	i := 0
	if err := DecodeBatch(payload, func(m *ais.Message) {
		if !reflect.DeepEqual(*m, ms[i]) {
			t.Fatalf("message %d: got %+v, want %+v", i, *m, ms[i])
		}
		i++
	}); err != nil {
		t.Fatal(err)
	}
	if i != len(ms) {
		t.Fatalf("decoded %d of %d", i, len(ms))
	}
	if err := DecodeBatch(payload[:len(payload)-3], func(*ais.Message) {}); err == nil {
		t.Fatal("truncated batch decoded without error")
	}
}

// sink collects events by ID, counting repeats. Events are kept as a
// store would give them back (through JSON: numbers in the evidence become
// float64), since second-stage events have been through JSON already,
// and without the open flag: drained workers set it on what the end
// flushed, as the store marks what ingest's finish emits, while analyze's
// detectors never set it (pipeline's backfill tests compare it through the
// store).
type sink struct {
	mu     sync.Mutex
	events map[string]event.Event
	writes int
}

func newSink() *sink { return &sink{events: map[string]event.Event{}} }

func (s *sink) emit(_ int, e *event.Event) {
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	var n event.Event
	if err := json.Unmarshal(b, &n); err != nil {
		panic(err)
	}
	n.Open = false
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events[e.ID()] = n
	s.writes++
}

func (s *sink) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.events {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func publish(t *testing.T, js jetstream.JetStream, c Config, id string, ms []ais.Message) {
	t.Helper()
	ctx := context.Background()
	if _, err := Setup(ctx, js, c); err != nil {
		t.Fatal(err)
	}
	p := NewPublisher(js, c, id, 64)
	for i := range ms {
		if err := p.Add(&ms[i]); err != nil {
			t.Fatal(err)
		}
	}
	fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := p.Flush(fctx); err != nil {
		t.Fatal(err)
	}
}

func testOptions() analyze.Options {
	o := analyze.DefaultOptions()
	o.NoLand = true
	return o
}

// drain runs worker idx of of until caught up: both stages with one
// worker; with several, stage 0 would wait for the others' partitions, so
// callers run stage 1 of each, then stage 2 of each (drainAll).
func drain(t *testing.T, js jetstream.JetStream, c Config, idx, of int, s *sink) *Worker {
	t.Helper()
	stage := 0
	if of > 1 {
		stage = 1
	}
	return drainStage(t, js, c, idx, of, stage, s)
}

func drainAll(t *testing.T, js jetstream.JetStream, c Config, of int, s *sink) (ws []*Worker) {
	t.Helper()
	for i := range of {
		ws = append(ws, &Worker{JS: js, Config: c, Index: i, Of: of, Options: testOptions(), Emit: s.emit, Drain: true})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	runAll(ctx, t, ws...)
	return ws
}

// runAll runs drained workers at once, as they must: a partition's first
// stage waits for the interference unit's verdicts, which wait for every
// partition.
func runAll(ctx context.Context, t *testing.T, ws ...*Worker) {
	t.Helper()
	errs := make(chan error, len(ws))
	for _, w := range ws {
		go func() { errs <- w.Run(ctx) }()
	}
	for range ws {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

func drainStage(t *testing.T, js jetstream.JetStream, c Config, idx, of, stage int, s *sink) *Worker {
	t.Helper()
	return runDrained(t, &Worker{JS: js, Config: c, Index: idx, Of: of, Stage: stage, Options: testOptions(), Emit: s.emit, Drain: true})
}

// runDrained runs one drained worker to its end, within a minute.
func runDrained(t *testing.T, w *Worker) *Worker {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestWorkerKilledAndRecovered: a worker stopped mid-stream (no flush, as
// in a crash) and started again ends with exactly the events of one
// uninterrupted worker, and two workers give the same events as one. The
// per-vessel events equal a single-process run over the same messages.
func TestWorkerKilledAndRecovered(t *testing.T) {
	js, c := testStream(t, 2)
	ms := feed(16, 40)
	publish(t, js, c, "p1", ms)

	// Single process, no bus.
	local := newSink()
	an := analyze.New(testOptions(), func(e *event.Event) { local.emit(0, e) })
	if err := an.Read(&sliceReader{ms: ms}); err != nil {
		t.Fatal(err)
	}
	an.Finish()
	if len(local.events) < 5 {
		t.Fatalf("the feed should give events to compare; got %d", len(local.events))
	}

	one := newSink()
	w := drain(t, js, c, 0, 1, one)
	if got := w.Messages.Load(); got != int64(len(ms)) {
		t.Fatalf("worker saw %d messages, published %d", got, len(ms))
	}
	if !reflect.DeepEqual(one.ids(), local.ids()) {
		t.Errorf("bus worker events differ from a single-process run:\n bus   %v\n local %v", one.ids(), local.ids())
	}
	for id, e := range local.events {
		if b := one.events[id]; !reflect.DeepEqual(b, e) {
			t.Errorf("event %s differs:\n bus   %+v\n local %+v", id, b, e)
		}
	}

	// Killed mid-stream: cancel once it has taken part of the stream.
	crashed := newSink()
	ctx, cancel := context.WithCancel(context.Background())
	w = &Worker{JS: js, Config: c, Options: testOptions(), Emit: crashed.emit}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(60 * time.Second)
	for w.Messages.Load() < int64(len(ms)/2) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	partial := len(crashed.events)
	for id := range crashed.events {
		if _, ok := one.events[id]; !ok {
			t.Errorf("the killed worker wrote event %s that an uninterrupted run does not have", id)
		}
	}
	drain(t, js, c, 0, 1, crashed) // restart into the same idempotent sink
	if !reflect.DeepEqual(crashed.events, one.events) {
		t.Errorf("killed+recovered events (%d, %d before the kill) differ from an uninterrupted run (%d)", len(crashed.events), partial, len(one.events))
	}

	two := newSink()
	ws := drainAll(t, js, c, 2, two)
	w0, w1 := ws[0], ws[1]
	if w0.Messages.Load()+w1.Messages.Load() != int64(len(ms)) || w0.Messages.Load() == 0 || w1.Messages.Load() == 0 {
		t.Errorf("two workers took %d + %d of %d messages", w0.Messages.Load(), w1.Messages.Load(), len(ms))
	}
	if !reflect.DeepEqual(two.events, one.events) {
		t.Errorf("two workers found %d events, one worker %d", len(two.events), len(one.events))
	}
}

// TestPublisherSurvivesBrokerRestart restarts the embedded server (same
// store directory) between two publishes: the stream keeps the first
// batch and the client reconnects for the second.
func TestPublisherSurvivesBrokerRestart(t *testing.T) {
	dir := t.TempDir()
	opts := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true}
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		t.Fatal("server did not start")
	}
	addr := s.Addr().(*net.TCPAddr)
	nc, err := nats.Connect(s.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	c := Config{Partitions: 2}
	ms := feed(4, 4)
	publish(t, js, c, "before", ms[:len(ms)/2])
	s.Shutdown()
	s.WaitForShutdown()
	opts2 := *opts
	opts2.Port = addr.Port
	s2, err := server.NewServer(&opts2)
	if err != nil {
		t.Fatal(err)
	}
	go s2.Start()
	defer s2.Shutdown()
	if !s2.ReadyForConnections(20 * time.Second) {
		t.Fatal("server did not restart")
	}
	deadline := time.Now().Add(20 * time.Second)
	for !nc.IsConnected() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	publish(t, js, c, "after", ms[len(ms)/2:])
	got := newSink()
	w := drain(t, js, c, 0, 1, got)
	if w.Messages.Load() != int64(len(ms)) {
		t.Fatalf("after a broker restart the stream holds %d of %d messages", w.Messages.Load(), len(ms))
	}
}

type sliceReader struct {
	ms []ais.Message
	i  int
}

func (r *sliceReader) Next() bool            { r.i++; return r.i <= len(r.ms) }
func (r *sliceReader) Message() *ais.Message { return &r.ms[r.i-1] }
func (r *sliceReader) Err() error            { return nil }
func (r *sliceReader) Stats() ais.Stats      { return ais.Stats{Rejected: map[string]int64{}} }

// flakyStore fails its first writes, as a database restarting would.
type flakyStore struct {
	store.Store
	mu    sync.Mutex
	fails int
	ids   map[string]int
}

func (f *flakyStore) Write(_ context.Context, b *store.Batch) (store.Written, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return store.Written{}, fmt.Errorf("connection refused")
	}
	var w store.Written
	for _, e := range b.Events {
		if f.ids[e.ID()] == 0 {
			w.Events++
		}
		f.ids[e.ID()]++
	}
	return w, nil
}

func TestEventWriterRetriesThroughStoreOutage(t *testing.T) {
	fs := &flakyStore{fails: 3, ids: map[string]int{}}
	w := NewEventWriter(context.Background(), fs)
	var attempts int
	w.OnError = func(error, int) { attempts++ }
	t0 := time.Unix(1e9, 0)
	for i := range 50 {
		w.Add(&event.Event{Type: event.Gap, MMSI: uint32(i), Start: t0})
	}
	w.Add(&event.Event{Type: event.Gap, MMSI: 0, Start: t0}) // replayed duplicate
	w.Close()
	if len(fs.ids) != 50 || w.Written() != 50 {
		t.Fatalf("stored %d distinct, %d new; want 50", len(fs.ids), w.Written())
	}
	if attempts == 0 {
		t.Fatal("the outage was not noticed")
	}
}

// countingReader counts, per partition, messages read while muted.
type countingReader struct {
	source.Reader
	muted *bool
	n     *int64
}

func (c *countingReader) Next() bool {
	if !c.Reader.Next() {
		return false
	}
	if *c.muted {
		*c.n++
	}
	return true
}

// TestRestartKnowsWhatIsReplayed: after a restart, exactly the messages a
// previous run had taken are read in replay (alerts muted), and replay ends
// for every partition once new messages come.
func TestRestartKnowsWhatIsReplayed(t *testing.T) {
	js, c := testStream(t, 3)
	ms := feed(9, 10)
	half := len(ms) / 2
	publish(t, js, c, "a", ms[:half])
	kv, err := js.CreateOrUpdateKeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: c.Stream})
	if err != nil {
		t.Fatal(err)
	}
	run := func() (replayed int64, calls []string) {
		var mu sync.Mutex
		muted := map[int]*bool{}
		counts := map[int]*int64{}
		for p := range 3 {
			muted[p], counts[p] = new(bool), new(int64)
		}
		w := &Worker{JS: js, Config: c, Options: testOptions(), Drain: true, KV: kv,
			Emit: func(int, *event.Event) {},
			Replay: func(p int, on bool) {
				mu.Lock()
				calls = append(calls, fmt.Sprintf("%d:%v", p, on))
				mu.Unlock()
				if p >= 0 { // shards (-1-k) replay frames, not messages
					*muted[p] = on
				}
			},
			Watch: func(p int, r source.Reader) source.Reader {
				return &countingReader{Reader: r, muted: muted[p], n: counts[p]}
			}}
		runDrained(t, w)
		for _, n := range counts {
			replayed += *n
		}
		sort.Strings(calls)
		return replayed, calls
	}
	if n, calls := run(); n != 0 || len(calls) != 0 {
		t.Fatalf("first run: %d messages replayed, calls %v", n, calls)
	}
	publish(t, js, c, "b", ms[half:])
	n, calls := run()
	if n != int64(half) {
		t.Errorf("replayed %d messages, want the %d the first run took", n, half)
	}
	// A shard rebuilt as the partitions' new runs supersede their ends
	// (see shard.superseded) replays again, from its start.
	calls = slices.Compact(calls)
	if want := []string{"-1:false", "-1:true", "-2:false", "-2:true", "-3:false", "-3:true",
		"0:false", "0:true", "1:false", "1:true", "2:false", "2:true"}; !reflect.DeepEqual(calls, want) {
		t.Errorf("replay calls %v, want %v", calls, want)
	}
}
