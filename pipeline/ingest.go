package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
)

// Analysis turns messages into events (package analyze's Analyzer, built
// lazily by NewAnalyzer). It reads r to the end; events reach the Ingester
// through Emit.
type Analysis interface {
	Read(r source.Reader) error
}

// Options configure an Ingester.
type Options struct {
	// BatchSize is the number of positions per transaction.
	BatchSize int
	// Analysis, if set, is fed every message and its events are stored.
	Analysis Analysis
	// Progress, if set, returns a writer that receives every byte read
	// from the named file (size bytes in all, -1 if unknown), for a
	// progress bar; done is called when the file has been read.
	Progress func(name string, size int64) (w io.Writer, done func())
	// AfterWrite, if set, is called after each committed batch (tests use
	// it to know when to kill an ingest).
	AfterWrite func(f store.File)
	// Screen, if set, screens every new identity against sanctions lists
	// and stores the matches with the batch that stores the identity.
	Screen *Screener
	// Source tunes how files are read (CSV column names, a clock for
	// untimed logs).
	Source source.Options
	// DiscardState starts the pipeline afresh instead of restoring the
	// stored state (which a build whose pipeline keeps other state cannot
	// load); the stored state is replaced with the next file's.
	DiscardState bool
}

// DefaultBatchSize suits both backends: large enough that per-transaction
// costs vanish, small enough to bound memory and the work a crash throws
// away. An ingest holds two batches (one filling, one being written) of 88
// bytes a position, and Go's collector lets the heap grow to twice what is
// live: 500,000 positions held ~175 MB of RSS, reached only once a file
// had filled both buffers, so peak RSS rose from 1M to 3M positions; at
// 245,760 it is ~85 MB, reached within the first 0.5M. It is two of
// DuckDB's row groups (122,880 rows; store/duckdb fills one per range of
// the batch's MMSI order), where 500,000 left a row group of 8,480 rows
// behind every batch.
const DefaultBatchSize = 2 * 122_880

// FileResult says what ingesting one file did.
type FileResult struct {
	Name string
	Hash string
	// Skipped: the file had been ingested completely before.
	Skipped bool
	// Resumed: an earlier, interrupted ingest had stored part of it.
	Resumed bool
	// Positions, Identities and Events count rows newly stored; events
	// that were already stored are not counted.
	Positions, Identities, Events int64
	// KnownPositions counts position reports not stored because the store
	// already held them (same vessel, instant and station: another file
	// brought them; see store.DropStored).
	KnownPositions int64
	Stats          ais.Stats
	// NoTime counts position and static reports without a receive time,
	// which cannot be stored.
	NoTime int64
}

// Ingester stores files in a store. Use one per run, files in time order.
type Ingester struct {
	st  store.Store
	opt Options

	mu      sync.Mutex
	pending []event.Event // emitted, not yet written

	cp checkpointing
	// dedup keeps positions another file brought from being stored twice.
	dedup *store.Dedup
	quar  quarantine
	// free holds emptied position buffers for the next batches. It belongs
	// to the Ingester, not to one file's writer, so that a run of daily
	// files reuses two buffers of BatchSize positions (40 MB each at the
	// default) instead of allocating and faulting in two more per file.
	free chan []store.Position
}

// New returns an Ingester writing to st.
func New(st store.Store, opt Options) *Ingester {
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatchSize
	}
	in := &Ingester{st: st, opt: opt, dedup: store.NewDedup(st), free: make(chan []store.Position, 2)}
	if opt.Screen != nil {
		opt.Screen.emit = in.Emit
	}
	if qn, ok := opt.Analysis.(quarantineNotifier); ok {
		qn.OnQuarantine(in.quar.add)
	}
	return in
}

// Emit queues an event for the next batch; pass it to the pipeline as its
// event callback. Safe for concurrent use.
func (in *Ingester) Emit(e *event.Event) {
	in.mu.Lock()
	in.pending = append(in.pending, *e)
	in.mu.Unlock()
}

func (in *Ingester) takeEvents() []event.Event {
	in.mu.Lock()
	defer in.mu.Unlock()
	evs := in.pending
	in.pending = nil
	return evs
}

