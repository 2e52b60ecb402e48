package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/serve"
	"github.com/lookout-osint/lookout/store/backend"
	"github.com/lookout-osint/lookout/store/remote"
	"github.com/lookout-osint/lookout/web"
)

func init() {
	var dsn, addr, token string
	var allowHosts []string
	cmd := &cobra.Command{
		Use:   "serve [--db FILE|URL] [--addr HOST:PORT]",
		Short: "Serve the web map and the JSON API over a store",
		Long: `Serve the store (see lookout ingest) as a JSON API (described at /api/openapi.json)
and a web map that needs no internet: basemap from the bundled Natural Earth land,
vessel tracks with a time slider, events with their evidence, vessel dossiers,
trips per month between port groups.

The API is read-only unless a token is given (--token or LOOKOUT_TOKEN): then
requests that change data (uploading a sanctions list) must carry
Authorization: Bearer TOKEN. Listen on loopback unless you mean to share it.
Requests naming another host (DNS rebinding from a web page) are refused:
behind a reverse proxy, name the proxy's host with --allow-host.

While it runs, other lookout commands on the same DuckDB file (ingest, live,
report, vessel, …) go through the server, and the map shows what they store
at once. See SECURITY.md for what the server exposes.`,
		Example: `  lookout serve --db lookout.duckdb
  lookout serve --db postgres://analyst@db.example.org/lookout --addr 127.0.0.1:9000
  LOOKOUT_TOKEN=$(openssl rand -hex 16) lookout serve --addr 0.0.0.0:8080
  lookout serve --addr 127.0.0.1:8080 --allow-host lookout.example.org   # behind a proxy`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			if token == "" {
				token = os.Getenv("LOOKOUT_TOKEN")
			}
			if !backend.IsPostgres(dsn) {
				if _, err := os.Stat(dsn); err != nil {
					return fmt.Errorf("%s: %w (make one with lookout ingest, or try lookout demo)", dsn, err)
				}
			}
			st, writable, err := backend.OpenServing(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			shared := ""
			switch {
			case !writable:
				fmt.Fprintf(os.Stderr, "%s cannot be written: serving it read-only (uploads are refused)\n", dsn)
			case !backend.IsPostgres(dsn):
				shared = dsn
			}
			return serveWith(ctx, serve.New(st, serve.Options{Token: token, Web: web.FS(), AllowHosts: allowHosts, Refresh: serveRefresh}), addr, token, shared)
		},
	}
	dbFlag(cmd, &dsn)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&token, "token", "", "bearer token that allows changes (default $LOOKOUT_TOKEN; none: read-only)")
	cmd.Flags().StringSliceVar(&allowHosts, "allow-host", nil, "host names the API answers to besides IP addresses, localhost and --addr's host: the names a reverse proxy passes on (\"*\": any)")
	root.AddCommand(cmd)
}

// serveRefresh bounds how stale the map's vessel list and risk may be
// while a live feed writes through the server.
const serveRefresh = 5 * time.Second

// serveWith serves s until interrupted. When s holds the DuckDB file db
// for writing, other lookout commands on that file go through s.
func serveWith(ctx context.Context, s *serve.Server, addr, token, db string) error {
	fmt.Fprintln(os.Stderr, "preparing risk scores and the vessel list…")
	if err := s.Warm(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if db != "" {
		sl, err := remote.Listen(db)
		if err != nil {
			ln.Close()
			return fmt.Errorf("%w (other lookout commands could not use %s while it is served)", err, db)
		}
		defer sl.Close()
		go func() {
			if err := s.ServeStore(sl, db, "http://"+ln.Addr().String()+"/"); err != nil {
				fmt.Fprintf(os.Stderr, "serve: store socket: %v\n", err)
			}
		}()
	}
	hs := s.HTTPServer(addr)
	fmt.Fprintf(os.Stderr, "serving on http://%s/ (API at /api/openapi.json; %s; Ctrl-C to stop)\n", ln.Addr(), access(token))
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-sig:
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

func access(token string) string {
	if token == "" {
		return "read-only"
	}
	return "changes allowed with the bearer token"
}
