package detect

import (
	"math"
	"reflect"
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

// turn is the signed turn at the end of a leg, where the leg ended, the
// turn a float32 (a few millionths of a degree off, on sums compared with
// whole turns).
type turn struct {
	deg      float32
	lat, lon int32 // AIS units
}

func (t *turn) latLon() (float64, float64) { return fromUnits(t.lat), fromUnits(t.lon) }

// turnRun is circling's turns, at[i] made at ns[i] (Unix nanoseconds):
// kept apart, a turn takes 12 bytes and its time 8, where the two together
// took 24.
type turnRun struct {
	at []turn
	ns []int64
}

// add appends t made at ns. The oldest turns are dropped by slicing them
// off the front (drop), so append would keep doubling a room whose front
// is dead; a full one is replaced by a room an eighth larger than the
// live turns instead (as inPlaceRun.add does).
func (r *turnRun) add(t turn, ns int64) {
	if len(r.at) == cap(r.at) {
		room := max(keptRoom, len(r.at)+len(r.at)/8+1)
		at := make([]turn, len(r.at), room)
		copy(at, r.at)
		nss := make([]int64, len(r.ns), room)
		copy(nss, r.ns)
		r.at, r.ns = at, nss
	}
	r.at, r.ns = append(r.at, t), append(r.ns, ns)
}

// drop drops the n oldest turns.
func (r *turnRun) drop(n int) { r.at, r.ns = r.at[n:], r.ns[n:] }

func (r *turnRun) reset() { r.at, r.ns = shrink(r.at), shrink(r.ns) }

// inPlaceFix is a fix of the run at speed, placed by its position in AIS
// units (every new fix is tested against those kept whose reach does not
// settle it). Its time is kept beside it (inPlaceRun.ns), and
// its course's quadrant in the low bits of its latitude (whose AIS units
// need 27 bits): 12 bytes and 8, where a fix with its time took 24.
type inPlaceFix struct {
	reach     float32 // see kmTest.cutFar
	latq, lon int32   // AIS units; latq is the latitude's times 4 plus the quadrant
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
// fixes[head:], at the times (Unix nanoseconds) ns[head:]. fixes[:head]
// are dropped fixes whose room is reused; travelled is cutFar's.
type inPlaceRun struct {
	fixes     []inPlaceFix
	ns        []int64
	head      int
	travelled float64
}

func (r *inPlaceRun) live() []inPlaceFix { return r.fixes[r.head:] }

func (r *inPlaceRun) liveNs() []int64 { return r.ns[r.head:] }

func (r *inPlaceRun) reset() {
	r.fixes, r.ns, r.head, r.travelled = shrink(r.fixes), shrink(r.ns), 0, 0
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
	for live := len(r.fixes) - r.head; live >= maxInPlaceFixes || live > inPlaceFloor && ns-r.ns[r.head] > int64(keep); live-- {
		r.head++
	}
	if len(r.fixes) == cap(r.fixes) {
		// Full: the live fixes go to the start of a room an eighth
		// larger than they need (the slice's own growth would double
		// it), this one if that fits and is not much larger.
		live := len(r.fixes) - r.head
		room := max(keptRoom, live+live/8+1)
		if cap(r.fixes) >= room && cap(r.fixes) <= room+room/4 {
			n := copy(r.fixes, r.live())
			r.fixes = r.fixes[:n]
			r.ns = r.ns[:copy(r.ns, r.liveNs())]
		} else {
			fs := make([]inPlaceFix, live, room)
			copy(fs, r.live())
			r.fixes = fs
			ns := make([]int64, live, room)
			copy(ns, r.liveNs())
			r.ns = ns
		}
		r.head = 0
	}
	r.fixes = append(r.fixes, f)
	r.ns = append(r.ns, ns)
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
		at.enc(w, ts.ns[i], t.lat, t.lon)
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
	ts := turnRun{make([]turn, 0, min(n, 1<<16)), make([]int64, 0, min(n, 1<<16))}
	var at deltas
	for range n {
		if err := at.dec(r); err != nil {
			return err
		}
		deg, err := r.Float32()
		if err != nil {
			return err
		}
		ts.at, ts.ns = append(ts.at, turn{deg, at.lat, at.lon}), append(ts.ns, at.ns)
	}
	v.Set(reflect.ValueOf(ts))
	return nil
}

// encInPlace saves the live fixes only; the reach bounds (a cache that only skips tests whose answer
// is sure) start over.
func encInPlace(w *statecodec.Writer, v reflect.Value) error {
	run := v.Addr().Interface().(*inPlaceRun)
	fs, ns := run.live(), run.liveNs()
	w.Uvarint(uint64(len(fs)))
	var at deltas
	for i := range fs {
		f := &fs[i]
		at.enc(w, ns[i], f.lat(), f.lon)
		w.Uvarint(uint64(f.quad()))
	}
	return nil
}

func decInPlace(r *statecodec.Reader, v reflect.Value) error {
	n, err := r.Uvarint()
	if err != nil {
		return err
	}
	run := inPlaceRun{fixes: make([]inPlaceFix, 0, min(n, 1<<16)), ns: make([]int64, 0, min(n, 1<<16))}
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
		run.fixes = append(run.fixes, inPlaceAt(uint8(q)&3, &pl, math.Inf(1)))
		run.ns = append(run.ns, at.ns)
	}
	v.Set(reflect.ValueOf(run))
	return nil
}
