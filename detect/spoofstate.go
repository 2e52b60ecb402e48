package detect

import (
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/internal/statecodec"
)

// The spoofing detector keeps, per vessel under way, the turns of its last
// SpoofCircleWindow and the fixes of its run at speed (circling and
// sailingInPlace): at real reporting rates these were ~11 kB of a vessel's
// 12.7 kB checkpoint (issue 17 wants 2 kB per live vessel). Positions are
// kept in AIS units, which hold every decoded AIS position exactly, and
// saved as differences from the previous one; a checkpoint holds only the
// live part of a run, and what can be computed again (reach bounds) is.

// aisUnits is the AIS position resolution, 1/10000 minute: a decoded AIS
// position is a whole number of these, so int32 units hold it exactly (a
// CSV's decimal degrees are rounded by at most 0.1 m).
const aisUnits = 600000

func toUnits(deg float64) int32   { return int32(math.Round(deg * aisUnits)) }
func fromUnits(u int32) float64   { return float64(u) / aisUnits }
func onUnits(deg float64) float64 { return fromUnits(toUnits(deg)) }

// stepFix is what coherent (and spike) need of the MMSI's previous fix.
type stepFix struct {
	at                 stamp
	Lat, Lon, SOG, COG float64
}

// streams are the MMSI's position streams spoofPoint follows, by segment
// number, in ascending order (segments are numbered as they open, so a
// new one goes last): a vessel has one or two, up to maxSpoofSegs, which
// a map held in 190 bytes for one.
type streams []stream

type stream struct {
	id int
	si *segInfo
}

func (ss streams) get(id int) *segInfo {
	for i := range ss {
		if ss[i].id == id {
			return ss[i].si
		}
	}
	return nil
}

// put adds stream id, which ss does not hold.
func (ss *streams) put(id int, si *segInfo) {
	i := len(*ss)
	for i > 0 && (*ss)[i-1].id > id {
		i--
	}
	*ss = slices.Insert(*ss, i, stream{id, si})
}

func (ss *streams) del(id int) {
	*ss = slices.DeleteFunc(*ss, func(x stream) bool { return x.id == id })
}

// runClock dates the entries of a run (turns, fixes at speed): each keeps
// its time as the whole seconds since base (its sec), which is what the
// whole-second receive times of AIS feeds give, in 4 bytes where Unix
// nanoseconds took 8 (the runs are most of a vessel's state at real
// rates). A time that is not whole seconds after base (a fraction of a
// second, 136 years on) makes the run keep every entry's time whole in
// wide, beside its entries, until it empties (behind a pointer: it is
// rare, and the pointer keeps a vessel's spoofing state in a 384-byte
// allocation).
type runClock struct {
	base int64    // Unix nanoseconds
	wide *[]int64 // nil while each entry's time is base plus its sec
}

// sec is ns as whole seconds since c.base; ok is false when it cannot be.
func (c *runClock) sec(ns int64) (sec uint32, ok bool) {
	d := ns - c.base
	if d < 0 || d%1e9 != 0 || d/1e9 > math.MaxUint32 {
		return 0, false
	}
	return uint32(d / 1e9), true
}

// ns is the time of entry i, which keeps sec.
func (c *runClock) ns(i int, sec uint32) int64 {
	if c.wide != nil {
		return (*c.wide)[i]
	}
	return c.base + int64(sec)*1e9
}

// widen makes c keep whole times for n entries in a room of room, the
// seconds of entry i being sec(i).
func (c *runClock) widen(n, room int, sec func(int) uint32) {
	wide := make([]int64, n, room)
	for i := range wide {
		wide[i] = c.base + int64(sec(i))*1e9
	}
	c.wide = &wide
}

// stamp is ns as the run keeps it, for an entry put after the n (of room)
// it holds, whose seconds sec reads: the first time seconds cannot hold
// widens the run's clock to whole times.
func (c *runClock) stamp(ns int64, n, room int, sec func(i int) uint32) uint32 {
	s, ok := c.sec(ns)
	if !ok && c.wide == nil {
		c.widen(n, room, sec)
	}
	return s
}