// spool copies an input that cannot be read twice (standard input "-", a
// pipe such as bash's <(…), a FIFO, a character device) to a temporary
// file, read once, and returns that file's path and a function removing
// it; a regular file is returned as it is. A file is hashed before it is
// read, so that an input already stored is skipped and an interrupted one
// resumed: hashing a pipe used to empty it, leaving nothing to store while
// the hash was recorded as done.
func spool(path string) (string, func(), error) {
	nop := func() {}
	var in *os.File
	if path == "-" {
		in = os.Stdin
	} else {
		fi, err := os.Stat(path)
		if err != nil {
			return "", nop, err
		}
		if fi.Mode().IsRegular() {
			return path, nop, nil
		}
		if fi.IsDir() {
			return "", nop, fmt.Errorf("%s is a directory", path)
		}
		if in, err = os.Open(path); err != nil {
			return "", nop, err
		}
		defer in.Close()
	}
	tmp, err := os.CreateTemp("", "lookout-ingest-*")
	if err != nil {
		return "", nop, fmt.Errorf("%s: cannot be read twice, and no temporary copy could be made: %w", path, err)
	}
	done := func() { os.Remove(tmp.Name()) }
	_, err = io.Copy(tmp, in)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		done()
		return "", nop, fmt.Errorf("%s: copying the input to %s: %w", path, tmp.Name(), err)
	}
	return tmp.Name(), done, nil
}

// File ingests one input (NMEA, plain or gzip, or a CSV export that
// package source recognises): a file, or "-", a pipe or a FIFO, which are
// read once into a temporary copy first.
func (in *Ingester) File(ctx context.Context, path string) (FileResult, error) {
	return in.file(ctx, path, nil)
}

// file is File, calling whileStoring (when set, and the file was read to
// its end) once the file's last batch is handed to the writer, before
// waiting for the store to take it: the last batch carries every vessel's
// checkpoint, the longest write of a file, which the caller's own work can
// overlap.
func (in *Ingester) file(ctx context.Context, path string, whileStoring func()) (FileResult, error) {
	res := FileResult{Name: path}
	local, cleanup, err := spool(path)
	if err != nil {
		return res, err
	}
	defer cleanup()
	id, err := identify(local, true)
	defer id.done()
	if err != nil {
		return res, err
	}
	res.Hash = id.hash
	rec, err := in.st.File(ctx, id.hash)
	if errors.Is(err, store.ErrNotFound) && id.raw != id.hash {
		// Stored by a version that knew a compressed file by its bytes.
		if rec, err = in.st.File(ctx, id.raw); err == nil {
			res.Hash = id.raw
		}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		rec = store.File{Hash: id.hash}
	case err != nil:
		return res, err
	case rec.Done:
		res.Skipped = true
		return res, nil
	default:
		res.Resumed = true
	}
	rec.Name, rec.Size = path, id.size

	var progress io.Writer
	if in.opt.Progress != nil {
		size := id.size
		if id.plain != local {
			size = id.plainSize // the bar follows the copy read
		}
		w, done := in.opt.Progress(path, size)
		defer done()
		progress = w
	}
	rc, _, err := source.OpenFile(id.plain, progress)
	if err != nil {
		return res, err
	}
	defer rc.Close()
	src, _, err := source.NewReaderOptions(rc, in.opt.Source)
	if err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}

	t := &tee{Reader: src, in: in, ctx: ctx, rec: rec, res: &res,
		skipPos: rec.Positions, skipID: rec.Identities, ids: identities{},
		w: newWriter(ctx, in, &res)}
	// The first batch starts from the writer's pre-sized buffer as later
	// ones do: grown by append to 500k positions it cost 9% of ingest CPU
	// at real reporting rates.
	t.batch.Positions = t.w.positions()
	if in.opt.Analysis != nil {
		in.cp.read = true
		err = in.opt.Analysis.Read(t)
	} else {
		for t.Next() {
		}
		err = src.Err()
	}
	if t.err == nil && err == nil {
		if sc := in.opt.Screen; sc != nil {
			sc.flush()
		}
		res.Stats = src.Stats()
		t.rec.Done = true
		var cps []store.Checkpoint
		if cps, t.err = in.fileEnd(); t.err == nil {
			t.err = t.flush(cps)
		}
		if t.err == nil && whileStoring != nil {
			whileStoring()
		}
	}
	if werr := t.w.finish(); werr != nil {
		t.err = werr // the store's own error, not "an earlier batch failed"
	}
	in.dedup.EndFile()
	if t.err != nil {
		return res, t.err
	}
	if err != nil {
		return res, fmt.Errorf("read %s: %w", path, err)
	}
	return res, nil
}

