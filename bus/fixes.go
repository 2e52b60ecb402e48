package bus

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// GNSS interference across partitions. An interference is an area where
// the fixes of vessels of any partition were displaced together, and its
// verdict on a fix (displaced into an area already shown) keeps that fix
// from the vessel's port visits, voyages and loitering at once: a
// partition alone sees its own vessels' share of an area only. So each
// partition sends every positioned fix of its tracker (numbered, as
// second-stage items are) to one interference unit (the fixes subject,
// lookout.ais.x.g), which runs the interference detector over every
// partition's fixes in time order, once every partition's watermark has
// passed them, and reports the interferences; it sends each partition
// back, on a subject of its own (lookout.ais.x.v<partition>), which of its
// fixes are displaced, up to which number all are judged. The partition
// holds its vessels' points and static reports meanwhile, in order, and
// feeds them to its other detectors (detect.Detector.PointJudged) as the
// verdicts come; its second-stage watermark waits for them, since what
// they send (gaps, draught changes) is dated when they run. The unit runs
// beside the shard fixShard, on the worker that owns it; a partition's
// first stage cannot end before it has judged the partition's fixes, so
// drained workers must run at once.

func (c Config) fixSubject() string { return c.withDefaults().Prefix + ".x.g" }

func (c Config) verdictSubject(part int) string {
	return c.withDefaults().Prefix + ".x.v" + strconv.Itoa(part)
}

// fixShard is the shard beside which the interference unit runs: not the
// link shard, which every vessel's statics and points already load.
func (c Config) fixShard() int { return 1 % c.withDefaults().Shards }

const itemFix = 9 // a positioned fix, to the interference unit

// verdictVersion is the verdict frames' version, apart from the
// partitions' frames' (frameVersion): 2 once they carried the fixes
// placed in areas not yet decided and the decisions.
const verdictVersion = 2

// fix sends p (positioned, any flag) to the interference unit and returns
// its number there.
func (o *stageOut) fix(p *track.Point) uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.fixOrd + uint64(len(o.fixOff))
	o.fixOff = append(o.fixOff, len(o.fixBuf))
	b := append(o.fixBuf, itemFix)
	b = binary.LittleEndian.AppendUint32(b, p.MMSI)
	b = binary.AppendVarint(b, p.Time.UnixNano())
	b = appendF(b, p.Lat, p.Lon, p.ImpliedKn)
	o.fixBuf = append(appendStr(b, string(p.Flag)), b2u(p.NewSeg))
	o.since++
	return n
}

// advance moves the partition's detector time to t, as a point or static
// report of that time comes out of its tracker: the interference unit's
// watermark (the shards' waits for the detectors, see hold).
func (o *stageOut) advance(t time.Time) {
	o.mu.Lock()
	o.wm = max(o.wm, t.Unix())
	o.mu.Unlock()
}

// endFixes marks the fixes sent from now on (the tracker's flush) as the
// partition run's last: they wait for sealFixes, then go in frames that
// say the run has ended.
func (o *stageOut) endFixes() {
	o.mu.Lock()
	o.fixDone = true
	o.mu.Unlock()
}

// sealFixes names the run's last fixes, all sent now (finalKey).
func (o *stageOut) sealFixes() {
	o.mu.Lock()
	o.finalKey = finalKey(o.fixOrd, len(o.fixOff), o.fixBuf)
	o.mu.Unlock()
}

// full tells whether a frame's worth of items waits to be flushed.
func (o *stageOut) full() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.since >= flushItems
}

// lastKey is the finalKey of the run's last fixes once sealed (0 before).
func (o *stageOut) lastKey() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.finalKey
}

// hold dates the oldest point or static report waiting for its verdict
// (Unix ns; MaxInt64: none): the shards' watermark stays below it, as what
// the detectors send when they take it is dated then.
func (o *stageOut) hold(ns int64) {
	o.mu.Lock()
	o.waitNs = ns
	o.mu.Unlock()
}

