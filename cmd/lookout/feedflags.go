package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lookout-osint/lookout/alert"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/live"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
)

// feedFlags are the network-input flags of lookout ingest and lookout
// live, which run the same code (pipeline.Live) for live feeds.
type feedFlags struct {
	listen, connect      []string
	aisstream, subscribe string
	reorder              time.Duration
	to, stream, prefix   string
	partitions, pubBatch int
	rules                string
	alerts               []string
	darkH                float64
	every                time.Duration
}

const feedHelp = `Network inputs: NMEA from UDP (--listen, as AIS-catcher, rtl-ais and gpsd
relays send it) or from TCP servers (--connect, reconnecting with backoff),
or aisstream.io JSON over a WebSocket (--aisstream with --subscribe FILE
holding the subscription message and your API key). Lines without a tag
block are stamped with their arrival time. The run lasts until Ctrl-C,
which flushes open events and queued rows before exit.

The detectors run continuously: the tracker's reorder window (--reorder)
runs on the wall clock, so an event is reported seconds after its line.
--rules raises alerts, delivered to --alert (stdout, a webhook URL,
nats://HOST:PORT/SUBJECT). With --to nats://HOST:PORT, decoded messages
are instead published in batches to a JetStream stream partitioned by MMSI
for lookout worker instances (alert rules on positions still run here).`

func (f *feedFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.listen, "listen", nil, "listen for NMEA datagrams: udp://HOST:PORT (repeatable)")
	fs.StringArrayVar(&f.connect, "connect", nil, "read NMEA from a TCP server: tcp://HOST:PORT (repeatable; reconnects with backoff)")
	fs.StringVar(&f.aisstream, "aisstream", "", "aisstream.io WebSocket URL (wss://stream.aisstream.io/v0/stream)")
	fs.StringVar(&f.subscribe, "subscribe", "", "file with the aisstream.io subscription JSON (APIKey, BoundingBoxes)")
	fs.DurationVar(&f.reorder, "reorder", pipeline.DefaultReorder, "network inputs: how long a report waits (wall clock) for earlier ones arriving late")
	fs.StringVar(&f.to, "to", "", "publish decoded messages to NATS JetStream (nats://HOST:PORT) instead of detecting here")
	fs.IntVar(&f.partitions, "partitions", 8, "with --to: partitions of the stream (workers must use the same)")
	fs.StringVar(&f.stream, "stream", "LOOKOUT_AIS", "with --to: JetStream stream name")
	fs.StringVar(&f.prefix, "subject-prefix", "lookout.ais", "with --to: subjects are PREFIX.<partition>")
	fs.IntVar(&f.pubBatch, "publish-batch", 256, "with --to: messages per published batch and partition")
	fs.StringVar(&f.rules, "rules", "", "alert rules file (YAML; see lookout alerts test)")
	fs.StringArrayVar(&f.alerts, "alert", nil, "deliver alerts to -, an http(s):// webhook or nats://HOST:PORT/SUBJECT (repeatable; default stdout)")
	fs.Float64Var(&f.darkH, "dark-after", 2, "hours of silence after which a dark rule fires")
	fs.DurationVar(&f.every, "stats-every", 30*time.Second, "network inputs: print counters on stderr this often (0: never)")
}

// given reports whether any network input was named.
func (f *feedFlags) given() bool {
	return len(f.listen)+len(f.connect) > 0 || f.aisstream != ""
}

// check reports bad input flags before a store is opened.
func (f *feedFlags) check() error {
	c := pipeline.LiveConfig{Listen: f.listen, Connect: f.connect, AISStream: f.aisstream, Detect: true}
	return c.Check()
}

// feedRun is what a command asks of a feed besides its flags.
type feedRun struct {
	opt    analyze.Options
	st     store.Store // nil: nothing stored
	detect bool        // run the detectors here (ignored with --to)
	stdout bool        // print events as JSON lines on stdout
	batch  int         // positions per store transaction at most (0: default)
	quiet  bool
	// discardState starts the detectors afresh instead of restoring the
	// state stored by the last run (lookout ingest --discard-state).
	discardState bool
}

