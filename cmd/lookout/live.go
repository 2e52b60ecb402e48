package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/alert"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/sanctions"
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
		ff    feedFlags
		df    detectFlags
		dsn   string
		quiet bool
	)
	cmd := &cobra.Command{
		Use:   "live",
		Short: "Read live AIS from the network, detect continuously, raise alerts, or publish to NATS",
		Long: `lookout live is lookout ingest of network inputs with the store optional:
without --db, events are printed as JSON lines on stdout (unless --rules
takes them); with --db, positions, identity changes and events are stored
as lookout ingest --listen/--connect/--aisstream stores them.

` + feedHelp,
		Example: `  lookout live --listen udp://:10110 --rules watch.yaml
  lookout live --connect tcp://192.168.1.20:10110 --db lookout.duckdb --rules watch.yaml --alert https://hooks.example.org/ais
  lookout live --aisstream wss://stream.aisstream.io/v0/stream --subscribe sub.json
  lookout live --listen udp://:10110 --to nats://127.0.0.1:4222 --partitions 8`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := df.apply(&opt); err != nil {
				return err
			}
			if err := ff.check(); err != nil {
				return err
			}
			r := feedRun{opt: opt, detect: true, stdout: !cmd.Flags().Changed("db") && ff.rules == "", quiet: quiet}
			if cmd.Flags().Changed("db") {
				st, err := backend.Open(ctx, dsn)
				if err != nil {
					return err
				}
				defer st.Close()
				r.st = st
			}
			return ff.run(ctx, r)
		},
	}
	f := cmd.Flags()
	ff.register(f)
	df.register(f)
	f.BoolVar(&quiet, "quiet", false, "no counters or totals on stderr")
	dbFlag(cmd, &dsn)
	root.AddCommand(cmd)
}
