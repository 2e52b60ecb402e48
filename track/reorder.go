package track

import (
	"cmp"
	"math"
	"slices"
	"time"
	"unsafe"
)

// reorder is the reorder window: the inputs waiting to be processed, given
// back in (time, arrival) order. Every queued input lies between the
// latest processed and the latest seen, at most ReorderWindow apart (push
// processes what falls out of it), so they fit a ring of buckets of
// width ns each, by time: an input is appended to its bucket, and a bucket
// is sorted only if an input arrived in it out of order (receive times in
// whole seconds, as tag blocks give them, fill one-second buckets in
// order). Dense feeds heard by several stations put a large share of
// their inputs out of order by a few seconds; a heap took them at
// log(window) comparisons each, a fifth of the tracker's time on a
// national feed.
type reorder struct {
	width   int64    // ns per bucket
	buckets []bucket // ring: the bucket of time ns is buckets[ns/width mod len]
	first   int64    // bucket number (ns/width) of the earliest input, when n > 0
	last    int64    // bucket number of the latest input, when n > 0
	n       int      // inputs queued
	// What a qitem cannot hold: static reports, and fixes whose values
	// its compact fields would not give back exactly; a qitem names its
	// entry. free* list the entries to reuse.
	statics      []*Static
	spilled      []Fix
	freeS, freeF []uint32
}

type bucket struct {
	items []qitem // items[head:] wait, in arrival order unless unsorted
	head  int
	// unsorted: an input arrived earlier than the one before it.
	unsorted bool
}

// qitem is an input as it waits in the reorder window: 40 bytes, where
// an item takes 96, and no pointers for the garbage collector to follow.
// The window holds ten minutes of the feed: at real rates this was the
// largest share of the pipeline's heap per vessel. A fix is held by its
// own values wherever they come back exactly (a receive time in UTC,
// speed and course in tenths, a status below 16, as every decoded AIS
// report has them); anything else goes whole into the reorder's side
// table, so the tracker sees every input as it came.
type qitem struct {
	ns       int64 // time, Unix nanoseconds
	lat, lon float64
	mmsi     uint32
	ext      uint32 // the entry in statics or spilled (see kind)
	sog, cog uint16 // tenths; noTenths: NaN
	heading  int16
	// bits holds the status (low 4 bits), hasPos (qPos) and the kind of
	// input (qStatic, qSpilled: the input is in the side table).
	bits  uint8
	class byte
}

const (
	qPos     = 1 << 4
	qStatic  = 1 << 5
	qSpilled = 1 << 6
	noTenths = math.MaxUint16
)

// tenths gives v (knots, degrees) in tenths, when that holds it exactly.
func tenths(v float64) (uint16, bool) {
	if math.IsNaN(v) {
		return noTenths, math.Float64bits(v) == math.Float64bits(fromTenths(noTenths))
	}
	r := math.Round(v * 10)
	if !(r >= 0 && r < noTenths) {
		return 0, false
	}
	u := uint16(r)
	return u, math.Float64bits(fromTenths(u)) == math.Float64bits(v)
}

// fromTenths divides as the AIS decoder does, so that a decoded speed or
// course comes back bit for bit.
func fromTenths(u uint16) float64 {
	if u == noTenths {
		return math.NaN()
	}
	return float64(u) / 10
}

func nsTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// enqueue converts it into its queued form.
func (q *reorder) enqueue(it *item) qitem {
	f := &it.fix
	x := qitem{ns: it.ns, mmsi: f.MMSI}
	if it.static != nil {
		x.bits, x.ext = qStatic, take(&q.statics, &q.freeS, it.static)
		return x
	}
	sog, ok1 := tenths(f.SOG)
	cog, ok2 := tenths(f.COG)
	if ok1 && ok2 && f.Status < 16 && f.Time == nsTime(it.ns) {
		x.lat, x.lon, x.sog, x.cog, x.heading, x.bits, x.class = f.Lat, f.Lon, sog, cog, f.Heading, f.Status, f.Class
		if f.HasPos {
			x.bits |= qPos
		}
		return x
	}
	x.bits, x.ext = qSpilled, take(&q.spilled, &q.freeF, *f)
	return x
}

// dequeue gives x back into it as the item it was queued from.
func (q *reorder) dequeue(x *qitem, it *item) {
	switch {
	case x.bits&qStatic != 0:
		p := q.statics[x.ext]
		q.statics[x.ext] = nil
		q.freeS = append(q.freeS, x.ext)
		*it = item{ns: x.ns, static: p, fix: Fix{MMSI: x.mmsi}}
		return
	case x.bits&qSpilled != 0:
		it.ns, it.static, it.fix = x.ns, nil, q.spilled[x.ext]
		q.spilled[x.ext] = Fix{}
		q.freeF = append(q.freeF, x.ext)
		return
	}
	it.ns, it.static = x.ns, nil
	it.fix = Fix{MMSI: x.mmsi, HasPos: x.bits&qPos != 0, Class: x.class, Heading: x.heading,
		Status: x.bits & 15, Time: nsTime(x.ns), Lat: x.lat, Lon: x.lon, SOG: fromTenths(x.sog), COG: fromTenths(x.cog)}
}

