// Live runs network AIS inputs through the pipeline for as long as they
// flow: NMEA over UDP and TCP and aisstream.io JSON (package live) are
// decoded once, then stored (positions, identity changes and events, by a
// pipeline Stream), analysed by the detectors with the tracker's reorder
// window running on the wall clock (so an event comes seconds after its
// line, not when data ten minutes later arrives), and/or published in
// batches to NATS JetStream partitioned by MMSI (package bus) for lookout
// worker instances. lookout ingest and lookout live both run it for network
// inputs.

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/live"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
)

// DefaultReorder is the tracker's reorder window on live input. Lines
// stamped on arrival are in time order already; the window is for inputs
// that carry their own tag blocks and arrive a little out of step (several
// relays, one of them slower): later than this, a report is still used,
// but out of order (counted as late by the tracker). It adds to the delay
// of every event: on loopback UDP at 10k lines/s, line to alert through
// the tracker took p50 0.18 s / p99 0.46 s with 500 ms, p50 1.8 s / p99
// 2.2 s with 2 s (scripts/bench-live).
const DefaultReorder = 500 * time.Millisecond

// DefaultCheckpoint bounds what a crash (kill -9, power loss) forgets of
// the detectors' state; a stop by signal stores it whole. Each checkpoint
// pauses the analysis for the time it takes to serialise the state of the
// vessels that changed.
const DefaultCheckpoint = time.Minute

// LiveConfig says where a feed comes from and where it goes.
type LiveConfig struct {
	// Listen takes NMEA datagrams on udp://HOST:PORT addresses; Connect
	// reads tcp://HOST:PORT servers, reconnecting with Backoff.
	Listen, Connect []string
	// AISStream is an aisstream.io WebSocket URL, Subscribe the
	// subscription message sent on each connection. It cannot be combined
	// with NMEA inputs.
	AISStream string
	Subscribe []byte
	Backoff   live.Backoff
	// OnListen, if set, is told the bound address of each UDP input (port
	// 0 picks a free one).
	OnListen func(input string, addr net.Addr)

	// Detect runs the detectors here with Analyze (Live is set on it; its
	// tracker ReorderWindow should be small, see DefaultReorder).
	Detect  bool
	Analyze analyze.Options
	// Store, if set, receives positions, identity changes and the events.
	Store  store.Store
	Stream StreamOptions
	// NoScreen leaves out the sanctions stage (see Screener).
	NoScreen bool
	// CheckpointEvery is how often the detectors' state is stored with
	// Store (default DefaultCheckpoint); it is also stored when the feed
	// ends, and restored when it starts, so a restart loses no open track,
	// gap or visit. DiscardState starts afresh instead (see
	// Options).
	CheckpointEvery time.Duration
	DiscardState    bool
	// NATS, if set (nats://HOST:PORT), receives every decoded message in
	// batches of PublishBatch per partition of Bus.
	NATS         string
	Bus          bus.Config
	PublishBatch int

	// Watch, if set, wraps the decoded stream (alert rules on positions).
	Watch func(source.Reader) source.Reader
	// Events, if set, receives every detected event besides Store.
	Events func(*event.Event)
	// OnStats, if set, is called every StatsEvery with the counters so far.
	StatsEvery time.Duration
	OnStats    func(LiveStats)
}

// LiveStats is what a feed has done so far.
type LiveStats struct {
	Messages int64
	// Input counts the network inputs' lines, stamps, (re)connections and
	// errors; zero for aisstream.io.
	Input live.Stats
	// Decoder holds the decoder's counts, with rejected lines by reason
	// (aisstream.io: unusable messages and connection failures).
	Decoder ais.Stats
	Store   StreamStats
	// Published and Skipped count messages sent to NATS and those of
	// types the workers do not use.
	Published, Skipped int64
}

// LiveResult is what Run did.
type LiveResult struct {
	LiveStats
	// Totals are the detectors' totals (when Detect).
	Totals analyze.Totals
}

// Check reports a configuration that cannot run, before anything starts.
func (c *LiveConfig) Check() error {
	if len(c.Listen)+len(c.Connect) == 0 && c.AISStream == "" {
		return errors.New("give at least one input: --listen, --connect or --aisstream")
	}
	if c.AISStream != "" && len(c.Listen)+len(c.Connect) > 0 {
		return errors.New("--aisstream cannot be combined with NMEA inputs in one process")
	}
	for _, u := range c.Listen {
		scheme, _, err := live.ParseInput(u)
		if err != nil {
			return fmt.Errorf("--listen: %w", err)
		}
		if scheme != "udp" {
			return fmt.Errorf("--listen %s: only udp:// can listen; use --connect for TCP servers", u)
		}
	}
	for _, u := range c.Connect {
		scheme, _, err := live.ParseInput(u)
		if err != nil {
			return fmt.Errorf("--connect: %w", err)
		}
		if scheme != "tcp" {
			return fmt.Errorf("--connect %s: udp:// is for --listen", u)
		}
	}
	if !c.Detect && c.Store == nil && c.NATS == "" {
		return errors.New("nothing to do with the feed: no detectors, no store, no NATS")
	}
	return nil
}