// fixFrames returns the frames to send the unit (none: nothing new), of
// flushItems fixes at most, with watermark wm; o.mu is held. A frame of
// the run's last fixes begins its items with their finalKey.
func (o *stageOut) fixFrames(wm int64) [][]byte {
	sealed := o.fixDone && o.finalKey != 0
	if o.fixDone && !sealed || len(o.fixOff) == 0 && o.fixWM == wm && o.fixSentDone == sealed {
		return nil
	}
	var frames [][]byte
	for first := true; first || len(o.fixOff) > 0; first = false {
		n := min(len(o.fixOff), flushItems)
		end := len(o.fixBuf)
		if n < len(o.fixOff) {
			end = o.fixOff[n]
		}
		f := o.frameHead(sealed, wm, o.fixOrd, uint64(n))
		if sealed {
			f = binary.LittleEndian.AppendUint64(f, o.finalKey)
		}
		frames = append(frames, append(f, o.fixBuf[:end]...))
		// Numbered whether or not the run has ended: the verdicts name
		// them.
		o.fixOrd += uint64(n)
		o.fixBuf = o.fixBuf[end:]
		o.fixOff = o.fixOff[n:]
		for i := range o.fixOff {
			o.fixOff[i] -= end
		}
	}
	o.fixBuf, o.fixOff = nil, nil
	o.fixWM, o.fixSentDone = wm, sealed
	return frames
}

// finalKey names the last fixes of a partition's run (first, the number
// of the first, n of them, items as sent): a run that ends where another
// ended sends the same, and their verdicts hold for both.
func finalKey(first uint64, n int, items []byte) uint64 {
	h := fnv.New64a()
	var b [2 * binary.MaxVarintLen64]byte
	k := binary.PutUvarint(b[:], first)
	k += binary.PutUvarint(b[k:], uint64(n))
	h.Write(b[:k])
	h.Write(items)
	return h.Sum64() | 1
}

// shardWM is the watermark to send the shards, from the partition's
// watermark wm: below the oldest point still waiting for its verdict.
func (o *stageOut) shardWM(wm int64) int64 {
	if o.waitNs == math.MaxInt64 {
		return wm
	}
	return min(wm, floorDiv(o.waitNs, int64(time.Second))-1)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// A verdict frame: which fixes of a partition are displaced (their
// numbers), which are placed in areas not yet decided, the decisions on
// those areas since, and up to which number all are judged. The last
// fixes of a run that has ended (from finalFrom-1 on; finalFrom 0: none),
// and the decisions made while the data's end was judged, are for the
// runs that sent the same (key, see finalKey): a run that reads further
// sends others under those numbers.
type verdicts struct {
	key       uint64
	through   uint64
	finalFrom uint64
	displaced []uint64
	placed    []placedFix
	decided   []areaDecision
}

// placedFix is fix Num, placed in area Area not yet decided
// (detect.Verdict).
type placedFix struct{ Num, Area uint64 }

// areaDecision is the interference unit's decision on area Area (see
// detect.Detector.DecideArea), to be taken before the partition's fix
// numbered Before; Final: made while the data's end was judged.
type areaDecision struct {
	Area, Before uint64
	Shown, Final bool
}

func (v *verdicts) encode() []byte {
	b := []byte{verdictVersion}
	b = binary.LittleEndian.AppendUint64(b, v.key)
	b = binary.AppendUvarint(b, v.through)
	b = binary.AppendUvarint(b, v.finalFrom)
	b = binary.AppendUvarint(b, uint64(len(v.displaced)))
	for _, n := range v.displaced {
		b = binary.AppendUvarint(b, n)
	}
	b = binary.AppendUvarint(b, uint64(len(v.placed)))
	for _, x := range v.placed {
		b = binary.AppendUvarint(binary.AppendUvarint(b, x.Num), x.Area)
	}
	b = binary.AppendUvarint(b, uint64(len(v.decided)))
	for _, x := range v.decided {
		b = binary.AppendUvarint(binary.AppendUvarint(b, x.Area), x.Before)
		b = append(b, b2u(x.Shown)|b2u(x.Final)<<1)
	}
	return b
}

func decodeVerdicts(b []byte) (verdicts, error) {
	var v verdicts
	if len(b) < 1 || b[0] != verdictVersion {
		return v, errors.New("unknown verdict frame version")
	}
	d := decoder{b: b[1:]}
	v.key = binary.LittleEndian.Uint64(d.take(8))
	v.through, v.finalFrom = d.uvarint(), d.uvarint()
	n := d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		v.displaced = append(v.displaced, d.uvarint())
	}
	n = d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		v.placed = append(v.placed, placedFix{d.uvarint(), d.uvarint()})
	}
	n = d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		x := areaDecision{Area: d.uvarint(), Before: d.uvarint()}
		f := d.u8()
		x.Shown, x.Final = f&1 != 0, f&2 != 0
		v.decided = append(v.decided, x)
	}
	return v, d.err
}

