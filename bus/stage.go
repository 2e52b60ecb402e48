package bus

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// The second stage. A partition's pipeline sees only its own vessels, but
// some evidence needs all of them: whether others were heard near a gap
// (reception), pairs of vessels (encounters) and links between MMSIs
// (one IMO under two MMSIs, a hull reappearing under another). Each
// partition therefore publishes frames to the second-stage stream, one
// subject per shard (lookout.ais.x.<shard>): what it heard (reception
// sightings) and its gaps and dark port visits (to rxShard), its track points (to the shards of the places they
// lie near, see pointShards), its static reports, the points the
// identity links need (to linkShard, see linkPoint) and its cloned_mmsi
// findings (to linkShard, which names the hulls' own MMSIs from every
// partition's reports), its draught changes and the ends of the loitering
// runs they fell in (to the shard owning the vessel's cell, which decides
// them with its encounters, see stageOut.draught) and a watermark, the detector time below which
// it will send nothing more. A shard's consumer keeps every partition's watermark and
// grades a gap once all partitions have passed its last whole hour, so the
// grade is the one a single process would give; it feeds the points up to
// the lowest watermark, in time order, to an encounter detector, and
// reports the encounters whose place (the event's position) lies in a cell
// it owns: a pair near a cell's border is seen by every shard whose
// overlap reaches it, and reported by one. linkShard likewise feeds the
// static reports and points up to the lowest watermark, in time order, to
// a detector that finds the identity links alone (detect's LinkStatic and
// LinkPoint); the partitions drop the links they find among their own
// vessels. One shard sees every vessel's statics and points for this: the
// links between MMSIs depend on each other (a number linked once is not
// linked again), so they are not split further.
//
// Frames number their items per partition and shard; a restarted
// partition replays its input from the start and republishes the same
// items under the same numbers, which a shard skips. Only what a drained
// partition flushes at its end (events still open) is not numbered: a
// later run that reads further does not produce it, but sends, numbered,
// the points its tracker had held and flushed there. Each run of a
// partition has an epoch of its own, so that a shard knows whether the
// partition's last end still holds: a shard that took an end and then
// meets the partition's next run is built again from its checkpoint (saved
// before any end) and fed again, passing the ends before over
// (shard.superseded). An end also says how far the run read its input, so
// that a drained worker does not take another worker's partition's end,
// replayed before that partition's next run has begun, for the last
// (runsEnded). A restarted shard replays its subject
// and re-emits its events (the store keeps one copy).

// Stage2Stream is the name of the second-stage stream.
func (c Config) Stage2Stream() string { return c.withDefaults().Stream + "_X" }

// Stage2Subject is the subject of a second-stage shard.
func (c Config) Stage2Subject(shard int) string {
	return c.withDefaults().Prefix + ".x." + strconv.Itoa(shard)
}

// Cells of the encounter stage: CellDeg wide, each shard owning cells by
// hash and seeing MarginDeg (of latitude; of longitude widened by latitude)
// beyond them. An encounter is reported exactly as one process would
// report it when both vessels stay within the margin of the cell holding
// the encounter's position, from an hour before it begins (the longest a
// track is interpolated over) to EncounterMerge after it ends. Encounters
// are slow (median below 2 kn) and rarely last a day: 0.5° is 55 km.
// A point goes to every shard owning a cell within the margin, so small
// cells multiply the second stage's work: 1° cells sent a point to 4-5
// cells (a shard alone took 47% of all points of 30 sparse days; two
// workers cost 2.5x ingest per message), 4° cells to under 2 (1.7-1.9x),
// with the same events. The price is fewer cells to spread: a national
// feed's waters (Denmark: 5° by 9°) hold about 6 cells for 8 shards.
const (
	CellDeg   = 4.0
	MarginDeg = 0.5
)

// linkShard is the shard that finds identity links between MMSIs: they
// need every vessel's static reports and positions (see detect.IsLink).
const linkShard = 0

func cellOf(lat, lon float64) [2]int32 {
	return [2]int32{int32(math.Floor(lat / CellDeg)), int32(math.Floor(lon / CellDeg))}
}

// cellShard is the shard owning a cell.
func (c Config) cellShard(cell [2]int32) int {
	c = c.withDefaults()
	h := (uint64(uint32(cell[0]))<<32 | uint64(uint32(cell[1]))) * 0x9E3779B97F4A7C15
	return int((h >> 32) % uint64(c.Shards))
}

// pointShards is the set of shards (a bit each) whose cells lie within the
// margin of (lat, lon).
func (c Config) pointShards(lat, lon float64) uint64 {
	cell := cellOf(lat, lon)
	mlon := MarginDeg / math.Max(math.Cos(lat*math.Pi/180), 0.05)
	var set uint64
	for dy := int32(-1); dy <= 1; dy++ {
		for dx := int32(-1); dx <= 1; dx++ {
			y, x := cell[0]+dy, cell[1]+dx
			// Distance in degrees from the point to the cell's box.
			lat0, lon0 := float64(y)*CellDeg, float64(x)*CellDeg
			ddy := math.Max(math.Max(lat0-lat, lat-(lat0+CellDeg)), 0)
			ddx := math.Max(math.Max(lon0-lon, lon-(lon0+CellDeg)), 0)
			if ddy <= MarginDeg && ddx <= mlon {
				set |= 1 << c.cellShard([2]int32{y, x})
			}
		}
	}
	return set
}

