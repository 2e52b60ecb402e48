package track

import (
	"fmt"
	"slices"

	"github.com/lookout-osint/lookout/internal/statecodec"
)

// The tracker's state is saved in two parts so that an ingest can store
// each vessel's separately: what belongs to one MMSI (its segments, last
// fix, dedup ring) and what is shared (the reorder queue and its clock).
// Everything not named here is carried, so a field added to Tracker or
// vessel is saved without further work.
var (
	sharedCodec = statecodec.New(Tracker{},
		// Configuration and plumbing, set by New and OnQuarantine.
		statecodec.Skip(Tracker{}, "cfg", "land", "sink", "quarantined"),
		// Saved per vessel; a cache of land answers; scratch; this run's counts;
		// recycled Statics; a wall clock reading.
		statecodec.Skip(Tracker{}, "vessels", "land01", "pt", "stats", "spare", "wallNs", "wallUses"))
	// prevCos is a cache, taken again when 0.
	vesselCodec = statecodec.New(vessel{}, statecodec.Skip(vessel{}, "prevCos"))
)

// MarshalShared encodes the state that belongs to no one vessel: the
// inputs waiting in the reorder window and the clock that orders them.
// It appends to dst.
func (t *Tracker) MarshalShared(dst []byte) ([]byte, error) {
	t.queue.compact()
	return sharedCodec.MarshalAppend(dst, t, nil)
}

// UnmarshalShared loads what MarshalShared saved into a tracker made by New.
func (t *Tracker) UnmarshalShared(data []byte) error {
	if err := sharedCodec.Unmarshal(data, t, nil); err != nil {
		return fmt.Errorf("tracker state: %w", err)
	}
	// Saved under another ReorderWindow, the ring is sized anew.
	t.queue.setup(t.window())
	return nil
}

// MMSIs lists the vessels the tracker holds state for, in ascending order.
func (t *Tracker) MMSIs() []uint32 {
	m := t.vessels.mmsis(nil)
	slices.Sort(m)
	return m
}

// MarshalVessel appends one vessel's state to dst; ok is false when the
// tracker has none (data is then dst).
func (t *Tracker) MarshalVessel(dst []byte, mmsi uint32) (data []byte, ok bool, err error) {
	v := t.vessels.get(mmsi)
	if v == nil {
		return dst, false, nil
	}
	data, err = vesselCodec.MarshalAppend(dst, v, nil)
	return data, true, err
}

// UnmarshalVessel loads one vessel's state saved by MarshalVessel.
func (t *Tracker) UnmarshalVessel(mmsi uint32, data []byte) error {
	v := &vessel{}
	if err := vesselCodec.Unmarshal(data, v, nil); err != nil {
		return fmt.Errorf("tracker state of %d: %w", mmsi, err)
	}
	t.vessels.put(mmsi, v)
	return nil
}