// split parts v into the verdicts on fixes every run sends and those on
// the last fixes of the run key.
func (v *verdicts) split() (common, final verdicts) {
	if v.finalFrom == 0 {
		return *v, verdicts{}
	}
	from := v.finalFrom - 1
	common = verdicts{through: min(v.through, from)}
	final = verdicts{key: v.key, through: v.through}
	for _, n := range v.displaced {
		if n < from {
			common.displaced = append(common.displaced, n)
		} else {
			final.displaced = append(final.displaced, n)
		}
	}
	for _, x := range v.placed {
		if x.Num < from {
			common.placed = append(common.placed, x)
		} else {
			final.placed = append(final.placed, x)
		}
	}
	for _, x := range v.decided {
		if x.Final || x.Before > from {
			final.decided = append(final.decided, x)
		} else {
			common.decided = append(common.decided, x)
		}
	}
	return common, final
}

// fixUnit is the interference unit's state.
type fixUnit struct {
	det   *detect.Detector
	wm    []int64
	epoch []uint64
	done  []bool
	input []uint64 // where the ended run's input ended (frame.input)
	next  []uint64 // next number expected from each partition
	// Each partition's fixes waiting for every watermark, in its order.
	q [][]numbered
	// What has been judged since the last verdicts sent, per partition.
	judged    []uint64 // the next number to judge
	finalFrom []uint64 // 1 + first number of the ended run's fixes (0: none)
	key       []uint64 // their finalKey
	// ends are the last fixes taken of each partition: the next number
	// expected, by finalKey.
	ends      []map[uint64]uint64
	displaced [][]uint64
	placed    [][]placedFix
	decided   [][]areaDecision
	// areaParts lists, by area not yet decided, the partitions told of
	// fixes placed there: those the decision goes to.
	areaParts map[uint64][]int
	changed   []bool
	// The last ending taken of each partition (see carryOn): its finalKey,
	// the number of its first fix, each fix as sent and its verdict.
	endKey  []uint64
	endFrom []uint64
	end     [][]endFix
	// carry: the partition's run is a later one than the ending's; its
	// fixes under the ending's numbers are compared with the ending's.
	carry []bool
	// ending: the unit judges the fixes of a partition's flush (what it
	// reports from then on was open when the data ended, as in one
	// process's finish); flushing: the unit's detector is flushed.
	ending, flushing bool
	slab             pointSlab
	bad              map[string]int64
	lost             int64
	// judgedN counts the fixes judged, judgedAt is the time of the last
	// (Unix ns): how far the unit has got (InterferenceProgress).
	judgedN, judgedAt int64
	// diverged counts the fixes of a run carrying on from an ending that
	// differ from the ending's under the same number, from the first:
	// the detector took the ending's, and takes these too.
	diverged int64
	// final, if set, tells whether the end of partition part's run epoch,
	// which read its input through input, is its last (nil: every end
	// is); finals keeps its answers.
	final  func(part int, epoch, input uint64) bool
	finals map[run]bool
}

// endFix is a fix of a partition's ending: as sent, and its verdict once
// judged.
type endFix struct {
	item              []byte
	judged, displaced bool
	area              uint64 // placed there (detect.Verdict)
}

type numbered struct {
	num   uint64
	final bool
	p     *track.Point
}