// rxShard is the shard that grades gaps and dark port visits, and so the
// one sent every partition's receptions. Every shard graded its vessels'
// gaps (by MMSI) and so kept every reception: building the reception
// evidence eight times was 8% of a worker's CPU on 30 sparse days. It is
// not linkShard, the busiest.
func (c Config) rxShard() int { return 1 % c.withDefaults().Shards }

// shardOf is the shard that decides a vessel's draught changes when it has
// no position yet.
func (c Config) shardOf(mmsi uint32) int {
	c = c.withDefaults()
	h := uint64(mmsi) * 0xC2B2AE3D27D4EB4F
	return int((h >> 32) % uint64(c.Shards))
}

// SetupStage2 creates the second-stage stream (or updates its settings).
func SetupStage2(ctx context.Context, js jetstream.JetStream, c Config) error {
	c = c.withDefaults()
	err := retryAdmin(ctx, func(ctx context.Context) error {
		_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name:     c.Stage2Stream(),
			Subjects: []string{c.Prefix + ".x.*"},
			Storage:  jetstream.FileStorage,
			MaxAge:   c.MaxAge,
			Replicas: c.Replicas,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", c.Stage2Stream(), err)
	}
	return nil
}

const (
	// Version 2 frames say, in a partition's end, where its run's input
	// ended (frame.input); version 1 frames are still read.
	frameVersion  = 2
	itemSighting  = 1
	itemEvent     = 2
	itemPoint     = 3
	itemStatic    = 4    // a static report, for the identity links
	itemLinkPoint = 5    // a point's time and place, for the identity links
	itemClone     = 6    // a cloned_mmsi finding, to name the IMOs' own MMSIs
	itemDraught   = 7    // a draught change to decide (detect.DraughtCase)
	itemLoiterEnd = 8    // the end of a loitering run it fell in
	itemShipType  = 9    // a vessel's ship type, to every shard (encounters)
	flushItems    = 4096 // input messages or items between frames, at most
	frameInterval = 200 * time.Millisecond
)

// stageOut collects one partition's frames. The pipeline adds to it; the
// pipeline and a ticker flush it.
type stageOut struct {
	cfg     Config
	part    int
	epoch   uint64
	publish func(ctx context.Context, subj string, data []byte) error

	flushMu sync.Mutex // one flush at a time, so frames leave in order
	mu      sync.Mutex
	bufs    [][]byte
	counts  []int
	ord     []uint64 // number of the first item in bufs
	sentWM  []int64  // watermark of the last frame sent to each shard
	wm      int64    // detector time, Unix seconds
	done    bool
	since   int // messages and items since the last flush
	rxLast  map[uint32]rxSeen
	// Shards the vessel's last point went to: its next point goes there
	// too, so a shard sees the segment on which a vessel leaves it.
	ptLast map[uint32]uint64
	// The vessel's last point, and whether it was sent (see thin).
	held      map[uint32]*heldPoint
	slot      int64 // encounter slot, seconds
	maxInterp time.Duration
	// What the identity links were sent of each vessel (see linkPoint).
	links         map[uint32]*linkSeen
	reappearAfter time.Duration
	// The fixes for the interference unit (fixes.go): pending items, the
	// number of the first, the watermark and end last sent with them.
	fixBuf      []byte
	fixOff      []int // where each item in fixBuf begins
	fixOrd      uint64
	fixWM       int64
	fixDone     bool // the run's fixes from now on are its last
	fixSentDone bool
	finalKey    uint64 // of the run's last fixes, once sealed
	waitNs      int64  // see hold
	// input is the stream sequence of the last input batch the run read,
	// which its end frames carry (see runsEnded).
	input uint64
	// Ship types that make no encounter (tugs, pilots: detect's
	// EncounterService), and the vessels every shard was told serve
	// others (see static).
	service    []int
	serviceNow map[uint32]bool
}

type heldPoint struct {
	p    track.Point
	sent bool
}

type rxSeen struct {
	cell [2]int32
	hour int32
}

func newStageOut(c Config, part int, epoch uint64, dc detect.Config, publish func(context.Context, string, []byte) error) *stageOut {
	c = c.withDefaults()
	o := &stageOut{cfg: c, part: part, epoch: epoch, publish: publish, bufs: make([][]byte, c.Shards), counts: make([]int, c.Shards),
		ord: make([]uint64, c.Shards), sentWM: make([]int64, c.Shards), wm: math.MinInt64, rxLast: map[uint32]rxSeen{},
		ptLast: map[uint32]uint64{}, held: map[uint32]*heldPoint{},
		slot: int64(max(dc.EncounterSlot/time.Second, 1)), maxInterp: dc.EncounterMaxInterp,
		links: map[uint32]*linkSeen{}, reappearAfter: dc.ReappearAfter, fixWM: math.MinInt64, waitNs: math.MaxInt64,
		service: slices.Clone(dc.EncounterService), serviceNow: map[uint32]bool{}}
	for i := range o.sentWM {
		o.sentWM[i] = math.MinInt64
	}
	return o
}

// point records a track point's reception, as the detector's own
// reception evidence does: positioned, unflagged fixes, once per vessel,
// cell and hour.
func (o *stageOut) point(p *track.Point) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if s := p.Time.Unix(); s > o.wm {
		o.wm = s
	}
	if !p.HasPos || p.Flag != track.OK {
		return
	}
	o.thin(p)
	o.linkPoint(p)
	c, h := detect.ReceptionCell(p.Lat, p.Lon, p.Time)
	if r, ok := o.rxLast[p.MMSI]; ok && r.cell == c && r.hour == h {
		return
	}
	o.rxLast[p.MMSI] = rxSeen{c, h}
	s := o.cfg.rxShard()
	b := append(o.bufs[s], itemSighting)
	b = binary.AppendVarint(b, int64(c[0]))
	b = binary.AppendVarint(b, int64(c[1]))
	b = binary.AppendVarint(b, int64(h))
	o.bufs[s] = binary.LittleEndian.AppendUint32(b, p.MMSI)
	o.counts[s]++
	o.since++
}

