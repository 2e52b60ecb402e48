package detect

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// Shore tells how far a point is from the shore. *geo.Land satisfies it.
type Shore interface {
	DistanceToShoreKm(lat, lon float64) float64
}

const kmPerNm = 1.852

// Detectors names groups of detectors, for running some of them apart
// (Detector.Only): per vessel, sharded by MMSI, or pairwise, keyed by place.
type Detectors uint8

const (
	// Spoofing looks at one vessel's own points and nothing else.
	Spoofing Detectors = 1 << iota
	// moving is Movement without Interference.
	moving
	// Encounters pairs vessels close together: fed the points of every
	// vessel in a region, it needs nothing else.
	Encounters
	// Interference finds GNSS interference (interference.go): an area
	// where the fixes of several vessels were displaced together. Its
	// verdict on each fix (displaced into an area already shown) keeps
	// that fix from the other Movement detectors, so it is part of
	// Movement; a Detector running Movement without it takes the verdict
	// of one that runs it alone, fed every vessel (Interfered, PointJudged).
	Interference

	// Movement is the other detectors of one vessel: port visits, voyages,
	// loitering, gaps and possible dark port visits, identity and draught
	// changes, and GNSS interference. Some of their evidence comes from
	// other vessels: whether a gap was deliberate (who else was heard
	// nearby, see Reception and GradeGap), identity links between MMSIs
	// (one IMO, a hull reappearing), the encounter behind a draught change
	// and the interference areas, which other vessels' jumps make. Fed
	// only some vessels, they see only those.
	Movement = moving | Interference
	// PerVessel is every detector whose events concern one MMSI.
	PerVessel = Spoofing | Movement
	// Pairwise is every detector that compares vessels with each other.
	Pairwise = Encounters
	// All is what New runs.
	All = PerVessel | Pairwise
)

// Detector runs every detector over one time-ordered stream of track
// points and static reports. It is not safe for concurrent use.
type Detector struct {
	cfg Config
	// run is the set of detectors fed (All unless Only narrowed it).
	run     Detectors
	ports   *PortIndex
	watched []*Port
	shore   Shore
	emit    func(*event.Event)
	// Flag names the flag state of an MMSI (for identity evidence); may be nil.
	Flag func(mmsi uint32) string
	// DeferDraught and DeferLoiterEnd, if set on a Detector that does
	// not run Encounters, receive the draught changes and the ends of the
	// loitering runs they fell in, for a Detector that runs Encounters
	// to decide (DecideDraught, EndLoiter): the context of a draught
	// change may be an encounter, and a possible dark transfer needs to
	// know nobody was alongside.
	DeferDraught   func(*DraughtCase)
	DeferLoiterEnd func(*LoiterEnd)
	// runDraught holds, by loitering run, the draught changes
	// DecideDraught keeps until EndLoiter.
	runDraught map[runKey]*event.Event
	// AreaDecided, if set on a Detector running Interference, receives
	// the decision on each area a Verdict named (shown or not), for the
	// Detectors taking those verdicts (DecideArea).
	AreaDecided func(id uint64, shown bool)

	now     time.Time
	vessels map[uint32]*vessel
	ids     *track.Identities
	imo     map[uint32]uint32 // IMO -> last MMSI using it
	dims    map[[2]int32][]uint32
	pairs   map[[2]uint32]bool // identity pairs already reported
	shoreC  map[uint64]float32
	rx      *reception
	enc     *encounters
	learn   *learned
	counts  map[event.Type]int
	// Areas where vessels' positions jumped together (interference.go),
	// checked for idleness at gnssNext.
	gnss     []*gnssArea
	gnssNext time.Time
	gnssGrid gnssGrid // finds d.gnss's areas near a point
	gnssSeq  uint64   // the last area's ID
	// areaRuns lists, by area not yet decided, the vessels whose
	// loitering runs (open or ended, in vessel.pending) took fixes
	// placed there (loiterhold.go).
	areaRuns map[uint64][]uint32
	// Where tracks began anew, by reception cell (standin.go).
	standIns map[[2]int32][]standIn
	// Vessels with draught changes held for the encounter detector
	// (transfer.go), in the order they were first held.
	holding []uint32
	// inPlaceKm tests sailingInPlace's 2*SpoofCircleKm (from cfg).
	inPlaceKm kmTest
}