func newFixUnit(parts int, det *detect.Detector) *fixUnit {
	det.Only(detect.Interference)
	u := &fixUnit{det: det, wm: make([]int64, parts), epoch: make([]uint64, parts), done: make([]bool, parts), input: make([]uint64, parts),
		next: make([]uint64, parts), q: make([][]numbered, parts), judged: make([]uint64, parts),
		finalFrom: make([]uint64, parts), key: make([]uint64, parts), ends: make([]map[uint64]uint64, parts), displaced: make([][]uint64, parts),
		placed: make([][]placedFix, parts), decided: make([][]areaDecision, parts), areaParts: map[uint64][]int{}, changed: make([]bool, parts),
		endKey: make([]uint64, parts), endFrom: make([]uint64, parts), end: make([][]endFix, parts), carry: make([]bool, parts),
		bad: map[string]int64{}}
	for i := range u.wm {
		u.wm[i] = math.MinInt64
	}
	det.AreaDecided = u.areaDecided
	return u
}

// areaDecided sends the decision on area id to the partitions told of
// fixes placed there, before the next fix of each to judge.
func (u *fixUnit) areaDecided(id uint64, shown bool) {
	for _, p := range u.areaParts[id] {
		u.decided[p] = append(u.decided[p], areaDecision{Area: id, Before: u.judged[p], Shown: shown, Final: u.ending || u.flushing})
		u.changed[p] = true
	}
	delete(u.areaParts, id)
}

// apply takes one frame of fixes and judges what every watermark allows.
func (u *fixUnit) apply(data []byte) {
	f, err := decodeFrame(data)
	if err == nil && (f.part < 0 || f.part >= len(u.wm)) {
		err = fmt.Errorf("partition %d of %d", f.part, len(u.wm))
	}
	if err != nil {
		u.bad[err.Error()]++
		return
	}
	if f.done && !u.lastEnd(f) {
		// A later run of the partition reads on from before this end: its
		// fixes are judged as they come from that run, and meanwhile the
		// partition's watermark stays where its frames before the end
		// left it. Taken, the end's fixes would have been judged, and the
		// other partitions' later fixes with them, before those of the
		// later run that come first in time.
		return
	}
	if f.epoch != u.epoch[f.part] {
		u.newRun(f.part)
		u.epoch[f.part], u.done[f.part] = f.epoch, false
	}
	// An ending's fixes are numbered on from the run's others and are not
	// counted in next: a later run that reads further sends others under
	// those numbers.
	if !f.done && f.first > u.next[f.part] {
		u.lost += int64(f.first - u.next[f.part])
		u.next[f.part] = f.first
		u.judged[f.part] = max(u.judged[f.part], f.first)
	}
	d := decoder{b: f.items}
	var key uint64
	if f.done {
		key = binary.LittleEndian.Uint64(d.take(8))
		if key != u.key[f.part] {
			u.finalFrom[f.part], u.key[f.part] = f.first+1, key
		}
		if u.ends[f.part] == nil {
			u.ends[f.part] = map[uint64]uint64{}
		}
	}
	for i := uint64(0); i < f.n && d.err == nil; i++ {
		num := f.first + i
		raw := d.b
		if kind := d.u8(); kind != itemFix {
			d.err = fmt.Errorf("item kind %d", kind)
			break
		}
		p := u.slab.point()
		p.MMSI = d.u32()
		p.Time = time.Unix(0, d.varint()).UTC()
		p.Lat, p.Lon, p.ImpliedKn = d.f64(), d.f64(), d.f64()
		p.Flag, p.NewSeg = track.Reason(d.str()), d.bool()
		p.HasPos = true
		if d.err != nil {
			break
		}
		raw = raw[:len(raw)-len(d.b)]
		switch {
		case f.done:
			// The last fixes of a run are taken once per ending.
			if next, ok := u.ends[f.part][key]; ok && num < next {
				continue
			}
			u.ends[f.part][key] = num + 1
			u.endFix(f.part, key, num, raw)
		case num < u.next[f.part]:
			continue
		default:
			u.next[f.part] = num + 1
			if u.carryOn(f.part, num, raw) {
				continue
			}
		}
		u.q[f.part] = append(u.q[f.part], numbered{num, f.done, p})
	}
	if d.err != nil {
		u.bad["frame: "+d.err.Error()]++
	}
	u.wm[f.part] = max(u.wm[f.part], f.wm)
	if f.done {
		u.done[f.part], u.input[f.part] = true, f.input
	}
	u.judge()
}

