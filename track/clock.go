package track

import (
	"math"
	"slices"
	"time"
)

// Receive times come from the stations' clocks, and one bad clock (or one
// forged line) is enough to invent findings: a position stamped 2100 in a
// 2024 file reads as a 76-year silence, which the gap detector reports as
// a deliberate gap and the dark-visit detector as a call in the DPRK with
// full confidence. So every input is checked against the stream's own
// clock before the reorder window sees it, and an input that does not fit
// is quarantined: counted under a reason and never passed on, so that it
// ends no silence and moves no clock.
//
// The stream's clock is the latest time accepted since the last jump. An
// input up to ClockAhead after it or ClockBehind before it fits (or four
// times the stream's typical spacing, where the stream is that sparse).
// One that does not is not thrown away at once, because streams do jump:
// files concatenated with a week between them, a feed back after an
// outage, satellite passes hours apart, an export sorted by vessel rather
// than time. It is held as a candidate clock instead, and the inputs that
// follow decide: a jump is believed once ClockConfirm inputs agree with it
// and at most a quarter as many have agreed with the old clock meanwhile
// (after a real jump nothing does; a bad clock is outvoted by every good
// line around it); a candidate that more inputs contradict than support
// is quarantined. Two candidates are kept, so that the stream's very
// first input has no more say than the rest: until a candidate is believed
// there is no clock at all. When the data ends, a candidate nothing
// contradicted stands.
//
// A stream that starts within liveSkew of the wall clock is live and takes
// its clock from the first input. Two limits need no vote: no AIS receive
// time precedes minTime, and none lies beyond the wall clock plus
// FutureSlack (a file cannot hold tomorrow's traffic, and a live feed runs
// by the wall clock).

// Quarantine reasons: the input was dropped before tracking.
const (
	TimeInFuture Reason = "time_in_future"   // later than the wall clock
	TimeTooEarly Reason = "time_before_ais"  // before minTime
	TimeStray    Reason = "time_off_stream"  // far from the stream's clock, and outvoted
	TimeUnproven Reason = "time_unconfirmed" // far from the stream's clock when the data ended, contradicted
)

// minTime: AIS was carried from 2002 (SOLAS); no receive time before 2000
// is real (a reset station clock says 1970 or 1980).
var minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()

// Impossible says why t cannot be a receive time read at wall-clock time
// now (TimeTooEarly, TimeInFuture with slack), or OK. Clocks kept outside
// a tracker (a publisher's, a partition's) take only possible times.
func Impossible(t, now time.Time, slack time.Duration) Reason {
	return impossible(t.UnixNano(), now.UnixNano(), slack)
}

func impossible(ns, wall int64, slack time.Duration) Reason {
	switch {
	case ns < minTime:
		return TimeTooEarly
	case ns > wall+int64(slack):
		return TimeInFuture
	}
	return OK
}

// clockGuard is the stream's clock and the candidates that might replace
// it. It is part of the tracker's saved state.
type clockGuard struct {
	set  bool
	now  int64 // Unix ns
	cand [2]clockCand
	// How far each of the last stepsKept inputs lay from the nearer of
	// its two neighbours in arrival order: "far" is measured against the
	// stream's own rhythm, so that one vessel's track sampled every 8 h is
	// not a string of jumps. A stray time is far from both neighbours, so
	// it adds one large value, never two, and moves the median only once
	// most inputs are stray.
	near     [stepsKept]int64
	nnear    int
	n        int64 // inputs seen
	prev     int64
	prevStep int64
}

const stepsKept = 15

// startConfirm: before the stream has a clock, a candidate is believed
// once this many more inputs have supported it than contradicted it, so
// that a quiet feed's first reports are not held for ClockConfirm.
const startConfirm = 3

