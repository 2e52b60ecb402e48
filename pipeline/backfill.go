package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/source"
)

// BackfillConfig is what publishing files to NATS JetStream asks (lookout
// ingest --to nats://… FILES).
type BackfillConfig struct {
	Bus bus.Config
	// Batch is messages per published batch and partition (default 1024).
	Batch int
	// FlushEvery is how many messages of a file are read between flushes
	// (partial batches sent, the clock told to every partition, acks
	// awaited: it bounds what is in flight). Default 1<<16. It is part of
	// a file's batch numbering: a resumed run must use the same value.
	FlushEvery int
	Source     source.Options
	Progress   func(name string, size int64) (w io.Writer, done func())
	// OnFile, if set, is told about each file once it is published (or
	// found published before).
	OnFile func(BackfillFile)
	// OnBad, if set, is told about each file that cannot be read whole
	// (a corrupt gzip, no format Lookout reads): it is skipped, nothing
	// of it published, and the backfill goes on.
	OnBad func(name string, err error)
	// OnPause, if set, is told when the backfill waits, paused (lookout
	// backfill pause), and when it goes on.
	OnPause func(paused bool)
	// AfterFlush, if set, is called after each acknowledged flush (tests
	// use it to kill a publisher mid-file).
	AfterFlush func(file string, messages int64)
}

// BackfillFile says what publishing one file did.
type BackfillFile struct {
	Name, Hash  string
	First, Last time.Time
	// AlreadyDone: an earlier run published it whole; nothing was sent.
	AlreadyDone bool
	// Messages were read from the file; Published of them were acked
	// now, Resumed were stored by an interrupted earlier run.
	Messages, Published, Resumed int64
	Stats                        ais.Stats
}

// BackfillSummary adds up a backfill.
type BackfillSummary struct {
	Files, AlreadyDone int
	Messages           int64
	Published          int64
	Bad                []BadFile
}

// BadFile is a file a backfill skipped, with why.
type BadFile struct {
	Name string
	Err  error
}

// ExpandInputs turns the arguments of ingest into files: a directory
// gives its regular files (not recursing), a pattern with * ? or [ its
// matches; anything else is taken as it is (a file, "-", a pipe).
func ExpandInputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if fi, err := os.Stat(a); err == nil && fi.IsDir() {
			ents, err := os.ReadDir(a)
			if err != nil {
				return nil, err
			}
			for _, e := range ents {
				p := filepath.Join(a, e.Name())
				// A link to a file counts (a folder of links to daily files).
				if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && e.Name()[0] != '.' {
					out = append(out, p)
				}
			}
			continue
		} else if err == nil || a == "-" {
			out = append(out, a)
			continue
		}
		ms, err := filepath.Glob(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a, err)
		}
		if len(ms) == 0 {
			return nil, fmt.Errorf("%s: no such file", a)
		}
		out = append(out, ms...)
	}
	return out, nil
}

// backfillInput is one file to publish, its start read to order it.
type backfillInput struct {
	name, local string
	first       time.Time
}

// knowFile returns a file's content hash (the SHA-256 of its
// decompressed content, as HashFile's) and a plain file to publish from
// (identify: a gzip file is inflated once, into the hash and a temporary
// copy). Publishing needs the hash before its first batch (it is in every
// message ID, an earlier run's batches are found by it, and a file
// published whole is skipped by it), so hashing and publishing cannot be
// one pass without holding the whole decoded file. done removes the copy.
func knowFile(path string) (hash, plain string, done func(), err error) {
	id, err := identify(path, true)
	if err != nil {
		return "", "", func() {}, err
	}
	return id.hash, id.plain, id.done, nil
}

// firstTime returns the receive time of the first timed message of a
// file: files are published in that order, so that workers see the
// archive in time order whatever order the files were given in.
func firstTime(path string, opt source.Options) (time.Time, error) {
	rc, _, err := source.OpenFile(path, nil)
	if err != nil {
		return time.Time{}, err
	}
	defer rc.Close()
	r, _, err := source.NewReaderOptions(rc, opt)
	if err != nil {
		return time.Time{}, err
	}
	for r.Next() {
		if m := r.Message(); !m.RxTime.IsZero() {
			return m.RxTime, nil
		}
	}
	return time.Time{}, r.Err()
}

