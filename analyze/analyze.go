// Package analyze runs the whole Lookout chain in one streaming pass:
// AIS messages in (from package source), clean tracks (package track),
// behaviours out (package detect). During Read, decoding, tracking and
// detection each run on their own goroutines, handing batches of a few
// thousand items to the next stage, so the stages overlap, and spoofing
// is sharded by MMSI; memory is
// bounded by the vessels alive in the reorder and detector state, not by
// the input's size.
package analyze

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/track"
)

// Options configure a run.
type Options struct {
	Detect  detect.Config
	Track   track.Config
	Catalog *ref.Catalog // nil: ref.Default()
	// Land is used for impossible (inland) positions and shore distance;
	// nil: geo.DefaultLand().
	Land *geo.Land
	// NoLand skips the land index (tests on synthetic seas).
	NoLand bool
	// Shards is how many goroutines run the spoofing detector during Read,
	// each for its share of MMSIs (0: GOMAXPROCS; 1: every detector runs on
	// one goroutine). The events are the same whatever the number.
	Shards int
	// Live: receive times follow the wall clock (a network feed), so the
	// tracker's reorder window also runs by the wall clock (track's
	// Advance) and a fix is not held until a later one arrives.
	Live bool
}

// DefaultOptions returns the defaults of every stage.
func DefaultOptions() Options {
	return Options{Detect: detect.DefaultConfig(), Track: track.DefaultConfig()}
}

// Totals is what a run saw and produced.
type Totals struct {
	Lines, Sentences, Messages int64
	// SetAside counts lines read that carry no AIS and are no error:
	// other NMEA sentences and tag-block-only lines (ais.Stats).
	SetAside       int64
	Fixes, Statics int64
	NoTime         int64 // messages without a receive time (cannot be placed on a track)
	Duplicates     int64
	// Overflow and SegmentsClosed count the tracker's bounds at work
	// (track.Stats): reports processed early because the reorder queue
	// was full, segments closed early because an MMSI had too many open.
	Overflow, SegmentsClosed int64
	// GlitchesClosed counts the fixes heard alone after a silence that
	// the track left at once for good: GPS glitches (track.Point.GlitchSeg).
	GlitchesClosed int64
	Flagged        map[track.Reason]int64
	Vessels        int
	Events         map[event.Type]int
	Rejected       map[string]int64
}

// NoTimeHint tells a user what to do about messages without a receive time.
const NoTimeHint = "they carry no timestamp (no tag block, prefix or $PGHP); --start auto takes times from the log's own GPS and base-station clocks (messages before the first stay untimed), --start TIME says when the log began"

// Ports builds the detector's port list from the catalogue: every World
// Port Index point with its groups, except that a port with a user polygon
// (an area naming its port) is entered by the polygon instead of the radius.
func Ports(cat *ref.Catalog) []detect.Port {
	poly := map[string][][2]float64{}
	for _, a := range cat.Areas() {
		if a.PortID == "" || len(a.Polygon) == 0 || len(a.Polygon[0]) == 0 {
			continue
		}
		var ring [][2]float64
		for _, p := range a.Polygon[0][0] {
			ring = append(ring, [2]float64{p[0], p[1]})
		}
		poly[a.PortID] = ring
	}
	out := make([]detect.Port, 0, len(cat.Ports))
	for _, p := range cat.Ports {
		out = append(out, detect.Port{ID: p.ID, Name: p.Name, Lat: p.Lat, Lon: p.Lon,
			Groups: cat.GroupsOf(p.ID), Polygon: poly[p.ID]})
	}
	return out
}

// batch is a slice of inputs handed from the decoding goroutine.
type batch struct {
	fixes   []track.Fix
	statics []track.Static
	order   []bool // true: next fix, false: next static, in input order
}

const batchSize = 4096

// flushAfter bounds how long a message waits in a partial batch: on a
// quiet live feed a batch takes minutes to fill, and watch officers need
// events within seconds. Files fill a batch in milliseconds, so they still
// travel in full batches.
const flushAfter = 200 * time.Millisecond

// Analyzer holds one run's pipeline.
type Analyzer struct {
	opt     Options
	tracker *track.Tracker
	det     *detect.Detector
	sink    *stage
	tot     Totals
	cp      checkpoints
}

// New returns an Analyzer that passes every event to emit.
func New(opt Options, emit func(*event.Event)) *Analyzer {
	a := &Analyzer{opt: opt, tot: Totals{Rejected: map[string]int64{}}}
	var tland track.Land
	a.det, tland = NewDetector(opt, emit)
	a.sink = &stage{det: a.det, emit: emit}
	n := opt.Shards
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	if n > 1 {
		for i := range n {
			a.sink.shards = append(a.sink.shards, &shard{i: i, n: n, cfg: opt.Detect})
		}
	}
	a.tracker = track.New(opt.Track, tland, a.sink)
	return a
}