// thin sends the encounter stage only the points that make its samples:
// the detector interpolates each vessel's track at slot boundaries between
// consecutive points, so a point is needed only next to a boundary (the
// last before it, the first after it) or where the segment changes; the
// points in between change nothing. A point is held until the next shows
// whether it is needed, and is dropped once too old to be interpolated
// from (the watermark waits for held points meanwhile, see low).
func (o *stageOut) thin(p *track.Point) {
	h := o.held[p.MMSI]
	if h == nil {
		o.routePoint(p)
		o.held[p.MMSI] = &heldPoint{*p, true}
		return
	}
	q := &h.p
	t0, t1 := q.Time.Unix(), p.Time.Unix()
	boundary := (t0/o.slot+1)*o.slot <= t1
	segment := p.Seg != q.Seg || p.NewSeg
	if !h.sent && (boundary || segment) && p.Time.Sub(q.Time) <= o.maxInterp {
		o.routePoint(q)
	}
	h.p, h.sent = *p, boundary || segment
	if h.sent {
		o.routePoint(p)
	}
}

// low is the watermark to send: the detector time, or the oldest held
// point that may still be sent, if earlier.
func (o *stageOut) low() int64 {
	low := o.wm
	for _, h := range o.held {
		if t := h.p.Time.Unix(); !h.sent && t < low && h.p.Time.Add(o.maxInterp).Unix() >= o.wm {
			low = t
		}
	}
	return low
}

// routePoint sends a positioned, unflagged point (all the encounter
// detector uses) to the shards near it and to those its vessel's previous
// point went to.
func (o *stageOut) routePoint(p *track.Point) {
	set := o.cfg.pointShards(p.Lat, p.Lon)
	all := set | o.ptLast[p.MMSI]
	o.ptLast[p.MMSI] = set
	for s := range o.bufs {
		if all&(1<<s) == 0 {
			continue
		}
		b := append(o.bufs[s], itemPoint)
		b = binary.LittleEndian.AppendUint32(b, p.MMSI)
		b = binary.AppendVarint(b, p.Time.UnixNano())
		b = appendF(b, p.Lat, p.Lon, p.SOG, p.ImpliedKn)
		b = binary.AppendUvarint(b, uint64(p.Seg))
		o.bufs[s] = append(b, b2u(p.NewSeg))
		o.counts[s]++
	}
	o.since++
}

// clock moves the watermark to wm (Unix seconds), if later: the
// partition will send nothing older (see pipeline.clock).
func (o *stageOut) clock(wm int64) {
	o.mu.Lock()
	o.wm = max(o.wm, wm)
	o.mu.Unlock()
}

// endInput notes seq, the last input batch the run read, for its end
// frames.
func (o *stageOut) endInput(seq uint64) {
	o.mu.Lock()
	o.input = seq
	o.mu.Unlock()
}

// linkSeen is what a partition has sent the identity links of a vessel.
type linkSeen struct {
	sent    int64 // time of the last point sent, Unix ns
	any     bool  // a point was sent
	held    track.Point
	hasHeld bool // held is the vessel's latest point, not sent
	imo     bool // the vessel reported an IMO: every point is sent
}

// linkPoint sends the identity links the points they need, which are far
// fewer than all. A vessel that has reported an IMO may be the old number
// of a reused IMO, whose event takes its last point at that moment
// exactly: all its points go. Otherwise its first point goes (where it
// appeared), and a point whenever the last one sent is ReappearAfter old
// (the one before, then this one if still as old): the links compare the
// last point with a newcomer only once the vessel has been silent that
// long, so the last point they hold is then the vessel's true last one,
// and earlier it is recent enough to rule the vessel out as the true last
// one does. flush applies the same rule as the watermark moves.
func (o *stageOut) linkPoint(p *track.Point) {
	l := o.links[p.MMSI]
	if l == nil {
		l = &linkSeen{}
		o.links[p.MMSI] = l
	}
	now := p.Time.UnixNano()
	if !l.any || l.imo {
		o.sendLink(l, p)
		return
	}
	o.linkDue(l, now)
	l.held, l.hasHeld = *p, true
	o.linkDue(l, now)
}

// linkDue sends the held point if the last one sent is ReappearAfter old
// at time now (Unix ns).
func (o *stageOut) linkDue(l *linkSeen, now int64) {
	if l.hasHeld && now >= l.sent+int64(o.reappearAfter) {
		o.sendLink(l, &l.held)
	}
}

func (o *stageOut) sendLink(l *linkSeen, p *track.Point) {
	b := append(o.bufs[linkShard], itemLinkPoint)
	b = binary.LittleEndian.AppendUint32(b, p.MMSI)
	b = binary.AppendVarint(b, p.Time.UnixNano())
	o.bufs[linkShard] = appendF(b, p.Lat, p.Lon)
	o.counts[linkShard]++
	l.sent, l.any, l.hasHeld = p.Time.UnixNano(), true, false
}

