package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/store"
)

// Screener is the pipeline's sanctions stage: every identity a vessel
// takes (a new IMO, name or call sign) is matched against the store's
// sanctions lists as it is stored, and a match is stored as a
// sanctions_match event with its strength and reason, so that every
// reader of the store (vessel, events, risk, report, the API, the map)
// sees it without a step of its own. Use one per run, from one goroutine.
type Screener struct {
	ix *sanctions.Index
	// last is the identity each vessel was last screened with this run.
	last map[uint32]idKey
	// matched holds the identities of each vessel with a stored match
	// (from the store at the start, and this run's), so that a later run
	// or file does not store the same match again from a later start.
	matched map[uint32][]idKey
	// pos is each vessel's last position, where its match is placed;
	// waiting holds a match found before the vessel's first position.
	pos     map[uint32][2]float64
	waiting map[uint32]event.Event
	emit    func(*event.Event)
}

type idKey struct {
	imo            uint32
	name, callSign string
}

// NewScreener screens against ix; matched lists the identities that
// already have a stored match (the store's sanctions_match events).
func NewScreener(ix *sanctions.Index, matched []event.Event) *Screener {
	s := &Screener{ix: ix, last: map[uint32]idKey{}, matched: map[uint32][]idKey{}, pos: map[uint32][2]float64{},
		waiting: map[uint32]event.Event{}, emit: func(*event.Event) {}}
	for i := range matched {
		e := &matched[i]
		s.matched[e.MMSI] = append(s.matched[e.MMSI], keyOfEvent(e))
	}
	return s
}

// keyOfEvent is the identity a stored sanctions_match was found for.
func keyOfEvent(e *event.Event) idKey {
	var k idKey
	switch v := e.Evidence["vessel_imo"].(type) {
	case float64:
		k.imo = uint32(v)
	case uint32:
		k.imo = v
	}
	k.name, _ = e.Evidence["vessel_name"].(string)
	k.callSign, _ = e.Evidence["vessel_call_sign"].(string)
	return k
}

// position notes where a vessel is, to place its matches.
func (s *Screener) position(p *store.Position) {
	s.pos[p.MMSI] = [2]float64{p.Lat, p.Lon}
	if ev, ok := s.waiting[p.MMSI]; ok {
		delete(s.waiting, p.MMSI)
		ev.Lat, ev.Lon = p.Lat, p.Lon
		s.emit(&ev)
	}
}

// identity screens a vessel's identity record when what identifies it
// (IMO, name, call sign) is new, and emits the event of a match, placed
// at the vessel's last position (or its next, when it has none yet).
func (s *Screener) identity(id *store.Identity) {
	k := idKey{id.IMO, id.Name, id.CallSign}
	if k == (idKey{}) || s.last[id.MMSI] == k {
		return
	}
	s.last[id.MMSI] = k
	if slices.Contains(s.matched[id.MMSI], k) {
		return
	}
	sid := sanctions.Identity{MMSI: id.MMSI, IMO: id.IMO, Name: id.Name, CallSign: id.CallSign, First: id.Time, Last: id.Time}
	ev, ok := sanctions.Event(sid, s.ix.Match(sid))
	if !ok {
		return
	}
	s.matched[id.MMSI] = append(s.matched[id.MMSI], k)
	p, ok := s.pos[id.MMSI]
	if !ok {
		if old, ok := s.waiting[id.MMSI]; ok {
			s.emit(&old)
		}
		s.waiting[id.MMSI] = ev
		return
	}
	ev.Lat, ev.Lon = p[0], p[1]
	s.emit(&ev)
}

// flush emits the matches still waiting for a position (a file's end).
func (s *Screener) flush() {
	for m, ev := range s.waiting {
		delete(s.waiting, m)
		s.emit(&ev)
	}
}

// LoadScreener returns the sanctions stage for a run into st: its lists
// (the built-in ones are stored first when the store lacks them, and the
// identities already stored are screened against them in the same
// transaction) and the matches already stored.
func LoadScreener(ctx context.Context, st store.Store) (*Screener, error) {
	lists, missing, err := Lists(ctx, st)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		if _, err := storeLists(ctx, st, lists, missing); err != nil {
			return nil, err
		}
	}
	matched, err := st.Events(ctx, store.EventQuery{Types: []event.Type{event.SanctionsMatch}})
	if err != nil {
		return nil, err
	}
	return NewScreener(sanctions.NewIndex(sanctions.Concat(lists...)), matched), nil
}

// Lists returns the sanctions lists that screen st's identities: those
// kept in st, and the built-in ones st has no list of their name for
// (missing: a new store, or one made before lists were kept in it; the
// first ingest or import stores them). It writes nothing.
func Lists(ctx context.Context, st store.Store) (lists, missing []*sanctions.List, err error) {
	ls, ok := st.(store.ListStore)
	if !ok {
		return sanctions.Builtin(), nil, nil
	}
	rows, err := ls.Lists(ctx)
	if err != nil {
		return nil, nil, err
	}
	have := map[string]bool{}
	for _, r := range rows {
		var l sanctions.List
		if err := json.Unmarshal(r.Data, &l); err != nil {
			return nil, nil, fmt.Errorf("sanctions list %s in the store: %w", r.Name, err)
		}
		have[l.Name] = true
		lists = append(lists, &l)
	}
	for _, l := range sanctions.Builtin() {
		if !have[l.Name] {
			missing = append(missing, l)
		}
	}
	return append(lists, missing...), missing, nil
}