// kept notes the whole time of the entry just put, on a widened clock.
func (c *runClock) kept(ns int64) {
	if c.wide != nil {
		*c.wide = append(*c.wide, ns)
	}
}

// turn is the signed turn at the end of a leg, where the leg ended, the
// turn a float32 (a few millionths of a degree off, on sums compared with
// whole turns), and when (see runClock).
type turn struct {
	deg      float32
	lat, lon int32 // AIS units
	sec      uint32
}

func (t *turn) latLon() (float64, float64) { return fromUnits(t.lat), fromUnits(t.lon) }

// turnRun is circling's turns: 16 bytes a turn with its time, where a
// turn and its time as Unix nanoseconds took 20.
type turnRun struct {
	at    []turn
	clock runClock
}

// ns is when turn i was made (Unix nanoseconds).
func (r *turnRun) ns(i int) int64 { return r.clock.ns(i, r.at[i].sec) }

// add appends t made at ns. The oldest turns are dropped by slicing them
// off the front (drop), so append would keep doubling a room whose front
// is dead; a full one is replaced by a room an eighth larger than the
// live turns instead (as inPlaceRun.add does).
func (r *turnRun) add(t turn, ns int64) {
	if len(r.at) == cap(r.at) {
		room := max(keptRoom, len(r.at)+len(r.at)/8+1)
		at := make([]turn, len(r.at), room)
		copy(at, r.at)
		r.at = at
		if r.clock.wide != nil {
			wide := make([]int64, len(r.at), room)
			copy(wide, *r.clock.wide)
			*r.clock.wide = wide
		}
	}
	r.put(t, ns)
}

// put appends t made at ns in the room there is.
func (r *turnRun) put(t turn, ns int64) {
	if len(r.at) == 0 {
		r.clock = runClock{base: ns}
	}
	t.sec = r.clock.stamp(ns, len(r.at), cap(r.at), func(i int) uint32 { return r.at[i].sec })
	r.at = append(r.at, t)
	r.clock.kept(ns)
}

// drop drops the n oldest turns.
func (r *turnRun) drop(n int) {
	r.at = r.at[n:]
	if r.clock.wide != nil {
		*r.clock.wide = (*r.clock.wide)[n:]
	}
}

func (r *turnRun) reset() { r.at, r.clock = shrink(r.at), runClock{} }

// inPlaceFix is a fix of the run at speed, placed by its position in AIS
// units (every new fix is tested against those kept whose reach does not
// settle it). Its course's quadrant is kept in the low bits of its
// latitude (whose AIS units need 27 bits), and its time as seconds (see
// runClock): 16 bytes, where a fix with its time took 24, then 20.
type inPlaceFix struct {
	reach     float32 // see kmTest.cutFar
	latq, lon int32   // AIS units; latq is the latitude's times 4 plus the quadrant
	sec       uint32
}

// inPlaceAt is the kept fix on course quadrant quad, at (whose position
// is on AIS units), with reach.
func inPlaceAt(quad uint8, at *placed, reach float64) inPlaceFix {
	return inPlaceFix{reach: up32(reach), latq: toUnits(at.lat)<<2 | int32(quad&3), lon: toUnits(at.lon)}
}

func (f *inPlaceFix) lat() int32 { return f.latq >> 2 }
func (f *inPlaceFix) quad() int  { return int(f.latq & 3) }

func (f *inPlaceFix) latLon() (float64, float64) { return fromUnits(f.lat()), fromUnits(f.lon) }

// inPlaceRun is the run of fixes at speed that sailingInPlace keeps:
// fixes[head:]. fixes[:head] are dropped fixes whose room is reused;
// travelled is cutFar's.
type inPlaceRun struct {
	fixes     []inPlaceFix
	clock     runClock
	head      int
	travelled float64
}