// lastEnd tells whether end frame f is of its partition's last run
// (final).
func (u *fixUnit) lastEnd(f frame) bool {
	if u.final == nil {
		return true
	}
	r := run{f.part, f.epoch}
	last, ok := u.finals[r]
	if !ok {
		last = u.final(f.part, f.epoch, f.input)
		if u.finals == nil {
			u.finals = map[run]bool{}
		}
		u.finals[r] = last
	}
	return last
}

// newRun begins partition p's next run. If the one before ended, its
// ending's fixes not yet judged are dropped, as the new run sends its
// own under their numbers (the same ending again, or what follows its
// checkpoint when it reads further), and the ending's verdicts no longer
// split those the unit sends.
func (u *fixUnit) newRun(p int) {
	if u.finalFrom[p] == 0 {
		return
	}
	keep := u.q[p][:0]
	for _, x := range u.q[p] {
		if !x.final {
			keep = append(keep, x)
		} else if next, ok := u.ends[p][u.endKey[p]]; ok && x.num < next {
			u.ends[p][u.endKey[p]] = x.num
		}
	}
	clear(u.q[p][len(keep):])
	u.q[p] = keep
	from := u.finalFrom[p] - 1
	u.judged[p] = min(u.judged[p], from)
	u.key[p], u.finalFrom[p] = 0, 0
	u.carry[p] = len(u.end[p]) > 0
	// The data goes on: what the unit reports now was not open at its end.
	u.ending = false
}

// endFix notes fix num of partition p's ending key, as sent (raw).
func (u *fixUnit) endFix(p int, key, num uint64, raw []byte) {
	if key != u.endKey[p] || num < u.endFrom[p] {
		u.endKey[p], u.endFrom[p], u.end[p] = key, num, u.end[p][:0]
	}
	i := num - u.endFrom[p]
	if i > uint64(len(u.end[p])) {
		return // not from its first fix: not compared
	}
	u.end[p] = append(u.end[p][:i], endFix{item: append([]byte(nil), raw...)})
}

// carryOn takes fix num (raw, as sent) of a run of partition p carrying
// on from the ending before it, when it is the ending's fix of that
// number: the detector took that one already (the unit replays its
// subject, so a later run's fixes follow an earlier run's ending), and
// the verdict on it holds. It reports whether the fix was taken so.
// A run reading further sends under the ending's numbers the fixes its
// tracker had held at the end of the earlier data, as it releases them.
func (u *fixUnit) carryOn(p int, num uint64, raw []byte) bool {
	if !u.carry[p] || num < u.endFrom[p] {
		return false
	}
	i := num - u.endFrom[p]
	if i >= uint64(len(u.end[p])) {
		u.carry[p] = false
		return false
	}
	e := &u.end[p][i]
	if !e.judged {
		// Dropped unjudged (newRun): the detector has not taken it.
		u.carry[p] = false
		return false
	}
	if u.judged[p] != num || len(u.q[p]) > 0 || !bytes.Equal(e.item, raw) {
		u.carry[p] = false
		u.diverged++
		return false
	}
	if e.displaced {
		u.displaced[p] = append(u.displaced[p], num)
	}
	if _, open := u.areaParts[e.area]; open {
		// (An area decided since owes this run no decision.)
		u.place(p, num, e.area)
	}
	u.judged[p], u.changed[p] = num+1, true
	return true
}

// judge feeds the detector, in time order, every fix no partition can
// still precede (partitions in index order at one instant), noting the
// verdicts.
func (u *fixUnit) judge() {
	low := int64(math.MaxInt64)
	for p, w := range u.wm {
		if !u.done[p] && w < low {
			low = w
		}
	}
	for {
		best := -1
		var bt int64
		for p, q := range u.q {
			if len(q) == 0 {
				continue
			}
			if t := q[0].p.Time.UnixNano(); best < 0 || t < bt {
				best, bt = p, t
			}
		}
		// A partition may still send fixes of the second its watermark
		// names.
		if best < 0 || low != math.MaxInt64 && floorDiv(bt, int64(time.Second)) >= low {
			return
		}
		x := u.q[best][0]
		u.q[best][0] = numbered{}
		u.q[best] = u.q[best][1:]
		if len(u.q[best]) == 0 {
			u.q[best] = nil // let the slice's array go
		}
		u.ending = u.ending || x.final
		verdict := u.det.Interfered(x.p)
		displaced := verdict.Displaced
		u.judgedN++
		u.judgedAt = max(u.judgedAt, x.p.Time.UnixNano())
		if displaced {
			u.displaced[best] = append(u.displaced[best], x.num)
		}
		if verdict.Area != 0 {
			u.place(best, x.num, verdict.Area)
		}
		if x.final && u.endKey[best] == u.key[best] && x.num >= u.endFrom[best] && x.num-u.endFrom[best] < uint64(len(u.end[best])) {
			e := &u.end[best][x.num-u.endFrom[best]]
			e.judged, e.displaced, e.area = true, displaced, verdict.Area
		}
		u.judged[best] = max(u.judged[best], x.num+1)
		u.changed[best] = true
	}
}