// segState is what the movement detectors keep per track segment: two
// hulls sharing one MMSI each make their own port visits and voyages.
type segState struct {
	port        portState
	lastVisit   *event.Event
	loiter      loiterState
	lastSlotFix keptPoint
	// jumped: the segment began with an impossible jump from another of
	// the MMSI's streams (a displaced, spoofed stream, or another hull).
	jumped bool
	// left is when the MMSI was next heard on another segment after this
	// one's latest fix, while it waits in segs (zero while it is fed).
	left stamp
}

// vessel is the state of one MMSI across all detectors, each part held
// only by a Detector running its detectors: while a Read runs, analyze's
// spoofing shards hold the spoofing state and the merger's Detector the
// rest (a shard held a whole 1.3 kB record for each MMSI it was fed, for
// its 0.3 kB of spoofing state, and the merger an empty spoofing state).
type vessel struct {
	mmsi uint32
	*spoofed
	*moveState
}

// spoofed is the spoofing detector's part of a vessel.
type spoofed struct{ spoof spoofState }

// moveState is what the Movement and Encounters detectors keep of a
// vessel.
type moveState struct {
	// has: first and last are set.
	has     bool
	first   keptPlace   // first positioned, unflagged fix
	last    track.Point // last positioned, unflagged fix
	lastMsg stamp       // last message of any kind
	gaps    []gapSpan   // silences waiting for the next position
	// abs is the absence open (see reportGaps), if any: most vessels are
	// in none, and it took 80 bytes of every record.
	abs       *absence
	placeAt   keptPoint  // where the latest run of positions going nowhere began
	heldVisit *heldVisit // an absence's visit waiting for the fixes after it
	maxKn     float64    // highest plausible speed seen, for dark visits
	stay      stayState  // the stationary spell, for learned port areas
	// shipType is the latest AIS ship type reported (0: none yet).
	shipType int

	// The movement state of the segment being fed (see useSegment); the
	// others of this MMSI wait in segs.
	seg int
	segState
	segs map[int]*segState

	// draught is the last reported draught and when, per hull dimensions:
	// two hulls sharing one MMSI each report their own. (A slice: nearly
	// every vessel has one hull, whose entry a map kept in room for eight.)
	draught    []hullDraught
	lastGap    *event.Event // latest gap, a dark activity for draught changes
	lastLoiter *event.Event // latest loitering, for transfers with an unseen partner
	activity   *event.Event // latest port visit or encounter, for draught changes
	activityAt stamp        // when activity was reported (see DecideDraught)
	closeTo    uint32       // vessel it was last together with (encounter), and when
	// lastLoiterSeg is the segment lastLoiter was on: of two hulls under
	// one MMSI, the one on it (see hullSeg). (Here, it takes the padding
	// after closeTo.)
	lastLoiterSeg int32
	// closeSeg and activitySeg are the segments v was on when close to
	// closeTo and in activity (an encounter): of two hulls under one
	// MMSI, the one that was there.
	closeSeg, activitySeg int32
	closeAt               stamp
	closeLat              float64
	closeLon              float64
	// closeFrom is when the pair of closeAt was first together (Unix
	// seconds): a ship that came alongside only after a new draught was
	// reported did not bring it about.
	closeFrom   int64
	identified  bool // dimensions indexed
	silentCheck bool // checked for a reappearing hull
	// An identity pair already links this MMSI to the hull's next number
	// (succeeded) or to its previous one (succeeds): a hull has one of each.
	succeeded, succeeds bool
	// rxHour goes with rxKey (taking the padding after the flags).
	rxHour int32
	// idPending is an identity change of this MMSI waiting for
	// IdentityConfirm; clone an MMSI used by two hulls (see Static).
	idPending *event.Event
	clone     *cloneState
	// cloned are the two identities of the MMSI's last clone finding: a
	// switch between them later is those hulls again, no change.
	cloned []track.Identity
	jumpAt stamp // latest fix that jumped to another place
	// standInNs is when the MMSI's track last began anew (standin.go),
	// in Unix nanoseconds, while no credible fix has followed (0: none;
	// a credible fix dates the silence from then on). Not a time.Time:
	// it is saved with the vessel, and the zero of a time.Time takes 15
	// bytes there.
	standInNs int64
	rxKey     [2]int32
	// held are draught changes during loitering, waiting for the
	// encounter detector (transfer.go).
	held []heldDraught
	// transferRun is the start (Unix ns) of the loitering run of the
	// latest possible dark transfer reported: one per run.
	transferRun int64
	// gnssPrev is the previous positioned fix, for GNSS interference.
	gnssPrev gnssPrev
	// pending are loitering runs ended on fixes placed in areas not yet
	// decided (loiterhold.go).
	pending []pendingLoiter
}

