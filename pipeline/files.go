package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/track"
)

// Config is what a run of files asks of the pipeline.
type Config struct {
	// Analyze configures the detectors; nil stores positions and
	// identities only (lookout ingest --no-events).
	Analyze *analyze.Options
	// BatchSize, Progress, AfterWrite and DiscardState are as in Options.
	BatchSize    int
	Progress     func(name string, size int64) (w io.Writer, done func())
	AfterWrite   func(f store.File)
	DiscardState bool
	// NoScreen leaves out the sanctions stage (see Screener).
	NoScreen bool
	// Source tunes how files are read (CSV column names, a clock for
	// untimed logs).
	Source source.Options
	// OnRefused, if set, is told of a file of no format Lookout reads: it
	// is skipped with nothing of it read or recorded, and the run goes on.
	OnRefused func(name string, err error)
	// OnFile, if set, is told what each file did as soon as it is stored.
	OnFile func(FileResult)
}

// Summary adds up a run of files.
type Summary struct {
	Positions, Identities, Events int64
	NoTime                        int64
	// Refused lists the files of no format Lookout reads (skipped).
	Refused []string
	// Finished says the detectors were finished and the events they still
	// had open stored (a file was read, or an earlier run had stopped
	// before that); Totals are then theirs.
	Finished bool
	Totals   analyze.Totals
}

// Files stores paths in st in the order given, through the detectors
// when cfg.Analyze is set: the whole route from file to store for lookout
// ingest, demo and report. Files already ingested are skipped; an
// interrupted run carries on where it stopped. On error, what was stored
// is kept and the same call carries on from there.
func Files(ctx context.Context, st store.Store, cfg Config, paths []string) (Summary, error) {
	var sum Summary
	opt := Options{BatchSize: cfg.BatchSize, Progress: cfg.Progress, AfterWrite: cfg.AfterWrite, DiscardState: cfg.DiscardState, Source: cfg.Source}
	var in *Ingester
	var lazy *LazyAnalyzer
	if cfg.Analyze != nil {
		lazy = NewAnalyzer(*cfg.Analyze, func(e *event.Event) { in.Emit(e) })
		lazy.prepare()
		opt.Analysis = lazy
	}
	if !cfg.NoScreen {
		sc, err := LoadScreener(ctx, st)
		if err != nil {
			return sum, err
		}
		opt.Screen = sc
	}
	in = New(st, opt)
	if err := in.Restore(ctx); err != nil {
		return sum, err
	}
	// The detectors are finished while the last file's last batch is
	// being stored, rather than after: on two cores the store's write of
	// that batch (every vessel's checkpoint) and Finish ran one after the
	// other, each leaving a core idle. Their state is in that batch
	// already, and the events Finish emits wait in the Ingester for Flush.
	var finished *analyze.Totals
	var finishErr error
	finish := func() {
		a, err := lazy.get()
		if err != nil {
			finishErr = err
			return
		}
		tot := a.Finish()
		finished = &tot
	}
	for i, p := range paths {
		var whileStoring func()
		if lazy != nil && i == len(paths)-1 {
			whileStoring = finish
		}
		res, err := in.file(ctx, p, whileStoring)
		if errors.Is(err, source.ErrUnknownFormat) {
			sum.Refused = append(sum.Refused, p)
			if cfg.OnRefused != nil {
				cfg.OnRefused(p, err)
			}
			continue
		}
		if err != nil {
			if res.Hash != "" {
				return sum, fmt.Errorf("%s: %w (what was stored is kept: run the same command again to carry on)", p, err)
			}
			return sum, err
		}
		if cfg.OnFile != nil {
			cfg.OnFile(res)
		}
		sum.Positions += res.Positions
		sum.Identities += res.Identities
		sum.Events += res.Events
		sum.NoTime += res.NoTime
	}
	if lazy == nil || !in.NeedsFinish() {
		return sum, nil
	}
	if finishErr != nil {
		return sum, finishErr
	}
	if finished == nil {
		finish()
		if finishErr != nil {
			return sum, finishErr
		}
	}
	sum.Totals = *finished
	n, err := in.Flush(ctx)
	sum.Events += int64(n)
	sum.Finished = err == nil
	return sum, err
}