// run reads the network inputs until ctx ends.
func (f *feedFlags) run(ctx context.Context, r feedRun) error {
	cfg := pipeline.LiveConfig{
		Listen: f.listen, Connect: f.connect, AISStream: f.aisstream,
		Backoff: live.Backoff{Min: 500 * time.Millisecond, Max: 30 * time.Second},
		Detect:  r.detect && f.to == "", Analyze: r.opt, Store: r.st, DiscardState: r.discardState,
		Stream: pipeline.StreamOptions{BatchSize: r.batch, OnError: func(err error, held int) {
			fmt.Fprintf(os.Stderr, "store: %v (%d positions held, retrying)\n", err, held)
		}},
		NATS: f.to, Bus: bus.Config{Stream: f.stream, Prefix: f.prefix, Partitions: f.partitions}, PublishBatch: f.pubBatch,
	}
	cfg.Analyze.Track.ReorderWindow = f.reorder
	if f.subscribe != "" {
		b, err := os.ReadFile(f.subscribe)
		if err != nil {
			return err
		}
		cfg.Subscribe = b
	}
	if err := cfg.Check(); err != nil {
		return err
	}
	newSvc, closeAlerts, err := liveAlerts(context.WithoutCancel(ctx), f.rules, f.alerts, time.Duration(f.darkH*float64(time.Hour)))
	if err != nil {
		return err
	}
	defer closeAlerts()
	var emit []func(*event.Event)
	if r.stdout {
		w := event.NewWriter(os.Stdout)
		var mu sync.Mutex
		emit = append(emit, func(e *event.Event) { mu.Lock(); w.Write(e); mu.Unlock() })
	}
	if newSvc != nil {
		svc := newSvc()
		cfg.Watch = svc.Watch
		emit = append(emit, svc.Event)
		go tickAlerts(ctx, svc)
	}
	if len(emit) > 0 {
		cfg.Events = func(e *event.Event) {
			for _, f := range emit {
				f(e)
			}
		}
	}
	if !r.quiet && f.every > 0 {
		cfg.StatsEvery, cfg.OnStats = f.every, func(s pipeline.LiveStats) { fmt.Fprintln(os.Stderr, feedSummary(s)) }
	}
	res, err := pipeline.Live(ctx, cfg)
	if !r.quiet {
		if cfg.Detect {
			analyze.WriteTotals(os.Stderr, res.Totals)
		}
		fmt.Fprintln(os.Stderr, feedSummary(res.LiveStats))
	}
	return err
}

// tickAlerts lets dark rules fire on the wall clock while the feed is live.
func tickAlerts(ctx context.Context, svc *alert.Service) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			svc.TickLive(now.UTC(), 10*time.Minute)
		}
	}
}

func feedSummary(s pipeline.LiveStats) string {
	msg := fmt.Sprintf("live: %d messages, %d lines rejected", s.Messages, s.Decoder.RejectedTotal())
	if in := s.Input; in.Lines > 0 || in.Connects > 0 || in.Errors > 0 {
		msg += fmt.Sprintf(", %d lines (%d stamped), %d connects, %d input errors", in.Lines, in.Stamped, in.Connects, in.Errors)
		if in.LastError != "" {
			msg += " (last: " + in.LastError + ")"
		}
	}
	if st := s.Store; st.Positions+st.Identities+st.Events+int64(st.Held)+st.Failures > 0 {
		msg += fmt.Sprintf("; stored %d positions, %d identity records, %d events", st.Positions, st.Identities, st.Events)
		if st.Held > 0 || st.Dropped > 0 || st.NoTime > 0 {
			msg += fmt.Sprintf(" (%d rows waiting, %d positions dropped, %d reports without receive time)", st.Held, st.Dropped, st.NoTime)
		}
	}
	if s.Published+s.Skipped > 0 {
		msg += fmt.Sprintf("; published %d messages (%d of untracked types skipped)", s.Published, s.Skipped)
	}
	return msg
}

// ingestFeed is lookout ingest of network inputs: the store is --db
// (default file included) unless --to publishes and --db is not given.
// With files instead, it only checks that no flag of live feeds was given
// (it would be ignored) and returns live false.
func ingestFeed(cmd *cobra.Command, args []string, ff *feedFlags, r feedRun, dsn string) (live bool, err error) {
	if !ff.given() {
		if len(args) == 0 {
			return false, errors.New("give AIS files, or a network input (--listen, --connect, --aisstream)")
		}
		var used []string
		fs := pflag.NewFlagSet("feed", pflag.ContinueOnError)
		new(feedFlags).register(fs)
		fs.VisitAll(func(f *pflag.Flag) {
			if cmd.Flags().Changed(f.Name) {
				used = append(used, "--"+f.Name)
			}
		})
		if len(used) > 0 {
			return false, fmt.Errorf("%s: only for network inputs (--listen, --connect, --aisstream), not files", strings.Join(used, ", "))
		}
		return false, nil
	}
	if len(args) > 0 {
		return true, errors.New("give files or network inputs (--listen, --connect, --aisstream), not both")
	}
	if err := ff.check(); err != nil {
		return true, err
	}
	if !cmd.Flags().Changed("batch") {
		r.batch = 0
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if ff.to == "" || cmd.Flags().Changed("db") {
		st, err := backend.Open(ctx, dsn)
		if err != nil {
			return true, err
		}
		defer st.Close()
		r.st = st
	}
	return true, ff.run(ctx, r)
}