// NewDetector builds the detectors of opt (catalogue, ports, land; the
// default ones when unset) and returns the land the tracker should use:
// every pipeline (analyze, the NATS workers) builds them here, so their
// events agree.
func NewDetector(opt Options, emit func(*event.Event)) (*detect.Detector, track.Land) {
	// The land index (a tenth of a second to build, once per process) is
	// built beside the catalogue and the port index, and the part of it
	// shore distances need is left building while the run starts: a
	// real-rate day is analysed in about a second, which waited for them
	// on one core.
	var shore detect.Shore
	var tland track.Land
	var wg sync.WaitGroup
	if !opt.NoLand {
		wg.Go(func() {
			land := opt.Land
			if land == nil {
				land = geo.DefaultLand()
			}
			go land.PrepareDistance()
			shore, tland = land, land
		})
	}
	cat := opt.Catalog
	if cat == nil {
		cat = ref.Default()
	}
	ports := portIndex(cat, math.Max(opt.Detect.EncounterPortKm, opt.Detect.PortExitKm+opt.Detect.PortSlackKm))
	wg.Wait()
	d := detect.New(opt.Detect, ports, shore, emit)
	d.Flag = cat.Flag
	return d, tland
}

// lastPorts is the port index NewDetector built last. A NATS worker makes a
// Detector per partition and per second-stage shard, all from the same
// catalogue: one index (read-only, so shared) instead of one each, which
// cost a sparse backfill's worker a few per cent. One entry, so that a
// process trying many catalogues (tests) does not keep them all.
var lastPorts struct {
	sync.Mutex
	cat   *ref.Catalog
	reach float64
	ix    *detect.PortIndex
}

// portIndex returns the port index of cat for queries up to reachKm, shared
// with earlier calls for the same catalogue and reach. A catalogue must not
// be changed once a Detector uses it.
func portIndex(cat *ref.Catalog, reachKm float64) *detect.PortIndex {
	lastPorts.Lock()
	defer lastPorts.Unlock()
	if lastPorts.cat != cat || lastPorts.reach != reachKm {
		lastPorts.cat, lastPorts.reach = cat, reachKm
		lastPorts.ix = detect.NewPortIndex(Ports(cat), reachKm)
	}
	return lastPorts.ix
}

// Read runs one input through the pipeline: r is decoded on its own
// goroutine, the calling goroutine tracks, spoofing runs on Options.Shards
// goroutines and the other detectors on one more (see stage). Every event
// of the input read so far has been emitted when Read returns; emit is
// called from the detectors' merging goroutine, one call at a time.
func (a *Analyzer) Read(r source.Reader) error {
	stop := a.sink.start()
	defer stop()
	ch := make(chan *batch, 8)
	free := make(chan *batch, 8)
	errc := make(chan error, 1)
	go func() {
		defer close(ch)
		// b is shared with the flusher below, which hands over a partial
		// batch once its first message is flushAfter old: while r.Next
		// blocks on a quiet live feed, only the flusher can move it on.
		var mu sync.Mutex
		b := &batch{}
		var first time.Time
		send := func() {
			ch <- b
			select {
			case b = <-free:
				b.fixes, b.statics, b.order = b.fixes[:0], b.statics[:0], b.order[:0]
			default:
				b = &batch{}
			}
		}
		quit, flusherDone := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(flusherDone)
			t := time.NewTicker(flushAfter / 4)
			defer t.Stop()
			for {
				select {
				case <-quit:
					return
				case now := <-t.C:
					mu.Lock()
					if len(b.order) > 0 && now.Sub(first) >= flushAfter {
						send()
					}
					mu.Unlock()
				}
			}
		}()
		var noTime int64
		mu.Lock()
		for {
			mu.Unlock()
			ok := r.Next()
			mu.Lock()
			if !ok {
				break
			}
			n := len(b.order)
			if add(b, r.Message(), &noTime) {
				if n == 0 {
					first = time.Now()
				}
				if len(b.order) >= batchSize {
					send()
				}
			}
		}
		mu.Unlock()
		close(quit)
		<-flusherDone
		if len(b.order) > 0 {
			ch <- b
		}
		st := r.Stats()
		a.tot.Lines += st.Lines
		a.tot.Sentences += st.Sentences
		a.tot.Messages += st.Messages
		a.tot.SetAside += st.Other + st.TagOnly
		a.tot.NoTime += noTime
		for k, v := range st.Rejected {
			a.tot.Rejected[k] += v
		}
		errc <- r.Err()
	}()
	var tick <-chan time.Time
	if a.opt.Live {
		t := time.NewTicker(flushAfter / 4)
		defer t.Stop()
		tick = t.C
	}
	for {
		var b *batch
		select {
		case b = <-ch:
		case now := <-tick:
			a.tracker.Advance(now)
			if a.sink.pending() {
				a.sink.send()
			}
			continue
		}
		if b == nil {
			break
		}
		fi, si := 0, 0
		for _, isFix := range b.order {
			if isFix {
				a.tracker.AddFix(b.fixes[fi])
				fi++
			} else {
				a.tracker.AddStatic(b.statics[si])
				si++
			}
		}
		a.tot.Fixes += int64(fi)
		a.tot.Statics += int64(si)
		// Hand over what this input batch produced rather than wait for
		// more input: a live feed must not hold its points back.
		if a.sink.pending() {
			a.sink.send()
		}
		select {
		case free <- b:
		default:
		}
	}
	return <-errc
}

