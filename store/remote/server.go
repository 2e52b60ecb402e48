package remote

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/store"
)

// Do runs fn with use of the store. A call that may change the store
// comes with a Change (nil for reads), so that the caller can update what
// it derived from the data, and needs exclusive use.
type Do func(ctx context.Context, change *Change, fn func(store.Store) error) error

// Change says what a write may change.
type Change struct {
	// Events: events were added or replaced (provisional ones included).
	Events bool
	// Identities are the vessels whose identity history grew.
	Identities []uint32
}

func changeOf(b *store.Batch) *Change {
	c := &Change{Events: len(b.Events) > 0 || b.Provisional}
	seen := map[uint32]bool{}
	for _, id := range b.Identities {
		if !seen[id.MMSI] {
			seen[id.MMSI] = true
			c.Identities = append(c.Identities, id.MMSI)
		}
	}
	return c
}

// chunk is how many positions or checkpoints one frame carries.
const chunk = 8192

// Serve answers store calls on ln until it is closed, running each through
// do. db names the file served, url where the server answers HTTP ("" when
// it does not).
func Serve(ln net.Listener, db, url string, do Do) error {
	hs := &http.Server{Handler: Handler(db, url, do)}
	err := hs.Serve(ln)
	if errors.Is(err, net.ErrClosed) || errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Handler answers store calls, running each through do.
func Handler(db, url string, do Do) http.Handler {
	info := selfInfo(db, url)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, ok := strings.CutPrefix(r.URL.Path, "/v1/")
		if !ok || r.Method != http.MethodPost {
			http.Error(w, "lookout store socket: POST /v1/{op}", http.StatusNotFound)
			return
		}
		var req request
		if err := gob.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-gob")
		enc := gob.NewEncoder(w)
		send := func(f *frame) error { return enc.Encode(f) }
		err := answer(r.Context(), op, &req, info, do, send)
		last := &frame{}
		if err != nil {
			last.Err = err.Error()
			last.NotFound = errors.Is(err, store.ErrNotFound)
		}
		if f, ok := err.(*final); ok {
			last = f.frame
		}
		send(last)
	})
}

// final is the answer of a call that sends one frame.
type final struct{ frame *frame }

func (*final) Error() string { return "" }

