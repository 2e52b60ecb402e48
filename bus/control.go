package bus

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrCancelled ends a worker whose backfill was cancelled (lookout
// backfill cancel): what it took was stored, nothing is flushed as if the
// data had ended.
var ErrCancelled = errors.New("backfill cancelled (lookout backfill cancel)")

// controlPoll is how often a worker reads the backfill's control state.
// Polling, not a watch: a poll needs no set-up again after the broker
// restarts.
const controlPoll = time.Second

// gate holds a worker's partitions and shards while the backfill is
// paused. The zero gate never holds.
type gate struct {
	mu    sync.Mutex
	state string
	wake  chan struct{} // closed and replaced at every change
}

// set records the state and reports whether it changed.
func (g *gate) set(state string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if state == g.state {
		return false
	}
	g.state = state
	if g.wake != nil {
		close(g.wake)
	}
	g.wake = make(chan struct{})
	return true
}

// hold waits while paused; it returns ErrCancelled once cancelled.
func (g *gate) hold(ctx context.Context) error {
	for {
		g.mu.Lock()
		state, wake := g.state, g.wake
		g.mu.Unlock()
		switch state {
		case Cancelled:
			return ErrCancelled
		case Paused:
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-wake:
			}
			continue
		}
		return nil
	}
}

// steer reads the control state now and then every controlPoll, until ctx
// ends: the gate follows it, and cancel (ErrCancelled) is called once it
// is Cancelled, so that consumers waiting for messages stop too. A read
// that fails (the broker restarting) keeps the last state.
func (w *Worker) steer(ctx context.Context, cancel context.CancelCauseFunc) {
	read := func() {
		st, err := Control(ctx, w.Control)
		if err != nil {
			return
		}
		if w.gate.set(st) && w.OnControl != nil {
			w.OnControl(st)
		}
		if st == Cancelled {
			cancel(ErrCancelled)
		}
	}
	read()
	go func() {
		t := time.NewTicker(controlPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				read()
			}
		}
	}()
}