// New returns a Detector. ports and shore may be nil: the detectors that
// need them then stay silent rather than guess.
func New(cfg Config, ports *PortIndex, shore Shore, emit func(*event.Event)) *Detector {
	d := &Detector{cfg: cfg, run: All, ports: ports, shore: shore, emit: emit,
		vessels: map[uint32]*vessel{}, ids: track.NewIdentities(), imo: map[uint32]uint32{},
		dims: map[[2]int32][]uint32{}, pairs: map[[2]uint32]bool{}, shoreC: map[uint64]float32{},
		rx: newReception(), counts: map[event.Type]int{}, standIns: map[[2]int32][]standIn{}}
	d.enc = newEncounters(d)
	d.inPlaceKm = newKmTest(2 * cfg.SpoofCircleKm)
	d.learn = newLearned()
	if ports != nil {
		for i := range ports.ports {
			if ports.ports[i].inGroups(cfg.WatchedGroups) {
				d.watched = append(d.watched, &ports.ports[i])
			}
		}
	}
	return d
}

// Counts returns how many events of each type were emitted.
func (d *Detector) Counts() map[event.Type]int { return d.counts }

// Identities returns the identity history built from static reports.
func (d *Detector) Identities() *track.Identities { return d.ids }

func (d *Detector) out(e *event.Event) {
	d.counts[e.Type]++
	d.emit(e)
}

func (d *Detector) vessel(mmsi uint32) *vessel {
	v := d.vessels[mmsi]
	if v == nil {
		v = &vessel{mmsi: mmsi}
		d.give(v)
		d.vessels[mmsi] = v
	}
	return v
}

// Only narrows the detectors run on what is fed from now on to which.
// Events then come exactly as from a Detector running All, less those of
// the other detectors, with these limits: the evidence a group takes from
// another (see Detectors) is missing when that other group runs elsewhere,
// so a draught change after an encounter is put down to an earlier
// activity or not reported without Encounters (and possible dark
// transfers, which need to know nobody was alongside, are not reported at
// all) unless DeferDraught hands draught changes to a Detector running
// Encounters, and a Detector running Encounters alone reports encounters
// only. Spoofing state can be moved between Detectors with MoveSpoofing.
func (d *Detector) Only(which Detectors) {
	d.run = which
	for _, v := range d.vessels {
		d.give(v)
	}
}

// give gives v the parts of a vessel's state the detectors run keep that
// it lacks.
func (d *Detector) give(v *vessel) {
	if v.spoofed == nil && d.run&Spoofing != 0 {
		v.spoofed = &spoofed{}
	}
	if v.moveState == nil && d.run != Spoofing {
		v.moveState = &moveState{}
	}
}

// Advance moves the detectors' clock to t (if later than any point or
// report fed so far), closing what that ends: encounters report the slots
// no later point can change. Point and Static advance the clock
// themselves; a caller that emits events of its own for a point (those of
// a Detector running some detectors elsewhere) calls Advance first to
// keep the order a single Detector would give.
func (d *Detector) Advance(t time.Time) {
	if t.After(d.now) {
		d.now = t
		if d.run&Encounters != 0 {
			d.enc.advance(d.now)
			if len(d.holding) > 0 {
				d.releaseHeld(false)
			}
		}
	}
}

// Point feeds one track point; points must come in time order.
func (d *Detector) Point(p *track.Point) { d.point(p, Verdict{}) }

