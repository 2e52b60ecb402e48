package output

import (
	"context"
	"fmt"

	"github.com/lookout-osint/lookout/store"
)

// Directory says what vessels call themselves: the latest name, IMO
// number, call sign and ship type each reported, read from the store once
// per vessel and only for the vessels a table shows (a store may hold a
// hundred thousand). Without a store (event files) it knows nothing, and
// tables show numbers only.
type Directory struct {
	ctx context.Context
	st  store.Store
	got map[uint32]store.Identity
	// Err is the first error reading the store; lookups after it return
	// nothing.
	Err error
}

// NewDirectory looks vessels up in st, which may be nil.
func NewDirectory(ctx context.Context, st store.Store) *Directory {
	return &Directory{ctx: ctx, st: st, got: map[uint32]store.Identity{}}
}

// Latest is the vessel's identity as it last reported each field: the
// newest non-empty name, IMO number, call sign, ship type and size (an
// identity report may leave fields out that an earlier one gave).
func (d *Directory) Latest(mmsi uint32) store.Identity {
	if d == nil || d.st == nil || d.Err != nil {
		return store.Identity{}
	}
	if id, ok := d.got[mmsi]; ok {
		return id
	}
	hist, err := d.st.Identities(d.ctx, mmsi)
	if err != nil {
		d.Err = fmt.Errorf("identities of %d: %w", mmsi, err)
		return store.Identity{}
	}
	id := Latest(hist)
	id.MMSI = mmsi
	d.got[mmsi] = id
	return id
}

// Name is the vessel's latest reported name, "" when it never sent one.
func (d *Directory) Name(mmsi uint32) string { return d.Latest(mmsi).Name }

// Latest folds an identity history (oldest first) into the newest value
// of each field; Time is the last report's.
func Latest(hist []store.Identity) store.Identity {
	var id store.Identity
	for _, h := range hist {
		id.MMSI, id.Time = h.MMSI, h.Time
		if h.IMO != 0 {
			id.IMO = h.IMO
		}
		if h.Name != "" {
			id.Name = h.Name
		}
		if h.CallSign != "" {
			id.CallSign = h.CallSign
		}
		if h.ShipType != 0 {
			id.ShipType = h.ShipType
		}
		if h.Length != 0 {
			id.Length, id.Beam = h.Length, h.Beam
		}
		if h.Draught != 0 {
			id.Draught = h.Draught
		}
		if h.Destination != "" {
			id.Destination = h.Destination
		}
	}
	return id
}
