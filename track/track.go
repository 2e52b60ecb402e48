// Package track turns decoded AIS positions into clean per-vessel tracks:
// time-ordered within a bounded reorder window, duplicates heard by several
// stations merged, impossible positions flagged with a reason, and vessels
// that share one MMSI separated into segments.
//
// Its input is plain structs of its own (Fix, Static) so that it does not
// depend on any one decoder or file format.
package track

import (
	"maps"
	"math"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/geo"
)

// Fix is one position report as decoded.
type Fix struct {
	MMSI uint32
	// HasPos is false when the report carried the "not available" markers
	// (lat 91, lon 181) or no position at all.
	HasPos bool
	// Class is 'A' or 'B' (0 when unknown). (The small fields share the
	// MMSI's word: the reorder window and every detector's last points
	// hold many Fixes.)
	Class byte
	// Heading is degrees true, -1 when not available.
	Heading int16
	// Status is the AIS navigational status (15 = not defined).
	Status   uint8
	Time     time.Time
	Lat, Lon float64
	// SOG (knots) and COG (degrees) are NaN when not available.
	SOG, COG float64
}

// Static is one static/voyage report (AIS types 5, 19, 24). Zero values
// mean "not reported in this message".
type Static struct {
	MMSI        uint32
	Time        time.Time
	IMO         uint32
	Name        string
	CallSign    string
	ShipType    int
	Length      float64 // metres, bow to stern
	Beam        float64 // metres
	Draught     float64 // metres
	Destination string
}

// Reason says why a fix was flagged.
type Reason string

const (
	OK         Reason = ""
	NoPosition Reason = "no_position"
	OnLand     Reason = "on_land"
	TooFast    Reason = "too_fast"
	Ambiguous  Reason = "ambiguous"
	// Displaced: the fix opened a segment of its own, off every open
	// segment's envelope, at an implied speed a ship could make but did
	// not make along its track (a GPS glitch 5-10 km off, unless later
	// fixes join it).
	Displaced Reason = "displaced"
)

// Point is a fix placed on a track.
type Point struct {
	Fix
	// Seg numbers the segment of this MMSI the fix was assigned to (1, 2,
	// …); 0 for flagged fixes that belong to no segment.
	Seg  int
	Flag Reason
	// ImpliedKn is the speed implied from the MMSI's previous positioned
	// fix, whatever its segment (NaN for the first).
	ImpliedKn float64
	// NewSeg is true when this fix opened a segment.
	NewSeg bool
	// GlitchSeg, when not 0, is a segment of this MMSI closed as this fix
	// joined its own: that segment's last fix, heard alone after a
	// silence, was a GPS glitch, which this fix's segment left at once by
	// an impossible jump (its first fix, flagged TooFast) and now confirms
	// as the track (see leftAlone).
	GlitchSeg int
}

// Land answers whether a point lies on land, and how far it is from the
// shore. *geo.Land satisfies it.
type Land interface {
	OnLand(lat, lon float64) bool
	DistanceToShoreKm(lat, lon float64) float64
}

// Config holds the tracker's thresholds.
type Config struct {
	// ReorderWindow is how far out of order fixes may arrive and still be
	// put back in time order; older arrivals are processed late.
	ReorderWindow time.Duration
	// DedupWindow: identical reports of one MMSI within it are one message.
	DedupWindow time.Duration
	// MaxSpeedKn is the implied speed above which a fix is impossible.
	MaxSpeedKn float64
	// SegmentSpeedKn is the envelope a fix must fit to join a segment
	// (Global Fishing Watch's segmenter uses 25 kn).
	SegmentSpeedKn float64
	// SegmentNoiseKm is a distance allowance added to the envelope for
	// GPS noise and short intervals.
	SegmentNoiseKm float64
	// AmbiguityRatio: when the best two segments' discrepancies are within
	// this ratio of each other the fix is ambiguous.
	AmbiguityRatio float64
	// SegmentMaxIdle closes a segment that has heard nothing for this long.
	SegmentMaxIdle time.Duration
	// LoneMaxIdle: a segment GlitchIdle closed (one fix, off the track,
	// stopped) is reopened by a fix where it would be now for this long
	// after it:
	// a second hull heard by satellites only now and then may be heard
	// again a day and more later, a glitch does not come back (seed 10014:
	// 25.7 h between a second hull's first two fixes). 0: SegmentMaxIdle.
	LoneMaxIdle time.Duration
	// InlandKm: a fix on land further than this from the shore is flagged
	// (a fix on the coastline or in a river port is not).
	InlandKm float64
	// ClockAhead and ClockBehind: an input this far after or before the
	// stream's clock does not fit it; ClockConfirm inputs must agree
	// before the stream is believed to have jumped (see clock.go). 0
	// ClockConfirm turns the check off.
	ClockAhead, ClockBehind time.Duration
	ClockConfirm            int
	// FutureSlack: an input later than the wall clock plus this is
	// quarantined (station clocks run a little fast).
	FutureSlack time.Duration
	// Now is the wall clock (nil: time.Now); tests set it.
	Now func() time.Time
	// GlitchIdle closes a segment that a jump off the track opened and no
	// second fix joined within this long: a lone glitch, whose segment,
	// dead-reckoned on for a day, would otherwise catch the real track
	// hours later and split it in two.
	GlitchIdle time.Duration
	// MaxQueued bounds the reorder queue: beyond it the earliest input is
	// processed at once, as if its window had passed (Stats.Overflow), so
	// that a flood (a million reports of one MMSI in a minute) costs a
	// bounded buffer, not memory in proportion to it. 0: no bound.
	MaxQueued int
	// MaxSegments bounds an MMSI's open segments: a new one beyond it
	// closes the one heard from longest ago (Stats.SegmentsClosed). A
	// broken or spoofing GPS that jumps with every report would otherwise
	// open a segment per report, each kept a day, and every fix would be
	// compared with all of them. 0: no bound.
	MaxSegments int
}

