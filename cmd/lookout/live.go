package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/alert"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/live"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store/backend"
)

// liveAlerts builds the alert services of --rules/--alert: newSvc returns
// a service with an engine of its own (one per independent stream clock)
// delivering to the shared sinks; nil when there are no rules.
func liveAlerts(ctx context.Context, rules string, sinks []string, darkAfter time.Duration) (newSvc func() *alert.Service, done func(), err error) {
	if rules == "" {
		if len(sinks) > 0 {
			return nil, nil, errors.New("--alert needs --rules")
		}
		return nil, func() {}, nil
	}
	f, err := alert.Load(rules, nil)
	if err != nil {
		return nil, nil, err
	}
	sink, closeSinks, err := alertSinks(sinks, os.Stdout)
	if err != nil {
		return nil, nil, err
	}
	var (
		mu   sync.Mutex
		svcs []*alert.Service
		wg   sync.WaitGroup
	)
	newSvc = func() *alert.Service {
		svc := alert.NewService(alert.New(f, alert.Options{Lists: sanctions.Default(), DarkAfter: darkAfter}), sink)
		svc.OnError = func(a *alert.Alert, err error) { fmt.Fprintf(os.Stderr, "alert %s not delivered: %v\n", a.ID, err) }
		wg.Add(1)
		go func() { defer wg.Done(); svc.Deliver(ctx) }()
		mu.Lock()
		svcs = append(svcs, svc)
		mu.Unlock()
		return svc
	}
	return newSvc, func() {
		mu.Lock()
		for _, s := range svcs {
			s.Close()
		}
		mu.Unlock()
		wg.Wait()
		closeSinks()
	}, nil
}