func (r *inPlaceRun) live() []inPlaceFix { return r.fixes[r.head:] }

// ns is when fixes[i] was reported (Unix nanoseconds).
func (r *inPlaceRun) ns(i int) int64 { return r.clock.ns(i, r.fixes[i].sec) }

func (r *inPlaceRun) reset() {
	r.fixes, r.clock, r.head, r.travelled = shrink(r.fixes), runClock{}, 0, 0
}

// add drops the cut oldest live fixes, and appends f after dropping the
// oldest while more than inPlaceFloor are live and the oldest is more than
// keep older than f, or maxInPlaceFixes are live. A ship
// sailing on drops its oldest fix on every fix: the dropped ones stay in
// front of head until the room is full rather than the rest being copied
// down each time. Room a run no longer needs goes: a run of a few hundred
// fixes at 3-5 kn, followed by a few dozen sailing on at 12 kn, kept its
// peak's room for good (a quarter of the pipeline's heap per vessel on the
// real-rate demo day). The room is an eighth larger than the live fixes,
// not a quarter, and is kept only up to a quarter more than that: the
// copies cost little beside cutFar's tests, and the runs were still 40%
// room no fix used on the real-rate demo day (6.9 kB of state a vessel
// then, 6.5 kB now).
func (r *inPlaceRun) add(cut int, f inPlaceFix, ns int64, keep time.Duration) {
	r.head += cut
	for live := len(r.fixes) - r.head; live >= maxInPlaceFixes || live > inPlaceFloor && ns-r.ns(r.head) > int64(keep); live-- {
		r.head++
	}
	if len(r.fixes) == cap(r.fixes) {
		// Full: the live fixes go to the start of a room an eighth
		// larger than they need (the slice's own growth would double
		// it), this one if that fits and is not much larger.
		live := len(r.fixes) - r.head
		room := max(keptRoom, live+live/8+1)
		if cap(r.fixes) >= room && cap(r.fixes) <= room+room/4 {
			r.fixes = r.fixes[:copy(r.fixes, r.live())]
			if w := r.clock.wide; w != nil {
				*w = (*w)[:copy(*w, (*w)[r.head:])]
			}
		} else {
			fs := make([]inPlaceFix, live, room)
			copy(fs, r.live())
			r.fixes = fs
			if w := r.clock.wide; w != nil {
				wide := make([]int64, live, room)
				copy(wide, (*w)[r.head:])
				*w = wide
			}
		}
		r.head = 0
	}
	r.put(f, ns)
}

// put appends f reported at ns in the room there is.
func (r *inPlaceRun) put(f inPlaceFix, ns int64) {
	if len(r.fixes) == r.head {
		// No fix is live: the clock starts again (the dropped fixes'
		// times are never read).
		r.clock = runClock{base: ns}
	}
	f.sec = r.clock.stamp(ns, len(r.fixes), cap(r.fixes), func(i int) uint32 { return r.fixes[i].sec })
	r.fixes = append(r.fixes, f)
	r.clock.kept(ns)
}

// A run of up to inPlaceFloor fixes is kept whole, however long it lasts:
// a circle drawn for satellites is heard a few times a day for days. A
// denser one keeps the fixes of the last keep (add); the pattern needs
// SpoofInPlaceMin of them. maxInPlaceFixes bounds a run by count: a
// course along a quadrant's edge keeps every report (each on a new
// quadrant), where twelve hours at one fix per minCircleLeg are 1,440.
const (
	inPlaceFloor    = 256
	maxInPlaceFixes = 4096
)

// keptRoom is the room for fixes or turns an emptied run keeps: beyond it
// the room goes with the run (most vessels are in port or slow most of
// the time, and need none).
const keptRoom = 16

// shrink empties s, keeping its room only if small.
func shrink[T any](s []T) []T {
	if cap(s) > keptRoom {
		return nil
	}
	return s[:0]
}