// DefaultConfig returns the defaults, following Global Fishing Watch's
// segmenter where it has one.
func DefaultConfig() Config {
	return Config{
		ReorderWindow:  10 * time.Minute,
		DedupWindow:    2 * time.Minute,
		MaxSpeedKn:     50,
		SegmentSpeedKn: 25,
		SegmentNoiseKm: 1,
		AmbiguityRatio: 2,
		SegmentMaxIdle: 24 * time.Hour,
		LoneMaxIdle:    48 * time.Hour,
		InlandKm:       2,
		// An hour ahead is a quiet spell on any feed worth analysing; a
		// day behind covers satellite data merged late.
		ClockAhead:   time.Hour,
		ClockBehind:  24 * time.Hour,
		ClockConfirm: 8,
		FutureSlack:  time.Hour,
		GlitchIdle:   time.Hour,
		// Three times the ten minutes of a national feed (11M reports a
		// day); 136 bytes a report, up to about 100 MB of heap with the
		// queue's slack. A bigger feed overflows it now and then: its
		// reports are processed a little early, and the few that come
		// later still are counted late, not lost. A million held 400 MB.
		MaxQueued: 1 << 18,
		// Far more hulls than ever share one MMSI at once.
		MaxSegments: 16,
	}
}

const kmPerNm = 1.852

// Sink receives the tracker's output in time order. The pointers passed
// are valid only during the call: a sink copies what it keeps.
type Sink interface {
	Point(p *Point)
	Static(s *Static)
}

// item is an input on its way through the tracker: a fix or a static
// report (the reorder window keeps it in a smaller form, qitem).
type item struct {
	ns     int64 // time, Unix nanoseconds
	fix    Fix
	static *Static
}

// Stats counts what the tracker saw.
type Stats struct {
	Fixes      int64
	Duplicates int64
	Flagged    map[Reason]int64
	Late       int64 // arrived after their reorder window had passed
	Segments   int64
	// Quarantined counts inputs dropped before tracking because their time
	// could not be true or did not fit the stream's clock (see clock.go).
	Quarantined map[Reason]int64
	// Overflow counts inputs processed before their reorder window had
	// passed because the queue held Config.MaxQueued; SegmentsClosed the
	// segments closed early because an MMSI had Config.MaxSegments open.
	Overflow, SegmentsClosed int64
	// GlitchesClosed counts the segments closed because their last fix,
	// heard alone after a silence, was left at once for a track that went
	// on (see leftAlone).
	GlitchesClosed int64
}

// Tracker orders, merges, checks and segments fixes. It is not safe for
// concurrent use; shard by MMSI to run several.
type Tracker struct {
	cfg Config
	// quarantined is told of each position report quarantined.
	quarantined func(mmsi uint32, t time.Time, why Reason)
	land        Land
	sink        Sink
	queue       reorder
	maxSeen     int64
	emitted     int64
	clock       clockGuard
	// A wall clock reading and how many more inputs may use it (wall).
	wallNs   int64
	wallUses int
	live     bool // Advance has seen the stream keep up with the wall clock
	vessels  vesselTable
	stats    Stats
	land01   map[uint64]bool
	pt       Point
	// spare holds Statics already passed to the sink, for AddStatic to
	// reuse: the sink copies what it keeps, and one report in five is
	// static.
	spare []*Static
}

type segment struct {
	id     int
	last   Fix
	n      int
	jumped bool // opened by a fix flagged TooFast
	// prev is the fix before last (n >= 2): a fix that fits it but not
	// the last one shows the last was a lone glitch that fitted the
	// envelope. Once only (forgave: last was taken so): two hulls heard in
	// turn would otherwise be one segment.
	prev    Fix
	forgave bool
	// zig: opened by split, with the fix another hull on the MMSI sent
	// between two of this one's (see split); closed like a lone glitch
	// unless a second fix joins it.
	zig bool
	// fit is how well the last fix fitted the envelope when it joined
	// (discrepancy over allowance, an upper bound on the shortcut path):
	// only a last fix that fitted poorly can be the glitch.
	fit float64
	// left is the segment this one's first fix jumped from at once, its
	// last fix (at leftAt) heard alone after a silence (see leftAlone);
	// 0 once this one has confirmed, or there was none.
	left   int
	leftAt time.Time
}

