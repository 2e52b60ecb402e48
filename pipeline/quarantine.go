package pipeline

import (
	"sync"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/track"
)

// quarantine collects the position reports the tracker quarantined for
// their receive time (track/clock.go), so that they are not stored as
// positions: they reach no track and no event, and a map or lookout track
// drawing them would show a vessel where it never was. Positions are taken
// from the reader ahead of the tracker, which judges a stray time only once
// later reports outvote it: a quarantined report still in the batch being
// collected is dropped from it; one already handed to the store is named
// in the next batch, which deletes it in its transaction.
type quarantine struct {
	mu   sync.Mutex
	keys map[store.PositionKey]bool
}

// add records one quarantined report; the tracker's goroutine calls it.
func (q *quarantine) add(mmsi uint32, t time.Time, _ track.Reason) {
	q.mu.Lock()
	if q.keys == nil {
		q.keys = map[store.PositionKey]bool{}
	}
	q.keys[store.PositionKey{MMSI: mmsi, Time: t.UTC()}] = true
	q.mu.Unlock()
}

// take removes the quarantined positions from b's positions and names the
// others, stored already, in b.Quarantined.
func (q *quarantine) take(b *store.Batch) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.keys) == 0 {
		return
	}
	found := map[store.PositionKey]bool{}
	kept := b.Positions[:0]
	for _, p := range b.Positions {
		k := store.PositionKey{MMSI: p.MMSI, Time: p.Time}
		if q.keys[k] {
			found[k] = true
			continue
		}
		kept = append(kept, p)
	}
	b.Positions = kept
	for k := range q.keys {
		if !found[k] {
			b.Quarantined = append(b.Quarantined, k)
		}
	}
	clear(q.keys)
}

// quarantineNotifier is an Analysis that says which position reports its
// tracker quarantined (LazyAnalyzer does).
type quarantineNotifier interface {
	OnQuarantine(fn func(mmsi uint32, t time.Time, why track.Reason))
}