// spread is how far an input may lie from a clock: the configured
// tolerance, or four times the median distance between neighbouring
// inputs when the stream is sparser than that.
func (g *clockGuard) spread(base time.Duration) int64 {
	n := min(g.nnear, stepsKept)
	if n == 0 {
		return int64(base)
	}
	var s [stepsKept]int64
	copy(s[:], g.near[:n])
	slices.Sort(s[:n])
	return max(int64(base), 4*s[(n-1)/2])
}

// arrive records an input's time for spread.
func (g *clockGuard) arrive(ns int64) {
	if g.n > 0 {
		d := ns - g.prev
		if d < 0 {
			d = -d
		}
		if g.n > 1 { // the previous input now has both neighbours
			g.near[g.nnear%stepsKept] = min(d, g.prevStep)
			g.nnear++
		}
		g.prevStep = d
	}
	g.prev = ns
	g.n++
}

type clockCand struct {
	items   []item // held, in arrival order
	latest  int64
	against int // inputs since it opened that fitted another clock
}

// fits says whether ns may follow clock: within the configured tolerance,
// or failing that within the stream's own rhythm.
func (g *clockGuard) fits(clock, ns int64, cfg *Config) bool {
	if ns <= clock+int64(cfg.ClockAhead) && ns >= clock-int64(cfg.ClockBehind) {
		return true
	}
	return ns <= clock+g.spread(cfg.ClockAhead) && ns >= clock-g.spread(cfg.ClockBehind)
}

// admit checks an input's time and passes it on, holds it, or quarantines
// it.
func (t *Tracker) admit(it *item) {
	cfg := &t.cfg
	if cfg.ClockConfirm <= 0 {
		t.push(it)
		return
	}
	wall := t.wall(it.ns)
	if why := impossible(it.ns, wall, cfg.FutureSlack); why != OK {
		t.quarantine(it, why)
		return
	}
	g := &t.clock
	g.arrive(it.ns)
	if !g.set && it.ns >= t.wall(math.MaxInt64)-int64(liveSkew) {
		// A live feed: the wall clock is the vote, and a watch officer
		// does not wait for ClockConfirm reports before seeing the first.
		g.set, g.now = true, it.ns
	}
	if g.set && g.fits(g.now, it.ns, cfg) {
		g.now = max(g.now, it.ns)
		ns := it.ns // push moves a late input's time
		t.push(it)
		// Only a candidate this input does not fit is contradicted: the
		// next report of a vessel that began a jump back may fit both.
		for i := range g.cand {
			if c := &g.cand[i]; len(c.items) > 0 && !g.fits(c.latest, ns, cfg) {
				t.contradict(i)
			}
		}
		return
	}
	for i := range g.cand {
		c := &g.cand[i]
		if len(c.items) == 0 {
			continue
		}
		// Once the stream has a clock, a candidate nothing has contradicted
		// also takes any later input: a stream gone sparse (satellite
		// passes hours apart) moves on in steps longer than any tolerance.
		if g.fits(c.latest, it.ns, cfg) || g.set && c.against == 0 && it.ns >= c.latest {
			c.items = append(c.items, *it)
			c.latest = max(c.latest, it.ns)
			if o := &g.cand[1-i]; len(o.items) > 0 && g.fits(c.latest, o.latest, cfg) {
				// The stream turned out sparser than it looked: one clock.
				c.items = append(c.items, o.items...)
				c.latest = max(c.latest, o.latest)
				c.against = min(c.against, o.against)
				clear(o.items)
				*o = clockCand{items: o.items[:0]}
			} else {
				t.contradict(1 - i)
			}
			if !g.set && len(c.items)-c.against >= startConfirm {
				t.believe(i)
			} else if len(c.items) >= cfg.ClockConfirm {
				if c.against*4 <= len(c.items) {
					t.believe(i)
				} else {
					t.reject(i, TimeStray)
				}
			}
			return
		}
	}
	for i := range g.cand {
		if c := &g.cand[i]; len(c.items) == 0 {
			c.items = append(c.items, *it)
			c.latest = it.ns
			t.contradict(1 - i)
			return
		}
	}
	// Neither clock nor candidate: a third time at once is noise.
	t.quarantine(it, TimeStray)
}