// Run reads the inputs until ctx ends, then flushes every stage (open
// events are reported, queued rows written) and returns. Input errors are
// retried and counted, not returned; an input that cannot start (a UDP
// port in use) ends the run with its error.
func Live(ctx context.Context, c LiveConfig) (LiveResult, error) {
	var res LiveResult
	if err := c.Check(); err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// The analyzer first: loading the land index and ports takes seconds,
	// during which a UDP input would already be dropping datagrams.
	var (
		an     *analyze.Analyzer
		stream *Stream
	)
	if c.Detect && c.NATS == "" {
		opt := c.Analyze
		opt.Live = true
		an = analyze.New(opt, func(e *event.Event) {
			if stream != nil {
				stream.Emit(e)
			}
			if c.Events != nil {
				c.Events(e)
			}
		})
	}

	if c.Store != nil {
		sopt := c.Stream
		if !c.NoScreen {
			sc, err := LoadScreener(ctx, c.Store)
			if err != nil {
				return res, err
			}
			sopt.Screen = sc
		}
		stream = NewStream(context.WithoutCancel(ctx), c.Store, sopt)
		if an != nil {
			an.OnQuarantine(stream.quar.add)
		}
	}
	// The stored state too, before the inputs start: a failure to load it
	// must not leave them filling a queue nobody reads.
	if an != nil && stream != nil {
		if err := stream.Restore(ctx, an, c.DiscardState); err != nil {
			stream.Close(ctx)
			return res, err
		}
	}

	var (
		src     source.Reader
		closeIn func()
		lines   *live.Lines
		inputs  sync.WaitGroup
	)
	if c.AISStream != "" {
		q := live.NewMessages()
		inputs.Add(1)
		go func() { defer inputs.Done(); live.ConnectAISStream(ctx, c.AISStream, c.Subscribe, q, c.Backoff) }()
		src, closeIn = q, func() { q.Close() }
	} else {
		lines = live.NewLines()
		for _, u := range c.Listen {
			_, addr, _ := live.ParseInput(u)
			inputs.Add(1)
			go func() {
				defer inputs.Done()
				var ready func(net.Addr)
				if c.OnListen != nil {
					ready = func(a net.Addr) { c.OnListen(u, a) }
				}
				if err := live.ListenUDP(ctx, addr, lines, ready); err != nil {
					cancel(err)
				}
			}()
		}
		for _, u := range c.Connect {
			_, addr, _ := live.ParseInput(u)
			inputs.Add(1)
			go func() { defer inputs.Done(); live.ConnectTCP(ctx, addr, lines, c.Backoff) }()
		}
		src, closeIn = ais.NewReader(lines), func() { lines.Close() }
	}
	// The pipeline reads on after ctx ends until the inputs have stopped
	// and what they queued is drained, so nothing received is lost.
	go func() { <-ctx.Done(); inputs.Wait(); closeIn() }()

	count := &counter{Reader: src}
	src = count
	if stream != nil {
		src = stream.Watch(src)
	}
	if c.Watch != nil {
		src = c.Watch(src)
	}
	var pub atomic.Pointer[bus.Publisher]
	snapshot := func() LiveStats {
		st := LiveStats{Messages: count.n.Load(), Decoder: count.stats()}
		if lines != nil {
			st.Input = lines.Stats()
		}
		if stream != nil {
			st.Store = stream.Stats()
		}
		if p := pub.Load(); p != nil {
			st.Published, st.Skipped = p.Published.Load(), p.Skipped.Load()
		}
		return st
	}
	if c.OnStats != nil && c.StatsEvery > 0 {
		done := make(chan struct{})
		defer close(done)
		go func() {
			t := time.NewTicker(c.StatsEvery)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					c.OnStats(snapshot())
				}
			}
		}()
	}

	var err error
	switch {
	case c.NATS != "":
		err = publish(ctx, src, c, &pub)
	case an != nil && stream != nil:
		// After a failure the state is left as last stored: finishing would
		// store what is open as closed.
		if err = readCheckpointed(an, src, stream, c); err != nil {
			cancel(err)
		} else {
			res.Totals = an.Finish()
		}
	case an != nil:
		err = an.Read(src)
		res.Totals = an.Finish()
	default:
		for src.Next() {
		}
		err = src.Err()
	}
	if stream != nil {
		// Bounded: a store that stays down must not keep Ctrl-C waiting.
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		if cerr := stream.Close(cctx); cerr != nil && err == nil {
			err = fmt.Errorf("store: %w (%d rows not written)", cerr, stream.Stats().Held)
		}
		ccancel()
	}
	res.LiveStats = snapshot()
	if cause := context.Cause(ctx); err == nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	}
	return res, err
}

