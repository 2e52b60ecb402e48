package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
)

func init() {
	var dsn, every, olderThan, margin string
	cmd := &cobra.Command{
		Use:   "compact",
		Short: "Rewrite a store's positions in vessel and time order, for fast vessel queries; optionally down-sample old tracks",
		Long: `Rewrite the positions of a store (DuckDB or PostgreSQL) in vessel and time order.

Ingest stores each batch sorted by vessel, but a big store still holds a
vessel's track in a slice of every batch; after compact it lies in one
place, and lookout track and lookout vessel read a fraction of the store.
Worth running after loading a large archive (tens of millions of
positions). It copies the table, so it needs free disk space about the size
of the positions and a few minutes per hundred million (DuckDB keeps the old
copy's space in its file for later ingests). Interrupted, it leaves the
store as it was; meanwhile the store is busy.

--downsample (off by default) also thins old tracks, as analysts do with
dense archives: of the positions older than --older-than (counted back from
now), it keeps the first fix of each vessel in each --downsample interval,
and keeps every fix within --keep-margin of any stored event of the vessel
(gaps, encounters, loitering, port visits, spoofing, …; voyages excepted,
which span the whole track) and every fix the tracker flagged. Events
themselves, identities and the newer positions are untouched, and a second
run with the same interval drops nothing more. What is dropped is gone:
keep the original files if you may want the full rate back (re-ingesting
a file already stored does nothing; ingest skips it whole).`,
		Example: `  lookout compact
  lookout compact --db archive.duckdb
  lookout compact --db postgres://analyst@db.example.org/lookout
  lookout compact --downsample 60s --older-than 30d          # one fix a minute after a month
  lookout compact --downsample 5m --older-than 90d --keep-margin 2h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			var ds *store.Downsample
			if every != "" {
				var d store.Downsample
				var err error
				if d.Every, err = parseDays(every); err != nil {
					return fmt.Errorf("--downsample: %w", err)
				}
				age, err := parseDays(olderThan)
				if err != nil || age < 0 {
					return fmt.Errorf("--older-than %q: want a duration such as 30d or 12h", olderThan)
				}
				d.Before = time.Now().UTC().Add(-age)
				if d.Margin, err = parseDays(margin); err != nil {
					return fmt.Errorf("--keep-margin: %w", err)
				}
				if err := d.Valid(); err != nil {
					return err
				}
				ds = &d
			}
			if err := mustExist(dsn); err != nil {
				return err
			}
			st, err := backend.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			d, ok := st.(store.Compactor)
			if !ok {
				return fmt.Errorf("a %T store cannot be compacted", st)
			}
			c, err := st.Counts(ctx)
			if err != nil {
				return err
			}
			what := "compacting"
			if ds != nil {
				what = fmt.Sprintf("compacting and down-sampling before %s", ds.Before.Format("2006-01-02 15:04"))
			}
			// The stores report no progress for one statement: show that it runs.
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
						fmt.Fprintf(os.Stderr, "\r%s %d positions: %s", what, c.Positions, time.Since(start).Round(time.Second))
					}
				}
			}()
			res, err := d.Compact(ctx, ds)
			close(done)
			<-stopped
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "\rcompacted %d positions in %s", res.Before, time.Since(start).Round(time.Second))
			if ds != nil {
				fmt.Fprintf(os.Stderr, ": kept %d, dropped %d (%.1f%%)", res.After, res.Before-res.After,
					100*float64(res.Before-res.After)/float64(max(res.Before, 1)))
			}
			fmt.Fprintln(os.Stderr)
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	cmd.Flags().StringVar(&every, "downsample", "", "keep one fix per vessel per this interval (e.g. 60s, 5m) in positions older than --older-than; off when empty")
	cmd.Flags().StringVar(&olderThan, "older-than", "30d", "down-sample positions older than this (d = days, or a Go duration such as 36h)")
	cmd.Flags().StringVar(&margin, "keep-margin", "1h", "keep every fix within this time of a stored event of the vessel (voyages excepted)")
	root.AddCommand(cmd)
}

// parseDays is time.ParseDuration that also takes whole days ("30d"),
// the unit retention is thought in.
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d < 0 || d > 100000 {
			return 0, fmt.Errorf("%q: want whole days such as 30d", s)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