// static sends a static report to the identity links' shard.
func (o *stageOut) static(s *track.Static) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := s.Time.Unix(); t > o.wm {
		o.wm = t
	}
	if s.IMO != 0 {
		l := o.links[s.MMSI]
		if l == nil {
			l = &linkSeen{}
			o.links[s.MMSI] = l
		}
		if !l.imo {
			// From now on it may be the old number of a reused IMO.
			l.imo = true
			if l.hasHeld {
				o.sendLink(l, &l.held)
			}
		}
	}
	b := append(o.bufs[linkShard], itemStatic)
	b = binary.LittleEndian.AppendUint32(b, s.MMSI)
	b = binary.AppendVarint(b, s.Time.UnixNano())
	b = binary.LittleEndian.AppendUint32(b, s.IMO)
	b = appendStr(appendStr(b, s.Name), s.CallSign)
	b = binary.AppendVarint(b, int64(s.ShipType))
	b = appendF(b, s.Length, s.Beam, s.Draught)
	o.bufs[linkShard] = appendStr(b, s.Destination)
	o.counts[linkShard]++
	o.since++
	// Every shard pairs vessels for encounters, which leave out ships
	// that serve others: each is told when a vessel starts or stops being
	// one (without it, the workers reported a tug alongside a ship as an
	// encounter, one process none).
	if t := s.ShipType; t != 0 && slices.Contains(o.service, t) != o.serviceNow[s.MMSI] {
		if o.serviceNow[s.MMSI] {
			delete(o.serviceNow, s.MMSI)
		} else {
			o.serviceNow[s.MMSI] = true
		}
		for k := range o.bufs {
			b := append(o.bufs[k], itemShipType)
			b = binary.LittleEndian.AppendUint32(b, s.MMSI)
			b = binary.AppendVarint(b, s.Time.UnixNano())
			o.bufs[k] = binary.AppendUvarint(b, uint64(t))
			o.counts[k]++
		}
	}
}

func (o *stageOut) event(e *event.Event) {
	js, err := json.Marshal(e)
	if err != nil {
		return // an event is plain data; this cannot happen
	}
	o.mu.Lock()
	s := o.cfg.rxShard()
	b := append(o.bufs[s], itemEvent)
	b = binary.AppendUvarint(b, uint64(len(js)))
	o.bufs[s] = append(b, js...)
	o.counts[s]++
	o.since++
	o.mu.Unlock()
}

// draught sends a draught change, confirmed when the partition's detector
// was at time at (Unix ns; MaxInt64 at the end of the data), to be decided
// by the shard owning the cell the vessel was in when it first reported
// the new draught (confirmed a day later, seed 13, it may be far away):
// that shard sees every vessel near it, so it knows whether one was
// alongside (see detect.DecideDraught). It decides as one process does
// when the encounters and close approaches of the vessel that matter
// (within DraughtWithin before, and until a held change is settled) lie
// within MarginDeg of that cell. A change first reported before any
// position goes to the shard of the MMSI.
func (o *stageOut) draught(c *detect.DraughtCase, at int64) {
	s := o.cfg.shardOf(c.MMSI)
	if c.Placed {
		s = o.cfg.cellShard(cellOf(c.Lat, c.Lon))
	}
	o.timed(s, itemDraught, c, at)
}

// loiterEnd sends the end of a loitering run during which a draught change
// was sent, to the shard that change went to.
func (o *stageOut) loiterEnd(l *detect.LoiterEnd, at int64) {
	o.timed(o.cfg.cellShard(cellOf(l.Lat, l.Lon)), itemLoiterEnd, l, at)
}

// timed sends shard s an item of kind: x as JSON, made when the
// partition's detector was at time at (Unix ns; MaxInt64 at the end of
// the data).
func (o *stageOut) timed(s int, kind byte, x any, at int64) {
	js, err := json.Marshal(x)
	if err != nil {
		return // plain data; this cannot happen
	}
	o.mu.Lock()
	b := append(o.bufs[s], kind)
	b = binary.AppendVarint(b, at)
	b = binary.AppendUvarint(b, uint64(len(js)))
	o.bufs[s] = append(b, js...)
	o.counts[s]++
	o.since++
	o.mu.Unlock()
}

// clone sends a cloned_mmsi finding, made when the partition's detector
// was at time at (Unix ns; MaxInt64 at the end of the data), to the link
// shard, which names the MMSI each of its IMOs' hulls uses on its own as
// of that time (see shard.named).
func (o *stageOut) clone(e *event.Event, at int64) { o.timed(linkShard, itemClone, e, at) }

// message counts one input message towards the next flush.
func (o *stageOut) message() bool {
	o.mu.Lock()
	o.since++
	full := o.since >= flushItems
	o.mu.Unlock()
	return full
}

