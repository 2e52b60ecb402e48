package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/source"
)

// ingestBackfill is lookout ingest --to nats://… FILES: the files are
// published for lookout worker instead of stored here.
func ingestBackfill(ctx context.Context, ff *feedFlags, srcOpt source.Options, args []string, showBar, quiet bool) error {
	paths, err := pipeline.ExpandInputs(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	js, closeNC, err := jsConnect(ff.to)
	if err != nil {
		return err
	}
	defer closeNC()
	cfg := pipeline.BackfillConfig{Bus: bus.Config{Stream: ff.stream, Prefix: ff.prefix, Partitions: ff.partitions},
		Batch: ff.pubBatch, Source: srcOpt,
		OnBad: func(name string, err error) {
			fmt.Fprintf(os.Stderr, "lookout: %s: %v; skipped, nothing of it published\n", name, err)
		},
		OnPause: func(paused bool) {
			if paused {
				fmt.Fprintln(os.Stderr, "backfill paused (lookout backfill resume goes on)")
			} else {
				fmt.Fprintln(os.Stderr, "backfill resumed")
			}
		}}
	if showBar {
		cfg.Progress = progressBar("publish ")
	}
	if !quiet {
		cfg.OnFile = func(f pipeline.BackfillFile) {
			switch {
			case f.AlreadyDone:
				fmt.Fprintf(os.Stderr, "%s: already published (sha256 %.12s…), skipped\n", f.Name, f.Hash)
			default:
				s := fmt.Sprintf("%s: %d messages, %d published, %d lines rejected, %s to %s", f.Name, f.Messages, f.Published,
					f.Stats.RejectedTotal(), f.First.Format(time.RFC3339), f.Last.Format(time.RFC3339))
				if f.Resumed > 0 {
					s += fmt.Sprintf(" (resumed: %d published by an interrupted run)", f.Resumed)
				}
				fmt.Fprintln(os.Stderr, s)
			}
		}
	}
	start := time.Now()
	sum, err := pipeline.Backfill(ctx, js, cfg, paths)
	if !quiet {
		el := time.Since(start)
		fmt.Fprintf(os.Stderr, "published %d of %d files (%d already), %d messages in %s (%.0f/s) to %s; %d files skipped, unreadable\n",
			sum.Files-sum.AlreadyDone, len(paths), sum.AlreadyDone, sum.Published, el.Round(time.Millisecond),
			float64(sum.Published)/el.Seconds(), cfg.Bus.Stream, len(sum.Bad))
	}
	if err != nil {
		return err
	}
	var bad []string
	for _, b := range sum.Bad {
		bad = append(bad, b.Name)
	}
	return refusedError(bad, len(paths))
}

func jsConnect(url string) (jetstream.JetStream, func(), error) {
	nc, err := nats.Connect(url, nats.MaxReconnects(-1))
	if err != nil {
		return nil, nil, fmt.Errorf("nats %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return js, nc.Close, nil
}

func init() {
	var (
		natsURL, stream, prefix string
		parts                   int
		sample                  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "backfill status|pause|resume|cancel",
		Short: "Show and steer a backfill of files through NATS JetStream (lookout ingest --to)",
		Long: `A backfill is lookout ingest --to nats://… FILES publishing archives for
lookout worker instances. status shows, from the stream and the workers'
progress bucket: the files published (done or in progress), messages per
partition, how far behind each partition's worker is (batches not yet
taken) and, sampling twice --sample apart, the rate and ETA. pause makes
publishers wait between flushes and workers take no more batches, resume
lets them go on, cancel stops them (what was published stays, and the
same ingest command carries on from there; each worker says how many
events it stored, and one started again replays and carries on).`,
		Example: `  lookout backfill status --nats nats://127.0.0.1:4222
  lookout backfill pause
  lookout backfill resume --stream LOOKOUT_AIS`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"status", "pause", "resume", "cancel"},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			js, closeNC, err := jsConnect(natsURL)
			if err != nil {
				return err
			}
			defer closeNC()
			c := bus.Config{Stream: stream, Prefix: prefix, Partitions: parts}
			kv, err := bus.Files(ctx, js, c)
			if err != nil {
				return err
			}
			switch args[0] {
			case "pause", "resume", "cancel":
				st := map[string]string{"pause": bus.Paused, "resume": bus.Running, "cancel": bus.Cancelled}[args[0]]
				if err := bus.SetControl(ctx, kv, st); err != nil {
					return err
				}
				fmt.Printf("backfill of %s: %s\n", stream, st)
				return nil
			case "status":
				return backfillStatus(ctx, js, kv, c, sample)
			}
			return fmt.Errorf("%q: want status, pause, resume or cancel", args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&natsURL, "nats", nats.DefaultURL, "NATS server with JetStream")
	f.StringVar(&stream, "stream", "LOOKOUT_AIS", "JetStream stream name (as given to lookout ingest --to)")
	f.StringVar(&prefix, "subject-prefix", "lookout.ais", "subject prefix (as given to lookout ingest --to)")
	f.IntVar(&parts, "partitions", 8, "partitions of the stream (as given to lookout ingest --to)")
	f.DurationVar(&sample, "sample", 2*time.Second, "status: time between the two samples giving the rate and ETA (0: one sample, no ETA)")
	root.AddCommand(cmd)
}

func backfillStatus(ctx context.Context, js jetstream.JetStream, kv jetstream.KeyValue, c bus.Config, sample time.Duration) error {
	files, err := bus.ListFiles(ctx, kv)
	if err != nil {
		return err
	}
	state, err := bus.Control(ctx, kv)
	if err != nil {
		return err
	}
	done, msgs := 0, int64(0)
	perPart := make([]int64, c.Partitions)
	for _, f := range files {
		if f.Done {
			done++
			msgs += f.Messages
			for i, n := range f.Partitions {
				if i < len(perPart) {
					perPart[i] += n
				}
			}
		}
	}
	fmt.Printf("backfill of %s: %s; %d of %d files published whole (%d messages read)\n", c.Stream, state, done, len(files), msgs)
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tFIRST\tLAST\tMESSAGES\tSTATE")
	for _, f := range files {
		st := "publishing (or interrupted)"
		if f.Done {
			st = "done"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", f.Name, f.First.Format(time.RFC3339), f.Last.Format(time.RFC3339), f.Messages, st)
	}
	tw.Flush()
	p1, err := bus.Progress(ctx, js, c)
	if err != nil {
		return err
	}
	var p2 []bus.PartitionProgress
	if sample > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(sample):
		}
		if p2, err = bus.Progress(ctx, js, c); err != nil {
			return err
		}
	}
	u, err := bus.Interference(ctx, js, c)
	if err != nil {
		return err
	}
	tw = tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTITION\tBATCHES\tMESSAGES OF DONE FILES\tWORKER AT\tLAG (BATCHES)\tRATE (BATCHES/S)\tETA\tFIXES HELD FOR VERDICTS")
	for i, p := range p1 {
		rate, eta := "-", "-"
		if p2 != nil {
			q := p2[i]
			r := float64(p.Lag-q.Lag) / sample.Seconds()
			rate = fmt.Sprintf("%.1f", r)
			switch {
			case q.Lag == 0:
				eta = "caught up"
			case r > 0: // publishers may be adding faster than workers take
				eta = (time.Duration(float64(q.Lag)/r) * time.Second).String()
			}
			p = q
		}
		at := "no worker yet"
		if p.Worker > 0 {
			at = fmt.Sprintf("seq %d", p.Worker)
		}
		held := "-"
		if u != nil && p.Partition < len(u.Held) {
			held = fmt.Sprint(u.Held[p.Partition])
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%d\t%s\t%s\t%s\n", p.Partition, p.Batches, perPart[p.Partition], at, p.Lag, rate, eta, held)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Println(interferenceLine(u))
	return nil
}

// interferenceLine says how far the interference unit (beside shard 1)
// has judged the partitions' fixes: the partitions' detectors wait for it.
func interferenceLine(u *bus.InterferenceProgress) string {
	if u == nil {
		return "interference unit: no worker yet"
	}
	s := fmt.Sprintf("interference unit: %d fixes judged", u.Judged)
	if u.Through != 0 {
		s += ", up to " + time.Unix(u.Through, 0).UTC().Format(time.RFC3339)
	}
	s += fmt.Sprintf("; %d waiting", u.Waiting)
	if u.Slowest >= 0 {
		s += fmt.Sprintf(" for partition %d", u.Slowest)
	}
	if u.Ended {
		s += "; ended with the data"
	}
	if u.Lost > 0 {
		s += fmt.Sprintf("; %d lost", u.Lost)
	}
	if u.Diverged > 0 {
		s += fmt.Sprintf("; %d differed from an earlier run's end", u.Diverged)
	}
	return s + fmt.Sprintf(" (as of %s)", time.Unix(u.Saved, 0).UTC().Format(time.RFC3339))
}
