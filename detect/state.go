package detect

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"unsafe"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/internal/statecodec"
)

// The detectors' state is saved in two parts so that an ingest can store
// each vessel's separately: a vessel's own (visits, loitering, spoofing,
// pending gaps, last fixes) and the shared state (reception grid, vessel
// pairs being followed for encounters, identity history and the IMO and
// hull tables that match one vessel to another). Everything not named here
// is carried, so a field added to a state struct is saved without further
// work; a field that cannot be encoded (a func, a channel) fails loudly.
var (
	portCodec = statecodec.With((*Port)(nil), statecodec.Custom{Enc: encPort, Dec: decPort})

	sharedCodec = statecodec.New(Detector{}, portCodec,
		// Configuration and plumbing, set by New and Only.
		statecodec.Skip(Detector{}, "cfg", "run", "ports", "watched", "shore", "emit", "Flag", "inPlaceKm"),
		// Saved per vessel; a cache of shore distances; this run's counts;
		// an index of the GNSS areas, rebuilt when needed.
		statecodec.Skip(Detector{}, "vessels", "shoreC", "counts", "gnssGrid"),
		// Plumbing to a Detector deciding other processes' draught
		// changes (bus's second stage), and what that one keeps: it
		// replays instead of saving state.
		statecodec.Skip(Detector{}, "DeferDraught", "DeferLoiterEnd", "runDraught", "AreaDecided"),
		// Back pointer and configuration; scratch space of pairUp.
		statecodec.Skip(encounters{}, "d", "cellDeg", "maxDistK", "grid", "cells"),
		// A count for tests.
		statecodec.Skip(reception{}, "looked"))
	vesselCodec = statecodec.New(vessel{}, append(spoofCodecs, portCodec)...)
)

// A port is saved as its place in the index, checked against its ID: the
// state points into the port table, which New builds from the catalogue.
func encPort(w *statecodec.Writer, v reflect.Value) error {
	p := v.Interface().(*Port)
	if p == nil {
		w.Varint(-1)
		return nil
	}
	ports := w.Ctx.(*Detector).ports.ports
	i := -1
	if len(ports) > 0 {
		// Ports live in one slice: the offset from its start is the index.
		off := uintptr(unsafe.Pointer(p)) - uintptr(unsafe.Pointer(&ports[0]))
		if j := int(off / unsafe.Sizeof(Port{})); off%unsafe.Sizeof(Port{}) == 0 && j < len(ports) && &ports[j] == p {
			i = j
		}
	}
	if i < 0 {
		return fmt.Errorf("port %s (%s) is not in the port index", p.ID, p.Name)
	}
	w.Varint(int64(i))
	w.String(p.ID)
	return nil
}

func decPort(r *statecodec.Reader, v reflect.Value) error {
	i, err := r.Varint()
	if err != nil || i < 0 {
		v.Set(reflect.Zero(v.Type()))
		return err
	}
	id, err := r.String()
	if err != nil {
		return err
	}
	d := r.Ctx.(*Detector)
	if d.ports == nil {
		return fmt.Errorf("state refers to port %s, but the detector has no ports", id)
	}
	ports := d.ports.ports
	// The catalogue may have changed since: find the port by ID then.
	if i >= int64(len(ports)) || ports[i].ID != id {
		if i = int64(slices.IndexFunc(ports, func(q Port) bool { return q.ID == id })); i < 0 {
			return fmt.Errorf("state refers to port %s, which is no longer in the catalogue", id)
		}
	}
	v.Set(reflect.ValueOf(&ports[i]))
	return nil
}

// MarshalShared appends the state that belongs to no one vessel to dst.
func (d *Detector) MarshalShared(dst []byte) ([]byte, error) {
	return sharedCodec.MarshalAppend(dst, d, d)
}

// UnmarshalShared loads what MarshalShared saved into a detector made by
// New with the same ports.
func (d *Detector) UnmarshalShared(data []byte) error {
	if err := sharedCodec.Unmarshal(data, d, d); err != nil {
		return fmt.Errorf("detector state: %w", err)
	}
	return nil
}

// MMSIs lists the vessels the detectors hold state for, in ascending order.
func (d *Detector) MMSIs() []uint32 { return slices.Sorted(maps.Keys(d.vessels)) }

// MarshalVessel appends one vessel's state to dst; ok is false when there
// is none (data is then dst).
func (d *Detector) MarshalVessel(dst []byte, mmsi uint32) (data []byte, ok bool, err error) {
	v := d.vessels[mmsi]
	if v == nil {
		return dst, false, nil
	}
	data, err = vesselCodec.MarshalAppend(dst, v, d)
	return data, true, err
}

// UnmarshalVessel loads one vessel's state saved by MarshalVessel.
func (d *Detector) UnmarshalVessel(mmsi uint32, data []byte) error {
	v := &vessel{}
	if err := vesselCodec.Unmarshal(data, v, d); err != nil {
		return fmt.Errorf("detector state of %d: %w", mmsi, err)
	}
	// Saved by a Detector running other detectors than d.
	d.give(v)
	d.vessels[mmsi] = v
	return nil
}

// A Detector deciding other processes' draught changes (bus's second
// stage) keeps those held for a loitering run's end (runDraught), which
// the shared state leaves out; its checkpoints carry them apart, and the
// reception evidence it grades gaps with.
var (
	decidingCodec  = statecodec.New(deciding{})
	receptionCodec = statecodec.New(reception{}, statecodec.Skip(reception{}, "looked"))
)

type deciding struct{ Run map[runKey]*event.Event }

// MarshalDeciding encodes the draught changes DecideDraught holds.
func (d *Detector) MarshalDeciding() ([]byte, error) {
	return decidingCodec.Marshal(&deciding{d.runDraught}, d)
}

// UnmarshalDeciding loads what MarshalDeciding saved.
func (d *Detector) UnmarshalDeciding(data []byte) error {
	var s deciding
	if err := decidingCodec.Unmarshal(data, &s, d); err != nil {
		return fmt.Errorf("draught changes held: %w", err)
	}
	d.runDraught = s.Run
	return nil
}

// Marshal encodes the reception evidence.
func (x *Reception) Marshal() ([]byte, error) { return receptionCodec.Marshal(x.r, nil) }

// Unmarshal loads what Marshal saved.
func (x *Reception) Unmarshal(data []byte) error {
	if err := receptionCodec.Unmarshal(data, x.r, nil); err != nil {
		return fmt.Errorf("reception state: %w", err)
	}
	return nil
}