// Backfill publishes files to the stream of cfg.Bus, partitioned by MMSI,
// for lookout worker: in the order of their first receive time, each known
// by its content hash so that a file published before (under any name,
// gzipped or not) is skipped and one interrupted carries on where it
// stopped (see package bus, files.go). A file that cannot be read whole is
// reported through OnBad and left out.
func Backfill(ctx context.Context, js jetstream.JetStream, cfg BackfillConfig, paths []string) (BackfillSummary, error) {
	var sum BackfillSummary
	cfg.Bus = cfg.Bus.Defaults()
	if cfg.Batch <= 0 {
		cfg.Batch = 1024
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = 1 << 16
	}
	bad := func(name string, err error) {
		sum.Bad = append(sum.Bad, BadFile{name, err})
		if cfg.OnBad != nil {
			cfg.OnBad(name, err)
		}
	}
	// Order every file first (by its first receive time); each is hashed
	// when its turn comes (knowFile), so a corrupt gzip fails the hash
	// before anything of it is published.
	var ins []backfillInput
	for _, p := range paths {
		local, cleanup, err := spool(p)
		if err != nil {
			bad(p, err)
			continue
		}
		defer cleanup()
		first, err := firstTime(local, cfg.Source)
		if err != nil {
			bad(p, err)
			continue
		}
		ins = append(ins, backfillInput{p, local, first})
	}
	// Untimed files last: workers drop their messages (no receive time)
	// but they still count as done.
	slices.SortStableFunc(ins, func(a, b backfillInput) int { return byFirst(a.first, b.first) })
	if _, err := bus.Setup(ctx, js, cfg.Bus); err != nil {
		return sum, err
	}
	kv, err := bus.Files(ctx, js, cfg.Bus)
	if err != nil {
		return sum, err
	}
	// A backfill cancelled before is started again by this run; a paused
	// one stays paused until resumed.
	if st, err := bus.Control(ctx, kv); err != nil {
		return sum, err
	} else if st == bus.Cancelled {
		if err := bus.SetControl(ctx, kv, bus.Running); err != nil {
			return sum, err
		}
	}
	pub := bus.NewPublisher(js, cfg.Bus, "backfill", cfg.Batch)
	seen := map[string]bool{}
	for _, in := range ins {
		if err := obey(ctx, kv, cfg); err != nil {
			return sum, err
		}
		hash, plain, done, err := knowFile(in.local)
		if err != nil {
			bad(in.name, err)
			continue
		}
		if seen[hash] {
			// The same content twice in one run (day.nmea and day.nmea.gz).
			done()
			continue
		}
		seen[hash] = true
		res, err := backfillFile(ctx, pub, kv, cfg, in, hash, plain)
		done()
		if err != nil {
			if errors.Is(err, errBadFile) {
				bad(in.name, err)
				continue
			}
			return sum, fmt.Errorf("%s: %w (what was published is kept: run the same command again to carry on)", in.name, err)
		}
		sum.Files++
		if res.AlreadyDone {
			sum.AlreadyDone++
		}
		sum.Messages += res.Messages
		sum.Published += res.Published
		if cfg.OnFile != nil {
			cfg.OnFile(res)
		}
	}
	return sum, nil
}

// ErrCancelled is returned by a backfill cancelled by the operator.
var ErrCancelled = errors.New("backfill cancelled (lookout backfill cancel); run it again to carry on")

// obey waits while the backfill is paused and stops it when cancelled. It
// is called between flushes, with nothing in flight.
func obey(ctx context.Context, kv jetstream.KeyValue, cfg BackfillConfig) error {
	told := false
	for {
		st, err := bus.Control(ctx, kv)
		if err != nil {
			return err
		}
		switch st {
		case bus.Cancelled:
			return ErrCancelled
		case bus.Paused:
			if !told && cfg.OnPause != nil {
				cfg.OnPause(true)
			}
			told = true
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
			continue
		}
		if told && cfg.OnPause != nil {
			cfg.OnPause(false)
		}
		return nil
	}
}

