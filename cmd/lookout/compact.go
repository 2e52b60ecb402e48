package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/store/backend"
)

func init() {
	var dsn string
	cmd := &cobra.Command{
		Use:   "compact",
		Short: "Rewrite a store's positions in vessel and time order, for fast vessel queries",
		Long: `Rewrite the positions of a store (DuckDB or PostgreSQL) in vessel and time order.

Ingest stores each batch sorted by vessel, but a big store still holds a
vessel's track in a slice of every batch; after compact it lies in one
place, and lookout track and lookout vessel read a fraction of the store.
Worth running after loading a large archive (tens of millions of
positions). It copies the table, so it needs free disk space about the size
of the positions and a few minutes per hundred million (DuckDB keeps the old
copy's space in its file for later ingests). Interrupted, it leaves the
store as it was; meanwhile the store is busy.`,
		Example: `  lookout compact
  lookout compact --db archive.duckdb
  lookout compact --db postgres://analyst@db.example.org/lookout`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			if err := mustExist(dsn); err != nil {
				return err
			}
			st, err := backend.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			d, ok := st.(interface{ Compact(context.Context) error })
			if !ok {
				return fmt.Errorf("a %T store cannot be compacted", st)
			}
			c, err := st.Counts(ctx)
			if err != nil {
				return err
			}
			// DuckDB reports no progress for one statement: show that it runs.
			start := time.Now()
			done, stopped := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(stopped)
				tick := time.NewTicker(5 * time.Second)
				defer tick.Stop()
				for {
					select {
					case <-done:
						return
					case <-tick.C:
						fmt.Fprintf(os.Stderr, "\rcompacting %d positions: %s", c.Positions, time.Since(start).Round(time.Second))
					}
				}
			}()
			err = d.Compact(ctx)
			close(done)
			<-stopped
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "\rcompacted %d positions in %s\n", c.Positions, time.Since(start).Round(time.Second))
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	root.AddCommand(cmd)
}