// ImportResult says what importing a list did.
type ImportResult struct {
	List store.List
	// Matches counts the sanctions_match events the re-screen stored or
	// updated.
	Matches int64
}

// ImportList stores l in st, replacing a stored list of its name (an
// imported list with a built-in list's name replaces it: a newer
// edition), and screens every identity already stored against the lists
// now kept: the list and the matches are stored in one transaction, so a
// failure leaves the store as it was. A list without a usable entry is
// refused before anything is stored.
func ImportList(ctx context.Context, st store.Store, l *sanctions.List) (ImportResult, error) {
	if len(l.Entries) == 0 {
		return ImportResult{}, fmt.Errorf("list %s has no usable entries (%s): nothing stored", l.Name, l.Stats)
	}
	if _, ok := st.(store.ListStore); !ok {
		return ImportResult{}, errors.New("this store cannot keep sanctions lists")
	}
	lists, missing, err := Lists(ctx, st)
	if err != nil {
		return ImportResult{}, err
	}
	missing = slices.DeleteFunc(missing, func(o *sanctions.List) bool { return o.Name == l.Name })
	lists = slices.DeleteFunc(lists, func(o *sanctions.List) bool { return o.Name == l.Name })
	lists = append(lists, l)
	return storeLists(ctx, st, lists, append(missing, l))
}

// storeLists stores add with the matches of every stored identity against
// all (add included), in one transaction.
func storeLists(ctx context.Context, st store.Store, all, add []*sanctions.List) (ImportResult, error) {
	var res ImportResult
	// Replace: an identity matched before gets the evidence of every list
	// that now matches it.
	b := &store.Batch{Replace: true}
	now := time.Now().UTC()
	for _, l := range add {
		data, err := json.Marshal(l)
		if err != nil {
			return res, fmt.Errorf("encode list %s: %w", l.Name, err)
		}
		sum := sha256.Sum256(data)
		b.Lists = append(b.Lists, store.List{Name: l.Name, Source: l.Source, Imported: now,
			Hash: hex.EncodeToString(sum[:]), Entries: len(l.Entries), Data: data})
	}
	res.List = b.Lists[len(b.Lists)-1]
	evs, err := Rescreen(ctx, st, sanctions.NewIndex(sanctions.Concat(all...)))
	if err != nil {
		return res, err
	}
	b.Events = evs
	if _, err := st.Write(ctx, b); err != nil {
		return res, fmt.Errorf("store sanctions list %s and its matches (nothing stored): %w", res.List.Name, err)
	}
	// Every match is stored or replaces the stored one of its ID, while
	// w.Events counts only the new ones.
	ids := map[string]bool{}
	for i := range evs {
		ids[evs[i].ID()] = true
	}
	res.Matches = int64(len(ids))
	return res, nil
}

// Rescreen matches every identity st holds against ix and returns one
// sanctions_match event per matching identity span, placed at the
// vessel's first position from the span's start (events already stored
// have the same IDs, so storing them again adds nothing).
func Rescreen(ctx context.Context, st store.Store, ix *sanctions.Index) ([]event.Event, error) {
	ms, err := st.FindVessels(ctx, "")
	if err != nil {
		return nil, err
	}
	var ids []sanctions.Identity
	for _, m := range ms {
		hist, err := st.Identities(ctx, m)
		if err != nil {
			return nil, err
		}
		ids = append(ids, spans(hist)...)
	}
	var evs []event.Event
	ix.MatchAll(ids, func(i int, ms []sanctions.Match) {
		if ev, ok := sanctions.Event(ids[i], ms); ok {
			evs = append(evs, ev)
		}
	})
	for i := range evs {
		e := &evs[i]
		tr, err := st.Track(ctx, e.MMSI, time.Time{}, e.Start.Add(time.Second))
		if err != nil {
			return nil, err
		}
		if len(tr) == 0 {
			if tr, err = st.Track(ctx, e.MMSI, e.Start, time.Time{}); err != nil {
				return nil, err
			}
			if len(tr) > 0 {
				tr = tr[:1]
			}
		}
		if n := len(tr); n > 0 {
			e.Lat, e.Lon = tr[n-1].Lat, tr[n-1].Lon
		}
	}
	return evs, nil
}

// spans turns one MMSI's identity reports into the spans over which its
// IMO, name and call sign stayed the same: the identities the Screener
// screens as they are stored.
func spans(hist []store.Identity) []sanctions.Identity {
	var out []sanctions.Identity
	for _, h := range hist {
		if h.IMO == 0 && h.Name == "" && h.CallSign == "" {
			continue
		}
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.IMO == h.IMO && last.Name == h.Name && last.CallSign == h.CallSign {
				last.Last = h.Time
				continue
			}
		}
		out = append(out, sanctions.Identity{MMSI: h.MMSI, IMO: h.IMO, Name: h.Name, CallSign: h.CallSign, First: h.Time, Last: h.Time})
	}
	return out
}
