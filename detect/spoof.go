package detect

import (
	"math"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// spoofState watches one MMSI for movement no ship can make. The track
// package already flags each impossible fix; a lone flag is a GPS glitch,
// so an episode needs a pattern: several impossible jumps within
// SpoofWindow, a second position stream of the same MMSI that lives on
// (two places at once), a run of fixes far inland, or tight circling at
// speed.
type spoofState struct {
	jumps     []time.Time
	maxKn     float64
	segs      streams
	landRun   int
	landStart stamp
	// landJumped: the run of inland fixes was entered, or moved within, by
	// a step no track explains (see coherent); landCounted: it is already
	// part of an episode.
	landJumped, landCounted bool
	hasLast                 bool // lastFix is set
	// far caches farFromWater for the 0.1° cell farKey (+1: far, -1: not).
	far    int8
	farKey [2]int32
	// The MMSI's previous positioned fix, any flag: the step from it to a
	// fix says whether a track leads there.
	lastFix stepFix
	turns   turnRun
	absTurn float64 // sum of |turn| over turns

	inPlace inPlaceRun // fixes at speed within the in-place circle
	prevBrg float64
	lastSeg int      // segment of the previous segmented fix
	lastSI  *segInfo // its state, kept when segs forgets it
	// The end of circling's previous leg: Unix nanoseconds, position.
	prevNs           int64
	prevLat, prevLon float64
	hasPrev          bool
	hasBrg           bool
	lastIn           bool // segs holds lastSI under lastSeg (see spoofPoint)
	episode          *episode
	pending          *episode // closed, not yet reported
	// An impossible jump left the displaced stream retFrom (a segment
	// number) for retTo at retKn: it counts once retTo goes on for
	// SpoofSegmentPoints fixes in a row (a glitch comes back at once).
	retFrom, retTo int
	retKn          float64

	// undo is what the previous fix changed, kept only when it jumped off
	// the track (see spike); sinceGlitch counts the positioned fixes since
	// the last glitch undone (up to glitchRun+1).
	undo        *spoofUndo
	sinceGlitch int
}

// glitchRun: a glitch within this many fixes of the previous one is part
// of a run of bad fixes, and its impossible jump counts (see undoSpike).
const glitchRun = 10

// spoofUndo is what a fix that jumped off the track changed in the
// streams, to be undone when the next fix shows it a glitch.
type spoofUndo struct {
	prev           stepFix  // the fix before it
	si             *segInfo // the stream it went to
	was            segInfo  // si before it (opened: si is new)
	opened         bool
	marked         *segInfo // the stream its switch marked jumped, if any
	counted        bool     // it was counted among the impossible jumps
	lastSeg        int
	lastSI         *segInfo
	retFrom, retTo int
	retKn          float64
}

type segInfo struct {
	first, last stamp
	n           int
	lat, lon    float64
	// The latest run of consecutive fixes of the MMSI in this stream: from
	// runStart, runN fixes; prevLast is the stream's last fix before it.
	// entries counts the runs (how often the MMSI came to this stream).
	runStart, prevLast stamp
	runN, entries      int
	// spikes counts the glitches undone on this stream (see scattered).
	spikes int
	// sog is the last fix's reported speed.
	sog float64
	// from is the stream the MMSI was on when this one opened (0: none).
	from    int
	jumped  bool
	counted bool
	// opening: the MMSI's first stream, or its first after a silence
	// longer than SpoofSegmentIdle (every older stream forgotten), with no
	// track before it to return to (a hull that took the number and faked
	// where it was from the start; seed 9643: a tanker back from 107 h
	// dark, shown 280 km off for 2.8 h, then where it was).
	opening bool
	// scattered: one of the glitches undone came after another and not
	// back to it (see spike).
	scattered bool
	// back: the MMSI was heard again where this stream would be, on a
	// stream of its own.
	back bool
	// offTrack: the stream opened with a fix the tracker flagged off the
	// track at a speed a ship can sail (track.Displaced), not a jump.
	offTrack bool
}

// lastFix is the stream's last fix, as coherent takes it.
func (o *segInfo) lastFix() *stepFix {
	return &stepFix{o.last, o.lat, o.lon, o.sog, math.NaN()}
}

// minCircleLeg is the shortest leg circling takes a bearing over. Fixes
// every 2-10 s (real rates) add nothing to a circle that takes an hour but
// GNSS noise on 20 m legs and, over SpoofCircleWindow, hundreds of kB per
// vessel; legs of 30 s or more bound the turns kept by the window, not the
// reporting rate. A receiver log (a fix a minute or rarer) is unaffected.
const minCircleLeg = 30 * time.Second

// quadrant is the quarter of the compass a course lies in.
func quadrant(deg float64) int { return int(deg/90) & 3 }

// nsTime is the UTC time of Unix nanoseconds ns.
func nsTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

type episode struct {
	start, end time.Time
	lat, lon   float64
	// where the latest signal was seen: a new pattern far from it is
	// another episode
	lastLat, lastLon float64
	kinds            map[string]int
	maxKn            float64
	maxSepKm         float64
	landFixes        int
	turns            float64
}

// maxSpoofSegs and maxSpoofJumps bound what spoofPoint keeps per vessel
// (streams and recent jumps) when one MMSI floods the feed with jumps: far
// above what a real vessel, or two under one number, produce in a
// SpoofWindow, and far below what a flood of a million reports would keep.
const (
	maxSpoofSegs  = 32
	maxSpoofJumps = 1024
)

func (d *Detector) spoofPoint(v *vessel, p *track.Point) {
	s := &v.spoof
	if s.episode != nil && p.Time.Sub(s.episode.end) > d.cfg.SpoofWindow {
		d.closeSpoof(v)
	}
	if !p.HasPos || notShip(p.MMSI) {
		return
	}
	prev, hasPrev := s.lastFix, s.hasLast
	s.lastFix, s.hasLast = stepFix{stampOf(p.Time), p.Lat, p.Lon, p.SOG, p.COG}, true
	// The previous fix was a GPS glitch when it jumped off the track and
	// this one jumps back to it: its effects are undone (see spike).
	glitch := p.Flag != track.OnLand && d.spike(s, &prev, &p.Fix)
	if glitch {
		prev = s.undo.prev
		d.undoSpike(s)
	}
	s.undo = nil
	s.sinceGlitch = min(s.sinceGlitch+1, glitchRun+1)
	// Runs of fixes inland. The map has no canals, ship channels or small
	// rivers: a ship that sailed there is where the map is wrong. A run is
	// a spoof when a step no track explains led into it (or moved it), or
	// when it lies far from any water.
	if p.Flag == track.OnLand {
		jump := hasPrev && !d.coherent(&prev, &p.Fix)
		if s.landRun == 0 {
			s.landStart, s.landJumped, s.landCounted = stampOf(p.Time), jump, false
		}
		s.landJumped = s.landJumped || jump
		s.landRun++
		if s.landRun >= d.cfg.SpoofLandFixes && d.sustained(s.landStart.time(), p.Time) && (s.landJumped || d.farFromWater(s, p.Lat, p.Lon)) {
			d.landEpisode(v, s.landStart.time(), p.Time, p.Lat, p.Lon)
		}
		return
	}
	if s.landRun >= d.cfg.SpoofLandFixes && !s.landCounted && d.sustained(s.landStart.time(), prev.at.time()) && hasPrev && !d.coherent(&prev, &p.Fix) {
		// Left by a jump: the run was put there (the data began during it,
		// so the jump in was not seen).
		d.landEpisode(v, s.landStart.time(), prev.at.time(), prev.Lat, prev.Lon)
	}
	s.landRun = 0

	// Impossible jumps: each fix the tracker flagged too fast (the return
	// from a glitch is none: the glitch's own jump counts), SpoofMinJumps
	// of them over SpoofSustainMin (a burst of a few minutes is one bad
	// receiver, and no spoof the truth claims, event/spoofing.go).
	if p.Flag == track.TooFast && !glitch {
		s.jumps = append(s.jumps, p.Time)
		cut := 0
		for cut < len(s.jumps) && p.Time.Sub(s.jumps[cut]) > d.cfg.SpoofWindow {
			cut++
		}
		s.jumps = s.jumps[cut:]
		if len(s.jumps) > maxSpoofJumps {
			// A flood of jumps: the first (where an episode starts) and
			// the latest are enough to count SpoofMinJumps.
			s.jumps = append(s.jumps[:1], s.jumps[len(s.jumps)-maxSpoofJumps/2:]...)
		}
		if p.ImpliedKn > s.maxKn {
			s.maxKn = p.ImpliedKn
		}
		if len(s.jumps) >= d.cfg.SpoofMinJumps && d.sustained(s.jumps[0], p.Time) {
			ep := d.spoofEpisode(v, s.jumps[0], p)
			ep.kinds["impossible_speed"]++
			ep.maxKn = math.Max(ep.maxKn, s.maxKn)
		}
	}
	if p.Seg == 0 {
		return
	}
	// Two places at once: a segment opened by an impossible jump that goes
	// on receiving fixes while another segment of this MMSI is alive.
	// The speed the step to p implies; after a glitch, from the fix
	// before it, which p's track continues (coherent).
	kn := p.ImpliedKn
	if glitch {
		kn = 0
	}
	seg := p.Seg
	// A vessel's fixes mostly stay on one stream: its state is lastSI
	// while segs is known to hold it (lastIn: since the fix that set it;
	// not saved, so a restored state looks it up once). The map lookup,
	// a cache miss per fix at real rates, was an eighth of this
	// detector's time on a national feed.
	var si *segInfo
	if s.lastIn && seg == s.lastSeg {
		si = s.lastSI
	} else {
		si = s.segs.get(seg)
	}
	if o := s.lastSI; si != nil && o != nil && si != o && (s.lastIn || s.segs.get(s.lastSeg) == o) &&
		(o.runN >= d.cfg.SpoofSegmentPoints && d.sustained(o.runStart.time(), o.last.time()) || o.offTrack && o.spikes == 0 && !d.coherent(si.lastFix(), &p.Fix)) &&
		!d.impossibleSwitch(o, p) && geo.DistanceKm(o.lat, o.lon, p.Lat, p.Lon) < geo.DistanceKm(si.lat, si.lon, p.Lat, p.Lon) {
		// The tracker put p on a stream whose envelope grew through a
		// silence while the MMSI was heard on another, nearer which p
		// lies and from which a ship can have sailed to it: p goes on
		// that one. Under a GNSS interference (fresh seeds 7201, 7203,
		// 9640) a ship's stream from before it (berthed, or under way
		// and dead-reckoned on) took displaced fixes after 5-6 h, so the
		// return to the ship's place looked like a jump away from a
		// stream heard since the first fix of the month, or a second
		// stream of displaced fixes; and a day later the displaced
		// run's stream took the ship leaving its next port, so the track
		// between was 'put elsewhere'. The MMSI must have been on the
		// other stream for a sustained run of fixes (SpoofSegmentPoints
		// over SpoofSustainMin): one fix there may be a glitch ahead on
		// the track, and the track taken onto it would never come back
		// (fresh seed 7241: the track of 20 days 'left' for a glitch's
		// stream). Unless that one fix opened the stream off the track
		// at a ship's speed (track.Displaced) and p lies where the ship
		// cannot have sailed from the stream the tracker gave it, at the
		// speeds it reported: a second place, not a glitch ahead on the
		// track (seed 10510: a ship moored at 0 kn, heard every 30-45
		// min, put on a circle 78 km off by a GNSS interference; its
		// berth's stream took the circle from the second fix on).
		seg, si = s.lastSeg, o
	}
	if p.GlitchSeg != 0 && si != nil && si.from == p.GlitchSeg {
		// The tracker closed the stream this one jumped from: its last
		// fix was a glitch heard alone after a silence, so the jump was
		// none off the track (else a displaced run later, jumped to from
		// here, would be the way back to that stream).
		si.jumped = false
	}
	if si == nil && hasPrev {
		// A new stream where an older one would be now: the MMSI is
		// back on that track (the tracker gave it a segment of its own
		// after a displaced run moved the old one's envelope), so the
		// older stream was not left for good (firstStreamLeft).
		for _, x := range s.segs {
			if o := x.si; o != s.lastSI && d.coherent(o.lastFix(), &p.Fix) {
				o.back = true
			}
		}
	}
	if hasPrev && !d.coherent(&prev, &p.Fix) {
		// p may be a glitch: keep what it changes, to undo it if the next
		// fix returns.
		u := &spoofUndo{prev: prev, si: si, lastSeg: s.lastSeg, lastSI: s.lastSI, counted: p.Flag == track.TooFast,
			retFrom: s.retFrom, retTo: s.retTo, retKn: s.retKn}
		if si != nil {
			u.was = *si
		}
		s.undo = u
	}
	if si == nil {
		si = &segInfo{first: stampOf(p.Time), offTrack: p.Flag == track.Displaced && !glitch, jumped: (p.Flag == track.TooFast && !glitch || p.NewSeg && kn > d.cfg.SpoofSpeedKn) &&
			(s.lastSI == nil || p.Time.Sub(s.lastSI.last.time()) >= d.cfg.SpoofSwitchMin || d.impossibleSwitch(s.lastSI, p)),
			opening: s.lastSI == nil || p.Time.Sub(s.lastSI.last.time()) > d.cfg.SpoofSegmentIdle, from: s.lastSeg}
		s.segs.put(seg, si)
		if s.undo != nil {
			s.undo.si, s.undo.opened = si, true
		}
	}
	if s.lastSeg != seg || s.lastSI != si {
		si.runStart, si.runN, si.prevLast = stampOf(p.Time), 0, si.last
		si.entries++
	}
	si.runN++
	if len(s.segs) > 1 && si.runN == d.cfg.SpoofSegmentPoints && !si.prevLast.isZero() {
		// Back on an older track, for good, after a jumped one lived on
		// while this one was silent: the vessel was put somewhere else for
		// a while. In segment order: each finding may close the open
		// episode, so the order decides the episodes.
		for _, x := range s.segs {
			if o := x.si; o != si && o.jumped && !o.counted && o.n >= d.cfg.SpoofSegmentPoints && d.sustained(o.first.time(), o.last.time()) &&
				o.first.time().After(si.prevLast.time()) && o.last.time().Before(si.runStart.time()) {
				o.counted = true
				ep := d.spoofEpisodeAt(v, o.first.time(), o.last.time(), o.lat, o.lon)
				ep.kinds["impossible_jump"]++
				ep.maxSepKm = math.Max(ep.maxSepKm, geo.DistanceKm(si.lat, si.lon, o.lat, o.lon))
			}
		}
	}
	if s.retFrom != 0 && seg != s.retTo {
		s.retFrom = 0 // the way back was a glitch
	}
	if s.retFrom != 0 && si.runN >= d.cfg.SpoofSegmentPoints {
		if o := s.segs.get(s.retFrom); o != nil && !o.counted {
			d.wentBack(v, o, si, s.retKn)
		}
		s.retFrom = 0
	}
	// Two streams heard in turn: a switch between them faster than any ship
	// sails shows two places at once even when neither stream began with
	// such a jump (two hulls moored 16 km apart under one number are 30 kn
	// apart at a 20-minute switch, and a glitch-free segmenter splits them
	// at 25 kn).
	// The younger stream is the one put elsewhere: an older track returned
	// to is the out-and-back case below.
	if o := s.lastSI; o != nil && o != si && si.n > 0 {
		if p.Time.After(o.last.time()) && d.impossibleSwitch(o, p) {
			m := si
			if o.first.time().After(si.first.time()) {
				m = o
			}
			if !m.jumped && s.undo != nil {
				s.undo.marked = m
			}
			m.jumped = true
			// Streams of SpoofSegmentPoints fixes each: a glitch is one.
			if o.n >= d.cfg.SpoofSegmentPoints && si.n >= d.cfg.SpoofSegmentPoints {
				d.twoPlacesGoOn(s, o, p)
			}
		}
	}
	// Out and back: the previous fix's segment lived on for several fixes
	// and is now left by an impossible jump, and either it was entered by
	// one too or this fix returns to an older track (the way out, across a
	// silence, only broke the segmenter's envelope). Entered off the
	// track at a ship's speed counts as a jump (seed 10510: a ship moored
	// at 0 kn shown 78 km off 70 min later). A lone glitch is one
	// fix; a displaced run is a position being faked. Segment numbers grow,
	// so an older track is known even after segs forgot it. The track
	// returned to must have been silent meanwhile: two hulls heard in turn
	// are two places at once, found below.
	// The displaced run must be sustained (SpoofSustainMin, fixes in a
	// row), and so must the way back: it counts once this stream goes on
	// for SpoofSegmentPoints fixes in a row (above).
	if o := s.lastSI; o != nil && s.lastSeg != seg && o != si && !o.counted &&
		((o.jumped || o.offTrack) && d.backWhence(s, o, p) || seg < s.lastSeg) && (si.n == 0 || !si.last.time().After(o.first.time())) &&
		o.runN >= d.cfg.SpoofSegmentPoints && d.sustained(o.runStart.time(), o.last.time()) && kn > d.cfg.SpoofSpeedKn {
		s.retFrom, s.retTo, s.retKn = s.lastSeg, seg, kn
		if si.runN >= d.cfg.SpoofSegmentPoints { // SpoofSegmentPoints of 1
			d.wentBack(v, o, si, kn)
			s.retFrom = 0
		}
	}
	si.last, si.n, si.lat, si.lon, si.sog = stampOf(p.Time), si.n+1, p.Lat, p.Lon, p.SOG
	s.lastSeg, s.lastSI, s.lastIn = seg, si, true
	if len(s.segs) > 1 { // most vessels have one segment: nothing to forget
		for i := 0; i < len(s.segs); {
			id, o := s.segs[i].id, s.segs[i].si
			idle := d.cfg.SpoofSegmentIdle
			if o.n == 1 && o.spikes > 0 && o.sog < d.cfg.SpoofCircleKn {
				// A lone stopped fix undone as a glitch: a second hull
				// heard seldom comes back to it (seed 10014: after
				// 25.7 h), as the tracker reopens it (LoneMaxIdle).
				idle = max(idle, d.cfg.SpoofLoneIdle)
			}
			if id != seg && p.Time.Sub(o.last.time()) > idle {
				d.firstStreamLeft(v, o, si)
				s.segs.del(id)
				s.lastIn = s.lastIn && id != s.lastSeg
				continue
			}
			i++
		}
	}
	for len(s.segs) > maxSpoofSegs {
		// A GPS jumping with every report opens a track segment per fix:
		// forget the stream heard from longest ago as an idle one is
		// forgotten, so that a flood costs bounded state and work per fix.
		old := -1
		for _, x := range s.segs {
			if id, o := x.id, x.si; id != seg && (old < 0 || o.last.time().Before(s.segs.get(old).last.time()) || o.last.time().Equal(s.segs.get(old).last.time()) && id < old) {
				old = id
			}
		}
		d.firstStreamLeft(v, s.segs.get(old), si)
		s.segs.del(old)
		s.lastIn = s.lastIn && old != s.lastSeg
	}
	// Two transmitters at once, sustained: the streams heard in turn (each
	// come back to SpoofSegmentPoints times or more; a glitch that joins
	// an old stream comes once) for SpoofSustainMin, further apart than
	// any ship sails in SpoofSwitchMin (a track split in two by a glitch
	// runs on side by side).
	if si.jumped && !si.counted && si.n >= d.cfg.SpoofSegmentPoints && si.entries >= d.cfg.SpoofSegmentPoints && d.sustained(si.first.time(), p.Time) {
		// The other stream is the lowest-numbered one that qualifies:
		// taking whichever the map gave first made the separation
		// reported differ from run to run when several did.
		var other *segInfo
		otherID := 0
		for _, x := range s.segs {
			id, o := x.id, x.si
			if id == seg || other != nil && id > otherID || o.n < d.cfg.SpoofSegmentPoints || o.entries < d.cfg.SpoofSegmentPoints {
				continue
			}
			if o.last.time().After(si.first.time()) && d.impossibleSwitch(o, p) {
				other, otherID = o, id
			}
		}
		if o := other; o != nil {
			si.counted = true
			d.twoPlacesGoOn(s, o, p)
			ep := d.spoofEpisode(v, si.first.time(), p)
			ep.kinds["two_places"]++
			ep.maxSepKm = math.Max(ep.maxSepKm, geo.DistanceKm(si.lat, si.lon, o.lat, o.lon))
		}
	}
	if p.Flag == track.OK {
		d.circling(v, p)
		d.sailingInPlace(v, p)
	}
}

// twoPlacesGoOn extends the MMSI's latest two-places episode (open, or
// closed and held back) to p, on a switch faster than a ship sails
// between stream o and p's, when o was heard during that episode: two
// places told apart go on being two places while both are heard in turn,
// whatever silences come between (seed 10503: two hulls under one MMSI
// for 2.6 days, one of them heard only by satellites for 17 h, were an
// episode of 1.2 h, closed a SpoofWindow later, and a second one when
// that hull was heard again on a stream of its own).
func (d *Detector) twoPlacesGoOn(s *spoofState, o *segInfo, p *track.Point) {
	ep := s.episode
	if ep == nil {
		ep = s.pending
	}
	if ep == nil || ep.kinds["two_places"] == 0 || !o.first.time().Before(ep.end) || !p.Time.After(ep.end) {
		return
	}
	if s.episode == nil {
		s.episode, s.pending = ep, nil
	}
	ep.end = p.Time
}

// backWhence says whether p, leaving stream o (entered by a jump), lies
// where the ship could be on the stream o was entered from: the way back.
// A jump on to a third place is no return: of a circle drawn while the
// ship lay in port, its real voyage after it and a GNSS interference's
// displaced fixes after that (fresh seed 10013), the voyage is where
// neither jump went back to. A stream o entered from one forgotten (silent for
// SpoofSegmentIdle) has been the MMSI's only track for a day: no run
// displaced from a track still there.
func (d *Detector) backWhence(s *spoofState, o *segInfo, p *track.Point) bool {
	f := s.segs.get(o.from)
	return f != nil && f != o && d.coherent(f.lastFix(), &p.Fix)
}

// wentBack reports the displaced run o, left for good for si at kn: out
// and back. si is where the ship is, not a jump away: a stream it came
// back to on a segment of its own (the tracker's envelope of the old one
// gone), which a segment silent since before the run, taking the ship
// later, must not make 'put elsewhere' (fresh seed 9640: a ship berthed
// while a GNSS interference showed it on a circle was heard at its berth
// for 13 h; its departure joined its track from before the interference,
// and the berth became a displaced run).
func (d *Detector) wentBack(v *vessel, o, si *segInfo, kn float64) {
	o.counted = true
	ep := d.spoofEpisodeAt(v, o.first.time(), o.last.time(), o.lat, o.lon)
	ep.kinds["impossible_jump"]++
	ep.maxKn = math.Max(ep.maxKn, kn)
	si.jumped = false
}

func (d *Detector) landEpisode(v *vessel, start, end time.Time, lat, lon float64) {
	s := &v.spoof
	s.landCounted = true
	ep := d.spoofEpisodeAt(v, start, end, lat, lon)
	ep.kinds["on_land"]++
	ep.landFixes = max(ep.landFixes, s.landRun)
}

// spike says whether the previous fix prev was a GPS glitch, now that p
// follows it: one bad fix jumped off the track (no track explains the
// step to it), and p jumps back (no track explains the step from it)
// onto a track the fix before prev leads to. Unless prev comes back to a
// second place: a stream put elsewhere (jumped) or of earlier glitches,
// where prev lies where its last fix would be now (a second transmitter
// heard now and then, by satellites say). Glitches come back nowhere: at
// real reporting rates a ship sends several a day, each 5-20 km off in its
// own direction, and the tracker may put them on one stream: one in ~50
// falls where the one before would be, so a stream where one came back
// nowhere (scattered) is no second place, whatever falls there later.
func (d *Detector) spike(s *spoofState, prev *stepFix, p *track.Fix) bool {
	u := s.undo
	if u == nil || u.si == nil || u.was.n > 0 && (u.was.jumped || u.was.spikes > 0) && !u.was.scattered && d.comesBack(&u.was, prev) {
		return false
	}
	return !d.coherent(prev, p) && d.coherent(&u.prev, p)
}

// comesBack says whether f lies where stream o's last fix would be by now,
// sailing on at f's speed and course: within SpoofTrackKm and a twentieth
// of the way (as the tracker reopens a stream). Or, f stopped (under
// PortStopKn), where o's last fix, under way (SpoofCircleKn or more), can
// have sailed (coherent): a second hull heard by satellites now and then,
// arriving at a berth (fresh seed 9642: a tanker broadcasting another's
// number 333 km away, heard at 11.7 kn, then moored 64 km on, 13 h
// later). A glitch carries its ship's own speed: a ship under way does
// not report itself stopped with it, and a moored ship's stream is not
// under way.
func (d *Detector) comesBack(o *segInfo, f *stepFix) bool {
	lat, lon, way := o.lat, o.lon, 0.0
	if h := f.at.time().Sub(o.last.time()).Hours(); h > 0 && !math.IsNaN(f.SOG) && !math.IsNaN(f.COG) {
		way = f.SOG * kmPerNm * h
		lat, lon = geo.Destination(lat, lon, f.COG, way)
	}
	if geo.DistanceKm(lat, lon, f.Lat, f.Lon) <= d.cfg.SpoofTrackKm+way/20 {
		return true
	}
	return o.sog >= d.cfg.SpoofCircleKn && f.SOG < d.cfg.PortStopKn &&
		d.coherent(o.lastFix(), &track.Fix{Time: f.at.time(), Lat: f.Lat, Lon: f.Lon, SOG: f.SOG, COG: f.COG})
}

// undoSpike takes back what the glitch the previous fix was changed: its
// stream is as before it (a stream it opened stays, holding it alone, so
// that a second hull heard again where it was is still told), the switch
// to it marked no stream jumped, and the stream before it is the MMSI's
// last again. Its impossible jump counts no more (nor does the way back),
// unless glitches come in a run (within glitchRun fixes of each other):
// every other fix put somewhere else is a position being faked, while a
// ship at real rates sends several lone glitches a day (3 within
// SpoofWindow were impossible_speed). An episode it ended or began is not
// taken back: it needs SpoofSegmentPoints fixes on a displaced stream or
// SpoofMinJumps jumps, which one glitch does not make.
func (d *Detector) undoSpike(s *spoofState) {
	u := s.undo
	if u.opened {
		u.si.jumped = false
	} else {
		*u.si = u.was
	}
	u.si.spikes++
	u.si.scattered = u.si.scattered || u.was.spikes > 0
	if u.marked != nil {
		u.marked.jumped = false
	}
	if u.counted && s.sinceGlitch > glitchRun && len(s.jumps) > 0 {
		s.jumps = s.jumps[:len(s.jumps)-1]
	}
	s.sinceGlitch = 0
	// The stream restored as the last may have been forgotten since.
	s.lastSeg, s.lastSI, s.lastIn = u.lastSeg, u.lastSI, false
	s.retFrom, s.retTo, s.retKn = u.retFrom, u.retTo, u.retKn
}

// sustained says whether a displaced run from start to end lasted
// SpoofSustainMin.
func (d *Detector) sustained(start, end time.Time) bool {
	return end.Sub(start) >= d.cfg.SpoofSustainMin
}

// notShip says whether an MMSI is, by its form, no ship station's: search
// and rescue aircraft (111MIDxxx), SARTs, MOB and EPIRB beacons (97…) and
// aids to navigation (99…). An AtoN charted ashore or an aircraft over
// land moves no ship anywhere.
func notShip(m uint32) bool {
	return m/1000000 == 111 || m >= 970000000 && m < 980000000 || m >= 990000000 && m < 1000000000
}

// coherent says whether a ship could have sailed from a to b: the step is
// within SpoofTrackKm plus what the faster of the two reported speeds
// (with a margin) covers in the time between, or with no reported speed
// 25 kn (the segmenter's envelope); never beyond SpoofSpeedKn. A ship
// moored at 0 kn that is next reported 10 km inland has not sailed there.
func (d *Detector) coherent(a *stepFix, b *track.Fix) bool {
	// Most steps, a few seconds apart at real rates, are within
	// SpoofTrackKm by an upper bound that needs no trigonometry.
	if upperKm(a.Lat, a.Lon, b.Lat, b.Lon) <= d.cfg.SpoofTrackKm {
		return true
	}
	h := math.Abs(b.Time.Sub(a.at.time()).Hours())
	km := geo.DistanceKm(a.Lat, a.Lon, b.Lat, b.Lon)
	if km <= d.cfg.SpoofTrackKm {
		return true
	}
	if km/kmPerNm/math.Max(h, d.cfg.SpoofSwitchMin.Hours()) > d.cfg.SpoofSpeedKn {
		return false
	}
	kn := 25.0
	if !math.IsNaN(a.SOG) && !math.IsNaN(b.SOG) {
		kn = math.Max(a.SOG, b.SOG)*1.3 + 2
	}
	return km <= d.cfg.SpoofTrackKm+kn*kmPerNm*h
}

// farFromWater says whether a point lies SpoofFarKm or more from the coast
// and from every mapped lake and river (Natural Earth 1:10m, see
// geo.DefaultWater), cached per 0.1° cell. Only fixes the tracker put
// inland ask, so the maps are loaded only when there are some.
func (d *Detector) farFromWater(s *spoofState, lat, lon float64) bool {
	if d.cfg.SpoofFarKm <= 0 {
		return false
	}
	k := [2]int32{int32(math.Floor(lat * 10)), int32(math.Floor(lon * 10))}
	if s.far != 0 && s.farKey == k {
		return s.far > 0
	}
	shore := d.shore
	if shore == nil { // a spoofing shard: the tracker's land is the default
		shore = geo.DefaultLand()
	}
	far := shore.DistanceToShoreKm(lat, lon) >= d.cfg.SpoofFarKm &&
		math.IsInf(geo.DefaultWater().DistanceKm(lat, lon, d.cfg.SpoofFarKm), 1)
	s.farKey, s.far = k, -1
	if far {
		s.far = 1
	}
	return far
}

// firstStreamLeft reports the MMSI's first stream o (see opening), now forgotten, as put
// elsewhere when an impossible jump left it for the stream si that went
// on, o never heard again: with no older track to return to, the
// out-and-back case cannot show it, and a lone glitch (or a displaced run
// that returns) would have come back to o (seed 405: a tanker taking a
// new number was first heard 250 km off its real course for 7 h, then
// showed where it was). Judged only when o is forgotten (SpoofSegmentIdle
// after its last fix), so data ending sooner does not show it. A first
// stream heard for longer than that is the MMSI's track, not a place
// faked from the start (fresh seed 7243: the original of a cloned number,
// heard for 4.6 days, was 'put elsewhere' when it fell silent and the
// clone went on; the clone's two places are the spoof).
func (d *Detector) firstStreamLeft(v *vessel, o, si *segInfo) {
	if !o.opening || o.counted || o.back || o.n < d.cfg.SpoofSegmentPoints || !d.sustained(o.first.time(), o.last.time()) ||
		o.last.time().Sub(o.first.time()) > d.cfg.SpoofSegmentIdle ||
		!si.jumped || si.n < d.cfg.SpoofSegmentPoints || si.first.time().Before(o.last.time()) {
		return
	}
	o.counted = true
	ep := d.spoofEpisodeAt(v, o.first.time(), o.last.time(), o.lat, o.lon)
	ep.kinds["impossible_jump"]++
}

// impossibleSwitch says whether going from stream o's last fix to p beats
// SpoofSpeedKn, timed over SpoofSwitchMin at least: receive times and
// fixes are not exact enough for a minute or two, and two ships a few km
// apart heard in turn within a minute (two tankers leaving one port under
// one number, seed 402) show no ship to be anywhere it could not be.
func (d *Detector) impossibleSwitch(o *segInfo, p *track.Point) bool {
	h := max(p.Time.Sub(o.last.time()), d.cfg.SpoofSwitchMin).Hours()
	return h > 0 && geo.DistanceKm(o.lat, o.lon, p.Lat, p.Lon)/kmPerNm/h > d.cfg.SpoofSpeedKn
}

// sailingInPlace catches a circle drawn too sparsely to follow turn by
// turn (a few satellite fixes a day): for SpoofInPlaceMin the vessel
// reports SpoofCircleKn or more on every fix, on courses covering all four
// quadrants (SpoofInPlaceFixes or more fixes), yet its fixes stay within
// 2*SpoofCircleKm of each other and go round a circle (goesRound). The
// fixes are kept (few: the run ends at the first fix below speed), and a
// fix far from older ones drops only those, so a ship that sails into the
// pattern does not hide it.
func (d *Detector) sailingInPlace(v *vessel, p *track.Point) {
	r := &v.spoof.inPlace
	if math.IsNaN(p.SOG) || math.IsNaN(p.COG) || p.SOG < d.cfg.SpoofCircleKn {
		r.reset()
		return
	}
	// At real rates (a fix every 2-10 s) the run keeps a fix per
	// minCircleLeg, and any fix on a new quadrant: 12 h of a drawn circle
	// then costs a vessel 1,440 fixes at most, not 20,000, and a ship
	// sailing on a few dozen.
	if n := len(r.fixes); n > r.head {
		if p.Time.UnixNano()-r.ns(n-1) < int64(minCircleLeg) && r.fixes[n-1].quad() == quadrant(p.COG) {
			return
		}
	}
	// The newest fix far from p ends the dropped run: searching from the
	// newest stops there. Positions are kept in AIS units (see
	// spoofstate.go), so that a checkpoint restores them to the bit.
	at := place(onUnits(p.Lat), onUnits(p.Lon))
	cut, reach := d.inPlaceKm.cutFar(r.live(), &at, &r.travelled)
	// A dense run keeps twice SpoofInPlaceMin: the pattern is found with
	// the run's true start (an episode then keeps it), and a vessel
	// reporting way while it stays in place for days (a ship whose
	// position an interference holds on one spot) keeps a day of fixes,
	// not all of them since it began: a deliberate bound (see add), which
	// differs only when a run of more than inPlaceFloor fixes first shows
	// all four quadrants after a day (its episode then starts a day
	// before, not when the run began) or shows one only before the last day.
	r.add(cut, inPlaceAt(uint8(quadrant(p.COG)), &at, reach), p.Time.UnixNano(), 2*d.cfg.SpoofInPlaceMin)
	run, start := r.live(), r.ns(r.head)
	if len(run) < d.cfg.SpoofInPlaceFixes || p.Time.UnixNano()-start < int64(d.cfg.SpoofInPlaceMin) {
		return
	}
	quads := 0
	for i := range run {
		quads |= 1 << run[i].quad()
	}
	if quads == 0xF && goesRound(run, d.cfg.SpoofCircleKm) {
		ep := d.spoofEpisode(v, nsTime(start), p)
		ep.kinds["circling"]++
	}
}

// goesRound says whether the fixes go round a circle of at most maxKm, as
// a drawn circle's do and as the simulator's truth asks of one: the circle
// that fits them best (least squares, fitted again without the fixes
// off it, such as those of the way in) holds three in four of them (half
// to one and a half times its radius from its centre), and those lie on
// all four sides of it, and three in four of them report a course along
// it, one way round: in the quadrant of the tangent there (the course of
// a drawn circle is its tangent; only the quadrant is kept). A fishing
// boat towing to and fro along a line (seed 7203) reports courses in all
// four quadrants within 10 km over 12 h, but no small circle fits its
// fixes; one working a ground heard now and then (held-out seed 9645: a
// Class B boat off Longkou at 3-4 kn, 15 fixes in 19 h) leaves fixes
// scattered over a disc, most of which a fitted circle's band holds, but
// heads every way across it.
func goesRound(run []inPlaceFix, maxKm float64) bool {
	if len(run) < 3 {
		return false
	}
	lat0, lon0 := run[0].latLon()
	kx := kmPerDegLat * math.Cos(lat0*math.Pi/180)
	xy := func(f *inPlaceFix) (float64, float64) {
		lat, lon := f.latLon()
		return (lon - lon0) * kx, (lat - lat0) * kmPerDegLat
	}
	on := make([]bool, len(run))
	for i := range on {
		on[i] = true
	}
	var cx, cy, r float64
	for pass := 0; pass < 2; pass++ {
		var ok bool
		if cx, cy, r, ok = fitCircle(run, on, xy); !ok || r > maxKm {
			return false
		}
		for i := range run {
			x, y := xy(&run[i])
			d := math.Hypot(x-cx, y-cy)
			on[i] = d >= r/2 && d <= 1.5*r
		}
	}
	n, sides, cw, ccw := 0, 0, 0, 0
	for i := range run {
		if on[i] {
			x, y := xy(&run[i])
			n++
			brg := math.Mod(math.Atan2(x-cx, y-cy)*180/math.Pi+360, 360) // from the centre
			sides |= 1 << quadrant(brg)
			if run[i].quad() == quadrant(math.Mod(brg+90, 360)) {
				cw++
			}
			if run[i].quad() == quadrant(math.Mod(brg+270, 360)) {
				ccw++
			}
		}
	}
	return sides == 0xF && 4*n >= 3*len(run) && 4*max(cw, ccw) >= 3*n
}

// fitCircle fits a circle to the fixes marked on (Kåsa's least squares:
// x²+y²+ax+by+c = 0, linear in a, b, c), in the plane xy gives.
func fitCircle(run []inPlaceFix, on []bool, xy func(*inPlaceFix) (float64, float64)) (cx, cy, r float64, ok bool) {
	var m [3][4]float64 // the normal equations, augmented
	for i := range run {
		if !on[i] {
			continue
		}
		x, y := xy(&run[i])
		row := [3]float64{x, y, 1}
		z := -(x*x + y*y)
		for a := 0; a < 3; a++ {
			for b := 0; b < 3; b++ {
				m[a][b] += row[a] * row[b]
			}
			m[a][3] += row[a] * z
		}
	}
	// Gaussian elimination with partial pivoting.
	for c := 0; c < 3; c++ {
		p := c
		for k := c + 1; k < 3; k++ {
			if math.Abs(m[k][c]) > math.Abs(m[p][c]) {
				p = k
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return 0, 0, 0, false
		}
		m[c], m[p] = m[p], m[c]
		for k := 0; k < 3; k++ {
			if k != c {
				f := m[k][c] / m[c][c]
				for j := c; j < 4; j++ {
					m[k][j] -= f * m[c][j]
				}
			}
		}
	}
	a, b, c := m[0][3]/m[0][0], m[1][3]/m[1][1], m[2][3]/m[2][2]
	cx, cy = -a/2, -b/2
	r2 := cx*cx + cy*cy - c
	if r2 <= 0 {
		return 0, 0, 0, false
	}
	return cx, cy, math.Sqrt(r2), true
}

// circling sums the signed turn between successive legs sailed at speed;
// SpoofCircleTurns full turns within SpoofCircleWindow inside a radius of
// SpoofCircleKm is a pattern no voyage makes (a track replayed or drawn).
func (d *Detector) circling(v *vessel, p *track.Point) {
	s := &v.spoof
	ns := p.Time.UnixNano()
	if !s.hasPrev {
		s.prevNs, s.prevLat, s.prevLon, s.hasPrev = ns, p.Lat, p.Lon, true
		return
	}
	qLat, qLon := s.prevLat, s.prevLon
	h := time.Duration(ns - s.prevNs).Hours()
	// A leg shorter than minCircleLeg (most fixes at real rates) ends
	// nothing; a vessel at anchor or berth barely moves between fixes:
	// an upper bound of the distance settles it without trigonometry.
	if h <= 0 || time.Duration(ns-s.prevNs) < minCircleLeg || upperKm(qLat, qLon, p.Lat, p.Lon) < 0.05 {
		return
	}
	// All the leg's length decides is whether it is 50 m long and was
	// sailed at SpoofCircleKn: bounds of it settle both for nearly every
	// leg, with margins that keep the formula's answers.
	var short, slow bool
	kn := d.cfg.SpoofCircleKn
	if lo, hi, ok := kmBounds(qLat, qLon, p.Lat, p.Lon); ok && lo > 0.05*(1+1e-9) &&
		(lo/kmPerNm/h > kn*(1+1e-9) || hi/kmPerNm/h < kn*(1-1e-9)) {
		slow = hi/kmPerNm/h < kn*(1-1e-9)
	} else {
		dist := geo.DistanceKm(qLat, qLon, p.Lat, p.Lon)
		short, slow = dist < 0.05, dist/kmPerNm/h < kn
	}
	if short {
		return
	}
	s.prevNs, s.prevLat, s.prevLon = ns, p.Lat, p.Lon
	if slow || h > 1 {
		s.hasBrg, s.absTurn = false, 0
		s.turns.reset()
		return
	}
	c1, c2 := math.Cos(qLat*rad), math.Cos(p.Lat*rad)
	brg := bearingCos(qLat, qLon, c1, p.Lat, p.Lon, c2)
	if s.hasBrg {
		dd := float32(math.Mod(brg-s.prevBrg+540, 360) - 180)
		s.turns.add(turn{deg: dd, lat: toUnits(p.Lat), lon: toUnits(p.Lon)}, ns)
		s.absTurn += math.Abs(float64(dd))
	}
	s.prevBrg, s.hasBrg = brg, true
	// Turns leave the window, and so do turns more than 2*SpoofCircleKm
	// from the newest: every stretch tested from now on ends at the newest
	// turn, and a stretch holding two turns that far apart has one of them
	// beyond SpoofCircleKm of any centre (the triangle inequality), so it
	// is never a circle. A ship on passage keeps the turns of its last
	// 10 km, not of 6 h.
	cut := 0
	if n := len(s.turns.at); n > 0 { // the newest, just added, stays
		far := 2 * d.cfg.SpoofCircleKm * (1 + 1e-9)
		nlat, nlon := s.turns.at[n-1].latLon()
		for cut < n-1 {
			t := &s.turns.at[cut]
			if ns-s.turns.ns(cut) <= int64(d.cfg.SpoofCircleWindow) {
				if tlat, tlon := t.latLon(); withinKm(tlat, tlon, nlat, nlon, far) {
					break
				}
			}
			s.absTurn -= math.Abs(float64(t.deg))
			cut++
		}
	}
	s.turns.drop(cut)
	if s.absTurn < d.cfg.SpoofCircleTurns*360 {
		return // cannot have turned enough: the common case, kept cheap
	}
	// The most recent stretch that turns SpoofCircleTurns times, if any.
	sum, from := 0.0, -1
	for i := len(s.turns.at) - 1; i >= 0; i-- {
		sum += float64(s.turns.at[i].deg)
		if math.Abs(sum) >= d.cfg.SpoofCircleTurns*360 {
			from = i
			break
		}
	}
	if from < 0 {
		return
	}
	var lat, lon float64
	loop := s.turns.at[from:]
	for i := range loop {
		tlat, tlon := loop[i].latLon()
		lat += tlat
		lon += tlon
	}
	lat /= float64(len(loop))
	lon /= float64(len(loop))
	var sum1, sum2 float64
	for i := range loop {
		tlat, tlon := loop[i].latLon()
		r := geo.DistanceKm(lat, lon, tlat, tlon)
		if r > d.cfg.SpoofCircleKm {
			return
		}
		sum1 += r
		sum2 += r * r
	}
	// Round: a track drawn for a transponder keeps one radius; a ship
	// really manoeuvring in a harbour does not (a New Year's Eve cruise
	// in San Francisco Bay looped twice at 0.4–4.7 km from its centre).
	n := float64(len(loop))
	mean := sum1 / n
	if mean <= 0 || math.Sqrt(math.Max(0, sum2/n-mean*mean)) > d.cfg.SpoofCircleSpread*mean {
		return
	}
	ep := d.spoofEpisode(v, nsTime(s.turns.ns(from)), p)
	ep.kinds["circling"]++
	ep.turns = math.Max(ep.turns, math.Abs(sum)/360)
}

func (d *Detector) spoofEpisode(v *vessel, start time.Time, p *track.Point) *episode {
	return d.spoofEpisodeAt(v, start, p.Time, p.Lat, p.Lon)
}

// spoofEpisodeAt adds a signal seen from start to end at lat, lon to the
// open episode, or opens one. A signal that begins after the open episode's
// last one, far from it, is another pattern (a ship that drew a circle and
// then put itself elsewhere): the open episode is closed first.
func (d *Detector) spoofEpisodeAt(v *vessel, start, end time.Time, lat, lon float64) *episode {
	s := &v.spoof
	if ep := s.episode; ep != nil && start.After(ep.end) &&
		geo.DistanceKm(ep.lastLat, ep.lastLon, lat, lon) > d.cfg.SpoofSplitKm {
		d.closeSpoof(v)
	}
	if s.episode == nil && s.pending != nil && !start.After(s.pending.end) {
		// The same pattern seen again after a silence: one episode.
		s.episode, s.pending = s.pending, nil
	}
	if s.episode == nil {
		s.episode = &episode{start: start, lat: lat, lon: lon, kinds: map[string]int{}}
	}
	ep := s.episode
	if start.Before(ep.start) {
		ep.start = start
	}
	if end.After(ep.end) {
		ep.end = end
	}
	ep.lastLat, ep.lastLon = lat, lon
	return ep
}

// closeSpoof ends the open episode. It is held back until the next one
// begins: a pattern seen only now and then (a circle drawn for satellite
// receivers, heard every few hours) must not become many episodes.
func (d *Detector) closeSpoof(v *vessel) {
	ep := v.spoof.episode
	if ep == nil {
		return
	}
	v.spoof.episode = nil
	v.spoof.jumps = v.spoof.jumps[:0]
	v.spoof.maxKn = 0
	if v.spoof.pending != nil {
		d.emitSpoof(v, v.spoof.pending)
	}
	v.spoof.pending = ep
}

// flushSpoof reports every episode of v at the end of the data.
func (d *Detector) flushSpoof(v *vessel) {
	d.closeSpoof(v)
	if v.spoof.pending != nil {
		d.emitSpoof(v, v.spoof.pending)
		v.spoof.pending = nil
	}
}

func (d *Detector) emitSpoof(v *vessel, ep *episode) {
	ev := map[string]any{}
	kinds := []string{}
	for _, k := range []string{"impossible_speed", "impossible_jump", "two_places", "on_land", "circling"} {
		if ep.kinds[k] > 0 {
			kinds = append(kinds, k)
			ev[k+"_signals"] = ep.kinds[k]
		}
	}
	ev["kinds"] = kinds
	if ep.maxKn > 0 {
		ev["max_implied_speed_kn"] = round(ep.maxKn, 1)
		ev["speed_limit_kn"] = d.cfg.SpoofSpeedKn
	}
	if ep.maxSepKm > 0 {
		ev["max_separation_km"] = round(ep.maxSepKm, 1)
	}
	if ep.landFixes > 0 {
		ev["inland_fixes"] = ep.landFixes
	}
	if ep.turns > 0 {
		ev["full_turns"] = round(ep.turns, 1)
	}
	conf := 0.6 + 0.1*float64(len(kinds))
	d.out(&event.Event{Type: event.Spoofing, MMSI: v.mmsi, Start: ep.start, End: ep.end,
		Lat: ep.lat, Lon: ep.lon, Confidence: math.Min(conf, 1), Source: event.SourceAIS, Evidence: ev})
}