// flush sends every shard a frame with what is pending and the current
// watermark (shards with nothing new are skipped). done marks the
// partition's end, as in a drained run: its items, what the end flushed,
// are not numbered, so everything before must have been flushed already.
func (o *stageOut) flush(ctx context.Context, done bool) error {
	o.flushMu.Lock()
	defer o.flushMu.Unlock()
	type frame struct {
		shard int
		data  []byte
	}
	var frames []frame
	o.mu.Lock()
	if done {
		o.done = true
	}
	// The links may compare points up to the end of the watermark's
	// second: the detectors', below what waits for its verdicts (a point
	// sent for a time the detectors have not reached would be one the
	// next point of its vessel does not send).
	dwm := o.shardWM(o.wm)
	now := (dwm + 1) * int64(time.Second)
	if dwm == math.MinInt64 {
		now = math.MinInt64
	}
	for _, l := range o.links {
		o.linkDue(l, now)
	}
	for _, f := range o.fixFrames(o.wm) {
		frames = append(frames, frame{-1, f})
	}
	wm := o.shardWM(o.low())
	for s := range o.bufs {
		if o.counts[s] == 0 && o.sentWM[s] == wm && !done {
			continue
		}
		f := o.frameHead(o.done, wm, o.ord[s], uint64(o.counts[s]))
		frames = append(frames, frame{s, append(f, o.bufs[s]...)})
		if !done {
			o.ord[s] += uint64(o.counts[s])
		}
		o.sentWM[s] = wm
		o.bufs[s], o.counts[s] = nil, 0
	}
	o.since = 0
	o.mu.Unlock()
	for _, f := range frames {
		// A frame lost would stall the shard or lose a gap's grade: keep
		// trying until the broker is back or the worker stops.
		subj := o.cfg.fixSubject()
		if f.shard >= 0 {
			subj = o.cfg.Stage2Subject(f.shard)
		}
		err := retry(ctx, 100*time.Millisecond, func(error) bool { return true }, func(ctx context.Context) error {
			return o.publish(ctx, subj, f.data)
		})
		if err != nil {
			return fmt.Errorf("partition %d: second-stage frame: %w", o.part, err)
		}
	}
	return nil
}

// frameHead begins a frame of the partition's n items numbered from first
// (done: of its end), with watermark wm.
func (o *stageOut) frameHead(done bool, wm int64, first, n uint64) []byte {
	f := []byte{frameVersion}
	f = binary.AppendUvarint(f, uint64(o.part))
	f = binary.LittleEndian.AppendUint64(f, o.epoch)
	f = append(f, b2u(done))
	if done {
		f = binary.AppendUvarint(f, o.input)
	}
	f = binary.AppendVarint(f, wm)
	f = binary.AppendUvarint(f, first)
	return binary.AppendUvarint(f, n)
}

// A frame as read by a shard.
type frame struct {
	part  int
	epoch uint64
	done  bool
	// input, in an end (done), is the stream sequence of the last input
	// batch the run read; inputUnknown in a version 1 frame.
	input uint64
	wm    int64
	first uint64
	n     uint64
	items []byte
}

// inputUnknown is the input of an end that does not say where it ended
// (a version 1 frame): it is taken as the input's end, as it was then.
const inputUnknown = math.MaxUint64

func decodeFrame(b []byte) (frame, error) {
	var f frame
	if len(b) < 1 || b[0] != 1 && b[0] != frameVersion {
		return f, errors.New("unknown frame version")
	}
	d := decoder{b: b[1:]}
	p := d.uvarint()
	f.epoch = binary.LittleEndian.Uint64(d.take(8))
	f.done = d.bool()
	f.input = inputUnknown
	if f.done && b[0] >= 2 {
		f.input = d.uvarint()
	}
	f.wm = d.varint()
	f.first, f.n = d.uvarint(), d.uvarint()
	f.part, f.items = int(p), d.b
	if d.err != nil {
		return f, d.err
	}
	return f, nil
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[k:]
	return v
}

// shard is one second-stage consumer's state.
type shard struct {
	idx    int
	parts  int
	grader *detect.Detector
	rx     *detect.Reception
	wm     []int64
	epoch  []uint64
	done   []bool   // the partition's current run has ended
	input  []uint64 // where its input ended, if done (frame.input)
	next   []uint64 // next item number expected from each partition
	queue  []event.Event
	gapDel map[uint32]bool // last graded gap of a vessel: deliberate?
	forgot int32           // reception hours before this are forgotten
	pts    pointQueue      // points waiting for every partition's watermark
	clones []clone         // on linkShard: clone findings to complete
	// Draught changes and loitering ends to decide, in arrival order.
	decisions []decision
	// flushing: the data has ended and the detectors are flushed (what
	// they report then was open, as in one process's finish).
	flushing bool
	// sawEnd: a partition's end (what its finish flushed) was taken, which
	// a run that carries on from a checkpoint would not have taken: no
	// checkpoint is saved after.
	sawEnd bool
	// superseded is set by a frame of a partition's new run once its run
	// before ended and that end was taken: the shard must be built again
	// without the ends taken (the new run may read further, and send
	// again, numbered, what its end flushed), and that frame is not taken.
	// by is the partition whose new run it is. passOver are the runs whose
	// ends the shard built again passes over.
	superseded bool
	by         int
	passOver   map[run]bool
	// The identity links' detector (on linkShard only) and its static
	// reports and points waiting for every partition's watermark.
	links   *detect.Detector
	linkQ   pointQueue
	arrived uint64
	slab    pointSlab
	emit    func(e *event.Event)
	lost    int64 // items missing between frames (a partition's frames lost)
	// Numbered items taken, and items skipped as repeats (sent again by
	// a partition's later run).
	applied, repeated int64
	bad               map[string]int64
}

// newShard returns shard idx; grader is a detector made for it, which it
// narrows to encounters. Shard linkShard also needs links, another
// detector, to find identity links (nil: none are found).
func newShard(c Config, idx int, grader, links *detect.Detector, emit func(*event.Event)) *shard {
	c = c.withDefaults()
	grader.Only(detect.Encounters)
	s := &shard{idx: idx, parts: c.Partitions, grader: grader, rx: detect.NewReception(), wm: make([]int64, c.Partitions),
		epoch: make([]uint64, c.Partitions), done: make([]bool, c.Partitions), input: make([]uint64, c.Partitions), next: make([]uint64, c.Partitions), gapDel: map[uint32]bool{}, emit: emit, bad: map[string]int64{}}
	if idx == linkShard && links != nil {
		links.Only(0)
		s.links = links
	}
	for i := range s.wm {
		s.wm[i] = math.MinInt64
	}
	return s
}