// Interfered feeds p to a Detector running Interference (and no other
// Movement detector) as Point does, and returns its verdict on p: a
// displaced fix of an interference already shown, which the Movement
// detectors must not take, or one placed in an area not yet decided
// (PointJudged); the decisions go to AreaDecided.
func (d *Detector) Interfered(p *track.Point) Verdict { return d.point(p, Verdict{}) }

// PointJudged feeds p as Point does to a Detector running Movement without
// Interference, with the verdict on p (Interfered) of the Detector that
// runs Interference over every vessel, and that Detector's decisions on
// areas (DecideArea) in their place among the points: the Movement
// detectors then take the fixes they would take from one Detector running
// All.
func (d *Detector) PointJudged(p *track.Point, v Verdict) { d.point(p, v) }

// point feeds p, with the verdict of the interference detector if that
// runs elsewhere, and returns the verdict on p.
func (d *Detector) point(p *track.Point, verdict Verdict) Verdict {
	d.Advance(p.Time)
	v := d.vessel(p.MMSI)
	move := d.run&moving != 0
	if move {
		d.message(v, p.Time)
	}
	if d.run&Spoofing != 0 {
		d.spoofPoint(v, p)
	}
	if move && p.HasPos && (p.Flag == track.TooFast || p.NewSeg && p.ImpliedKn > d.cfg.SpoofSpeedKn) {
		v.jumpAt = stampOf(p.Time)
	}
	if move && p.HasPos {
		d.noteStandIn(v, p)
	}
	if d.run&Interference != 0 {
		verdict = d.interferencePoint(v, p)
	}
	if verdict.Displaced {
		if move && p.HasPos {
			d.displacedLoiter(v, p)
		}
		return verdict
	}
	if move && p.HasPos && p.Flag != track.OK {
		d.heardAway(v, p)
	}
	if !p.HasPos || p.Flag != track.OK || d.run&(moving|Encounters) == 0 {
		return verdict
	}
	if !v.has {
		v.first = placeOf(p)
	}
	if move {
		// The speed a ship comes back from a silence at is one it can
		// sail at during it: taken before the silence is judged (seed
		// 10009: a tanker moored since the data began, whose transponder
		// drew a circle at 6 kn while it sailed to the DPRK and back, came
		// back at 10.7 kn; reach at 6 kn left its call out).
		if kn := speedOf(v, p); kn <= d.cfg.DarkMaxSpeedKn && kn > v.maxKn {
			v.maxKn = kn
		}
		d.reportGaps(v, p)
		d.rx.heard(p.Lat, p.Lon, p.Time, p.MMSI, v)
	}
	d.useSegment(v, p)
	d.learnPoint(v, p)
	if move {
		d.portPoint(v, p)
		d.loiterPoint(v, p, verdict.Area)
	}
	if d.run&Encounters != 0 {
		d.enc.point(v, p)
	} else {
		// The segment's last fix also dates it for switchSegment.
		v.lastSlotFix = keepPoint(p)
	}
	if move && !v.silentCheck && v.identified {
		d.reappear(v)
	}
	v.last, v.has = *p, true
	if v.standInNs != 0 && v.standInNs <= p.Time.UnixNano() {
		v.standInNs = 0
	}
	return verdict
}

// MoveSpoofing moves the spoofing detector's state of the vessels for
// which pick is true from d to dst: to shard spoofing by MMSI over several
// Detectors running Spoofing only, and to gather it back (into a Detector
// that then runs All, to flush or to save its state).
func (d *Detector) MoveSpoofing(dst *Detector, pick func(mmsi uint32) bool) {
	for m, v := range d.vessels {
		if pick(m) && v.spoofed != nil {
			w := dst.vessels[m]
			if w == nil {
				w = &vessel{mmsi: m}
				dst.vessels[m] = w
			}
			w.spoofed, v.spoofed = v.spoofed, nil
			dst.give(w)
		}
	}
}

