package bus

import (
	"context"
	"sync"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// EventWriter stores events in batches on its own goroutine. A failed write
// (the database restarting) is retried with backoff, holding the events in
// memory meanwhile, so workers keep consuming; the store skips events it
// already has, so retries and replays never duplicate. Events with Open
// set (what a drained worker still had open) are stored provisional, as
// ingest stores what it had open, beside other workers' (AddProvisional).
type EventWriter struct {
	st      store.Store
	open    func(context.Context) (store.Store, error) // nil: st is kept through failures
	mu      sync.Mutex
	pending []event.Event
	wake    chan struct{}
	done    chan struct{}
	// OnError is told about each failed attempt (default: ignored).
	OnError func(err error, pending int)

	statMu  sync.Mutex
	written int64
	// added counts the events queued, stored those done with (written
	// or already in the store); synced is closed when stored moves.
	added, stored int64
	synced        chan struct{}
}

// gatherEvents is how long a writer woken by an event waits for more
// before writing: events reach the store (not alerts, which Emit
// delivers at once) that much later.
const gatherEvents = 250 * time.Millisecond

// storeStartWait is how long a writer waits for its database at start.
const storeStartWait = 30 * time.Second

// NewEventWriter starts a writer; Close flushes and stops it.
func NewEventWriter(ctx context.Context, st store.Store) *EventWriter {
	w := &EventWriter{st: st, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go w.loop(ctx)
	return w
}

// NewReopeningEventWriter is NewEventWriter for a store whose connection
// does not survive the server restarting (store/postgres holds a single
// connection, closed for good by a reset): after a failed write the store
// is closed and opened again before the retry. The writer owns the store.
// A database away when the writer starts (restarting, or cut off) is
// waited for up to storeStartWait: a backfill's workers are started once
// and left to run, and one that met a restart at its start used to exit
// ("create schema: conn closed").
func NewReopeningEventWriter(ctx context.Context, open func(context.Context) (store.Store, error)) (*EventWriter, error) {
	var st store.Store
	sctx, cancel := context.WithTimeout(ctx, storeStartWait)
	defer cancel()
	err := retry(sctx, 200*time.Millisecond, func(error) bool { return true }, func(ctx context.Context) error {
		var err error
		if st, err = open(ctx); err != nil {
			st = nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	w := &EventWriter{st: st, open: open, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go w.loop(ctx)
	return w, nil
}

// Add queues one event.
func (w *EventWriter) Add(e *event.Event) {
	w.mu.Lock()
	w.pending = append(w.pending, *e)
	w.added++
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Sync returns once every event added before it was called is stored (or
// ctx ends): a worker's checkpoint must not get ahead of its events.
func (w *EventWriter) Sync(ctx context.Context) error {
	w.mu.Lock()
	mark := w.added
	for w.stored < mark {
		if w.synced == nil {
			w.synced = make(chan struct{})
		}
		ch := w.synced
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
		w.mu.Lock()
	}
	w.mu.Unlock()
	return nil
}

// Written is the number of new events stored so far.
func (w *EventWriter) Written() int64 {
	w.statMu.Lock()
	defer w.statMu.Unlock()
	return w.written
}

// Close writes what is pending (retrying until ctx of NewEventWriter ends)
// and stops.
func (w *EventWriter) Close() {
	close(w.wake)
	<-w.done
}

// write stores the final events of batch, then the open ones, provisional.
// A failure after the first write retries both: the store skips what it
// has.
func (w *EventWriter) write(ctx context.Context, batch []event.Event) (store.Written, error) {
	var final, open []event.Event
	for i := range batch {
		if batch[i].Open {
			open = append(open, batch[i])
		} else {
			final = append(final, batch[i])
		}
	}
	var n store.Written
	if len(final) > 0 {
		m, err := w.st.Write(ctx, &store.Batch{Events: final})
		if err != nil {
			return n, err
		}
		n.Events += m.Events
	}
	if len(open) > 0 {
		m, err := w.st.Write(ctx, &store.Batch{Events: open, Provisional: true, AddProvisional: true})
		if err != nil {
			return n, err
		}
		n.Events += m.Events
	}
	return n, nil
}

func (w *EventWriter) loop(ctx context.Context) {
	defer close(w.done)
	if w.open != nil {
		defer func() {
			if w.st != nil {
				w.st.Close()
			}
		}()
	}
	wait := 200 * time.Millisecond
	var openErr error
	for {
		_, open := <-w.wake
		if open {
			// Gather what comes meanwhile: a write costs about the same
			// for one event as for hundreds, and the workers' detectors
			// emit them one by one (each woke a write: 22% of a worker's
			// CPU went to writing 7,363 events of 30 sparse days).
			select {
			case <-ctx.Done():
			case <-time.After(gatherEvents):
			}
		}
		for {
			w.mu.Lock()
			batch := w.pending
			w.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			var n store.Written
			err := openErr
			if w.st != nil {
				n, err = w.write(ctx, batch)
			}
			if err == nil {
				w.mu.Lock()
				w.pending = w.pending[len(batch):]
				w.stored += int64(len(batch))
				if w.synced != nil {
					close(w.synced)
					w.synced = nil
				}
				w.mu.Unlock()
				w.statMu.Lock()
				w.written += n.Events
				w.statMu.Unlock()
				wait = 200 * time.Millisecond
				continue
			}
			if w.OnError != nil {
				w.OnError(err, len(batch))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 30*time.Second)
			if w.open != nil {
				if w.st != nil {
					w.st.Close()
				}
				// A failed open leaves st nil: the next round tries again
				// and reports why.
				octx, cancel := context.WithTimeout(ctx, 10*time.Second)
				w.st, openErr = w.open(octx)
				cancel()
				if openErr != nil {
					w.st = nil // backend.Open wraps a nil *postgres.Store in a non-nil interface
				}
			}
		}
		if !open {
			return
		}
	}
}
