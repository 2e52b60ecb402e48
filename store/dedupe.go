package store

import (
	"context"
	"time"
)

// Dedup keeps an ingest from storing positions the store already holds:
// same vessel, same instant (to the microsecond the store keeps), and the
// same receiving station or one of the two unknown. So the same reports
// brought by another file (day.nmea and day.nmea.gz, a CSV export of an
// NMEA log, overlapping captures) or an earlier run are stored once, while
// a report heard by two named stations keeps its two rows (SCHEMA.md), as
// do a file's own repeated lines.
//
// Only what can overlap is looked up: the part of a batch's time span at
// or before the latest position stored before this run, or within a file
// already ingested in this run. Daily files ingested in time order
// overlap nothing, and pay one query per run (LatestPosition).
type Dedup struct {
	st     Store
	before time.Time // latest position stored before this run
	asked  bool
	done   []span // files ingested in this run
	cur    span   // the file being ingested
}

type span struct{ lo, hi time.Time }

// LatestPositioner is a Store that can say when its latest position is
// (both backends are); for one that cannot, every batch is looked up.
type LatestPositioner interface {
	LatestPosition(ctx context.Context) (time.Time, error)
}

// NewDedup returns a Dedup for one ingest run into st.
func NewDedup(st Store) *Dedup { return &Dedup{st: st} }

// EndFile closes the current file: later files are checked against it.
func (d *Dedup) EndFile() {
	if !d.cur.lo.IsZero() {
		d.done = append(d.done, d.cur)
	}
	d.cur = span{}
}

// Filter removes from ps, in place and keeping their order, the positions
// already stored, and returns the rest and how many it removed. Call it just
// before writing a batch, once the previous batch is committed.
func (d *Dedup) Filter(ctx context.Context, ps []Position) ([]Position, int, error) {
	if len(ps) == 0 {
		return ps, 0, nil
	}
	lo, hi := ps[0].Time, ps[0].Time
	for _, p := range ps[1:] {
		if p.Time.Before(lo) {
			lo = p.Time
		}
		if p.Time.After(hi) {
			hi = p.Time
		}
	}
	if !d.asked {
		d.asked = true
		d.before = time.Unix(1<<40, 0) // unknown: anything may overlap
		if lp, ok := d.st.(LatestPositioner); ok {
			t, err := lp.LatestPosition(ctx)
			if err != nil {
				return ps, 0, err
			}
			d.before = t
		}
	}
	// The window to look up: the batch's span cut to what can overlap.
	var wlo, whi time.Time
	add := func(a, b time.Time) {
		if a.Before(lo) {
			a = lo
		}
		if b.After(hi) {
			b = hi
		}
		if b.Before(a) {
			return
		}
		if wlo.IsZero() || a.Before(wlo) {
			wlo = a
		}
		if b.After(whi) {
			whi = b
		}
	}
	if !d.before.IsZero() {
		add(lo, d.before)
	}
	for _, s := range d.done {
		add(s.lo, s.hi)
	}
	if d.cur.lo.IsZero() || lo.Before(d.cur.lo) {
		d.cur.lo = lo
	}
	if hi.After(d.cur.hi) {
		d.cur.hi = hi
	}
	if wlo.IsZero() {
		return ps, 0, nil
	}
	return dropStored(ctx, d.st, ps, wlo, whi)
}

// dropStored removes the positions of ps with lo <= Time <= hi that st
// already holds.
func dropStored(ctx context.Context, st Store, ps []Position, lo, hi time.Time) ([]Position, int, error) {
	type key struct {
		mmsi uint32
		us   int64
	}
	var stored map[key][]string // stations heard at that instant
	// The store keeps microseconds: widen the span so that truncation
	// cannot push a stored row outside it.
	err := st.ScanPositions(ctx, lo.Truncate(time.Microsecond), hi.Add(time.Microsecond), func(p *Position) error {
		if stored == nil {
			stored = make(map[key][]string)
		}
		k := key{p.MMSI, p.Time.UnixMicro()}
		stored[k] = append(stored[k], p.Station)
		return nil
	})
	if err != nil || len(stored) == 0 {
		return ps, 0, err
	}
	out := ps[:0]
	for _, p := range ps {
		dup := false
		for _, s := range stored[key{p.MMSI, p.Time.UnixMicro()}] {
			if s == p.Station || s == "" || p.Station == "" {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out, len(ps) - len(out), nil
}