// OnQuarantine has fn told of every position report the tracker
// quarantines for its receive time (track.Tracker.OnQuarantine), so that a
// pipeline storing positions ahead of the tracker can take them back.
// Call it before Read.
func (a *Analyzer) OnQuarantine(fn func(mmsi uint32, t time.Time, why track.Reason)) {
	a.tracker.OnQuarantine(fn)
}

// QuarantinedPrefix starts the Rejected reasons of reports the tracker
// quarantined for their receive time.
const QuarantinedPrefix = "quarantined receive time: "

// Finish flushes every stage and returns the totals.
func (a *Analyzer) Finish() Totals {
	a.tracker.Flush()
	a.det.Flush()
	st := a.tracker.Stats()
	a.tot.Duplicates = st.Duplicates
	a.tot.Overflow, a.tot.SegmentsClosed, a.tot.GlitchesClosed = st.Overflow, st.SegmentsClosed, st.GlitchesClosed
	a.tot.Flagged = st.Flagged
	a.tot.Vessels = a.tracker.Vessels()
	a.tot.Events = a.sink.counts()
	if a.tot.NoTime > 0 {
		a.tot.Rejected["no receive time"] += a.tot.NoTime
	}
	// Reports whose receive time cannot be true or does not fit the
	// stream's clock never reached the detectors (track's clock check).
	for r, n := range st.Quarantined {
		a.tot.Rejected[QuarantinedPrefix+string(r)] = n
	}
	return a.tot
}

// add converts one message into track input, appending to b; it reports
// whether anything was added. Messages without a receive time cannot be
// placed in time and are counted.
func add(b *batch, m *ais.Message, noTime *int64) bool {
	if m.MMSI == 0 || !Tracked(m.Type) {
		return false
	}
	if m.RxTime.IsZero() {
		*noTime++
		return false
	}
	Feed(b, m)
	return true
}

func (b *batch) AddFix(f track.Fix) {
	b.fixes = append(b.fixes, f)
	b.order = append(b.order, true)
}

func (b *batch) AddStatic(s track.Static) {
	b.statics = append(b.statics, s)
	b.order = append(b.order, false)
}

// Tracked reports whether a message type is one the tracker takes
// (positions and static reports); the NATS publisher sends only those.
func Tracked(t uint8) bool {
	switch t {
	case 1, 2, 3, 5, 18, 19, 24, 27:
		return true
	}
	return false
}

// TrackInput takes what Feed converts; *track.Tracker is one.
type TrackInput interface {
	AddFix(track.Fix)
	AddStatic(track.Static)
}

// Feed converts m, a Tracked message with a receive time, into the
// tracker's input: a fix, a static report, or both (type 19). Every
// pipeline (analyze, the NATS workers) converts through it, so their
// tracks and events agree.
func Feed(to TrackInput, m *ais.Message) {
	if m.Type == 5 || m.Type == 24 {
		st, _ := StaticOf(m)
		to.AddStatic(st)
		return
	}
	f := track.Fix{MMSI: m.MMSI, Time: m.RxTime, SOG: math.NaN(), COG: math.NaN(), Heading: -1, Status: 15, Class: 'A'}
	f.Lat, f.Lon, f.HasPos = m.Position()
	if v, ok := m.Speed(); ok {
		f.SOG = v
	}
	if v, ok := m.Course(); ok {
		f.COG = v
	}
	if v, ok := m.Heading(); ok {
		f.Heading = int16(v)
	}
	switch m.Type {
	case 1, 2, 3:
		f.Status = m.PosA.Status
	case 18, 19:
		f.Class = 'B'
	}
	to.AddFix(f)
	if m.Type == 19 {
		st, _ := StaticOf(m)
		to.AddStatic(st)
	}
}