// errBadFile marks a file that failed while it was read for publishing
// (its hash had been read whole, so the disk or the file changed).
var errBadFile = errors.New("file unreadable")

func backfillFile(ctx context.Context, pub *bus.Publisher, kv jetstream.KeyValue, cfg BackfillConfig, in backfillInput, hash, plain string) (BackfillFile, error) {
	res := BackfillFile{Name: in.name, Hash: hash, First: in.first}
	rec, ok, err := bus.GetFile(ctx, kv, hash)
	if err != nil {
		return res, err
	}
	if ok && rec.Done {
		res.AlreadyDone, res.Last, res.Messages = true, rec.Last, rec.Messages
		return res, nil
	}
	rec = bus.FileRecord{Hash: hash, Name: in.name, First: in.first, Partitions: make([]int64, cfg.Bus.Partitions)}
	if err := bus.PutFile(ctx, kv, rec); err != nil {
		return res, err
	}
	if err := pub.StartFile(ctx, hash); err != nil {
		return res, err
	}
	var progress io.Writer
	var size int64 = -1
	if fi, err := os.Stat(plain); err == nil {
		size = fi.Size()
	}
	if cfg.Progress != nil {
		w, done := cfg.Progress(in.name, size)
		defer done()
		progress = w
	}
	rc, _, err := source.OpenFile(plain, progress)
	if err != nil {
		return res, fmt.Errorf("%w: %v", errBadFile, err)
	}
	defer rc.Close()
	r, _, err := source.NewReaderOptions(rc, cfg.Source)
	if err != nil {
		return res, fmt.Errorf("%w: %v", errBadFile, err)
	}
	published, resumed, added := pub.Published.Load(), pub.Resumed.Load(), pub.Added()
	flushed := func() {
		res.Published, res.Resumed = pub.Published.Load()-published, pub.Resumed.Load()-resumed
		if cfg.AfterFlush != nil {
			cfg.AfterFlush(in.name, res.Messages)
		}
	}
	for r.Next() {
		m := r.Message()
		if m.RxTime.After(res.Last) {
			res.Last = m.RxTime
		}
		if err := pub.Add(m); err != nil {
			return res, err
		}
		res.Messages++
		if res.Messages%int64(cfg.FlushEvery) == 0 {
			if err := pub.Flush(ctx); err != nil {
				return res, err
			}
			flushed()
			if err := obey(ctx, kv, cfg); err != nil {
				return res, err
			}
		}
	}
	if err := r.Err(); err != nil {
		// What was published of it stays, and a later run with the file
		// repaired carries on from there only if its content is the same:
		// the hash says it is not, so the workers got part of a file.
		return res, fmt.Errorf("%w: %v (%d messages of it were published)", errBadFile, err, res.Messages)
	}
	if err := pub.EndFile(ctx); err != nil {
		return res, err
	}
	flushed()
	res.Stats = r.Stats()
	rec.Last, rec.Messages, rec.Done = res.Last, res.Messages, true
	for i, n := range pub.Added() {
		rec.Partitions[i] = n - added[i]
	}
	return res, bus.PutFile(ctx, kv, rec)
}

// byFirst orders files by their first receive time, untimed ones last.
func byFirst(a, b time.Time) int {
	if a.IsZero() != b.IsZero() {
		if b.IsZero() {
			return -1
		}
		return 1
	}
	return a.Compare(b)
}

// SortByFirstTime orders files as Backfill publishes them (by the receive
// time of their first timed message); lookout ingest of the same files in
// this order gives the events the workers give.
func SortByFirstTime(paths []string, opt source.Options) ([]string, error) {
	type f struct {
		p string
		t time.Time
	}
	var fs []f
	for _, p := range paths {
		t, err := firstTime(p, opt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		fs = append(fs, f{p, t})
	}
	slices.SortStableFunc(fs, func(a, b f) int { return byFirst(a.t, b.t) })
	out := make([]string, len(fs))
	for i, x := range fs {
		out[i] = x.p
	}
	return out, nil
}