type vessel struct {
	segs []*segment
	// lone are segments closed by GlitchIdle (the latest few): a fix
	// where one of them would be now (dead-reckoned, within
	// SegmentNoiseKm and a twentieth of the way) reopens it, since a
	// glitch does not come back to where it was, but a second hull heard
	// by a satellite now and then does.
	lone    []*segment
	nextSeg int
	prev    Fix // last positioned fix, any segment
	hasPrev bool
	// prevCos is the cosine of prev's latitude, which impliedKn would
	// otherwise take again for every fix; 0 until known (no latitude has
	// a cosine of 0: not even ±90° in floating point).
	prevCos float64
	recent  [4]dedupKey
	ri      int
	// hulls are the latest two hull dimensions the MMSI's static reports
	// gave, and when each was last reported (see split).
	hulls [2]hullSeen
	// The last land answer, for the cell the vessel is most likely still in.
	landKey uint64
	land    bool
	landOK  bool
}

type hullSeen struct {
	dim [2]int16 // length, beam (m)
	ns  int64
}

// sawHull notes the dimensions of a static report of v at ns.
func (v *vessel) sawHull(s *Static, ns int64) {
	if s.Length <= 0 || s.Beam <= 0 {
		return
	}
	k := [2]int16{int16(min(math.Round(s.Length), 9999)), int16(min(math.Round(s.Beam), 9999))}
	switch {
	case v.hulls[0].dim == k:
		v.hulls[0].ns = ns
	case v.hulls[1].dim == k:
		v.hulls[1].ns = ns
	case v.hulls[0].ns <= v.hulls[1].ns:
		v.hulls[0] = hullSeen{k, ns}
	default:
		v.hulls[1] = hullSeen{k, ns}
	}
}

// twoHulls says whether static reports of two hulls' dimensions came
// under the MMSI within a day before ns.
func (v *vessel) twoHulls(ns int64) bool {
	const day = int64(24 * time.Hour)
	h := &v.hulls
	return h[0].ns != 0 && h[1].ns != 0 && ns-h[0].ns <= day && ns-h[1].ns <= day
}

type dedupKey struct {
	t        int64
	lat, lon float64
}

// New returns a Tracker writing to sink. land may be nil (no land check).
func New(cfg Config, land Land, sink Sink) *Tracker {
	t := &Tracker{cfg: cfg, land: land, sink: sink,
		stats: Stats{Flagged: map[Reason]int64{}}}
	t.queue.setup(t.window())
	return t
}

// Stats returns the counts so far.
func (t *Tracker) Stats() Stats {
	s := t.stats
	s.Flagged = maps.Clone(s.Flagged)
	s.Quarantined = maps.Clone(s.Quarantined)
	return s
}

// Vessels returns how many MMSIs the tracker has seen.
func (t *Tracker) Vessels() int { return t.vessels.len() }

// OnQuarantine has fn told of every position report the tracker
// quarantines for its receive time, when it does: a stray time is judged
// only once later reports outvote it, after whoever stores positions has
// seen it. fn runs on the goroutine that feeds the tracker.
func (t *Tracker) OnQuarantine(fn func(mmsi uint32, t time.Time, why Reason)) { t.quarantined = fn }

// AddFix queues a position report.
func (t *Tracker) AddFix(f Fix) {
	it := item{ns: f.Time.UnixNano(), fix: f}
	t.admit(&it)
}

// AddStatic queues a static report.
func (t *Tracker) AddStatic(s Static) {
	var p *Static
	if n := len(t.spare); n > 0 {
		p = t.spare[n-1]
		t.spare = t.spare[:n-1]
	} else {
		p = new(Static)
	}
	*p = s
	it := item{ns: s.Time.UnixNano(), static: p, fix: Fix{MMSI: s.MMSI}}
	t.admit(&it)
}

func (t *Tracker) push(it *item) {
	if it.ns < t.emitted {
		// Too late to reorder: process now rather than lose it.
		t.stats.Late++
		it.ns = t.emitted
	}
	if it.ns > t.maxSeen {
		t.maxSeen = it.ns
	}
	limit := t.maxSeen - int64(t.cfg.ReorderWindow)
	if !t.queue.fits(it.ns) {
		if it.ns < t.queue.peek() {
			// Earlier than all that waits by more than the window (a
			// late input after a jump of the clock): it goes now, and
			// what waits stays, as the latest time seen has not moved.
			t.process(it)
			return
		}
		// A jump ahead of the window: what it leaves behind goes first,
		// as it would once it were queued.
		t.popBefore(limit)
	}
	t.queue.push(it)
	t.popBefore(limit)
	// A flood that fills the window faster than it drains (a million
	// reports of one MMSI in a minute) would hold all of them: past
	// MaxQueued the earliest go before their window has passed, counted.
	for t.cfg.MaxQueued > 0 && t.queue.n > t.cfg.MaxQueued {
		t.stats.Overflow++
		var it item
		t.queue.pop(&it)
		t.process(&it)
	}
}