// apply takes one frame; a frame that cannot be read is counted, not
// fatal.
func (s *shard) apply(data []byte) {
	f, err := decodeFrame(data)
	if err == nil && (f.part < 0 || f.part >= s.parts) {
		err = fmt.Errorf("partition %d of %d", f.part, s.parts)
	}
	if err != nil {
		s.bad[err.Error()]++
		return
	}
	if f.done && s.passOver[run{f.part, f.epoch}] {
		return
	}
	if f.epoch != s.epoch[f.part] {
		if s.done[f.part] {
			s.superseded, s.by = true, f.part
			return
		}
		s.epoch[f.part] = f.epoch
	}
	if !f.done && f.first > s.next[f.part] {
		s.lost += int64(f.first - s.next[f.part])
		s.next[f.part] = f.first
	}
	d := decoder{b: f.items}
	for i := uint64(0); i < f.n && d.err == nil; i++ {
		kind := d.u8()
		num := f.first + i
		apply := f.done || num >= s.next[f.part]
		switch kind {
		case itemSighting:
			y, x, h := d.varint(), d.varint(), d.varint()
			m := d.u32()
			if apply && d.err == nil {
				s.rx.Add([2]int32{int32(y), int32(x)}, int32(h), m)
			}
		case itemPoint:
			p := s.slab.point()
			p.MMSI = d.u32()
			p.Time = time.Unix(0, d.varint()).UTC()
			p.Lat, p.Lon, p.SOG, p.ImpliedKn = d.f64(), d.f64(), d.f64(), d.f64()
			p.Seg = int(d.uvarint())
			p.NewSeg = d.bool()
			p.HasPos, p.Flag = true, track.OK
			if apply && d.err == nil {
				s.arrived++
				s.pts.push(waiting{t: p.Time.UnixNano(), part: int32(f.part), arrived: s.arrived, p: p})
			}
		case itemStatic:
			var st track.Static
			st.MMSI = d.u32()
			st.Time = time.Unix(0, d.varint()).UTC()
			st.IMO = d.u32()
			st.Name, st.CallSign = d.str(), d.str()
			st.ShipType = int(d.varint())
			st.Length, st.Beam, st.Draught = d.f64(), d.f64(), d.f64()
			st.Destination = d.str()
			if apply && d.err == nil && s.links != nil {
				s.arrived++
				s.linkQ.push(waiting{t: st.Time.UnixNano(), part: int32(f.part), arrived: s.arrived, s: &st})
			}
		case itemShipType:
			st := &track.Static{MMSI: d.u32()}
			st.Time = time.Unix(0, d.varint()).UTC()
			st.ShipType = int(d.uvarint())
			if apply && d.err == nil {
				s.arrived++
				s.pts.push(waiting{t: st.Time.UnixNano(), part: int32(f.part), arrived: s.arrived, s: st})
			}
		case itemLinkPoint:
			p := s.slab.point()
			p.MMSI = d.u32()
			p.Time = time.Unix(0, d.varint()).UTC()
			p.Lat, p.Lon = d.f64(), d.f64()
			p.HasPos, p.Flag = true, track.OK
			if apply && d.err == nil && s.links != nil {
				s.arrived++
				s.linkQ.push(waiting{t: p.Time.UnixNano(), part: int32(f.part), arrived: s.arrived, p: p})
			}
		case itemEvent, itemClone, itemDraught, itemLoiterEnd:
			var at int64
			if kind != itemEvent {
				at = d.varint()
			}
			n := d.uvarint()
			if d.err == nil && n > uint64(len(d.b)) {
				d.err = errShort
			}
			raw := d.take(int(min(n, uint64(len(d.b)))))
			if apply && d.err == nil {
				s.item(kind, at, raw)
			}
		default:
			d.err = fmt.Errorf("item kind %d", kind)
		}
		if apply && !f.done && d.err == nil {
			s.next[f.part] = num + 1
		}
		switch {
		case d.err != nil || f.done:
		case apply:
			s.applied++
		default:
			s.repeated++
		}
	}
	if d.err != nil {
		s.bad["frame: "+d.err.Error()]++
	}
	if f.wm > s.wm[f.part] {
		s.wm[f.part] = f.wm
	}
	if f.done {
		s.done[f.part], s.input[f.part], s.sawEnd = true, f.input, true
	}
	s.release()
}

// item takes an item carried as JSON (raw), made at time at (Unix ns)
// for the kinds that have one.
func (s *shard) item(kind byte, at int64, raw []byte) {
	var err error
	switch kind {
	case itemDraught:
		x := decision{at: at, c: &detect.DraughtCase{}}
		if err = json.Unmarshal(raw, x.c); err == nil {
			s.decisions = append(s.decisions, x)
		}
	case itemLoiterEnd:
		x := decision{at: at, l: &detect.LoiterEnd{}}
		if err = json.Unmarshal(raw, x.l); err == nil {
			s.decisions = append(s.decisions, x)
		}
	default:
		var e event.Event
		if err = json.Unmarshal(raw, &e); err == nil && kind == itemClone {
			s.clones = append(s.clones, clone{at, e})
		} else if err == nil {
			s.queue = append(s.queue, e)
		}
	}
	if err != nil {
		s.bad["item: "+err.Error()]++
	}
}