// writer stores batches in order on a goroutine of its own, so that the
// database's work on one batch overlaps decoding (and analysing) the next.
// At most one batch waits while another is written.
type writer struct {
	ctx    context.Context
	in     *Ingester
	res    *FileResult
	ch     chan *store.Batch
	done   chan struct{}
	failed atomic.Bool
	err    error // read only after done is closed
}

func newWriter(ctx context.Context, in *Ingester, res *FileResult) *writer {
	w := &writer{ctx: ctx, in: in, res: res, ch: make(chan *store.Batch), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *writer) run() {
	defer close(w.done)
	for b := range w.ch {
		if w.err != nil {
			continue // drain after a failure
		}
		// Positions another file (or an earlier run) already stored are
		// not stored again; the previous batch is committed by now.
		var dropped int
		var err error
		if b.Positions, dropped, err = w.in.dedup.Filter(w.ctx, b.Positions); err != nil {
			w.err = fmt.Errorf("store %s: %w", b.File.Name, err)
			w.failed.Store(true)
			continue
		}
		w.res.KnownPositions += int64(dropped)
		n, err := w.in.st.Write(w.ctx, b)
		if err != nil {
			w.err = fmt.Errorf("store %s: %w", b.File.Name, err)
			w.failed.Store(true)
			continue
		}
		w.res.Positions += n.Positions
		w.res.Identities += n.Identities
		w.res.Events += n.Events
		if w.in.opt.AfterWrite != nil {
			w.in.opt.AfterWrite(*b.File)
		}
		select {
		case w.in.free <- b.Positions[:0]:
		default:
		}
	}
}

// positions returns an empty slice for the next batch, reusing a written
// one. The writer hands a batch's buffer back before it takes the next
// batch, so a file's batches take turns in two buffers.
func (w *writer) positions() []store.Position {
	select {
	case ps := <-w.in.free:
		return ps
	default:
		return make([]store.Position, 0, min(w.in.opt.BatchSize, 1<<20))
	}
}

// finish waits for every batch to be stored and returns the first error.
func (w *writer) finish() error {
	close(w.ch)
	<-w.done
	return w.err
}

// tee passes messages on to the pipeline while collecting what the store
// keeps, writing a batch whenever enough has accumulated.
type tee struct {
	source.Reader
	in  *Ingester
	ctx context.Context
	rec store.File
	res *FileResult
	err error

	// nPos and nID number the file's positions and identity records;
	// those at or below skipPos and skipID are already stored.
	nPos, nID       int64
	skipPos, skipID int64
	batch           store.Batch
	w               *writer
	// ids starts empty for every file so that numbering depends on the
	// file alone.
	ids identities
}

func (t *tee) Next() bool {
	if t.err != nil || !t.Reader.Next() {
		return false
	}
	t.collect(t.Reader.Message())
	if len(t.batch.Positions) >= t.in.opt.BatchSize {
		if err := t.flush(nil); err != nil {
			t.err = err
			return false
		}
	}
	return true
}

func (t *tee) collect(m *ais.Message) {
	if !stored(m) {
		return
	}
	if m.RxTime.IsZero() {
		t.res.NoTime++
		return
	}
	// Most messages are position reports: update's zeroing and copying of
	// identities cost them nearly as much as the rest of collecting.
	if m.Type == 5 || m.Type == 19 || m.Type == 24 {
		t.identity(m)
	}
	p, ok := position(m)
	if !ok {
		return
	}
	if sc := t.in.opt.Screen; sc != nil {
		sc.position(&p)
	}
	t.nPos++
	if t.nPos <= t.skipPos {
		return
	}
	t.batch.Positions = append(t.batch.Positions, p)
}

// identity stores a static report's change of the vessel's identity.
func (t *tee) identity(m *ais.Message) {
	if id, changed := t.ids.update(m); changed {
		t.nID++
		if t.nID > t.skipID {
			t.batch.Identities = append(t.batch.Identities, id)
		}
		if sc := t.in.opt.Screen; sc != nil {
			sc.identity(&id)
		}
	}
}

// stored reports whether m is of a kind the store keeps (position and
// static reports of a vessel).
func stored(m *ais.Message) bool {
	if m.MMSI == 0 {
		return false
	}
	switch m.Type {
	case 1, 2, 3, 18, 19, 27, 5, 24:
		return true
	}
	return false
}

// position is the stored row of a position report with a position.
func position(m *ais.Message) (store.Position, bool) {
	if !m.IsPositionReport() {
		return store.Position{}, false
	}
	lat, lon, ok := m.Position()
	if !ok {
		return store.Position{}, false
	}
	p := store.Position{MMSI: m.MMSI, Time: m.RxTime.UTC(), Lat: lat, Lon: lon,
		SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15, Station: m.Station}
	if v, ok := m.Speed(); ok {
		p.SOG = float32(v)
	}
	if v, ok := m.Course(); ok {
		p.COG = float32(v)
	}
	if v, ok := m.Heading(); ok {
		p.Heading = int16(v)
	}
	if m.Type <= 3 {
		p.Status = m.PosA.Status
	}
	return p, true
}

// identities is each vessel's identity as last reported, merged across
// the parts of class B reports.
type identities map[uint32]*store.Identity

// update merges a static report (types 5, 19, 24; others are ignored) into
// the vessel's identity and returns it, and whether it changed.
func (ids identities) update(m *ais.Message) (store.Identity, bool) {
	st, ok := analyze.StaticOf(m)
	if !ok {
		return store.Identity{}, false
	}
	cur, ok := ids[m.MMSI]
	if !ok {
		cur = &store.Identity{MMSI: m.MMSI}
		ids[m.MMSI] = cur
	}
	next := *cur
	// A part B of type 24 and a type 19 carry some fields only; an unknown
	// size (0) keeps the one reported before.
	if st.Length > 0 {
		next.Length = float32(st.Length)
	}
	if st.Beam > 0 {
		next.Beam = float32(st.Beam)
	}
	switch {
	case m.Type == 5:
		next.IMO, next.Name, next.CallSign, next.ShipType = st.IMO, st.Name, st.CallSign, uint8(st.ShipType)
		next.Draught = float32(math.Round(st.Draught*10) / 10)
		next.Destination = st.Destination
	case m.Type == 19:
		next.Name, next.ShipType = st.Name, uint8(st.ShipType)
	case m.StaticB.PartNo == 0:
		next.Name = st.Name
	default:
		next.ShipType, next.CallSign = uint8(st.ShipType), st.CallSign
	}
	next.Time = time.Time{}
	cur.Time = time.Time{}
	if ok && next == *cur {
		return store.Identity{}, false
	}
	next.Time = m.RxTime.UTC()
	*cur = next
	return next, true
}

// flush writes the collected batch with the file's progress and any
// pending events in one transaction.
func (t *tee) flush(cps []store.Checkpoint) error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if t.w.failed.Load() {
		return errors.New("an earlier batch failed") // finish returns its error
	}
	t.rec.Positions = max(t.nPos, t.skipPos)
	t.rec.Identities = max(t.nID, t.skipID)
	evs := t.in.takeEvents()
	t.rec.Events += int64(len(evs))
	rec := t.rec
	b := &store.Batch{Positions: t.batch.Positions, Identities: t.batch.Identities, Events: evs, Checkpoints: cps, File: &rec}
	t.in.quar.take(b)
	t.w.ch <- b
	t.batch.Positions, t.batch.Identities = t.w.positions(), nil
	return nil
}