// LazyAnalyzer builds the analyzer (ports, land index: seconds of work)
// only when a file needs it, so re-running an ingest that is already
// complete is instant. Stored state is held until then.
type LazyAnalyzer struct {
	make func() *analyze.Analyzer
	a    *analyze.Analyzer
	// built is made by prepare's goroutine, and may be read once ready
	// is closed.
	built *analyze.Analyzer
	ready chan struct{}
	held  map[uint32][]byte
	areas []detect.LearnedArea
	// quarantined is passed to the analyzer when it is made.
	quarantined func(mmsi uint32, t time.Time, why track.Reason)
}

// NewAnalyzer returns an Analysis that runs analyze.New(opt, emit) when
// first needed.
func NewAnalyzer(opt analyze.Options, emit func(*event.Event)) *LazyAnalyzer {
	return &LazyAnalyzer{make: func() *analyze.Analyzer { return analyze.New(opt, emit) }}
}

// OnQuarantine has fn told of the position reports the analyzer's tracker
// quarantines (track.Tracker.OnQuarantine).
func (l *LazyAnalyzer) OnQuarantine(fn func(mmsi uint32, t time.Time, why track.Reason)) {
	l.quarantined = fn
	if l.a != nil {
		l.a.OnQuarantine(fn)
	}
}

// prepare starts building the analyzer on a goroutine of its own: its
// set-up (the land and port indexes, a fifth of a second) then overlaps
// hashing the first file, which held up the start of every ingest on one
// core while the other idled. Nothing waits for it until a file is read,
// so a run whose files are all stored is still instant.
func (l *LazyAnalyzer) prepare() {
	if l.a != nil || l.ready != nil {
		return
	}
	ready := make(chan struct{})
	l.ready = ready
	go func() {
		l.built = l.make()
		close(ready)
	}()
}

func (l *LazyAnalyzer) get() (*analyze.Analyzer, error) {
	if l.a == nil {
		if l.ready != nil {
			<-l.ready
			l.a, l.built = l.built, nil
		} else {
			l.a = l.make()
		}
		if l.quarantined != nil {
			l.a.OnQuarantine(l.quarantined)
		}
		for m, data := range l.held {
			if err := l.a.Restore(m, data); err != nil {
				return nil, fmt.Errorf("%w (%v): run with --discard-state to start afresh", ErrStateVersion, err)
			}
		}
		l.held = nil
		l.a.RestoreLearned(l.areas)
		l.areas = nil
	}
	return l.a, nil
}

// Read runs r through the analyzer.
func (l *LazyAnalyzer) Read(r source.Reader) error {
	a, err := l.get()
	if err != nil {
		return err
	}
	return a.Read(r)
}

// Restore holds one vessel's stored state for the analyzer to come.
func (l *LazyAnalyzer) Restore(mmsi uint32, data []byte) error {
	if l.a != nil {
		return l.a.Restore(mmsi, data)
	}
	if l.held == nil {
		l.held = map[uint32][]byte{}
	}
	l.held[mmsi] = data
	return nil
}

// RestoreLearned holds port areas learned by earlier runs for the
// analyzer to come.
func (l *LazyAnalyzer) RestoreLearned(areas []detect.LearnedArea) {
	if l.a != nil {
		l.a.RestoreLearned(areas)
		return
	}
	l.areas = areas
}

// LearnedAreas returns the analyzer's areas, or those held for it.
func (l *LazyAnalyzer) LearnedAreas() []detect.LearnedArea {
	if l.a == nil {
		return l.areas
	}
	return l.a.LearnedAreas()
}

// Snapshot is called after a Read, so the analyzer exists.
func (l *LazyAnalyzer) Snapshot() (map[uint32][]byte, error) { return l.a.Snapshot() }
