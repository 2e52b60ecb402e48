package detect

import (
	"math"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// reception remembers, per 0.5° cell and hour, that some vessel was heard
// there, so that a gap can be told from a hole in coverage: if others near
// the gap's start kept being received, the receivers were listening.
type reception struct {
	hours map[[2]int32]map[int32]uint32 // cell -> hour -> one MMSI heard (for "others")
	multi map[[2]int32]map[int32]bool   // cell -> hour -> more than one MMSI heard
	prune int32
	// looked counts the cell-hours heardFraction examined (tests bound it).
	looked int64
}

const rxCell = 0.5

func newReception() *reception {
	return &reception{hours: map[[2]int32]map[int32]uint32{}, multi: map[[2]int32]map[int32]bool{}}
}

func rxKey(lat, lon float64) [2]int32 {
	return [2]int32{int32(math.Floor(lat / rxCell)), int32(math.Floor(lon / rxCell))}
}

func hourOf(t time.Time) int32 { return int32(t.Unix() / 3600) }

func (r *reception) heard(lat, lon float64, t time.Time, mmsi uint32, v *vessel) {
	k, h := rxKey(lat, lon), hourOf(t)
	// A vessel reports many times an hour from the same cell: once is enough.
	if v.rxKey == k && v.rxHour == h {
		return
	}
	v.rxKey, v.rxHour = k, h
	m := r.hours[k]
	if m == nil {
		m = map[int32]uint32{}
		r.hours[k] = m
	}
	switch prev, ok := m[h]; {
	case !ok:
		m[h] = mmsi
	case prev != mmsi:
		mm := r.multi[k]
		if mm == nil {
			mm = map[int32]bool{}
			r.multi[k] = mm
		}
		mm[h] = true
	}
	// Forget hours older than any gap we could still be asked about (a
	// month), once a simulated day, to keep memory bounded.
	if h > r.prune+24 {
		r.prune = h
		for _, m := range r.hours {
			for hh := range m {
				if hh < h-24*31 {
					delete(m, hh)
				}
			}
		}
		for _, m := range r.multi {
			for hh := range m {
				if hh < h-24*31 {
					delete(m, hh)
				}
			}
		}
	}
}

// heardFraction is the fraction of whole hours strictly inside (from, to) in
// which a vessel other than mmsi was heard within about radiusKm of (lat, lon).
//
// Its work is bounded by what the history holds, not by the gap's length: a
// long gap (one bad clock makes a 76-year one) walks the hours recorded in
// the cells around instead of every hour of the gap.
func (r *reception) heardFraction(lat, lon, radiusKm float64, from, to time.Time, mmsi uint32) float64 {
	h0, h1 := hourOf(from)+1, hourOf(to)-1
	if h1 < h0 {
		return 0
	}
	dy := int32(math.Ceil(radiusKm / 111 / rxCell))
	dx := int32(math.Ceil(radiusKm / (111 * math.Max(math.Cos(lat*math.Pi/180), 0.1)) / rxCell))
	c := rxKey(lat, lon)
	others := func(k [2]int32, h int32, who uint32) bool {
		return who != mmsi || r.multi[k][h]
	}
	span := int64(h1) - int64(h0) + 1
	n := 0
	if span <= rxScanHours {
		for h := h0; h <= h1; h++ {
		cells:
			for y := c[0] - dy; y <= c[0]+dy; y++ {
				for x := c[1] - dx; x <= c[1]+dx; x++ {
					k := [2]int32{y, x}
					r.looked++
					if who, ok := r.hours[k][h]; ok && others(k, h, who) {
						n++
						break cells
					}
				}
			}
		}
	} else {
		heard := map[int32]bool{}
		for y := c[0] - dy; y <= c[0]+dy; y++ {
			for x := c[1] - dx; x <= c[1]+dx; x++ {
				k := [2]int32{y, x}
				for h, who := range r.hours[k] {
					r.looked++
					if h >= h0 && h <= h1 && others(k, h, who) {
						heard[h] = true
					}
				}
			}
		}
		n = len(heard)
	}
	return float64(n) / float64(span)
}

// rxScanHours: a gap up to this long is graded hour by hour; a longer one
// by the recorded hours, which pruning keeps to about a month per cell.
const rxScanHours = 24 * 32

// gapSpan is a silence of one MMSI: no message of any kind between from and to.
type gapSpan struct{ from, to time.Time }

// message notes that the vessel was heard at t (a position, a flagged
// fix, a static report: any message ends a silence).
func (d *Detector) message(v *vessel, t time.Time) {
	// A silence before the first position is a gap too (the MMSI was
	// heard, by its static reports); it is placed where it ends.
	if !v.lastMsg.isZero() && track.Elapsed(v.lastMsg.time(), t) >= d.cfg.GapMin {
		v.gaps = append(v.gaps, gapSpan{v.lastMsg.time(), t})
	}
	if t.After(v.lastMsg.time()) {
		v.lastMsg = stampOf(t)
	}
}

// reportGaps reports the vessel's pending silences, now that p (the first
// position after them) shows where it came back, and follows the vessel's
// absence. Called for every position, and at the end of the data (Flush)
// with p the last fix, which then ends the absence.
//
// An absence is where a dark port visit may hide: the time between two
// credible positions. Static reports say nothing of where the vessel is,
// and neither do positions that report way (at least SpoofCircleKn) yet
// stay within twice SpoofCircleKm of where the absence began: a ship under
// way does not end where it started, but a circle drawn while the ship
// lies in port does (the spoofing detector reports such circles; it may
// run elsewhere, so the dark visit applies its own, simpler test). An
// absence begins with a silence of GapMin, or with such positions going
// nowhere for SpoofInPlaceMin (a circle heard well from the start).
// An absence still open when the data ends is no possible visit: where the
// ship went next is unknown, so whether a port lay within reach cannot be
// judged (a ship lying in a port behind a fake circle when the data ends
// is found once a credible position follows, in a later run that carries
// the absence over by checkpoint).
func (d *Detector) reportGaps(v *vessel, p *track.Point) {
	if len(v.gaps) > 0 {
		for i := range v.gaps {
			d.reportGap(v, p, &v.gaps[i])
		}
		if v.has && v.abs == nil {
			v.abs = &absence{from: stampOf(v.gaps[0].from), at: keepPoint(&v.last)}
			d.resumeAbsence(v, p)
		}
		v.gaps = v.gaps[:0]
	}
	atEnd := p == &v.last
	if a := v.abs; a != nil {
		if !atEnd && d.staysAbsent(v, p) {
			return
		}
		v.abs = nil
		if atEnd {
			d.releaseVisit(v)
			return
		}
		lg := v.lastGap
		deliberate := lg != nil && !lg.Start.Before(a.from.time()) && lg.Evidence["deliberate"] == true
		v.heldVisit = nil
		if p.SOG >= d.cfg.SpoofCircleKn {
			v.heldVisit = &heldVisit{from: a.from.time(), at: a.at.point(), end: *p, deliberate: deliberate}
		} else {
			at := a.at.point()
			d.darkVisit(v, &at, p, &gapSpan{a.from.time(), p.Time}, deliberate)
		}
		v.placeAt = keepPoint(p)
		return
	}
	if atEnd {
		d.releaseVisit(v)
		return
	}
	// goesNowhere from placeAt, whose position is all it reads: taking
	// placeAt as a track.Point on every fix, its time converted, cost
	// more than the test.
	if pa := &v.placeAt; !pa.at.isZero() && p.SOG >= d.cfg.SpoofCircleKn && withinKm(pa.lat, pa.lon, p.Lat, p.Lon, 2*d.cfg.SpoofCircleKm) {
		if h := v.heldVisit; h != nil && d.drawn(&h.end, p) {
			h.drawn = true
		}
		if track.Elapsed(v.placeAt.at.time(), p.Time) >= d.cfg.SpoofInPlaceMin {
			v.abs = &absence{from: v.placeAt.at, at: v.placeAt}
			d.resumeAbsence(v, p)
		}
		return
	}
	d.releaseVisit(v)
	v.placeAt = keepPoint(p)
}

// heldVisit is an absence that ended at a fix reporting way (end), whose
// possible dark visit waits for the fixes after it: a drawn track's first
// fix reports way too. When a later fix lies near end, long enough after
// it for that way to have carried the ship further (drawn), the fixes
// showed no voyage, and an absence beginning from them (a silence, or
// SpoofInPlaceMin in place) goes on from this one: one absence, one
// visit (fresh seed 10053: a tanker silent 35 h, then heard on a circle
// 67 km from its last fix at 07:21, 12:17 and 15:05, then silent again,
// was given two visits to Wonsan, one either side of them). A ship on a
// voyage heard once between silences is tens of km on at the next fix
// (seed 10009: 60-85 km on a lane heard every 13-16 h): its silences stay
// apart.
type heldVisit struct {
	from       time.Time
	at, end    track.Point
	deliberate bool
	drawn      bool
}

// drawn says whether p, going nowhere from q, came long enough after it
// for q's reported speed to have carried the ship beyond 2*SpoofCircleKm.
func (d *Detector) drawn(q, p *track.Point) bool {
	return d.goesNowhere(q, p) && p.Time.Sub(q.Time).Hours()*q.SOG*kmPerNm > 2*d.cfg.SpoofCircleKm
}

// resumeAbsence joins the absence just begun, at p, to the held one when
// the vessel went nowhere since that one ended (placeAt is still its end)
// and its fixes were drawn.
func (d *Detector) resumeAbsence(v *vessel, p *track.Point) {
	h := v.heldVisit
	if h == nil {
		return
	}
	if !v.placeAt.at.time().Equal(h.end.Time) || !h.drawn && !d.drawn(&h.end, p) {
		d.releaseVisit(v)
		return
	}
	// It began where the held one did, and goes on while fixes stay near
	// where the held one ended (staysAbsent); held still, to be reported
	// as it was should the data end in this absence.
	*v.abs = absence{from: stampOf(h.from), at: keepPoint(&h.at), on: true,
		off: [2]float32{float32(h.end.Lat - h.at.Lat), float32(math.Mod(h.end.Lon-h.at.Lon+540, 360) - 180)}}
}

// releaseVisit reports the held absence's possible dark visit: the vessel
// went somewhere after it, or the data ended.
func (d *Detector) releaseVisit(v *vessel) {
	h := v.heldVisit
	if h == nil {
		return
	}
	v.heldVisit = nil
	d.darkVisit(v, &h.at, &h.end, &gapSpan{h.from, h.end.Time}, h.deliberate)
}

// staysAbsent says whether p, heard during v's absence, goes nowhere: it
// reports way yet lies where the absence began, or where the first fix
// that went nowhere during it lay (each within 2*SpoofCircleKm). Fixes
// of a drawn circle lie within its diameter of each other, while where
// the absence began may lie off the circle: the last fix of the way in
// (fresh seed 10002: a circle's far side lay 10.0 km from it, and a fix
// there cut one absence of 5.3 days in two, the second half a false call
// in Pos'yet). A ship sailing on leaves both behind.
func (d *Detector) staysAbsent(v *vessel, p *track.Point) bool {
	a := v.abs
	q := a.at.point()
	if a.on {
		// The first fix's offsets from at, the longitude's across the
		// antimeridian too.
		return d.goesNowhere(&q, p) || p.SOG >= d.cfg.SpoofCircleKn &&
			withinKm(q.Lat+float64(a.off[0]), q.Lon+float64(a.off[1]), p.Lat, p.Lon, 2*d.cfg.SpoofCircleKm)
	}
	if !d.goesNowhere(&q, p) {
		return false
	}
	a.on = true
	a.off = [2]float32{float32(p.Lat - q.Lat), float32(math.Mod(p.Lon-q.Lon+540, 360) - 180)}
	return true
}

// absence is a vessel's absence (see reportGaps), open since from, after
// the credible fix at.
type absence struct {
	from stamp
	at   keptPoint
	// off is where the first fix going nowhere during the absence lay, as
	// offsets from at (degrees), once on.
	off [2]float32
	on  bool
}

// goesNowhere says whether p reports way yet lies where q was.
func (d *Detector) goesNowhere(q, p *track.Point) bool {
	return p.SOG >= d.cfg.SpoofCircleKn && withinKm(q.Lat, q.Lon, p.Lat, p.Lon, 2*d.cfg.SpoofCircleKm)
}

// reportGap reports one silence, and a possible dark port visit when a
// watched port lay within reach during it.
func (d *Detector) reportGap(v *vessel, p *track.Point, g *gapSpan) {
	q := &v.last
	if !v.has {
		// No position before it: where it came back is all that is known.
		q = p
	}
	dt := g.to.Sub(g.from)
	hours := dt.Hours()
	distKm := geo.DistanceKm(q.Lat, q.Lon, p.Lat, p.Lon)
	shoreNm := d.shoreKm(q.Lat, q.Lon) / kmPerNm
	heard := d.rx.heardFraction(q.Lat, q.Lon, d.cfg.GapNeighbourKm, g.from, g.to, v.mmsi)
	var near *Port
	nearKm := math.Inf(1)
	for _, w := range d.watched {
		if k := geo.DistanceKm(q.Lat, q.Lon, w.Lat, w.Lon); k < nearKm {
			near, nearKm = w, k
		}
	}
	coverage := heard >= d.cfg.GapHeardFraction
	offshore := shoreNm >= d.cfg.GapShoreNm
	nearWatched := nearKm <= d.cfg.GapWatchedKm
	deliberate := coverage && (offshore || nearWatched)
	conf := 0.5
	if deliberate {
		conf = 0.9
	} else if !coverage {
		conf = 0.3
	}
	ev := map[string]any{
		"gap_h":                 round(hours, 2),
		"distance_km":           round(distKm, 1),
		"implied_speed_kn":      round(distKm/kmPerNm/hours, 2),
		"start_shore_nm":        round(math.Min(shoreNm, 1e6), 1),
		"others_heard_fraction": round(heard, 2),
		"end_lat":               round(p.Lat, 5),
		"end_lon":               round(p.Lon, 5),
		"deliberate":            deliberate,
		"threshold_h":           d.cfg.GapMin.Hours(),
		"position_before":       v.has,
	}
	if near != nil {
		ev["nearest_watched_port"] = near.Name
		ev["nearest_watched_port_km"] = round(nearKm, 1)
	}
	ge := &event.Event{Type: event.Gap, MMSI: v.mmsi, Start: g.from, End: g.to,
		Lat: q.Lat, Lon: q.Lon, Confidence: conf, Source: event.SourceAIS, Evidence: ev}
	d.out(ge)
	v.lastGap = ge
}

// darkVisit reports a possible visit to a watched port during an absence
// (see reportGaps): the port lies inside the ellipse of points reachable
// from the last credible fix q and back to the next one p at the vessel's
// speed, leaving DarkMinDwell in port.
// Confidence grows with the slack left over: a port just reachable is a
// weak lead, one reachable with hours to spare a stronger one.
func (d *Detector) darkVisit(v *vessel, q, p *track.Point, g *gapSpan, deliberate bool) {
	// Stopped when it fell silent and heard again stopped at that spot: it
	// lay there (its transponder off, or sending another number, as a
	// covert tanker loading in Slavyanka did for 68 h on seed 8002). A ship
	// back from a round trip berths or anchors elsewhere, if only by a few
	// hundred metres.
	if q.SOG < d.cfg.PortMoveKn && p.SOG < d.cfg.PortMoveKn && geo.DistanceKm(q.Lat, q.Lon, p.Lat, p.Lon)*1000 <= d.cfg.DarkStayedM {
		return
	}
	kn := v.maxKn
	if kn < 1 {
		kn = d.cfg.DarkSpeedKn
	}
	avail := g.to.Sub(g.from).Hours() - d.cfg.DarkMinDwell.Hours()
	if avail <= 0 {
		return
	}
	// Silent as another MMSI's track jumped to where it was: it went on
	// under that number (seed 8010: a covert tanker broadcast another
	// tanker's MMSI for 55 h at sea, its own silent; seed 8002 likewise in
	// port), so where it was is known, and it was not dark.
	if d.carriedOn(q) {
		return
	}
	reach := kn * kmPerNm * avail
	// Several watched ports are often within reach. A vessel hides a visit
	// to somewhere other than where it openly was, so ports of the group it
	// was last seen in are left out; the watched groups are listed by
	// concern (KP first: a call in the DPRK is what a tanker hides), so
	// ports rank by group order, then by how well the courses into and out
	// of the silence point at them, then by the smallest detour.
	origin := ""
	if v.port.in {
		origin = v.port.port.Group()
	} else if lv := v.lastVisit; lv != nil && q.Time.Sub(lv.End) < 2*d.cfg.GapMin {
		origin = lv.PortGroup
	} else if pt, _, ok := d.ports.Nearest(q.Lat, q.Lon, d.exitKm()); ok {
		// Fell silent inside a port whose visit was never opened or
		// reported (berthed there when the data began, its arrival
		// unseen) and left before the absence ended (seed 8108: a DPRK
		// tanker silent at its Hungnam berth was given a call in Ch'aho).
		origin = pt.Group()
	}
	// The same holds where it comes back into view: a vessel that
	// reappears berthed in a port shows its call in that group openly.
	dest := ""
	if pt, _, ok := d.ports.Nearest(p.Lat, p.Lon, d.exitKm()); ok {
		dest = pt.Group()
	}
	var best *Port
	bestRatio, bestRank, bestDev := math.Inf(1), math.MaxInt, math.Inf(1)
	var bestD1, bestD2 float64
	for _, w := range d.watched {
		d1 := geo.DistanceKm(q.Lat, q.Lon, w.Lat, w.Lon)
		d2 := geo.DistanceKm(w.Lat, w.Lon, p.Lat, p.Lon)
		// Already in that port at either end: an ordinary port visit.
		if d1 <= d.exitKm() || d2 <= d.exitKm() {
			continue
		}
		rank := len(d.cfg.WatchedGroups)
		for i, g := range d.cfg.WatchedGroups {
			if w.inGroups([]string{g}) {
				rank = i
				break
			}
		}
		// Nor a call of no greater concern than the one it
		// makes openly: a tanker seen berthed in the DPRK has nothing to
		// gain from a secret call in Russia, and its silence there is most
		// simply the poor reception of a DPRK berth.
		if origin != "" && w.inGroups([]string{origin}) || dest != "" && w.inGroups([]string{dest}) ||
			rank >= d.groupRank(origin) || rank >= d.groupRank(dest) {
			continue
		}
		r := (d1 + d2) / reach
		if r > d.cfg.DarkMaxRatio {
			continue
		}
		// Vessels go dark on the way: the course sailed into the silence
		// and out of it points at the port they called at.
		dev := headingOff(q.COG, geo.Bearing(q.Lat, q.Lon, w.Lat, w.Lon)) +
			headingOff(p.COG, geo.Bearing(w.Lat, w.Lon, p.Lat, p.Lon))
		// A port that takes much of the reachable distance is a weak lead
		// unless the courses back it up.
		if r > d.cfg.DarkCourseRatio && dev > d.cfg.DarkCourseOffDeg {
			continue
		}
		if rank < bestRank || rank == bestRank && (dev < bestDev || dev == bestDev && r < bestRatio) {
			best, bestRatio, bestRank, bestD1, bestD2, bestDev = w, r, rank, d1, d2, dev
		}
	}
	if best == nil {
		return
	}
	d.out(&event.Event{Type: event.PossibleDarkPortVisit, MMSI: v.mmsi, Start: g.from, End: g.to,
		Lat: best.Lat, Lon: best.Lon, Port: best.Name, PortID: best.ID, PortGroup: best.Group(),
		Confidence: round(1-bestRatio, 2), Source: event.SourceAIS,
		Evidence: map[string]any{
			"gap_h":          round(g.to.Sub(g.from).Hours(), 2),
			"to_port_km":     round(bestD1, 1),
			"from_port_km":   round(bestD2, 1),
			"speed_kn":       round(kn, 1),
			"reach_km":       round(reach, 1),
			"min_dwell_h":    d.cfg.DarkMinDwell.Hours(),
			"ellipse_ratio":  round(bestRatio, 3),
			"course_off_deg": round(bestDev, 0),
			"watched_groups": d.cfg.WatchedGroups,
			"origin_group":   origin,
			"return_group":   dest,
			"gap_deliberate": deliberate,
		}})
}

// groupRank is the place of a port group in the watched groups (0 is the
// greatest concern), or past their end for any other group or none.
func (d *Detector) groupRank(group string) int {
	if i := slices.Index(d.cfg.WatchedGroups, group); i >= 0 {
		return i
	}
	return len(d.cfg.WatchedGroups) + 1
}

// headingOff is the angle between a course and a bearing, 0–180°, or 0
// when the course is unknown.
func headingOff(cog, brg float64) float64 {
	if math.IsNaN(cog) {
		return 0
	}
	return math.Abs(math.Mod(cog-brg+540, 360) - 180)
}