func answer(ctx context.Context, op string, req *request, info Info, do Do, send func(*frame) error) error {
	one := func(f *frame, err error) error {
		if err != nil {
			return err
		}
		return &final{f}
	}
	read := func(fn func(store.Store) error) error { return do(ctx, nil, fn) }
	switch op {
	case "hello":
		return one(&frame{Info: info}, nil)
	case "write":
		if req.Batch == nil {
			return errors.New("write: no batch")
		}
		b := req.Batch.Batch
		var err error
		if b.Events, err = fromWire(req.Batch.Events); err != nil {
			return err
		}
		var wr store.Written
		err = do(ctx, changeOf(&b), func(st store.Store) (err error) { wr, err = st.Write(ctx, &b); return })
		return one(&frame{Written: wr}, err)
	case "file":
		var f store.File
		err := read(func(st store.Store) (err error) { f, err = st.File(ctx, req.Hash); return })
		return one(&frame{File: f}, err)
	case "checkpoints":
		return read(func(st store.Store) error {
			b := batcher[store.Checkpoint]{send: func(cs []store.Checkpoint) error { return send(&frame{More: true, Checkpoints: cs}) }}
			if err := st.Checkpoints(ctx, func(c store.Checkpoint) error { return b.add(c) }); err != nil {
				return err
			}
			return b.flush()
		})
	case "events":
		var out []wireEvent
		err := read(func(st store.Store) error {
			es, err := st.Events(ctx, req.Query)
			if err != nil {
				return err
			}
			out, err = toWire(es)
			return err
		})
		return one(&frame{Events: out}, err)
	case "identities":
		var ids []store.Identity
		err := read(func(st store.Store) (err error) { ids, err = st.Identities(ctx, req.MMSI); return })
		return one(&frame{Identities: ids}, err)
	case "vessels":
		var ms []uint32
		err := read(func(st store.Store) (err error) { ms, err = st.FindVessels(ctx, req.Text); return })
		return one(&frame{MMSIs: ms}, err)
	case "track":
		var ps []store.Position
		err := read(func(st store.Store) (err error) { ps, err = st.Track(ctx, req.MMSI, req.Since, req.Until); return })
		if err != nil {
			return err
		}
		for len(ps) > chunk {
			if err := send(&frame{More: true, Positions: ps[:chunk]}); err != nil {
				return err
			}
			ps = ps[chunk:]
		}
		return one(&frame{Positions: ps}, nil)
	case "positions":
		return read(func(st store.Store) error {
			b := batcher[store.Position]{send: func(ps []store.Position) error { return send(&frame{More: true, Positions: ps}) }}
			if err := st.ScanPositions(ctx, req.Since, req.Until, func(p *store.Position) error { return b.add(*p) }); err != nil {
				return err
			}
			return b.flush()
		})
	case "counts":
		var c store.Counts
		err := read(func(st store.Store) (err error) { c, err = st.Counts(ctx); return })
		return one(&frame{Counts: c}, err)
	case "lists":
		var ls []store.List
		err := read(func(st store.Store) error {
			l, ok := st.(store.ListStore)
			if !ok {
				return fmt.Errorf("a %T store keeps no sanctions lists", st)
			}
			var err error
			ls, err = l.Lists(ctx)
			return err
		})
		return one(&frame{Lists: ls}, err)
	case "learned-ports":
		var ps []store.LearnedPort
		err := read(func(st store.Store) error {
			pa, ok := st.(store.PortAreas)
			if !ok {
				return fmt.Errorf("a %T store keeps no learned port areas", st)
			}
			var err error
			ps, err = pa.LearnedPorts(ctx)
			return err
		})
		return one(&frame{Ports: ps}, err)
	case "put-learned-ports":
		return do(ctx, &Change{}, func(st store.Store) error {
			pa, ok := st.(store.PortAreas)
			if !ok {
				return fmt.Errorf("a %T store keeps no learned port areas", st)
			}
			return pa.PutLearnedPorts(ctx, req.Ports)
		})
	case "latest-position":
		var t time.Time
		err := read(func(st store.Store) error {
			lp, ok := st.(store.LatestPositioner)
			if !ok {
				return fmt.Errorf("a %T store cannot say its latest position", st)
			}
			var err error
			t, err = lp.LatestPosition(ctx)
			return err
		})
		return one(&frame{Latest: t}, err)
	case "reception":
		var rc store.Reception
		err := read(func(st store.Store) error {
			c, ok := st.(store.ReceptionCounter)
			if !ok {
				return fmt.Errorf("a %T store cannot count its reception", st)
			}
			var err error
			rc, err = c.Reception(ctx, req.Since, req.Until, req.Cell)
			return err
		})
		return one(&frame{Reception: rc}, err)
	case "compact":
		// Compacting moves positions and may drop some; it changes no
		// event, identity or file record.
		var out store.Compacted
		err := do(ctx, &Change{}, func(st store.Store) error {
			c, ok := st.(store.Compactor)
			if !ok {
				return fmt.Errorf("a %T store cannot be compacted", st)
			}
			var err error
			out, err = c.Compact(ctx, req.Downsample)
			return err
		})
		return one(&frame{Compacted: out}, err)
	}
	return fmt.Errorf("unknown store call %q", op)
}

// batcher sends what a scan yields in frames of chunk items.
type batcher[T any] struct {
	buf  []T
	send func([]T) error
}

func (b *batcher[T]) add(v T) error {
	b.buf = append(b.buf, v)
	if len(b.buf) < chunk {
		return nil
	}
	return b.flush()
}

func (b *batcher[T]) flush() error {
	err := b.send(b.buf)
	b.buf = b.buf[:0]
	return err
}