// Flush ends the stream: open visits, encounters, loitering and spoofing
// episodes of the detectors run are closed and reported.
func (d *Detector) Flush() {
	if d.run&Encounters != 0 {
		d.enc.flush()
	}
	if d.run&Interference != 0 {
		d.closeInterference(true)
	}
	// In MMSI order, so that the same input always gives the same output.
	mmsis := make([]uint32, 0, len(d.vessels))
	for m := range d.vessels {
		mmsis = append(mmsis, m)
	}
	slices.Sort(mmsis)
	for _, m := range mmsis {
		v := d.vessels[m]
		if d.run&moving != 0 {
			if (len(v.gaps) > 0 || v.abs != nil || v.heldVisit != nil) && v.has {
				d.reportGaps(v, &v.last)
			}
			for _, seg := range append([]int{v.seg}, sortedSegs(v.segs)...) {
				if seg != v.seg {
					d.switchSegment(v, seg, false)
				}
				if v.port.in {
					d.closeVisit(v, false)
				}
				d.closeLoiter(v, true)
			}
			d.flushPending(v)
		}
		if d.run&moving != 0 {
			d.flushIdentity(v)
		}
		if d.run&Spoofing != 0 {
			d.flushSpoof(v)
		}
	}
	// Every encounter is reported: what was held is decided.
	d.releaseHeld(true)
}

// speedOf is the reported speed over ground, or the speed implied from the
// previous fix when none was reported.
func speedOf(v *vessel, p *track.Point) float64 {
	if !math.IsNaN(p.SOG) {
		return p.SOG
	}
	if v.has {
		h := p.Time.Sub(v.last.Time).Hours()
		if h > 0 {
			return geo.DistanceKm(v.last.Lat, v.last.Lon, p.Lat, p.Lon) / kmPerNm / h
		}
	}
	return 0
}

// shoreKm caches shore distance on a 0.02° grid: it is queried for every
// fix and the land index is the costliest lookup.
func (d *Detector) shoreKm(lat, lon float64) float64 {
	if d.shore == nil {
		return math.Inf(1)
	}
	y, x := int32(math.Floor(lat/0.02)), int32(math.Floor(lon/0.02))
	k := cellKey(y, x)
	if s, ok := d.shoreC[k]; ok {
		return float64(s)
	}
	s := d.shore.DistanceToShoreKm((float64(y)+0.5)*0.02, (float64(x)+0.5)*0.02)
	d.shoreC[k] = float32(s)
	return s
}

func round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// useSegment makes p's track segment the vessel's current one. A segment
// the tracker opened only because the vessel was silent a long time (not
// because of an impossible jump) continues the current state: a long port
// gap must not lose the visit.
func (d *Detector) useSegment(v *vessel, p *track.Point) {
	if p.Seg == v.seg || p.Seg == 0 {
		return
	}
	if v.seg == 0 || p.NewSeg && !(p.ImpliedKn > d.cfg.SpoofSpeedKn) {
		v.seg = p.Seg
		return
	}
	if v.loiter.on && p.ImpliedKn <= d.cfg.SpoofSpeedKn && !d.twoHulls(v, v.seg, p.Seg) {
		// The ship went on from the run's last fix at a ship's speed, on
		// a segment the tracker had open too: the run ended there. Left
		// open, it waited with a segment that began with a jump and was
		// dropped with it (seed 8201: after a GNSS interference the
		// tracker put a tanker's real track on its displaced segment, and
		// its 5 h transfer drift went unreported).
		// Not when the two segments are two hulls' under the MMSI: the
		// other hull's fix says nothing of this one's run.
		d.closeLoiter(v, false)
	}
	d.switchSegment(v, p.Seg, true)
}

func (d *Detector) switchSegment(v *vessel, seg int, keep bool) {
	if v.segs == nil {
		v.segs = map[int]*segState{}
	}
	if keep {
		cur := v.segState
		cur.left = stampOf(d.now)
		v.segs[v.seg] = &cur
	}
	if st, ok := v.segs[seg]; ok {
		v.segState = *st
		if keep {
			// Fed again (Flush restores segments only to close them).
			v.segState.left = 0
		}
		delete(v.segs, seg)
	} else {
		v.segState = segState{jumped: keep}
	}
	v.seg = seg
	// Forget segments idle for longer than any state could matter.
	// In segment order: ending a run may report it.
	for _, id := range sortedSegs(v.segs) {
		if st := v.segs[id]; d.now.Sub(st.lastSlotFix.at.time()) > 7*24*time.Hour {
			d.endLoiter(v, st, true)
			delete(v.segs, id)
		}
	}
}

func sortedSegs(m map[int]*segState) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
