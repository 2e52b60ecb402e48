package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/store/backend"
)

// dbFlag adds --db to a command that reads or writes the store.
func dbFlag(cmd *cobra.Command, dsn *string) {
	cmd.Flags().StringVar(dsn, "db", backend.Default, "database: a DuckDB file path, or a postgres:// URL (PostgreSQL with PostGIS)")
}

func init() {
	opt := analyze.DefaultOptions()
	var (
		dsn      string
		batch    int
		noEvents bool
		df       detectFlags
		progress bool
		quiet    bool
		// discardState starts the detectors afresh (see pipeline.Options).
		discardState bool
		ff           feedFlags
		inf          inputFlags
	)
	cmd := &cobra.Command{
		Use:   "ingest FILE... | --listen/--connect/--aisstream URL",
		Short: "Store AIS files or live feeds (positions, identity history, detected events) in a DuckDB file or PostGIS",
		Long: `Read AIS files (NMEA, gzip or not, or DMA / MarineCadastre CSV; a directory
gives its files in name order, a quoted glob its matches) through the
analysis pipeline and store positions, identity history and events.

Ingest is idempotent: a file is known by the SHA-256 of its content, so
ingesting it again (under any name, gzipped or not) adds nothing, and a
position already stored (same vessel, instant and station) is not stored
again whatever file brings it (an overlapping capture). Standard input (-),
a pipe such as <(zcat day.gz) or a FIFO is read once into a temporary copy
(in $TMPDIR) and then ingested as a file. It is crash-safe: each
batch is committed together with the file's progress, so after a crash or
kill -9 the same command carries on where it stopped, losing and duplicating
nothing. Give daily files in time order: tracks and detector state carry
over from one file to the next, in one run or across runs, so an event that
spans files (a gap across midnight, a port visit of several days) is found
once, exactly as if all files had been read in one pass. Events still open
after the last file are stored provisionally and replaced when a later
ingest finds how they go on.

Every identity a vessel broadcasts (IMO number, name, call sign) is
screened as it is stored against the sanctions lists kept in the store
(the built-in ones, stored by the first ingest, and those added with
lookout sanctions import --db); a match is stored as a sanctions_match
event, which lookout vessel, events, risk, report and serve show.

Detector thresholds can be overridden as in lookout analyze (--set).

` + inputHelp + `

A live feed is stored as it arrives, rows written every second: it cannot
be read again, so there is no resume, and a failed write is retried with
the rows held in memory. The detectors' state is stored every minute and
when the feed is stopped (Ctrl-C, SIGTERM), and restored at the next
start, so tracks, gaps and visits open at a restart go on; events still
open when the feed stops are stored provisionally, as after files. With
--to, positions are stored only when --db is given, and the detectors run
in lookout worker. lookout live runs the same code with the store
optional.

Files with --to nats://HOST:PORT are a backfill for lookout worker: each
file (FILE, a directory of daily files, or a quoted glob) is known by the
SHA-256 of its decompressed content, read whole first (a corrupt file is
reported by name and skipped, nothing of it published), and the files
are published in the order of their first receive time, decoded,
partitioned by MMSI. A file published before is skipped; a publisher
killed mid-file carries on where it stopped when run again (batches are
numbered per file, and the stream drops one sent twice). lookout
backfill status|pause|resume|cancel shows and steers it; the workers
store the events (lookout worker --db).

` + feedHelp,
		Example: `  lookout ingest out/ais.nmea.gz
  lookout ingest aisdk-2024-03-*.csv --db march.duckdb
  lookout ingest day1.nmea.gz day2.nmea.gz --db postgres://analyst@db.example.org/lookout
  lookout ingest --listen udp://:10110 --db live.duckdb --rules watch.yaml
  lookout ingest --listen udp://:10110 --to nats://127.0.0.1:4222 --partitions 8
  lookout ingest --to nats://127.0.0.1:4222 'aisdk-2024-*.csv'   # a backfill for lookout worker`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			if err := df.apply(&opt); err != nil {
				return err
			}
			if ff.to != "" && !ff.given() && len(args) > 0 {
				if cmd.Flags().Changed("db") {
					return errors.New("--to with files publishes them for lookout worker, which stores the events (lookout worker --db); --db is not used here")
				}
				srcOpt, err := inf.options()
				if err != nil {
					return err
				}
				return ingestBackfill(ctx, &ff, srcOpt, args, !quiet && (progress || term.IsTerminal(int(os.Stderr.Fd()))), quiet)
			}
			if live, err := ingestFeed(cmd, args, &ff, feedRun{opt: opt, detect: !noEvents, quiet: quiet, batch: batch, discardState: discardState}, dsn); live || err != nil {
				return err
			}
			st, err := backend.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()

			srcOpt, err := inf.options()
			if err != nil {
				return err
			}
			// A directory of daily files (in name order) or a quoted glob,
			// as with --to.
			if args, err = pipeline.ExpandInputs(args); err != nil {
				return err
			}
			showBar := !quiet && (progress || term.IsTerminal(int(os.Stderr.Fd())))
			cfg := pipeline.Config{BatchSize: batch, DiscardState: discardState, Source: srcOpt,
				OnRefused: func(_ string, err error) {
					// Nothing of it was read or recorded: say why and
					// carry on with the other files.
					fmt.Fprintf(os.Stderr, "lookout: %v; skipped, nothing of it stored\n", err)
				}}
			if showBar {
				cfg.Progress = progressBar("ingest ")
			}
			if !noEvents {
				cfg.Analyze = &opt
			}
			if !quiet {
				cfg.OnFile = func(res pipeline.FileResult) { fmt.Fprintln(os.Stderr, ingestSummary(res)) }
			}
			start := time.Now()
			sum, err := pipeline.Files(ctx, st, cfg, args)
			if err != nil {
				return err
			}
			if sum.Finished && !quiet {
				analyze.WriteTotals(os.Stderr, sum.Totals)
			}
			refusal := refusedError(sum.Refused, len(args))
			if quiet {
				return refusal
			}
			el := time.Since(start)
			fmt.Fprintf(os.Stderr, "stored %d positions, %d identity records, %s in %s (%.0f positions/s)",
				sum.Positions, sum.Identities, newEvents(sum.Events), el.Round(time.Millisecond), float64(sum.Positions)/el.Seconds())
			if sum.NoTime > 0 {
				fmt.Fprintf(os.Stderr, "; %d reports without a receive time not stored (%s)", sum.NoTime, analyze.NoTimeHint)
			}
			fmt.Fprintln(os.Stderr)
			if c, err := st.Counts(ctx); err == nil {
				fmt.Fprintf(os.Stderr, "%s now holds %d positions, %d identity records, %d events from %d files\n",
					dsnName(dsn), c.Positions, c.Identities, c.Events, c.Files)
			}
			return refusal
		},
	}
	dbFlag(cmd, &dsn)
	f := cmd.Flags()
	f.IntVar(&batch, "batch", pipeline.DefaultBatchSize, "positions per transaction")
	f.BoolVar(&noEvents, "no-events", false, "store positions and identities only, without running the detectors")
	f.BoolVar(&discardState, "discard-state", false, "start tracks and detectors afresh instead of carrying on from the last ingested file or feed (needed when lookout was upgraded and cannot load the stored state)")
	df.register(f)
	ff.register(f)
	inf.register(f)
	f.BoolVar(&progress, "progress", false, "show a progress bar even when stderr is not a terminal")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar and no summary")
	root.AddCommand(cmd)
}