// readCheckpointed runs src through an (its state restored already) with
// the state checkpointed every c.CheckpointEvery and at the end:
// Read returns at each checkpoint (the analyzer is idle between Reads, its
// state whole) and is called again on the same input. Then the events an
// still has open, which Finish emits, go to the stream as provisional.
func readCheckpointed(an *analyze.Analyzer, src source.Reader, stream *Stream, c LiveConfig) error {
	every := c.CheckpointEvery
	if every <= 0 {
		every = DefaultCheckpoint
	}
	p := &pauser{Reader: src, every: every, next: time.Now().Add(every)}
	for {
		p.paused = false
		if err := an.Read(p); err != nil {
			return err
		}
		if err := stream.Checkpoint(an); err != nil {
			return err
		}
		if !p.paused {
			stream.Open()
			return nil
		}
		p.next = time.Now().Add(every)
	}
}

// pauser ends a Read when a checkpoint is due, before taking the next
// message from its input, and reports only the decoder's counts since the
// last pause (an Analyzer adds up each Read's).
type pauser struct {
	source.Reader
	every  time.Duration
	next   time.Time
	paused bool
	last   ais.Stats
}

func (p *pauser) Next() bool {
	if !time.Now().Before(p.next) {
		p.paused = true
		return false
	}
	return p.Reader.Next()
}

func (p *pauser) Err() error {
	if p.paused {
		return nil
	}
	return p.Reader.Err()
}

func (p *pauser) LiveStats() ais.Stats {
	cur := p.Reader.Stats()
	d := ais.Stats{Lines: cur.Lines - p.last.Lines, Sentences: cur.Sentences - p.last.Sentences,
		Messages: cur.Messages - p.last.Messages, Rejected: map[string]int64{}}
	for i := range d.ByType {
		d.ByType[i] = cur.ByType[i] - p.last.ByType[i]
	}
	for k, v := range cur.Rejected {
		if v -= p.last.Rejected[k]; v != 0 {
			d.Rejected[k] = v
		}
	}
	p.last = cur
	p.last.Rejected = maps.Clone(cur.Rejected)
	return d
}

// counter counts messages and keeps a copy of the decoder's counts, taken
// on the reading goroutine (the decoder is not safe for concurrent use)
// every 64 messages or 200 ms, and at the end: the counters printed while
// the feed runs lag by at most that, the final ones are exact.
type counter struct {
	source.Reader
	n    atomic.Int64
	last time.Time
	mu   sync.Mutex
	snap ais.Stats
}

func (c *counter) Next() bool {
	ok := c.Reader.Next()
	n := c.n.Load()
	if ok {
		n = c.n.Add(1)
	}
	if !ok || n%64 == 0 || time.Since(c.last) >= 200*time.Millisecond {
		c.last = time.Now()
		st := c.Reader.Stats()
		c.mu.Lock()
		c.snap = st
		c.mu.Unlock()
	}
	return ok
}

func (c *counter) stats() ais.Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap
}

// publish sends every message to the NATS stream, flushing partial
// batches every 100 ms so that a quiet feed is not held back. The
// publisher is stored in out for the counters.
func publish(ctx context.Context, src source.Reader, c LiveConfig, out *atomic.Pointer[bus.Publisher]) error {
	nc, err := nats.Connect(c.NATS, nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("--to %s: %w", c.NATS, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	if _, err := bus.Setup(ctx, js, c.Bus); err != nil {
		return err
	}
	host, _ := os.Hostname()
	batch := c.PublishBatch
	if batch <= 0 {
		batch = 256
	}
	pub := bus.NewPublisher(js, c.Bus, fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano()), batch)
	out.Store(pub)
	flushCtx := context.WithoutCancel(ctx)
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fctx, cancel := context.WithTimeout(flushCtx, 5*time.Second)
				pub.Flush(fctx)
				cancel()
			}
		}
	}()
	for src.Next() {
		if err := pub.Add(src.Message()); err != nil {
			return err
		}
	}
	fctx, cancel := context.WithTimeout(flushCtx, 30*time.Second)
	defer cancel()
	return pub.Flush(fctx)
}
