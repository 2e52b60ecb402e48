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
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
	"github.com/lookout-osint/lookout/web"
)

func init() {
	var dsn, addr, token string
	cmd := &cobra.Command{
		Use:   "serve [--db FILE|URL] [--addr HOST:PORT]",
		Short: "Serve the web map and the JSON API over a store",
		Long: `Serve the store (see lookout ingest) as a JSON API (described at /api/openapi.json)
and a web map that needs no internet: basemap from the bundled Natural Earth land,
vessel tracks with a time slider, events with their evidence, vessel dossiers,
trips per month between port groups.

The API is read-only unless a token is given (--token or LOOKOUT_TOKEN): then
requests that change data (uploading a sanctions list) must carry
Authorization: Bearer TOKEN. Listen on loopback unless you mean to share it.`,
		Example: `  lookout serve --db lookout.duckdb
  lookout serve --db postgres://analyst@db.example.org/lookout --addr 127.0.0.1:9000
  LOOKOUT_TOKEN=$(openssl rand -hex 16) lookout serve --addr 0.0.0.0:8080`,
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
			st, err := backend.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			return serveStore(ctx, st, addr, token)
		},
	}
	dbFlag(cmd, &dsn)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&token, "token", "", "bearer token that allows changes (default $LOOKOUT_TOKEN; none: read-only)")
	root.AddCommand(cmd)
}

// serveStore serves st until interrupted.
func serveStore(ctx context.Context, st store.Store, addr, token string) error {
	return serveWith(ctx, serve.New(st, serve.Options{Token: token, Web: web.FS()}), addr, token)
}

// serveWith serves s until interrupted.
func serveWith(ctx context.Context, s *serve.Server, addr, token string) error {
	fmt.Fprintln(os.Stderr, "preparing risk scores and the vessel list…")
	if err := s.Warm(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
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