// take puts v in the side table s, in a free entry if there is one, and
// returns its index.
func take[T any](s *[]T, free *[]uint32, v T) uint32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		(*s)[i] = v
		return i
	}
	*s = append(*s, v)
	return uint32(len(*s) - 1)
}

// maxBuckets bounds the ring; a longer window takes wider buckets.
const maxBuckets = 4096

// setup sizes the ring for window (ns), keeping what waits.
func (q *reorder) setup(window int64) {
	width := max(int64(1e9), window/(maxBuckets-2)+1)
	size := int(window/width) + 3
	if q.width == width && len(q.buckets) == size {
		return
	}
	var all []item
	for q.n > 0 {
		var it item
		q.pop(&it)
		all = append(all, it)
	}
	*q = reorder{width: width, buckets: make([]bucket, size)}
	for i := range all {
		q.push(&all[i])
	}
}

func (q *reorder) num(ns int64) int64 {
	b := ns / q.width
	if ns < 0 && b*q.width != ns {
		b--
	}
	return b
}

func (q *reorder) at(num int64) *bucket {
	i := num % int64(len(q.buckets))
	if i < 0 {
		i += int64(len(q.buckets))
	}
	return &q.buckets[i]
}

// fits says whether an input at ns can be queued without pushing the ring
// past what it holds.
func (q *reorder) fits(ns int64) bool {
	if q.n == 0 {
		return true
	}
	b := q.num(ns)
	return max(q.last, b)-min(q.first, b) < int64(len(q.buckets))
}

// push queues it; the ring must have room (fits).
func (q *reorder) push(it *item) {
	b := q.num(it.ns)
	if q.n == 0 {
		q.first, q.last = b, b
	} else {
		q.first, q.last = min(q.first, b), max(q.last, b)
	}
	bk := q.at(b)
	if w := len(bk.items); w > bk.head && it.ns < bk.items[w-1].ns {
		bk.unsorted = true
	}
	bk.items = append(bk.items, q.enqueue(it))
	q.n++
}

// peek returns the time of the earliest input; the queue must not be
// empty.
func (q *reorder) peek() int64 { return q.front().ns }

// front returns the earliest input: of those of one time, the first to
// arrive.
func (q *reorder) front() *qitem {
	bk := q.at(q.first)
	for bk.head == len(bk.items) {
		q.first++
		bk = q.at(q.first)
	}
	if bk.unsorted {
		slices.SortStableFunc(bk.items[bk.head:], func(a, b qitem) int { return cmp.Compare(a.ns, b.ns) })
		bk.unsorted = false
	}
	return &bk.items[bk.head]
}

// pop removes the earliest input and gives it back in it; the queue must
// not be empty.
func (q *reorder) pop(it *item) {
	q.dequeue(q.front(), it)
	bk := q.at(q.first)
	bk.head++
	if n := len(bk.items); bk.head == n {
		bk.items, bk.head = bk.items[:0], 0
		if c := cap(bk.items); c > 1024 || c > n+n/2+8 {
			// A burst's room goes with it: a national feed puts a few
			// hundred inputs in a second, and a ring of buckets each
			// keeping a flood's thousands would hold the whole flood
			// (hostile.TestFloodOneMMSI). Nor does a bucket keep the
			// room of its busiest second for good, doubled by append:
			// the ring held 2.5 times the inputs waiting (8 kB of the
			// pipeline's heap per vessel on the real-rate demo day).
			// It takes about what it held instead, for its next second
			// a window later.
			bk.items = make([]qitem, 0, min(n+n/4+4, 1024))
		}
	}
	q.n--
	if q.n == 0 {
		// A burst's side tables go with it.
		q.statics, q.spilled, q.freeS, q.freeF = nil, nil, nil, nil
	}
}

// compact moves each bucket's waiting inputs to its start, so that saved
// state holds no processed ones.
func (q *reorder) compact() {
	for i := range q.buckets {
		bk := &q.buckets[i]
		if bk.head > 0 {
			n := copy(bk.items, bk.items[bk.head:])
			clear(bk.items[n:])
			bk.items, bk.head = bk.items[:n], 0
		}
	}
}

// QueueBytes is the heap the reorder window holds: the room of its
// buckets and side tables, the static reports waiting in it and those
// kept for reuse. It is a buffer of the feed (its rate times
// ReorderWindow), not state of any vessel: figures of state per vessel
// leave it out.
func (t *Tracker) QueueBytes() int {
	q := &t.queue
	n := len(q.buckets) * int(unsafe.Sizeof(bucket{}))
	for i := range q.buckets {
		n += cap(q.buckets[i].items) * int(unsafe.Sizeof(qitem{}))
	}
	n += cap(q.statics)*int(unsafe.Sizeof((*Static)(nil))) + cap(q.spilled)*int(unsafe.Sizeof(Fix{})) + 4*(cap(q.freeS)+cap(q.freeF))
	statics := len(t.spare)
	for _, s := range q.statics {
		if s != nil {
			statics++
		}
	}
	return n + statics*int(unsafe.Sizeof(Static{})) + cap(t.spare)*int(unsafe.Sizeof((*Static)(nil)))
}