// place tells partition p its fix num is placed in area, and sends it the
// area's decision.
func (u *fixUnit) place(p int, num, area uint64) {
	u.placed[p] = append(u.placed[p], placedFix{num, area})
	if l := u.areaParts[area]; !slices.Contains(l, p) {
		u.areaParts[area] = append(l, p)
	}
}

// take returns the verdicts of partition p judged since the last take.
func (u *fixUnit) take(p int) (verdicts, bool) {
	if !u.changed[p] {
		return verdicts{}, false
	}
	v := verdicts{key: u.key[p], through: u.judged[p], finalFrom: u.finalFrom[p], displaced: u.displaced[p],
		placed: u.placed[p], decided: u.decided[p]}
	u.displaced[p], u.placed[p], u.decided[p], u.changed[p] = nil, nil, nil, false
	return v, true
}

func (u *fixUnit) badFrames() int64 {
	var n int64
	for _, v := range u.bad {
		n += v
	}
	return n
}

// fixes runs the interference unit (beside shard k) until ctx ends, or
// with Drain, until every partition has ended and every fix is judged.
// It reads its subject from the start, checkpoint or not: a partition
// resumed from its checkpoint sends its fixes again under the numbers it
// sent them before, which the unit skips (next), and the verdicts it
// sends again are passed over; so the state rebuilt is the one lost, for
// the interference detector's work alone over every fix (a fifth of
// shard 1's CPU on the eight-month demo), where a checkpoint of its own
// would have to agree with every partition's.
func (w *Worker) fixes(ctx context.Context, k int) error {
	c := w.Config.withDefaults()
	var u *fixUnit
	det, _ := analyze.NewDetector(w.Options, func(e *event.Event) {
		if u.ending || u.flushing {
			e.Open = true
		}
		w.mu.Lock()
		w.Emit(-1-k, e)
		w.mu.Unlock()
	})
	u = newFixUnit(c.Partitions, det)
	u.final = func(p int, epoch, input uint64) bool {
		if e := w.epochOf(p); e != 0 {
			return e == epoch
		}
		return w.inputRead(ctx, p, input)
	}
	send := func() error {
		for p := range u.changed {
			v, ok := u.take(p)
			if !ok {
				continue
			}
			data := v.encode()
			err := retry(ctx, 100*time.Millisecond, func(error) bool { return true }, func(ctx context.Context) error {
				_, err := w.JS.Publish(ctx, c.verdictSubject(p), data)
				return err
			})
			if err != nil {
				return fmt.Errorf("interference: verdicts: %w", err)
			}
		}
		return nil
	}
	err := w.follow(ctx, c.fixSubject(), func(msg jetstream.Msg) (bool, error) {
		md, err := msg.Metadata()
		if err != nil {
			return false, err
		}
		if err := w.gate.hold(ctx); err != nil {
			return false, err
		}
		lost := u.lost + u.badFrames()
		u.apply(msg.Data())
		w.Lost.Add(u.lost + u.badFrames() - lost)
		if err := send(); err != nil {
			return false, err
		}
		if w.Drain && md.NumPending == 0 && w.runsEnded(ctx, u.done, u.epoch, u.input) {
			u.flushing = true
			det.Flush()
			// The areas still open are decided: partitions not yet
			// flushed take it.
			if err := send(); err != nil {
				return false, err
			}
			w.unitProgress(ctx, u, true)
			return true, nil
		}
		w.unitProgress(ctx, u, false)
		return false, nil
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("interference: %w", err)
	}
	return err
}

// follow reads a subject of the second-stage stream from its start,
// handing each message to take, until ctx ends or take says it is done.
func (w *Worker) follow(ctx context.Context, subject string, take func(jetstream.Msg) (done bool, err error)) error {
	cons, err := w.JS.OrderedConsumer(ctx, w.Config.Stage2Stream(), jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject}, DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return err
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(64))
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if done, err := take(msg); done || err != nil {
			it.Stop()
			return err
		}
	}
}