// popBefore processes the queued inputs older than limit (Unix ns).
func (t *Tracker) popBefore(limit int64) {
	for t.queue.n > 0 && t.queue.peek() < limit {
		var it item
		t.queue.pop(&it)
		t.process(&it)
	}
}

func (t *Tracker) window() int64 { return max(0, int64(t.cfg.ReorderWindow)) }

// liveSkew is how far the latest input may lag the wall clock for Advance
// to treat the stream as live.
const liveSkew = 10 * time.Minute

// Advance processes the queued inputs older than now minus the reorder
// window, now being the wall clock. On a live feed receive times follow the
// wall clock, so nothing older will arrive whatever the next input's time;
// without Advance a fix waits until an input one window later arrives, which
// on a quiet feed (or with a window of whole seconds and receive times in
// whole seconds) holds events back. A stream whose latest input lags now by
// more than liveSkew is a replay of older data and keeps to its own time.
func (t *Tracker) Advance(now time.Time) {
	ns := now.UnixNano()
	if t.live {
		// The wall clock is the stream's clock: a report after a quiet
		// hour fits it at once rather than wait for ClockConfirm more.
		t.clock.set, t.clock.now = true, max(t.clock.now, ns)
	}
	if t.maxSeen == 0 || ns-t.maxSeen > int64(liveSkew) {
		return
	}
	t.live = true
	t.popBefore(ns - int64(t.cfg.ReorderWindow))
}

// Flush processes everything still queued.
func (t *Tracker) Flush() {
	t.settle()
	for t.queue.n > 0 {
		var it item
		t.queue.pop(&it)
		t.process(&it)
	}
}

func (t *Tracker) process(it *item) {
	t.emitted = it.ns
	if it.static != nil {
		// Only a report with a length makes or changes a vessel (sawHull):
		// the rest (names alone, as type 24 part A sends) need no lookup.
		if it.static.Length > 0 {
			v := t.vessels.get(it.static.MMSI)
			if v == nil {
				v = &vessel{}
				t.vessels.put(it.static.MMSI, v)
			}
			v.sawHull(it.static, it.ns)
		}
		t.sink.Static(it.static)
		t.spare = append(t.spare, it.static)
		return
	}
	t.stats.Fixes++
	v := t.vessels.get(it.fix.MMSI)
	if v == nil {
		v = &vessel{}
		t.vessels.put(it.fix.MMSI, v)
	}
	// One Point reused for every fix: the sink must copy what it keeps.
	p := &t.pt
	*p = Point{Fix: it.fix, ImpliedKn: math.NaN()}
	// The fix as it came, not copied again: of what follows only the
	// NoPosition case changes p.Fix, and it reads f no more.
	f := &p.Fix
	if !f.HasPos || math.IsNaN(f.Lat) || math.Abs(f.Lat) > 90 || math.Abs(f.Lon) > 180 {
		p.Flag = NoPosition
		p.HasPos = false
		t.stats.Flagged[NoPosition]++
		t.sink.Point(p)
		return
	}
	// The same report heard by several stations: same MMSI, same position,
	// within the dedup window.
	k := dedupKey{f.Time.Unix(), f.Lat, f.Lon}
	for _, r := range v.recent {
		if r.lat == k.lat && r.lon == k.lon && r.t != 0 && abs64(r.t-k.t) <= int64(t.cfg.DedupWindow/time.Second) {
			t.stats.Duplicates++
			return
		}
	}
	v.recent[v.ri] = k
	v.ri = (v.ri + 1) % len(v.recent)

	c := math.Cos(f.Lat * rad)
	if v.hasPrev {
		if v.prevCos == 0 {
			v.prevCos = math.Cos(v.prev.Lat * rad)
		}
		p.ImpliedKn = impliedKn(&v.prev, v.prevCos, f, c)
	}
	before := v.prev.Time
	v.prev, v.hasPrev, v.prevCos = *f, true, c

	if t.inland(v, f.Lat, f.Lon) {
		p.Flag = OnLand
		t.stats.Flagged[OnLand]++
		t.sink.Point(p)
		return
	}
	t.segment(v, p, before)
	t.sink.Point(p)
}

// loneMaxIdle is how long a lone segment whose fix is f may be reopened:
// LoneMaxIdle if f was stopped, else SegmentMaxIdle (a glitch carries
// its ship's speed and course, and dead-reckoned on for two days it meets
// the ship's own track after a long silence: seed 10021).
func (t *Tracker) loneMaxIdle(f *Fix) time.Duration {
	if t.cfg.LoneMaxIdle > 0 && f.SOG < underWayKn {
		return max(t.cfg.LoneMaxIdle, t.cfg.SegmentMaxIdle)
	}
	return t.cfg.SegmentMaxIdle
}

