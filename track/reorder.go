package track

import (
	"cmp"
	"slices"
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
}

type bucket struct {
	items []item // items[head:] wait
	head  int
	// unsorted: an input arrived earlier than the one before it.
	unsorted bool
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
		all = append(all, q.pop())
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
	if w := len(bk.items); w > bk.head && it.before(&bk.items[w-1]) {
		bk.unsorted = true
	}
	bk.items = append(bk.items, *it)
	q.n++
}

// peek returns the earliest input; the queue must not be empty.
func (q *reorder) peek() *item {
	bk := q.at(q.first)
	for bk.head == len(bk.items) {
		q.first++
		bk = q.at(q.first)
	}
	if bk.unsorted {
		slices.SortFunc(bk.items[bk.head:], func(a, b item) int {
			if c := cmp.Compare(a.ns, b.ns); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		bk.unsorted = false
	}
	return &bk.items[bk.head]
}

// pop removes and returns the earliest input; the queue must not be empty.
func (q *reorder) pop() item {
	it := *q.peek()
	bk := q.at(q.first)
	bk.items[bk.head] = item{} // drop the Static and Station references
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
			bk.items = make([]item, 0, min(n+n/4+4, 1024))
		}
	}
	q.n--
	return it
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
