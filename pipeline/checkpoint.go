package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/lookout-osint/lookout/store"
)

// Checkpointer is what a Pipeline offers to continue its state across runs
// (a gap that starts in one daily file and ends in the next). Snapshot
// returns the per-vessel state that changed since the last Snapshot or
// Restore, keyed by MMSI (0 for state of no single vessel; a nil value: the
// vessel's state is gone); Restore loads one vessel's stored state before
// the first file. Snapshots are taken at the end of each file and stored in
// the same transaction as the file's last batch. It uses only plain types
// so that the pipeline need not import package store.
type Checkpointer interface {
	Snapshot() (map[uint32][]byte, error)
	Restore(mmsi uint32, state []byte) error
}

// finishKey is the checkpoint row that says a run stored a file's state
// but not yet the events its pipeline still had open: written with each
// file's last batch, deleted with the provisional events in Flush. No MMSI
// has nine digits this large.
const finishKey = math.MaxUint32

// checkpointing is the Ingester's bookkeeping of the pipeline's state.
type checkpointing struct {
	// pending: a run stored a file's state and stopped before Flush.
	pending bool
	// read: this run fed a file to the pipeline.
	read bool
	// discard lists stored checkpoints to delete with the next file's
	// state (Options.DiscardState).
	discard []uint32
}

// ErrStateVersion is wrapped by Restore's error when the stored state
// cannot be loaded (written by a build whose pipeline keeps other state).
var ErrStateVersion = errors.New("the stored pipeline state cannot be loaded (written by another version of lookout?)")

// Restore loads the pipeline's stored checkpoints, when it keeps any. Call
// it once before the first file.
func (in *Ingester) Restore(ctx context.Context) error {
	if err := restorePorts(ctx, in.st, in.opt.Analysis); err != nil {
		return err
	}
	cp, ok := in.opt.Analysis.(Checkpointer)
	if !ok {
		return nil
	}
	var err error
	in.cp.pending, in.cp.discard, err = restoreState(ctx, in.st, cp, in.opt.DiscardState)
	return err
}

// restoreState loads st's checkpoints into cp, or lists them to be
// deleted (discard); pending says an earlier run stored its state but not
// the events it still had open. File ingest and Stream share it, so a
// live feed and daily files continue each other's state.
func restoreState(ctx context.Context, st store.Store, cp Checkpointer, discardAll bool) (pending bool, discard []uint32, err error) {
	err = st.Checkpoints(ctx, func(c store.Checkpoint) error {
		if c.MMSI == finishKey {
			pending = true
			return nil
		}
		if discardAll {
			discard = append(discard, c.MMSI)
			return nil
		}
		if err := cp.Restore(c.MMSI, c.Data); err != nil {
			return fmt.Errorf("%w (%v): ingest again with the state discarded, which forgets what was open at the end of the last run", ErrStateVersion, err)
		}
		return nil
	})
	return pending, discard, err
}

// fileEnd returns the checkpoints stored with a file's last batch.
func (in *Ingester) fileEnd() ([]store.Checkpoint, error) {
	cp, ok := in.opt.Analysis.(Checkpointer)
	if !ok {
		return nil, nil
	}
	cps, err := snapshotState(cp, in.cp.discard)
	if err != nil {
		return nil, err
	}
	in.cp.discard = nil
	return cps, nil
}

// snapshotState returns the checkpoints of what changed in cp, deletions
// of the discarded vessels it no longer holds, and the finishKey row
// saying the events still open are yet to be stored.
func snapshotState(cp Checkpointer, discard []uint32) ([]store.Checkpoint, error) {
	snap, err := cp.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("save pipeline state: %w", err)
	}
	cps := make([]store.Checkpoint, 0, len(snap)+len(discard)+1)
	for m, data := range snap {
		cps = append(cps, store.Checkpoint{MMSI: m, Data: data})
	}
	for _, m := range discard {
		if _, ok := snap[m]; !ok {
			cps = append(cps, store.Checkpoint{MMSI: m})
		}
	}
	return append(cps, store.Checkpoint{MMSI: finishKey, Data: []byte{1}}), nil
}

// NeedsFinish says whether the pipeline must be finished and Flush called:
// this run read a file, or an earlier run stored a file's state and stopped
// before storing the events its pipeline still had open.
func (in *Ingester) NeedsFinish() bool {
	return in.opt.Analysis != nil && (in.cp.read || in.cp.pending)
}

// Flush stores the events emitted since the last batch: those the pipeline
// emits when it is finished. Call it after the pipeline's Finish. When the
// pipeline keeps checkpoints, they are events still open (a visit not yet
// left) that the next run continues from its restored state: they are
// stored provisional, replacing the previous run's, so that the next run's
// longer or closed versions replace them in turn. The port areas a
// PortLearner knows are stored too.
func (in *Ingester) Flush(ctx context.Context) (int, error) {
	if err := savePorts(ctx, in.st, in.opt.Analysis); err != nil {
		return 0, err
	}
	evs := in.takeEvents()
	b := &store.Batch{Events: evs}
	if _, ok := in.opt.Analysis.(Checkpointer); ok {
		b.Provisional = true
		b.Checkpoints = []store.Checkpoint{{MMSI: finishKey}}
	} else if len(evs) == 0 {
		return 0, nil
	}
	w, err := in.st.Write(ctx, b)
	if err != nil {
		return 0, fmt.Errorf("store final events: %w", err)
	}
	in.cp.pending = false
	return int(w.Events), nil
}
