package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/alert"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
)

// alertSinks turns --alert values into one sink: "-" or "stdout", an
// http(s):// webhook URL, or nats://HOST:PORT/SUBJECT. The returned close
// function releases NATS connections.
func alertSinks(specs []string, out io.Writer) (alert.Sink, func(), error) {
	var sinks alert.Multi
	var conns []*nats.Conn
	closeAll := func() {
		for _, c := range conns {
			c.Drain()
		}
	}
	for _, s := range specs {
		switch {
		case s == "-" || s == "stdout":
			sinks = append(sinks, &alert.Writer{W: out})
		case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
			sinks = append(sinks, &alert.Webhook{URL: s})
		case strings.HasPrefix(s, "nats://"):
			u, err := url.Parse(s)
			subj := strings.TrimPrefix(u.Path, "/")
			if err != nil || subj == "" {
				closeAll()
				return nil, nil, fmt.Errorf("--alert %s: want nats://HOST:PORT/SUBJECT", s)
			}
			nc, err := nats.Connect("nats://"+u.Host, nats.MaxReconnects(-1))
			if err != nil {
				closeAll()
				return nil, nil, fmt.Errorf("--alert %s: %w", s, err)
			}
			conns = append(conns, nc)
			sinks = append(sinks, &alert.NATS{Conn: nc, Subject: subj})
		default:
			closeAll()
			return nil, nil, fmt.Errorf("--alert %q: want -, http(s)://URL or nats://HOST:PORT/SUBJECT", s)
		}
	}
	if len(sinks) == 0 {
		sinks = append(sinks, &alert.Writer{W: out})
	}
	return sinks, closeAll, nil
}

func init() {
	alerts := &cobra.Command{
		Use:   "alerts",
		Short: "Watchlist alert rules (see lookout alerts test)",
		Example: `  lookout alerts test watch.yaml events.jsonl
  lookout live --listen udp://:10110 --rules watch.yaml`,
	}
	var (
		dsn      string
		since    string
		darkH    float64
		useLists bool
	)
	test := &cobra.Command{
		Use:   "test RULES [EVENTS.jsonl]",
		Short: "Dry-run alert rules over stored events and positions, or over an events file",
		Long: `Check a rules file and show which alerts it would have raised, without
delivering anything. With an events file (lookout analyze output, JSON
lines) only event rules can fire; with --db the stored identities and
positions are replayed too, so enter/leave and dark rules are tested.

Rules file format: see the package documentation of alert
(go doc github.com/lookout-osint/lookout/alert).`,
		Example: `  lookout alerts test watch.yaml events.jsonl
  lookout alerts test watch.yaml --db lookout.duckdb --since 2026-01-01`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			f, err := alert.Load(args[0], nil)
			if err != nil {
				return err
			}
			opt := alert.Options{DarkAfter: time.Duration(darkH * float64(time.Hour))}
			if useLists {
				opt.Lists = sanctions.Default()
			}
			e := alert.New(f, opt)
			out := &alert.Writer{W: cmd.OutOrStdout()}
			n := 0
			emit := func(as []alert.Alert) error {
				for i := range as {
					n++
					if err := out.Send(ctx, &as[i]); err != nil {
						return err
					}
				}
				return nil
			}
			if len(args) == 2 {
				evs, err := readEvents(args[1])
				if err != nil {
					return err
				}
				for i := range evs {
					if err := emit(e.Event(&evs[i])); err != nil {
						return err
					}
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "%d events, %d alerts\n", len(evs), n)
				return nil
			}
			if !cmd.Flags().Changed("db") {
				return errors.New("give an events file or --db")
			}
			var from time.Time
			if since != "" {
				if from, err = time.Parse("2006-01-02", since); err != nil {
					return fmt.Errorf("--since %q: want YYYY-MM-DD", since)
				}
			}
			st, err := backend.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			evs, err := st.Events(ctx, store.EventQuery{})
			if err != nil {
				return err
			}
			sort.SliceStable(evs, func(i, j int) bool { return evs[i].End.Before(evs[j].End) })
			// Identities first (a store may not allow queries inside a
			// scan): the latest each vessel reported.
			vessels := map[uint32]bool{}
			if err := st.ScanPositions(ctx, from, time.Time{}, func(p *store.Position) error {
				vessels[p.MMSI] = true
				return nil
			}); err != nil {
				return err
			}
			for m := range vessels {
				ids, err := st.Identities(ctx, m)
				if err != nil {
					return err
				}
				for _, id := range ids {
					e.Identity(m, id.IMO, id.Name)
				}
			}
			// Replay positions and events in time order: an event is
			// evaluated once the positions reach its end.
			next := 0
			var npos int64
			err = st.ScanPositions(ctx, from, time.Time{}, func(p *store.Position) error {
				for next < len(evs) && !evs[next].End.After(p.Time) {
					if err := emit(e.Event(&evs[next])); err != nil {
						return err
					}
					next++
				}
				npos++
				return emit(e.Position(p.MMSI, p.Time, p.Lat, p.Lon))
			})
			if err != nil {
				return err
			}
			for ; next < len(evs); next++ {
				if err := emit(e.Event(&evs[next])); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d positions, %d events, %d alerts\n", npos, len(evs), n)
			return nil
		},
	}
	dbFlag(test, &dsn)
	test.Flags().StringVar(&since, "since", "", "replay stored positions from this day (YYYY-MM-DD)")
	test.Flags().Float64Var(&darkH, "dark-after", 2, "hours of silence after which a dark rule fires")
	test.Flags().BoolVar(&useLists, "lists", true, "use the built-in sanctions lists for listed: rules")
	alerts.AddCommand(test)
	root.AddCommand(alerts)
}
