package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/alert"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
)

func init() {
	opt := analyze.DefaultOptions()
	var (
		natsURL, dsn, rules string
		stream, prefix      string
		alerts              []string
		index, of, parts    int
		stage, shards       int
		drain, quiet, join  bool
		darkH               float64
	)
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the detectors on partitions of a NATS JetStream AIS stream",
		Long: `Consume the stream that lookout live --to publishes. Worker --index i of --of n
takes the partitions p with p mod n = i and runs one detector pipeline per
partition (stage 1), and the second-stage shards k with k mod n = i (stage
2), which need vessels of every partition: they grade gaps from everyone's
receptions (whether others were heard nearby) and find encounters from the
track points near the 4° cells they own (with a 0.5° overlap; a pair near a
border is reported by the shard owning the encounter's place); shard 0 also
links MMSIs from every vessel's static reports and points (one IMO under
two MMSIs, a hull reappearing under another), and beside shard 1 runs the
interference unit, which finds GNSS interference from every partition's
fixes and tells each partition which of its fixes were displaced. Events are
written to --db idempotently (by event ID), buffered and retried while the
database is unreachable (the connection is reopened), and --rules raises
alerts. Each new identity a vessel broadcasts is screened against the
sanctions lists kept in --db, as lookout ingest does (sanctions_match).
A backfill (lookout ingest --to nats://… FILES) run through workers with
--drain stores the events lookout ingest stores from the same files (those
still open at the end provisional, as ingest stores them), except that
a draught change is decided by the shard owning the cell where the vessel
first reported the new draught, which knows of the encounters within 0.5°
of it only;
lookout backfill status shows how far the workers are, lookout backfill
pause holds the workers (and publishers) until resume, and cancel stops
them (each says how many events it stored).

With --join instead of --index/--of, workers share the stream among those
present (a key each in the stream's _MEMBERS bucket): partition or shard
u goes to the (u mod n)-th of the n workers, so a worker added
mid-backfill takes its share over (replaying those partitions and shards
from the start, while the worker that had them stops them within a few
seconds) and a worker that stops or dies leaves its share to the others.

After a restart a worker replays its partitions and shards from the start
of the streams' retention to rebuild state; events it already wrote are not
stored twice.

Stage 2 moves at the pace of the slowest partition (it waits for every
partition's watermark); a partition that gets no traffic is moved on by the
publisher's clock, which lookout live --to sends it about once a second of
receive time. So does each partition's first stage, which takes its
vessels' points once the interference unit has judged them: with --drain
and several workers, run all workers (both stages) at once.`,
		Example: `  lookout worker --nats nats://127.0.0.1:4222 --db postgres://analyst@db/lookout --index 0 --of 2
  lookout worker --nats nats://127.0.0.1:4222 --db lookout.duckdb --drain
  lookout worker --stage 2 --index 1 --of 2 --db postgres://analyst@db/lookout
  lookout worker --nats nats://127.0.0.1:4222 --db postgres://analyst@db/lookout --join --drain   # add one to a running backfill`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if join && (cmd.Flags().Changed("index") || cmd.Flags().Changed("of") || stage != 0) {
				return errors.New("--join takes a share as workers come and go: not with --index, --of or --stage")
			}
			if of < 1 || index < 0 || index >= of {
				return fmt.Errorf("--index %d --of %d: want 0 <= index < of", index, of)
			}
			if stage < 0 || stage > 2 {
				return fmt.Errorf("--stage %d: want 1, 2 or 0 (both)", stage)
			}
			nc, err := nats.Connect(natsURL, nats.MaxReconnects(-1))
			if err != nil {
				return fmt.Errorf("--nats %s: %w", natsURL, err)
			}
			defer nc.Close()
			js, err := jetstream.New(nc)
			if err != nil {
				return err
			}
			newSvc, closeAlerts, err := liveAlerts(context.WithoutCancel(ctx), rules, alerts, time.Duration(darkH*float64(time.Hour)))
			if err != nil {
				return err
			}
			defer closeAlerts()
			var emit func(*event.Event)
			cfg := pipeline.WorkerConfig{Bus: bus.Config{Stream: stream, Prefix: prefix, Partitions: parts, Shards: shards},
				Index: index, Of: of, Stage: stage, Analyze: opt, Drain: drain}
			if cmd.Flags().Changed("db") {
				// Reopened after a failed write: a PostgreSQL connection
				// does not survive the server restarting.
				cfg.Open = func(ctx context.Context) (store.Store, error) { return backend.Open(ctx, dsn) }
				cfg.OnStoreError = func(err error, n int) { fmt.Fprintf(os.Stderr, "store: %v (%d events held, retrying)\n", err, n) }
			} else if newSvc == nil {
				w := event.NewWriter(os.Stdout)
				emit = func(e *event.Event) { w.Write(e) } // calls are serialised
			}
			// One alert engine per partition: each has its own stream clock.
			svcs := map[int]*alert.Service{}
			cfg.Events = func(p int, e *event.Event) {
				if emit != nil {
					emit(e)
				}
				if s := svcs[p]; s != nil {
					s.Event(e)
				}
			}
			if newSvc != nil {
				cfg.Started = func(w *bus.Worker) {
					ps, ks := w.Partitions(), w.Shards()
					if join { // any may fall to it
						c := cfg.Bus.Defaults()
						ps, ks = seq(c.Partitions), seq(c.Shards)
					}
					for _, p := range ps {
						svcs[p] = newSvc()
					}
					// Shard k's events (graded gaps) come as partition -1-k.
					for _, k := range ks {
						svcs[-1-k] = newSvc()
					}
				}
				cfg.Watch = func(p int, r source.Reader) source.Reader { return svcs[p].Watch(r) }
				cfg.Replay = func(p int, on bool) { svcs[p].Mute(on) }
			}
			// Progress per partition, for lookout backfill status and, with
			// alerts, to know what a restart replays.
			kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bus.WorkersBucket,
				Description: "lookout worker progress per partition (alerts are not repeated after a restart)"})
			if err != nil {
				return fmt.Errorf("progress bucket: %w", err)
			}
			cfg.KV = kv
			// Each partition's checkpoints: a worker taking one over (or
			// restarted) resumes from there instead of replaying the stream.
			if cfg.State, err = bus.State(ctx, js, cfg.Bus); err != nil {
				return err
			}
			// lookout backfill pause|resume|cancel steer workers too.
			if cfg.Control, err = bus.Files(ctx, js, cfg.Bus); err != nil {
				return err
			}
			if join {
				if cfg.Members, err = bus.Members(ctx, js, cfg.Bus); err != nil {
					return err
				}
				cfg.OnOwn = func(ps, ks []int) {
					if !quiet {
						fmt.Fprintf(os.Stderr, "worker: now runs partitions %v, shards %v\n", ps, ks)
					}
				}
			}
			told := bus.Running
			cfg.OnControl = func(st string) {
				if st != told && !quiet {
					fmt.Fprintf(os.Stderr, "worker %d/%d: backfill %s\n", index, of, st)
				}
				told = st
			}
			start := time.Now()
			res, err := pipeline.Worker(ctx, js, cfg)
			if !quiet {
				n := res.Messages
				fmt.Fprintf(os.Stderr, "worker %d/%d: partitions %v, %d messages in %s (%.0f/s); shards %v, %d frames, %d items (%d skipped as sent again)\n", index, of, res.Partitions, n,
					time.Since(start).Round(time.Millisecond), float64(n)/time.Since(start).Seconds(), res.Shards, res.Frames, res.Items, res.Repeats)
				if l := res.Lost; l > 0 {
					fmt.Fprintf(os.Stderr, "worker %d/%d: %d second-stage items lost or unreadable: gap grades may lack evidence\n", index, of, l)
				}
				if cfg.Open != nil {
					fmt.Fprintf(os.Stderr, "stored %d new events\n", res.Stored)
				}
			}
			if errors.Is(err, context.Canceled) {
				return nil
			}
			if errors.Is(err, bus.ErrCancelled) && cfg.Open != nil {
				err = fmt.Errorf("%w: stored %d new events before stopping (a worker started again replays and carries on)", err, res.Stored)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&natsURL, "nats", nats.DefaultURL, "NATS server with JetStream")
	f.IntVar(&index, "index", 0, "this worker's number, 0 ≤ index < --of")
	f.IntVar(&of, "of", 1, "number of workers sharing the stream")
	f.IntVar(&parts, "partitions", 8, "partitions of the stream (as given to lookout live --to)")
	f.IntVar(&stage, "stage", 0, "1: partitions only, 2: second-stage shards only, 0: both")
	f.IntVar(&shards, "shards", 8, "second-stage shards (every worker must agree)")
	f.StringVar(&stream, "stream", "LOOKOUT_AIS", "JetStream stream name (as given to lookout live --to)")
	f.StringVar(&prefix, "subject-prefix", "lookout.ais", "subject prefix (as given to lookout live --to)")
	f.BoolVar(&join, "join", false, "share the stream with the workers present instead of --index/--of: partitions and shards are split anew as workers join (a worker added mid-backfill takes its share over) or leave")
	f.BoolVar(&drain, "drain", false, "stop once caught up with the stream, flushing open events (batch runs, benchmarks)")
	f.StringVar(&rules, "rules", "", "alert rules file (YAML)")
	f.StringArrayVar(&alerts, "alert", nil, "deliver alerts to -, an http(s):// webhook or nats://HOST:PORT/SUBJECT (repeatable)")
	f.Float64Var(&darkH, "dark-after", 2, "hours of silence after which a dark rule fires")
	f.BoolVar(&quiet, "quiet", false, "no summary on stderr")
	dbFlag(cmd, &dsn)
	root.AddCommand(cmd)
}

// seq returns 0..n-1.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