// StaticOf converts a static report (types 5, 19 and 24) into the
// tracker's form, text trimmed; ok is false for other types. A type 24
// carries its name (part A) or its type, call sign and size (part B), a
// type 19 its name, type and size. The store's identity history and the
// sanctions screen take identities from it too, so that all agree.
func StaticOf(m *ais.Message) (st track.Static, ok bool) {
	st = track.Static{MMSI: m.MMSI, Time: m.RxTime}
	switch m.Type {
	case 5:
		s := &m.StaticA
		st.IMO, st.Name, st.CallSign, st.ShipType = s.IMO, ais.Text(s.ShipName), ais.Text(s.CallSign), int(s.ShipType)
		st.Length, st.Beam = dims(s.Dim)
		st.Draught, st.Destination = s.Draught, ais.Text(s.Destination)
	case 19:
		x := &m.ExtB
		st.Name, st.ShipType = ais.Text(x.ShipName), int(x.ShipType)
		st.Length, st.Beam = dims(x.Dim)
	case 24:
		s := &m.StaticB
		if s.PartNo == 0 {
			st.Name = ais.Text(s.ShipName)
		} else {
			st.ShipType, st.CallSign = int(s.ShipType), ais.Text(s.CallSign)
			if s.MothershipMMSI == 0 {
				st.Length, st.Beam = dims(s.Dim)
			}
		}
	default:
		return st, false
	}
	return st, true
}

func dims(d ais.Dimensions) (length, beam float64) {
	return float64(d.ToBow) + float64(d.ToStern), float64(d.ToPort) + float64(d.ToStarboard)
}

// WriteTotals prints the end-of-run summary.
func WriteTotals(w io.Writer, t Totals) {
	fmt.Fprintf(w, "lines %d, sentences %d, messages %d, fixes %d, static reports %d, vessels %d\n",
		t.Lines, t.Sentences, t.Messages, t.Fixes, t.Statics, t.Vessels)
	if t.SetAside > 0 {
		fmt.Fprintf(w, "set aside %d lines: other NMEA sentences and tag-block-only lines (not AIS, not errors)\n", t.SetAside)
	}
	fmt.Fprintf(w, "merged duplicates %d", t.Duplicates)
	for _, r := range sortedKeys(t.Flagged) {
		fmt.Fprintf(w, ", flagged %s %d", r, t.Flagged[track.Reason(r)])
	}
	if t.GlitchesClosed > 0 {
		fmt.Fprintf(w, ", glitches after a silence %d", t.GlitchesClosed)
	}
	fmt.Fprintln(w)
	if t.Overflow > 0 || t.SegmentsClosed > 0 {
		fmt.Fprintf(w, "flood bounds: reorder queue full %d (reports processed before their window passed), segments closed early %d (an MMSI jumping about)\n",
			t.Overflow, t.SegmentsClosed)
	}
	fmt.Fprint(w, "events:")
	total := 0
	for _, ty := range event.Types {
		fmt.Fprintf(w, " %s %d", ty, t.Events[ty])
		total += t.Events[ty]
	}
	fmt.Fprintf(w, " (total %d)\n", total)
	var rt int64
	for _, v := range t.Rejected {
		rt += v
	}
	fmt.Fprintf(w, "rejected lines %d", rt)
	for _, r := range sortedKeys(t.Rejected) {
		fmt.Fprintf(w, "; %s: %d", r, t.Rejected[r])
	}
	fmt.Fprintln(w)
	if t.NoTime > 0 {
		fmt.Fprintf(w, "%d messages had no receive time and were left out: %s\n", t.NoTime, NoTimeHint)
	}
}

func sortedKeys[K ~string, V any](m map[K]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

// Open opens a named input ("-" is standard input) for Read, as
// source.OpenFile does (gzip or not, every byte read from the file itself
// passed to progress if not nil), and reports its size on disk (-1 when
// unknown).
func Open(name string, progress io.Writer) (source.Reader, int64, func() error, error) {
	return OpenOptions(name, progress, source.Options{})
}

// OpenOptions is Open with the input options of source.NewReaderOptions
// (CSV column names, a clock for untimed logs).
func OpenOptions(name string, progress io.Writer, opt source.Options) (source.Reader, int64, func() error, error) {
	rc, size, err := source.OpenFile(name, progress)
	if err != nil {
		return nil, 0, nil, err
	}
	sr, _, err := source.NewReaderOptions(rc, opt)
	if err != nil {
		rc.Close()
		return nil, 0, nil, fmt.Errorf("%s: %w", name, err)
	}
	return sr, size, rc.Close, nil
}