// judgeVerdicts follows partition part's verdicts and hands them to pl
// until ctx ends.
func (w *Worker) judgeVerdicts(ctx context.Context, part int, pl *pipeline) error {
	err := w.follow(ctx, w.Config.verdictSubject(part), func(msg jetstream.Msg) (bool, error) {
		v, err := decodeVerdicts(msg.Data())
		if err != nil {
			w.Lost.Add(1)
		} else {
			pl.verdict(&v)
		}
		return false, nil
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("partition %d: verdicts: %w", part, err)
	}
	return err
}

// InterferenceKey is the interference unit's key in WorkersBucket.
func (c Config) InterferenceKey() string { return c.withDefaults().Stream + ".g" }

// InterferenceProgress is how far the interference unit has got, as its
// worker keeps it in WorkersBucket (lookout backfill status).
type InterferenceProgress struct {
	// Judged fixes, up to the time of the latest (Unix s; 0: none).
	Judged  int64 `json:"judged"`
	Through int64 `json:"through"`
	// Waiting fixes: sent, not yet judged, since a partition may still
	// send earlier ones; Slowest is the partition whose watermark they
	// wait for (-1: none).
	Waiting int `json:"waiting"`
	Slowest int `json:"slowest"`
	// Held is, per partition, its fixes sent and not yet judged: what its
	// detectors wait for.
	Held []uint64 `json:"held"`
	// Ended: every partition's run had ended, and every fix was judged.
	Ended bool `json:"ended"`
	// Lost fixes (frames missing or unreadable) and fixes of a run
	// carrying on from an ending that differed from it (fixUnit.diverged).
	Lost     int64 `json:"lost"`
	Diverged int64 `json:"diverged"`
	Saved    int64 `json:"saved"` // Unix s
}

// progress returns the unit's progress.
func (u *fixUnit) progress() InterferenceProgress {
	pr := InterferenceProgress{Judged: u.judgedN, Slowest: -1, Lost: u.lost + u.badFrames(), Diverged: u.diverged}
	if u.judgedN > 0 {
		pr.Through = floorDiv(u.judgedAt, int64(time.Second))
	}
	low := int64(math.MaxInt64)
	pr.Held = make([]uint64, len(u.q))
	for p, q := range u.q {
		pr.Waiting += len(q)
		pr.Held[p] = u.next[p] - min(u.judged[p], u.next[p])
		if !u.done[p] && u.wm[p] < low {
			low, pr.Slowest = u.wm[p], p
		}
	}
	return pr
}

// unitProgress keeps the unit's progress in KV (at most once a second
// unless final).
func (w *Worker) unitProgress(ctx context.Context, u *fixUnit, final bool) {
	if w.KV == nil || !final && time.Since(w.unitSaved) < time.Second {
		return
	}
	w.unitSaved = time.Now()
	pr := u.progress()
	pr.Ended = final
	pr.Saved = w.unitSaved.Unix()
	b, err := json.Marshal(pr)
	if err != nil {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	w.KV.Put(sctx, w.Config.InterferenceKey(), b)
}

// Interference reads the interference unit's progress (nil: none kept).
func Interference(ctx context.Context, js jetstream.JetStream, c Config) (*InterferenceProgress, error) {
	kv, err := js.KeyValue(ctx, WorkersBucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e, err := kv.Get(ctx, c.InterferenceKey())
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var pr InterferenceProgress
	if err := json.Unmarshal(e.Value(), &pr); err != nil {
		return nil, fmt.Errorf("interference unit's progress: %w", err)
	}
	return &pr, nil
}