// freshHours and staleHours: a fix fitting a segment heard within
// freshHours goes to it rather than to a better-scoring one silent for
// staleHours or more.
const (
	freshHours = 0.5
	staleHours = 3.0
)

// segment assigns p to the open segment whose dead-reckoned position it
// fits best, as Global Fishing Watch's gpsdio-segment does: the discrepancy
// between the predicted and reported position must fit within an envelope
// of SegmentSpeedKn over the elapsed time; when two segments fit about
// equally well the fix is ambiguous and joins neither.
// before is the time of the MMSI's previous positioned fix.
func (t *Tracker) segment(v *vessel, p *Point, before time.Time) {
	f := p.Fix
	// Close idle segments.
	keep := v.segs[:0]
	for _, s := range v.segs {
		idle := Elapsed(s.last.Time, f.Time)
		switch {
		case idle > t.cfg.SegmentMaxIdle:
		case (s.jumped || s.zig) && s.n == 1 && t.cfg.GlitchIdle > 0 && idle > t.cfg.GlitchIdle:
			v.lone = append(v.lone, s)
			if len(v.lone) > 4 {
				v.lone = v.lone[1:]
			}
		default:
			keep = append(keep, s)
		}
	}
	for i := len(keep); i < len(v.segs); i++ {
		v.segs[i] = nil
	}
	v.segs = keep

	best, second := -1, -1
	bestScore, secondScore := math.Inf(1), math.Inf(1)
	// A segment opened by a jump off the track and joined by nothing since
	// is likelier a glitch than a second ship: a fix that fits another
	// segment goes there (and is not ambiguous between them), else the
	// glitch, dead-reckoned on, would take the track it left.
	lone, loneScore := -1, math.Inf(1)
	bestVia := false
	fresh, freshScore, freshVia := -1, 0.0, false
	// Beside other segments, a glitch's is scored only if none of them
	// fits: a glitch's segment stays open for GlitchIdle, and every fix
	// of the track meanwhile paid its dead reckoning and distances.
	deferLone, hasLone := len(v.segs) > 1, false
	for i, s := range v.segs {
		if deferLone && s.jumped && s.n == 1 {
			hasLone = true
			continue
		}
		hours := Elapsed(s.last.Time, f.Time).Hours()
		if hours < 0 {
			hours = 0
		}
		allowed := t.cfg.SegmentSpeedKn*kmPerNm*hours + t.cfg.SegmentNoiseKm
		if short := shortKm(s.last.Lat, s.last.Lon, f.Lat, f.Lon); len(v.segs) == 1 && short <= allowed {
			// The only open segment, and the fix is surely within the
			// envelope of its last position: no score is needed, so the
			// dead reckoning and great-circle distances are skipped.
			best, bestScore = i, short/allowed
			break
		}
		plat, plon := deadReckon(s.last, hours)
		disc := geo.DistanceKm(plat, plon, f.Lat, f.Lon)
		// Also accept against the raw last position, because reported
		// course and speed are often wrong at low speed.
		if d := geo.DistanceKm(s.last.Lat, s.last.Lon, f.Lat, f.Lon); d < disc {
			disc = d
		}
		via := false
		if disc > allowed && s.n >= 2 && !s.forgave {
			// The segment's last fix may have been a glitch within reach:
			// measure from the one before. A glitch fits the envelope
			// poorly, or, after a silence (whose envelope holds any
			// glitch), lies off the way a ship under way was going,
			// where this fix lies on it (within SegmentNoiseKm and a
			// twentieth of the way, and half as far as the glitch):
			// the track after the glitch would otherwise open a segment
			// of its own, which the glitch's, dead-reckoned on, catches
			// hours later (an out-and-back run, to the spoofing
			// detector). A ship not under way predicts nothing of the
			// kind: a second hull moored nearby, heard once after a
			// silence, is no glitch.
			h2 := math.Max(0, f.Time.Sub(s.prev.Time).Hours())
			d2 := devKm(s.prev, h2, &f)
			ok := d2 <= goodFit*(t.cfg.SegmentSpeedKn*kmPerNm*h2+t.cfg.SegmentNoiseKm)
			if ok && s.fit <= glitchFit {
				plat, plon := deadReckon(s.prev, h2)
				way := geo.DistanceKm(s.prev.Lat, s.prev.Lon, plat, plon)
				off := devKm(s.prev, math.Max(0, s.last.Time.Sub(s.prev.Time).Hours()), &s.last)
				ok = s.prev.SOG >= underWayKn && d2 <= t.cfg.SegmentNoiseKm+way/20 && d2 < off/2
			}
			if ok {
				disc, allowed, via = d2, t.cfg.SegmentSpeedKn*kmPerNm*h2+t.cfg.SegmentNoiseKm, true
			}
		}
		if disc > allowed {
			continue
		}
		score := disc / allowed
		if s.jumped && s.n == 1 {
			if score < loneScore {
				lone, loneScore = i, score
			}
			continue
		}
		if score < bestScore {
			second, secondScore = best, bestScore
			best, bestScore, bestVia = i, score, via
		} else if score < secondScore {
			second, secondScore = i, score
		}
		if hours <= freshHours && (fresh < 0 || s.last.Time.After(v.segs[fresh].last.Time)) {
			fresh, freshScore, freshVia = i, score, via
		}
	}
	if fresh >= 0 && best != fresh && Elapsed(v.segs[best].last.Time, f.Time).Hours() >= staleHours {
		// A fix that fits a segment heard minutes ago is that segment's,
		// not one's silent for hours, whose envelope (25 kn over the
		// silence) holds anything and so scores any fix well (seed
		// 10622: a moored ship's berth segment took a fix of the GNSS
		// interference that displaced it, went on from there, and two
		// segments followed the ship for days: two places at once).
		best, bestScore, bestVia, second = fresh, freshScore, freshVia, -1
	}
	if best < 0 && hasLone {
		for i, s := range v.segs {
			if !s.jumped || s.n != 1 {
				continue
			}
			hours := Elapsed(s.last.Time, f.Time).Hours()
			if hours < 0 {
				hours = 0
			}
			allowed := t.cfg.SegmentSpeedKn*kmPerNm*hours + t.cfg.SegmentNoiseKm
			plat, plon := deadReckon(s.last, hours)
			disc := geo.DistanceKm(plat, plon, f.Lat, f.Lon)
			if d := geo.DistanceKm(s.last.Lat, s.last.Lon, f.Lat, f.Lon); d < disc {
				disc = d
			}
			if disc > allowed {
				continue
			}
			if score := disc / allowed; score < loneScore {
				lone, loneScore = i, score
			}
		}
	}
	if best < 0 {
		best, bestVia = lone, false
	}
	if best < 0 {
		for i, s := range v.lone {
			hours := f.Time.Sub(s.last.Time).Hours()
			if hours < 0 || f.Time.Sub(s.last.Time) > t.loneMaxIdle(&s.last) {
				continue
			}
			plat, plon := deadReckon(s.last, hours)
			way := geo.DistanceKm(s.last.Lat, s.last.Lon, plat, plon)
			if geo.DistanceKm(plat, plon, f.Lat, f.Lon) <= t.cfg.SegmentNoiseKm+way/20 {
				v.segs = append(v.segs, s)
				v.lone = slices.Delete(v.lone, i, i+1)
				best = len(v.segs) - 1
				break
			}
		}
	}
	switch {
	case best < 0:
		if t.cfg.MaxSegments > 0 && len(v.segs) >= t.cfg.MaxSegments {
			// Close the segment heard from longest ago.
			old := 0
			for i, s := range v.segs {
				if s.last.Time.Before(v.segs[old].last.Time) {
					old = i
				}
			}
			v.segs = slices.Delete(v.segs, old, old+1)
			t.stats.SegmentsClosed++
		}
		v.nextSeg++
		s := &segment{id: v.nextSeg}
		v.segs = append(v.segs, s)
		best = len(v.segs) - 1
		p.NewSeg = true
		t.stats.Segments++
	case second >= 0 && secondScore < bestScore*t.cfg.AmbiguityRatio && secondScore > 0.05:
		p.Flag = Ambiguous
		t.stats.Flagged[Ambiguous]++
		return
	}
	s := v.segs[best]
	// A fix that confirms the track a glitch after a silence was left for
	// closes the glitch's segment below; split, taking a fix off s, would
	// put its count and that rule at odds, so it runs only when that rule
	// does not fire.
	if !p.NewSeg && !bestVia && !(s.left != 0 && s.n+1 >= confirmFixes) {
		t.split(v, s, &f)
	}
	s.prev, s.forgave, s.fit = s.last, bestVia, bestScore
	s.last = f
	s.n++
	p.Seg = s.id
	if s.left != 0 && s.n >= confirmFixes {
		p.GlitchSeg = t.closeLeft(v, s)
	}
	// A fix that opened a new segment while another is open jumped off
	// the track: flag it so that a lone glitch is visible on the track,
	// and let GlitchIdle close its segment unless a second fix joins it.
	// Below MaxSpeedKn too: a glitch 7 km off in 6 minutes (40 kn) is as
	// lone as one 15 km off, and its segment, dead-reckoned on beside the
	// track for a day, would gather the later glitches on that side into a
	// second stream (two places at once) or take a displaced run. A second
	// hull is not lost by it: its next fix joins the segment (or reopens
	// it after GlitchIdle where it would be by then).
	if p.NewSeg && len(v.segs) > 1 {
		switch {
		case p.ImpliedKn > t.cfg.MaxSpeedKn:
			p.Flag = TooFast
		case p.ImpliedKn > t.cfg.SegmentSpeedKn:
			p.Flag = Displaced
		}
		if p.Flag != OK {
			t.stats.Flagged[p.Flag]++
			s.jumped = true
		}
		if p.Flag == TooFast {
			s.left, s.leftAt = leftAlone(v, s, before, &f)
		}
	}
}