// wall is the wall clock (Unix ns) for judging an input at ns. Reading
// the clock for every input was a tenth of the tracker's time, so a
// reading is reused for wallReuse inputs unless ns might be in the future
// by it (or an earlier time is asked for, math.MaxInt64 for a fresh one):
// a stale reading is earlier, so whatever it passes a fresh one passes.
// Config.Now, when set, is asked every time.
func (t *Tracker) wall(ns int64) int64 {
	if t.cfg.Now != nil {
		return t.cfg.Now().UnixNano()
	}
	if t.wallUses == 0 || ns > t.wallNs+int64(t.cfg.FutureSlack) || ns == math.MaxInt64 {
		t.wallNs, t.wallUses = time.Now().UnixNano(), wallReuse
	}
	t.wallUses--
	return t.wallNs
}

const wallReuse = 1024

// contradict counts an input that fitted another clock against candidate
// i, and quarantines it once more inputs have contradicted than supported
// it.
func (t *Tracker) contradict(i int) {
	c := &t.clock.cand[i]
	if len(c.items) == 0 {
		return
	}
	c.against++
	if c.against > len(c.items) {
		t.reject(i, TimeStray)
	}
}

// believe makes candidate i the stream's clock and passes its inputs on.
func (t *Tracker) believe(i int) {
	g := &t.clock
	g.set, g.now = true, g.cand[i].latest
	t.release(i)
	// The other candidate competed with this clock, not the old one.
	if o := &g.cand[1-i]; len(o.items) > 0 && g.fits(g.now, o.latest, &t.cfg) {
		g.now = max(g.now, o.latest)
		t.release(1 - i)
	}
}

// release passes candidate i's inputs on and empties it.
func (t *Tracker) release(i int) {
	c := &t.clock.cand[i]
	items := c.items
	*c = clockCand{items: items[:0]}
	for j := range items {
		t.push(&items[j])
		items[j] = item{}
	}
}

func (t *Tracker) reject(i int, why Reason) {
	c := &t.clock.cand[i]
	for j := range c.items {
		t.quarantine(&c.items[j], why)
		c.items[j] = item{}
	}
	*c = clockCand{items: c.items[:0]}
}

func (t *Tracker) quarantine(it *item, why Reason) {
	if t.stats.Quarantined == nil {
		t.stats.Quarantined = map[Reason]int64{}
	}
	t.stats.Quarantined[why]++
	if it.static != nil {
		t.spare = append(t.spare, it.static)
	} else if t.quarantined != nil {
		t.quarantined(it.fix.MMSI, it.fix.Time, why)
	}
}

// settle decides the candidates when the data ends: with no clock yet,
// the larger is the clock (both when they tie: two inputs a week apart
// are a gap, not a fault); otherwise a candidate nothing contradicted
// stands, as the end of the data is no vote against it.
func (t *Tracker) settle() {
	g := &t.clock
	a, b := &g.cand[0], &g.cand[1]
	if !g.set {
		switch {
		case len(a.items) > len(b.items):
			t.reject(1, TimeStray)
		case len(b.items) > len(a.items):
			t.reject(0, TimeStray)
		}
	}
	// The earlier first, so that the reorder queue sees the times in order.
	order := [2]int{0, 1}
	if len(b.items) > 0 && (len(a.items) == 0 || b.items[0].ns < a.items[0].ns) {
		order = [2]int{1, 0}
	}
	for _, i := range order {
		c := &g.cand[i]
		switch {
		case len(c.items) == 0:
		case !g.set || c.against == 0 || c.against*4 <= len(c.items) && len(c.items) > 1:
			t.release(i)
		default:
			t.reject(i, TimeUnproven)
		}
	}
}