func (s *shard) badFrames() int64 {
	var n int64
	for _, v := range s.bad {
		n += v
	}
	return n
}

// low is the time before which every partition has sent everything.
func (s *shard) low() int64 {
	low := int64(math.MaxInt64)
	for p, w := range s.wm {
		if !s.done[p] && w < low {
			low = w
		}
	}
	return low
}

// run names a partition's run.
type run struct {
	part  int
	epoch uint64
}

// newRun tells whether frame data is of a new run of a partition whose
// run before ended, that end taken.
func (s *shard) newRun(data []byte) (int, bool) {
	f, err := decodeFrame(data)
	if err != nil || f.part < 0 || f.part >= s.parts {
		return 0, false
	}
	return f.part, s.done[f.part] && f.epoch != s.epoch[f.part]
}

// supersededRuns adds to runs those whose ends the shard took and a new
// run supersedes: those of the partitions in news (whose new runs have
// shown up), and of those whose current run (epoch; 0: not known) is
// another, begun or not. An end of another partition stands until its
// next run shows up, as workers drained one after the other take those
// ends of the partitions they do not run.
func (s *shard) supersededRuns(runs map[run]bool, news map[int]bool, epoch func(part int) uint64) {
	for p, d := range s.done {
		if e := epoch(p); d && (news[p] || e != 0 && e != s.epoch[p]) {
			runs[run{p, s.epoch[p]}] = true
		}
	}
}

// ended reports whether every partition's current run has ended.
func (s *shard) ended() bool { return s.low() == math.MaxInt64 }

// runsEnded reports whether every partition's run has ended (done, by
// partition), those named in epochs (partition -> epoch: the worker's
// own) being the runs that ended (epoch), and the others' ends being
// final: read(p, input[p]) tells whether partition p's run, having read
// its input through input[p], read all of it. That is what a shard and
// the interference unit wait for before a drained worker stops. The end
// they took of another worker's partition may be its earlier run's,
// replayed from their subject before its next run has begun (its worker
// slow to start, given files after the earlier drain): taken as final,
// it let the interference unit leave, and that run then waited for
// verdicts for ever.
func runsEnded(done []bool, epoch, input []uint64, epochs map[int]uint64, read func(p int, input uint64) bool) bool {
	for p, d := range done {
		if !d {
			return false
		}
		if e, ok := epochs[p]; ok && epoch[p] != e {
			return false
		}
	}
	for p := range done {
		if _, ok := epochs[p]; !ok && !read(p, input[p]) {
			return false
		}
	}
	return true
}

// release grades and emits the queued events whose evidence is complete,
// in the order they came.
func (s *shard) release() {
	low := s.low()
	keep := s.queue[:0]
	for i := range s.queue {
		e := &s.queue[i]
		if detect.GapGradable(e).Unix() > low {
			keep = append(keep, *e)
			continue
		}
		switch e.Type {
		case event.Gap:
			s.gapDel[e.MMSI] = s.grader.GradeGap(e, s.rx)
		case event.PossibleDarkPortVisit:
			detect.GradeDarkVisit(e, s.gapDel[e.MMSI])
		}
		s.emit(e)
	}
	clear(s.queue[len(keep):])
	s.queue = keep
	s.decide(low)
	s.named(low)
	s.feed(low)
	// As the detector does: forget receptions older than any gap still
	// to be asked about (a month), once a day.
	if low != math.MaxInt64 {
		if h := int32(low/3600) - 24*31; h > s.forgot+24 {
			s.rx.Forget(h)
			s.forgot = h
		}
	}
}

// clone is a cloned_mmsi finding waiting for the link shard's static
// reports up to the time it was made.
type clone struct {
	at int64 // Unix ns, MaxInt64: at the end of the data
	e  event.Event
}

// named emits the clone findings made by low (Unix seconds), in the order
// they were made, each once the identity links have been fed every static
// report up to its time: own_mmsi then names, as one process would, the
// MMSI each identity's IMO was last heard under as its own, whichever
// partition heard it.
func (s *shard) named(low int64) {
	if len(s.clones) == 0 {
		return
	}
	slices.SortStableFunc(s.clones, func(a, b clone) int { return cmp.Compare(a.at, b.at) })
	n := 0
	for _, c := range s.clones {
		if !due(c.at, low) {
			break
		}
		for h := s.linkQ.head(); h != nil && h.t <= c.at; h = s.linkQ.head() {
			s.feedLink(s.linkQ.pop())
		}
		e := c.e
		ids, _ := e.Evidence["identities"].([]any)
		for _, x := range ids {
			if s.links == nil {
				break
			}
			id, ok := x.(map[string]any)
			if !ok {
				continue
			}
			delete(id, "own_mmsi")
			imo, _ := id["imo"].(float64)
			if own, ok := s.links.IMOOwner(uint32(imo)); ok && own != e.MMSI {
				id["own_mmsi"] = own
			}
		}
		s.emit(&e)
		n++
	}
	s.clones = slices.Delete(s.clones, 0, n)
}

// due tells whether an item made at time at (Unix ns; MaxInt64: at the
// end of the data) is due at watermark low (Unix seconds): no partition
// can still send anything before it.
func due(at, low int64) bool {
	if at == math.MaxInt64 {
		return low == math.MaxInt64
	}
	return at/int64(time.Second) <= low
}

// decision is a draught change or a loitering end waiting for every
// partition's points up to its time (Unix ns; MaxInt64: made at the end
// of the data).
type decision struct {
	at int64
	c  *detect.DraughtCase
	l  *detect.LoiterEnd
}