// split takes s's last fix off s into a segment of its own when it lay
// zigKm or more off the way s's fix before it was going, and f, zigKm or
// more from it, lies where that fix's way leads (within SegmentNoiseKm
// and a twentieth of the way), each within zigWithin of the next: two
// hulls sharing one MMSI, heard in turn too seldom for the jump between
// them to break the envelope (11 km apart, a fix every 15 minutes),
// zig-zag on one track, and every
// detector took the mean of the two (the other hull's draught change put
// down to this one's encounter). Only while static reports of two hulls'
// dimensions come under the MMSI (within a day): a single ship's GPS
// glitch within the envelope would otherwise split off too (seeds 10546
// and 10558 lost voyages to that). A glitch of a shared MMSI's hull
// splits off too; its segment closes after GlitchIdle when nothing joins
// it (a second hull's next fix does).
func (t *Tracker) split(v *vessel, s *segment, f *Fix) {
	if s.n < 2 || !v.twoHulls(f.Time.UnixNano()) || t.cfg.MaxSegments > 0 && len(v.segs) >= t.cfg.MaxSegments {
		return
	}
	prev, last := &s.prev, &s.last
	if Elapsed(prev.Time, last.Time) > zigWithin || Elapsed(last.Time, f.Time) > zigWithin {
		return
	}
	if devKm(*prev, math.Max(0, Elapsed(prev.Time, last.Time).Hours()), last) < zigKm ||
		devKm(*last, math.Max(0, Elapsed(last.Time, f.Time).Hours()), f) < zigKm {
		return
	}
	h := math.Max(0, Elapsed(prev.Time, f.Time).Hours())
	plat, plon := deadReckon(*prev, h)
	way := geo.DistanceKm(prev.Lat, prev.Lon, plat, plon)
	if devKm(*prev, h, f) > t.cfg.SegmentNoiseKm+way/20 {
		return
	}
	v.nextSeg++
	v.segs = append(v.segs, &segment{id: v.nextSeg, last: *last, n: 1, zig: true})
	t.stats.Segments++
	s.last = *prev
	s.n--
}