func init() {
	opt := analyze.DefaultOptions()
	var (
		listen, connect, alerts []string
		aisstream, subscribe    string
		to, rules, dsn          string
		stream, prefix          string
		partitions, batch       int
		darkH                   float64
		every                   time.Duration
		quiet                   bool
	)
	cmd := &cobra.Command{
		Use:   "live",
		Short: "Read live AIS from the network, detect continuously, raise alerts, or publish to NATS",
		Long: `Read NMEA from UDP (--listen, as AIS-catcher, rtl-ais and gpsd relays send
it) or from TCP servers (--connect, reconnecting with backoff), or
aisstream.io JSON over a WebSocket (--aisstream with --subscribe FILE holding
the subscription message and your API key). Lines without a tag block are
stamped with their arrival time.

Without --to, the detectors run in this process over the unbounded stream:
events go to --db (idempotently) or to stdout, and --rules raises alerts
delivered to --alert (stdout, a webhook URL, nats://HOST:PORT/SUBJECT).
With --to nats://HOST:PORT, decoded messages are published in batches to a
JetStream stream partitioned by MMSI for lookout worker instances.

Stop with Ctrl-C: open events are flushed before exit.`,
		Example: `  lookout live --listen udp://:10110 --rules watch.yaml
  lookout live --connect tcp://192.168.1.20:10110 --db lookout.duckdb --rules watch.yaml --alert https://hooks.example.org/ais
  lookout live --aisstream wss://stream.aisstream.io/v0/stream --subscribe sub.json
  lookout live --listen udp://:10110 --to nats://127.0.0.1:4222 --partitions 8`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if len(listen)+len(connect) == 0 && aisstream == "" {
				return errors.New("give at least one input: --listen, --connect or --aisstream")
			}
			if aisstream != "" && len(listen)+len(connect) > 0 {
				return errors.New("--aisstream cannot be combined with NMEA inputs in one process")
			}
			backoff := live.Backoff{Min: 500 * time.Millisecond, Max: 30 * time.Second}
			var (
				src     source.Reader
				closeIn func()
				wg      sync.WaitGroup
				lines   *live.Lines
			)
			if aisstream != "" {
				var sub []byte
				if subscribe != "" {
					b, err := os.ReadFile(subscribe)
					if err != nil {
						return err
					}
					sub = b
				}
				q := live.NewMessages()
				wg.Add(1)
				go func() { defer wg.Done(); live.ConnectAISStream(ctx, aisstream, sub, q, backoff) }()
				src, closeIn = q, func() { q.Close() }
			} else {
				lines = live.NewLines()
				for _, u := range append(append([]string{}, listen...), connect...) {
					if _, _, err := live.ParseInput(u); err != nil {
						return err
					}
					if strings.HasPrefix(u, "tcp") && slicesContains(listen, u) {
						return fmt.Errorf("--listen %s: only udp:// can listen; use --connect for TCP servers", u)
					}
					if strings.HasPrefix(u, "udp") && slicesContains(connect, u) {
						return fmt.Errorf("--connect %s: udp:// is for --listen", u)
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := live.Run(ctx, u, lines, backoff); err != nil {
							fmt.Fprintln(os.Stderr, err)
							stop()
						}
					}()
				}
				src, closeIn = ais.NewReader(lines), func() { lines.Close() }
			}
			go func() { <-ctx.Done(); wg.Wait(); closeIn() }()

			newSvc, closeAlerts, err := liveAlerts(context.WithoutCancel(ctx), rules, alerts, time.Duration(darkH*float64(time.Hour)))
			if err != nil {
				return err
			}
			defer closeAlerts()
			var svc *alert.Service
			if newSvc != nil {
				svc = newSvc()
				src = svc.Watch(src)
				go func() {
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
				}()
			}
			var count countReader
			count.Reader = src
			if !quiet && every > 0 {
				go func() {
					t := time.NewTicker(every)
					defer t.Stop()
					for {
						select {
						case <-ctx.Done():
							return
						case <-t.C:
							msg := fmt.Sprintf("live: %d messages", count.n.Load())
							if lines != nil {
								st := lines.Stats()
								msg += fmt.Sprintf(", %d lines (%d stamped), %d connects, %d input errors", st.Lines, st.Stamped, st.Connects, st.Errors)
								if st.LastError != "" {
									msg += " (last: " + st.LastError + ")"
								}
							}
							fmt.Fprintln(os.Stderr, msg)
						}
					}
				}()
			}

			if to != "" {
				return livePublish(ctx, &count, to, bus.Config{Stream: stream, Prefix: prefix, Partitions: partitions}, batch)
			}

			var emit []func(*event.Event)
			if cmd.Flags().Changed("db") {
				st, err := backend.Open(ctx, dsn)
				if err != nil {
					return err
				}
				defer st.Close()
				ew := bus.NewEventWriter(context.WithoutCancel(ctx), st)
				ew.OnError = func(err error, n int) { fmt.Fprintf(os.Stderr, "store: %v (%d events held, retrying)\n", err, n) }
				defer ew.Close()
				emit = append(emit, ew.Add)
			} else if svc == nil {
				w := event.NewWriter(os.Stdout)
				var mu sync.Mutex
				emit = append(emit, func(e *event.Event) { mu.Lock(); w.Write(e); mu.Unlock() })
			}
			if svc != nil {
				emit = append(emit, svc.Event)
			}
			an := analyze.New(opt, func(e *event.Event) {
				for _, f := range emit {
					f(e)
				}
			})
			if err := an.Read(&count); err != nil {
				return err
			}
			tot := an.Finish()
			if !quiet {
				analyze.WriteTotals(os.Stderr, tot)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&listen, "listen", nil, "listen for NMEA datagrams: udp://HOST:PORT (repeatable)")
	f.StringArrayVar(&connect, "connect", nil, "read NMEA from a TCP server: tcp://HOST:PORT (repeatable; reconnects with backoff)")
	f.StringVar(&aisstream, "aisstream", "", "aisstream.io WebSocket URL (wss://stream.aisstream.io/v0/stream)")
	f.StringVar(&subscribe, "subscribe", "", "file with the aisstream.io subscription JSON (APIKey, BoundingBoxes)")
	f.StringVar(&to, "to", "", "publish decoded messages to NATS JetStream (nats://HOST:PORT) instead of detecting here")
	f.IntVar(&partitions, "partitions", 8, "with --to: partitions of the stream (workers must use the same)")
	f.StringVar(&stream, "stream", "LOOKOUT_AIS", "with --to: JetStream stream name")
	f.StringVar(&prefix, "subject-prefix", "lookout.ais", "with --to: subjects are PREFIX.<partition>")
	f.IntVar(&batch, "batch", 256, "with --to: messages per published batch and partition")
	f.StringVar(&rules, "rules", "", "alert rules file (YAML; see lookout alerts test)")
	f.StringArrayVar(&alerts, "alert", nil, "deliver alerts to -, an http(s):// webhook or nats://HOST:PORT/SUBJECT (repeatable; default stdout)")
	f.Float64Var(&darkH, "dark-after", 2, "hours of silence after which a dark rule fires")
	f.DurationVar(&every, "stats-every", 30*time.Second, "print input counters on stderr this often (0: never)")
	f.BoolVar(&quiet, "quiet", false, "no counters or totals on stderr")
	dbFlag(cmd, &dsn)
	root.AddCommand(cmd)
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// countReader counts messages passing through.
type countReader struct {
	source.Reader
	n atomic.Int64
}

func (c *countReader) Next() bool {
	if !c.Reader.Next() {
		return false
	}
	c.n.Add(1)
	return true
}

// livePublish sends every message to the NATS stream, flushing partial
// batches every 100 ms so that a quiet feed is not held back.
func livePublish(ctx context.Context, src source.Reader, url string, c bus.Config, batch int) error {
	nc, err := nats.Connect(url, nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("--to %s: %w", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	if _, err := bus.Setup(ctx, js, c); err != nil {
		return err
	}
	host, _ := os.Hostname()
	pub := bus.NewPublisher(js, c, fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano()), batch)
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
	if err := pub.Flush(fctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "published %d messages (%d of untracked types skipped)\n", pub.Published.Load(), pub.Skipped.Load())
	return nil
}