// decide decides the draught changes and loitering ends no partition can
// still precede, in time order, each once the encounter detector has been
// fed the points up to its time, as one process's would have been.
func (s *shard) decide(low int64) {
	if len(s.decisions) == 0 {
		return
	}
	slices.SortStableFunc(s.decisions, func(a, b decision) int { return cmp.Compare(a.at, b.at) })
	n := 0
	for _, x := range s.decisions {
		if !due(x.at, low) {
			break
		}
		for h := s.pts.head(); h != nil && h.t <= x.at; h = s.pts.head() {
			s.feedGrader(s.pts.pop())
		}
		if x.at != math.MaxInt64 {
			s.grader.Advance(time.Unix(0, x.at))
		}
		if x.c != nil {
			s.grader.DecideDraught(x.c)
		} else {
			s.grader.EndLoiter(x.l)
		}
		n++
	}
	clear(s.decisions[:n])
	s.decisions = slices.Delete(s.decisions, 0, n)
}

// feedGrader gives the encounter detector a point, or a vessel's ship type.
func (s *shard) feedGrader(w waiting) {
	if w.s != nil {
		s.grader.Static(w.s)
	} else {
		s.grader.Point(w.p)
	}
}

func (s *shard) feedLink(w waiting) {
	if w.s != nil {
		s.links.LinkStatic(w.s)
	} else {
		s.links.LinkPoint(w.p)
	}
}

// feed gives the encounter detector the points no partition can still
// precede, in time order, and moves its clock to low: slots no later point
// can reach are paired and closed.
func (s *shard) feed(low int64) {
	for h := s.pts.head(); h != nil && h.unix() <= low; h = s.pts.head() {
		s.feedGrader(s.pts.pop())
	}
	for h := s.linkQ.head(); h != nil && h.unix() <= low; h = s.linkQ.head() {
		s.feedLink(s.linkQ.pop())
	}
	if low != math.MaxInt64 {
		s.grader.Advance(time.Unix(low, 0))
	}
}

// pointSlab hands out the points a shard decodes from chunks, not one
// allocation each: allocating them was a sixth of a shard's CPU (1.1 of
// 6.1 s on 30 sparse days), beside the collector's work. A chunk is freed
// once all its points are (they leave the heap roughly in the order they
// came), and none is reused: the detector may keep what it is given.
type pointSlab struct{ free []track.Point }

const slabPoints = 256

func (s *pointSlab) point() *track.Point {
	if len(s.free) == 0 {
		s.free = make([]track.Point, slabPoints)
	}
	p := &s.free[0]
	s.free = s.free[1:]
	return p
}

// waiting is a point waiting for every partition's watermark, with its
// place in the feeding order: time, then partition and arrival (a
// partition sends its points in the order its detector saw them). The
// order is kept inline so that comparing does not chase pointers.
type waiting struct {
	t       int64 // Unix nanoseconds
	part    int32
	arrived uint64
	p       *track.Point
	s       *track.Static // instead of p: in the identity links' queue, or a ship type
}

func (a *waiting) unix() int64 {
	if a.s != nil {
		return a.s.Time.Unix()
	}
	return a.p.Time.Unix()
}

func (a *waiting) before(b *waiting) bool {
	if a.t != b.t {
		return a.t < b.t
	}
	if a.part != b.part {
		return a.part < b.part
	}
	return a.arrived < b.arrived
}

// pointQueue holds the waiting points in feeding order: a queue per
// partition, merged. A partition sends its points in time order but for
// a few, which go in their place; the earliest point is then one of the
// queues' heads. A heap of every waiting point (up to 112k on a shard)
// cost a sixth of a worker's CPU on 30 sparse days in sifting.
type pointQueue struct {
	parts [][]waiting
	n     int
	min   int // the partition whose head is the earliest; -1: not known
}

func (q *pointQueue) push(w waiting) {
	p := int(w.part)
	for len(q.parts) <= p {
		q.parts = append(q.parts, nil)
	}
	ws := q.parts[p]
	i := len(ws)
	for i > 0 && w.before(&ws[i-1]) {
		i--
	}
	q.parts[p] = slices.Insert(ws, i, w)
	if q.n == 0 {
		q.min = p
	} else if q.min >= 0 && i == 0 && w.before(&q.parts[q.min][0]) {
		q.min = p
	}
	q.n++
}

// head returns the earliest point (nil when none waits).
func (q *pointQueue) head() *waiting {
	if q.n == 0 {
		return nil
	}
	if q.min < 0 {
		for p, ws := range q.parts {
			if len(ws) > 0 && (q.min < 0 || ws[0].before(&q.parts[q.min][0])) {
				q.min = p
			}
		}
	}
	return &q.parts[q.min][0]
}

func (q *pointQueue) pop() waiting {
	h := *q.head()
	ws := q.parts[q.min]
	ws[0] = waiting{}
	q.parts[q.min] = ws[1:]
	q.n--
	q.min = -1
	return h
}

// finish ends a drained run: every partition has ended, so the open
// encounters are closed and reported.
func (s *shard) finish() {
	s.flushing = true
	s.feed(math.MaxInt64)
	s.grader.Flush()
}

// owned passes on the encounters placed in this shard's cells; the others
// are reported by the shard owning their cell, which has seen them too.
func (s *shard) owned(c Config, e *event.Event) bool {
	return e.Type != event.Encounter || c.cellShard(cellOf(e.Lat, e.Lon)) == s.idx
}