// zigKm is how far a fix must lie off its segment's way, and from the
// next fix, for split to take it for another hull's; zigWithin how soon
// after the fix before it, and before the next, it must come: hours
// apart (a ship heard by satellites now and then), the way dead-reckoned
// strays from a great circle or a ship's turns by more than zigKm.
const (
	zigKm     = 5
	zigWithin = time.Hour
)

// A segment's last fix heard after a silence of aloneAfter or more fits
// its envelope wherever a glitch puts it (25 kn over the silence), and a
// ship that turned meanwhile is not where the fix before it leads (so the
// next fix does not forgive it, as after a short silence). Left at once by
// an impossible jump for a segment that confirmFixes fixes in a row
// confirm, it was a lone glitch: its segment, dead-reckoned on beside the
// track, would otherwise take whatever falls off the track within a day
// (held-out seed 10588: a glitch after 13.4 h of silence took a GNSS
// interference's displaced run 13 h later, and the ship's real track
// between became the run 'put elsewhere').
const (
	aloneAfter   = time.Hour
	confirmFixes = 3
)

// leftAlone returns the segment (id, and its last fix's time) whose last
// fix, the MMSI's previous one (at before), was heard alone after a
// silence, which f, s's first fix, has just left by an impossible jump.
// A glitch carries its ship's speed and course: the fix left must report
// those of f, under way. A second hull under the number, moored or
// sailing its own way, is no glitch.
func leftAlone(v *vessel, s *segment, before time.Time, f *Fix) (int, time.Time) {
	for _, o := range v.segs {
		g := &o.last
		if o != s && o.n >= 2 && g.Time.Equal(before) && Elapsed(o.prev.Time, g.Time) >= aloneAfter &&
			g.SOG >= underWayKn && math.Abs(g.SOG-f.SOG) <= sameKn && math.Abs(math.Mod(g.COG-f.COG+540, 360)-180) <= sameDeg {
			return o.id, g.Time
		}
	}
	return 0, time.Time{}
}

// sameKn and sameDeg: two reports a few minutes apart whose speeds and
// courses differ by no more are one ship's way.
const (
	sameKn  = 2
	sameDeg = 30
)

// closeLeft closes the segment s left, now that s is confirmed, if
// nothing joined it since (its last fix was the glitch), and returns its
// id (0: none closed). It goes among the lone segments, so that a second
// hull heard again where that fix would be now still reopens it.
func (t *Tracker) closeLeft(v *vessel, s *segment) int {
	id := s.left
	i := slices.IndexFunc(v.segs, func(o *segment) bool { return o.id == id })
	s.left = 0
	if i < 0 || !v.segs[i].last.Time.Equal(s.leftAt) {
		return 0
	}
	v.lone = append(v.lone, v.segs[i])
	if len(v.lone) > 4 {
		v.lone = v.lone[1:]
	}
	v.segs = slices.Delete(v.segs, i, i+1)
	t.stats.GlitchesClosed++
	return id
}