var spoofCodecs = []statecodec.Option{
	statecodec.Skip(spoofState{}, "lastIn"),
	statecodec.With(turnRun{}, statecodec.Custom{Enc: encTurns, Dec: decTurns}),
	statecodec.With(inPlaceRun{}, statecodec.Custom{Enc: encInPlace, Dec: decInPlace}),
}

// Times are whole seconds in most feeds: a difference is saved as seconds
// then (one byte for a leg), with the low bit telling which.
func encNs(w *statecodec.Writer, d int64) {
	if d%1e9 == 0 {
		w.Varint(d / 1e9 << 1)
	} else {
		w.Varint(d<<1 | 1)
	}
}

func decNs(r *statecodec.Reader) (int64, error) {
	x, err := r.Varint()
	if x&1 == 0 {
		return x >> 1 * 1e9, err
	}
	return x >> 1, err
}

// deltas writes and reads a run of (time, position) as the differences
// from the one before.
type deltas struct {
	ns       int64
	lat, lon int32
}

func (d *deltas) enc(w *statecodec.Writer, ns int64, lat, lon int32) {
	encNs(w, ns-d.ns)
	w.Varint(int64(lat - d.lat))
	w.Varint(int64(lon - d.lon))
	*d = deltas{ns, lat, lon}
}

func (d *deltas) dec(r *statecodec.Reader) error {
	dns, err := decNs(r)
	if err != nil {
		return err
	}
	dlat, err := r.Varint()
	if err != nil {
		return err
	}
	dlon, err := r.Varint()
	d.ns, d.lat, d.lon = d.ns+dns, d.lat+int32(dlat), d.lon+int32(dlon)
	return err
}

func encTurns(w *statecodec.Writer, v reflect.Value) error {
	ts := v.Addr().Interface().(*turnRun)
	w.Uvarint(uint64(len(ts.at)))
	var at deltas
	for i, t := range ts.at {
		at.enc(w, ts.ns(i), t.lat, t.lon)
		w.Float32(t.deg)
	}
	return nil
}

func decTurns(r *statecodec.Reader, v reflect.Value) error {
	n, err := r.Uvarint()
	if err != nil || n == 0 {
		v.Set(reflect.Zero(v.Type()))
		return err
	}
	ts := turnRun{at: make([]turn, 0, min(n, 1<<16))}
	var at deltas
	for range n {
		if err := at.dec(r); err != nil {
			return err
		}
		deg, err := r.Float32()
		if err != nil {
			return err
		}
		ts.add(turn{deg: deg, lat: at.lat, lon: at.lon}, at.ns)
	}
	v.Set(reflect.ValueOf(ts))
	return nil
}

// encInPlace saves the live fixes only; the reach bounds (a cache that only skips tests whose answer
// is sure) start over.
func encInPlace(w *statecodec.Writer, v reflect.Value) error {
	run := v.Addr().Interface().(*inPlaceRun)
	fs := run.live()
	w.Uvarint(uint64(len(fs)))
	var at deltas
	for i := range fs {
		f := &fs[i]
		at.enc(w, run.ns(run.head+i), f.lat(), f.lon)
		w.Uvarint(uint64(f.quad()))
	}
	return nil
}

func decInPlace(r *statecodec.Reader, v reflect.Value) error {
	n, err := r.Uvarint()
	if err != nil {
		return err
	}
	run := inPlaceRun{fixes: make([]inPlaceFix, 0, min(n, 1<<16))}
	var at deltas
	for range n {
		if err := at.dec(r); err != nil {
			return err
		}
		q, err := r.Uvarint()
		if err != nil {
			return err
		}
		pl := place(fromUnits(at.lat), fromUnits(at.lon))
		run.put(inPlaceAt(uint8(q)&3, &pl, math.Inf(1)), at.ns)
	}
	v.Set(reflect.ValueOf(run))
	return nil
}