// progressBar shows a byte progress bar on stderr for each file a
// pipeline reads.
func progressBar(label string) func(name string, size int64) (io.Writer, func()) {
	return func(name string, size int64) (io.Writer, func()) {
		bar := progressbar.DefaultBytes(size, label+name)
		return bar, func() { bar.Finish(); fmt.Fprintln(os.Stderr) }
	}
}

func ingestSummary(r pipeline.FileResult) string {
	if r.Skipped {
		return fmt.Sprintf("%s: already ingested (sha256 %.12s…), skipped", r.Name, r.Hash)
	}
	// An event is stored when the detectors close it, most of them when
	// the run ends (a visit is closed by the vessel leaving, or by its
	// data ending): a file's own count is only what closed while it was
	// read, and said as such so that it does not contradict the total.
	s := fmt.Sprintf("%s: %d positions, %d identity records stored, %d events added while reading it (the rest when the run ends); %d messages, %d lines rejected",
		r.Name, r.Positions, r.Identities, r.Events, r.Stats.Messages, r.Stats.RejectedTotal())
	if r.KnownPositions > 0 {
		s += fmt.Sprintf("; %d positions already stored (same vessel, instant and station, from another file) not stored again", r.KnownPositions)
	}
	if r.Resumed {
		s += " (resumed an interrupted ingest)"
	}
	return s
}

// newEvents says how much a run changed the store's number of events: a
// run adds fewer than it closes when the last run had left them open, and
// may even drop some (open events that did not last).
func newEvents(n int64) string {
	if n < 0 {
		return fmt.Sprintf("%d events fewer (events left open by the last run that did not last)", -n)
	}
	return fmt.Sprintf("%d new events", n)
}

// dsnName names a database without its password.
func dsnName(dsn string) string {
	if !backend.IsPostgres(dsn) {
		return dsn
	}
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		if scheme := strings.Index(dsn, "://"); scheme >= 0 {
			return dsn[:scheme+3] + "…" + dsn[at:]
		}
	}
	return dsn
}