// A last fix that fitted its segment's envelope worse than glitchFit may
// be a glitch; the next fix is then measured from the one before, and
// must fit that within goodFit of the envelope.
const (
	glitchFit = 0.6
	goodFit   = 0.3
)

// shortKm bounds the great-circle distance from above, without
// trigonometry: a path along a meridian and then a parallel is never
// shorter than the great circle. The slack covers rounding.
func shortKm(lat1, lon1, lat2, lon2 float64) float64 {
	return (math.Abs(lat2-lat1) + math.Abs(lon2-lon1)) * kmPerDeg * (1 + 1e-9)
}

const kmPerDeg = geo.EarthRadiusKm * math.Pi / 180

// devKm is how far f lies from where from, dead-reckoned hours on, would
// be; below underWayKn also from from itself, if nearer: reported course
// and speed are often wrong at low speed. Not above it: a glitch thrown
// back along the track lies near where the ship was a few fixes ago, and
// would otherwise be taken for the track and the good fix before it for
// the glitch.
func devKm(from Fix, hours float64, f *Fix) float64 {
	plat, plon := deadReckon(from, hours)
	d := geo.DistanceKm(plat, plon, f.Lat, f.Lon)
	if !(from.SOG >= underWayKn) {
		d = math.Min(d, geo.DistanceKm(from.Lat, from.Lon, f.Lat, f.Lon))
	}
	return d
}

// underWayKn is the reported speed from which course and speed are
// trusted to say where a ship goes.
const underWayKn = 3

func deadReckon(f Fix, hours float64) (lat, lon float64) {
	if math.IsNaN(f.SOG) || math.IsNaN(f.COG) || f.SOG <= 0 || f.SOG > 60 || hours == 0 {
		return f.Lat, f.Lon
	}
	return geo.Destination(f.Lat, f.Lon, f.COG, f.SOG*kmPerNm*hours)
}

// impliedKn is the speed from a to b; ca and cb are the cosines of their
// latitudes (in radians).
func impliedKn(a *Fix, ca float64, b *Fix, cb float64) float64 {
	d := geo.DistanceKmCos(a.Lat, a.Lon, ca, b.Lat, b.Lon, cb)
	h := Elapsed(a.Time, b.Time).Hours()
	// Reports carry whole-second times; treat a few seconds as the floor so
	// that two reports in the same second do not imply infinite speed.
	if h < 10.0/3600 {
		h = 10.0 / 3600
	}
	return d / kmPerNm / h
}

const rad = math.Pi / 180

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// inland reports whether a fix lies on land further than InlandKm from the
// shore. Answers are cached per 0.01° cell (judged at the cell's centre,
// with the cell's half-diagonal as margin): land lookups are the costliest
// step and ships keep to the same lanes.
func (t *Tracker) inland(ves *vessel, lat, lon float64) bool {
	if t.land == nil {
		return false
	}
	y, x := int32(math.Floor(lat*100)), int32(math.Floor(lon*100))
	k := uint64(uint32(y))<<32 | uint64(uint32(x)) // one word hashes faster than [2]int32
	if ves.landOK && ves.landKey == k {
		return ves.land
	}
	clat, clon := (float64(y)+0.5)/100, (float64(x)+0.5)/100
	// At sea the land index answers from a bitmap, sooner than the map;
	// only cells whose centre is on land need the distance, and the map.
	if !t.land.OnLand(clat, clon) {
		ves.landKey, ves.land, ves.landOK = k, false, true
		return false
	}
	v, ok := t.land01[k]
	if ok {
		ves.landKey, ves.land, ves.landOK = k, v, true
		return v
	}
	v = t.land.DistanceToShoreKm(clat, clon) > t.cfg.InlandKm+0.8
	if t.land01 == nil {
		t.land01 = map[uint64]bool{}
	}
	t.land01[k] = v
	ves.landKey, ves.land, ves.landOK = k, v, true
	return v
}

// Elapsed is to.Sub(from) for the times tracks carry, without Sub's
// overflow test (an Add and an Equal on every call, which made Sub a
// twelfth of analyze's instructions at real rates, eight calls a fix
// between tracker and detectors). For times within 285 years of each
// other it is Sub's answer to the nanosecond; others go to Sub. It
// measures wall clock time: receive times carry no monotonic reading.
func Elapsed(from, to time.Time) time.Duration {
	s := to.Unix() - from.Unix()
	if s <= -maxElapsedSec || s >= maxElapsedSec {
		return to.Sub(from)
	}
	return time.Duration(s)*time.Second + time.Duration(to.Nanosecond()-from.Nanosecond())
}

// maxElapsedSec keeps Elapsed's seconds, in nanoseconds, inside a Duration.
const maxElapsedSec = 9e9
