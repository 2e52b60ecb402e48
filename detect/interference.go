package detect

import (
	"math"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// GNSS interference (issue 18): for hours, ships in an area report
// positions displaced to one point or circle (seen near ports in the
// Baltic, the Black Sea and the Gulf). Each ship alone looks like a spoof;
// together they are one event: an area where InterferenceVessels or more
// vessels jumped, no ship could sail there, each with InterferenceFixes
// displaced fixes or more, into one InterferenceKm area, each within
// InterferenceIdle of the last. Vessels arriving there unseen (a new
// track, or first heard there after an hour's silence elsewhere) are
// placed there too; a vessel's jump back out is its own position again.
// It is reported once, listing the vessels, when no affected vessel was
// placed there for InterferenceIdle. The spoofing events of those vessels in the area and
// period stay (the data show them), and risk scoring gives them no points:
// the spoof is not theirs.
//
// It runs with the Movement detectors, which see every vessel in one
// Detector (a Detector fed only some vessels sees their share of an
// interference only), or alone over every vessel (Interference), handing
// its verdict on each fix to Detectors running the other Movement
// detectors on some vessels each (PointJudged).
//
// A fix placed in an area not yet shown is taken by the movement
// detectors, but the area may be shown later: the ships put on a circle
// may have left it, their loitering there ended, before enough vessels
// were put there to show it (a ship heard first on the circle after a
// silence, whose run no jump began, reported it). So a loitering run on such
// fixes is held, and what depends on it (a draught change during it, a
// possible dark transfer), until the area is decided (DecideArea): shown,
// it is not reported; closed unshown, or unshown InterferenceHold after it
// began, it is reported as it was. Real loitering elsewhere, or beside the
// area without being placed in it, is not held.

// Verdict is the interference detector's verdict on one fix: Displaced,
// into an area already shown (the movement detectors do not take it), or
// else placed in area Area (0: none) not shown yet, nor given up, whose
// decision DecideArea will bring.
type Verdict struct {
	Displaced bool
	Area      uint64
}

// gnssArea is an area where displaced positions land.
type gnssArea struct {
	Start, End       time.Time
	Lat, Lon         float64 // centre: mean of the jumps into it
	SumLat, SumLon   float64
	Jumps, Displaced int
	MaxKm            float64
	Vessels          []uint32 // sorted
	// Fixes counts each vessel's displaced fixes (same order as Vessels):
	// a vessel is affected once it has InterferenceFixes, since one or
	// two displaced fixes are what a GPS glitch also gives (seed 9652: a
	// ship passing the area's edge sent one).
	Fixes []int
	// Jumped tells which vessels jumped there (the others arrived unseen).
	Jumped []bool
	// ID names the area in Verdicts and decisions (from 1, in order of
	// opening).
	ID uint64
	// Held: a fix placed there was judged before the area was shown, so
	// a decision on it is owed; Released: it was given up
	// (InterferenceHold), and judges no more fixes as held.
	Held, Released bool
}

// shown tells whether InterferenceVessels vessels that jumped there are
// affected: ships arriving unseen join an interference, but do not make
// one (seed 9653: ships heard again after a coverage hole on a lane made
// the area of one glitch an interference).
func (a *gnssArea) shown(cfg *Config) bool {
	n := 0
	for i, f := range a.Fixes {
		if f >= cfg.InterferenceFixes && a.Jumped[i] {
			n++
		}
	}
	return n >= cfg.InterferenceVessels
}

// place counts a displaced fix of mmsi in the area, listing the vessel.
func (a *gnssArea) place(mmsi uint32, t time.Time, jump bool) {
	i, ok := slices.BinarySearch(a.Vessels, mmsi)
	if !ok {
		a.Vessels = slices.Insert(a.Vessels, i, mmsi)
		a.Fixes = slices.Insert(a.Fixes, i, 0)
		a.Jumped = slices.Insert(a.Jumped, i, false)
	}
	a.Fixes[i]++
	a.Jumped[i] = a.Jumped[i] || jump
	a.Displaced++
	a.End = t
}

// gnssPrev is what the interference detector remembers of a vessel's
// previous positioned fix.
type gnssPrev struct {
	t        stamp
	lat, lon float64
	// placed: that fix was a displaced one (it jumped into an area, or
	// its vessel was placed in one).
	placed bool
}

// interferencePoint feeds one point (any flag) of vessel v and says
// whether it is a displaced fix of an interference already shown (by
// InterferenceVessels vessels): not where the ship is, so the movement
// detectors do not take it (a ship put on a circle at sea for hours is
// not loitering there).
func (d *Detector) interferencePoint(v *vessel, p *track.Point) Verdict {
	if !p.HasPos {
		return Verdict{}
	}
	at := d.gnssPlace(v, p)
	v.gnssPrev = gnssPrev{t: stampOf(p.Time), lat: p.Lat, lon: p.Lon, placed: at != nil}
	switch {
	case at == nil:
		return Verdict{}
	case at.shown(&d.cfg):
		return Verdict{Displaced: true}
	case at.Released:
		return Verdict{}
	}
	at.Held = true
	return Verdict{Area: at.ID}
}

// gnssPlace returns the area p is a displaced fix in (placed there), or
// nil.
func (d *Detector) gnssPlace(v *vessel, p *track.Point) *gnssArea {
	if !d.gnssNext.After(p.Time) {
		d.closeInterference(false)
		d.gnssNext = p.Time.Add(10 * time.Minute)
	}
	// A jump into an area: too fast for a ship, or off the track onto a
	// segment of its own (Displaced: a ship could have made it, did not):
	// the first vessel put there, heard seldom, may arrive under
	// SpoofSpeedKn (48 kn on fresh seed 9603), before any area is open to
	// list it later.
	jump := p.Flag == track.TooFast || p.Flag == track.Displaced || p.NewSeg && p.ImpliedKn > d.cfg.SpoofSpeedKn
	// A jump away from a displaced fix is the vessel's own position
	// again, not a displacement: ships leaving an interference along one
	// lane regain their positions in one place (seed 9653), which made an
	// interference of its own there.
	back := jump && v.gnssPrev.placed
	if back {
		jump = false
	}
	if !jump && len(d.gnss) == 0 {
		return nil
	}
	at := d.gnssNear(p.Lat, p.Lon)
	if !jump {
		if at == nil {
			return nil
		}
		_, listed := slices.BinarySearch(at.Vessels, v.mmsi)
		if !listed && !back && d.gnssArrived(v, p, at) {
			listed = true
		}
		if !listed {
			return nil
		}
		// A vessel placed there goes on being reported there.
		d.gnssCount(at, v.mmsi, p.Time, false)
		return at
	}
	if at == nil {
		d.gnssSeq++
		at = &gnssArea{Start: p.Time, Lat: p.Lat, Lon: p.Lon, ID: d.gnssSeq}
		d.gnss = append(d.gnss, at)
	}
	d.gnssGrid.ok = false // the area is new or its centre moves
	at.SumLat += p.Lat
	at.SumLon += p.Lon
	at.Jumps++
	at.Lat, at.Lon = at.SumLat/float64(at.Jumps), at.SumLon/float64(at.Jumps)
	at.MaxKm = math.Max(at.MaxKm, geo.DistanceKm(at.Lat, at.Lon, p.Lat, p.Lon))
	d.gnssCount(at, v.mmsi, p.Time, true)
	return at
}

// gnssCount places a fix of mmsi in area at, deciding the area shown if
// that fix shows it and fixes were held for it.
func (d *Detector) gnssCount(at *gnssArea, mmsi uint32, t time.Time, jump bool) {
	was := at.shown(&d.cfg)
	at.place(mmsi, t, jump)
	if !was && at.Held && !at.Released && at.shown(&d.cfg) {
		d.areaDecided(at.ID, true)
	}
}

// areaDecided passes the decision on area id to the movement detectors,
// here and (AreaDecided) elsewhere.
func (d *Detector) areaDecided(id uint64, shown bool) {
	if d.run&moving != 0 {
		d.DecideArea(id, shown)
	}
	if d.AreaDecided != nil {
		d.AreaDecided(id, shown)
	}
}

// gnssArrived tells whether vessel v, not listed in area at, came into it
// without a jump the tracker flagged: it broke off its track there (if not
// faster than a ship sails: a berth near enough, heard seldom enough), it
// was heard there first after a silence of an hour or more from elsewhere
// (seed 9653: a ship silent 23 h in a port 60 km away, put on the circle,
// was in reach of it at a ship's speed), or it came from a fix further
// than a ship sails in the time between, which the tracker had flagged and
// measured nothing from (seed 7251: a tanker shown inland for 5 h, a land
// spoof of its own, was on the circle 76 km away 20 minutes later; the
// track's last fix was 5 h old).
func (d *Detector) gnssArrived(v *vessel, p *track.Point, at *gnssArea) bool {
	if p.NewSeg {
		return true
	}
	prev := &v.gnssPrev
	if prev.t.isZero() || withinKm(prev.lat, prev.lon, at.Lat, at.Lon, 2*d.cfg.InterferenceKm) {
		return false
	}
	dt := p.Time.Sub(prev.t.time())
	return dt >= time.Hour ||
		geo.DistanceKm(prev.lat, prev.lon, p.Lat, p.Lon)/kmPerNm > d.cfg.SpoofSpeedKn*max(dt, d.cfg.SpoofSwitchMin).Hours()
}

// closeInterference reports the areas idle for InterferenceIdle (all of
// them at the end of the data) that InterferenceVessels vessels jumped
// into, and forgets the others.
func (d *Detector) closeInterference(all bool) {
	keep := d.gnss[:0]
	for _, a := range d.gnss {
		if !all && d.now.Sub(a.End) <= d.cfg.InterferenceIdle {
			if a.Held && !a.Released && d.now.Sub(a.Start) > d.cfg.InterferenceHold && !a.shown(&d.cfg) {
				// Held long enough: a vessel's own spoofed spot, say,
				// which no other is put on, holds its loitering no more.
				a.Released = true
				d.areaDecided(a.ID, false)
			}
			keep = append(keep, a)
			continue
		}
		if !a.shown(&d.cfg) {
			if a.Held && !a.Released {
				d.areaDecided(a.ID, false)
			}
			continue
		}
		var vessels []uint32
		for i, m := range a.Vessels {
			if a.Fixes[i] >= d.cfg.InterferenceFixes {
				vessels = append(vessels, m)
			}
		}
		d.out(&event.Event{Type: event.GNSSInterference, Start: a.Start, End: a.End, Lat: a.Lat, Lon: a.Lon,
			Confidence: math.Min(1, 0.5+0.1*float64(len(vessels))), Source: event.SourceAIS, Evidence: map[string]any{
				"vessels":         vessels,
				"vessel_count":    len(vessels),
				"radius_km":       round(a.MaxKm, 1),
				"jumps":           a.Jumps,
				"displaced_fixes": a.Displaced,
			}})
	}
	clear(d.gnss[len(keep):])
	if len(keep) < len(d.gnss) {
		d.gnssGrid.ok = false
	}
	d.gnss = keep
}

// gnssNear returns the first open area (in d.gnss order) whose centre is
// within InterferenceKm of (lat, lon), or nil. Every positioned fix asks
// while any area is open, and each lone jump opens one for
// InterferenceIdle: hundreds at once on a national feed, so they are found
// through a grid (rebuilt when a centre moves, that is on a jump) that
// lists, by cell, the areas within reach of it, not by measuring to each.
// Most fixes are near none: a bit of the cell settles those.
func (d *Detector) gnssNear(lat, lon float64) *gnssArea {
	km := d.cfg.InterferenceKm
	g := &d.gnssGrid
	if !g.ok {
		g.build(d.gnss, km)
	}
	var near []int32
	if k := g.cell(lat, lon); g.used(k) {
		near = g.cells[k]
	}
	// The areas of both lists in d.gnss order: the first within km.
	loose := g.loose
	for len(near) > 0 || len(loose) > 0 {
		var i int32
		if len(loose) == 0 || len(near) > 0 && near[0] < loose[0] {
			i, near = near[0], near[1:]
		} else {
			i, loose = loose[0], loose[1:]
		}
		if a := d.gnss[i]; withinKm(a.Lat, a.Lon, lat, lon, km) {
			return a
		}
	}
	return nil
}

// gnssGrid lists the open areas by the cells (of the radius in latitude,
// cellDeg) holding points within reach of their centres.
type gnssGrid struct {
	ok      bool
	cellDeg float64
	cells   map[uint64][]int32 // indexes into Detector.gnss, ascending
	// bits has the bit of every cell in cells set (by a hash of the
	// cell): most fixes are near no area and skip the map.
	bits [1024]uint64
	// loose are the areas whose reach the cells cannot bound (near a
	// pole or the antimeridian), measured to from every fix.
	loose []int32
}

func gnssBit(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (64 - 16) }

func (g *gnssGrid) used(k uint64) bool {
	b := gnssBit(k)
	return g.bits[b/64]&(1<<(b%64)) != 0
}

func gnssCell(y, x int32) uint64 { return uint64(uint32(y))<<32 | uint64(uint32(x)) }

func (g *gnssGrid) cell(lat, lon float64) uint64 {
	return gnssCell(int32(math.Floor(lat/g.cellDeg)), int32(math.Floor(lon/g.cellDeg)))
}

func (g *gnssGrid) build(areas []*gnssArea, km float64) {
	if g.cells == nil || len(g.cells) > 16*len(areas)+64 {
		// Areas move and close: the cells they left go, so that the
		// grid stays the size of the areas open, not of their history.
		g.cells = map[uint64][]int32{}
	}
	for k, l := range g.cells {
		g.cells[k] = l[:0]
	}
	clear(g.bits[:])
	g.loose = g.loose[:0]
	g.cellDeg = newFarTest(0, 0, km).latDeg
	for i, a := range areas {
		// A point within km of the centre passes the farTest around it:
		// it lies in the box of latDeg and lonDeg around it.
		far := newFarTest(a.Lat, a.Lon, km)
		lonDeg, ok := far.lonReach(a.Lon)
		y0, y1 := int32(math.Floor((a.Lat-far.latDeg)/g.cellDeg)), int32(math.Floor((a.Lat+far.latDeg)/g.cellDeg))
		x0, x1 := int32(math.Floor((a.Lon-lonDeg)/g.cellDeg)), int32(math.Floor((a.Lon+lonDeg)/g.cellDeg))
		if !ok || !(g.cellDeg > 0) || x1-x0 > 16 || y1-y0 > 16 {
			g.loose = append(g.loose, int32(i))
			continue
		}
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				k := gnssCell(y, x)
				g.cells[k] = append(g.cells[k], int32(i))
				b := gnssBit(k)
				g.bits[b/64] |= 1 << (b % 64)
			}
		}
	}
	g.ok = true
}

// farTest rules out points certainly further than km from (lat, lon)
// (by great-circle distance), with no trigonometry per point tested.
// Latitude alone bounds the distance from below; so does longitude, given
// the smallest latitude cosine c of a point that passed the latitude test:
// haversine's a >= c² sin²(Δλ/2), so d >= 2R c sin(Δλ/2) >=
// R c Δλ (1 - Δλ²/24). The margins keep the decision exact: a point
// within km is never ruled out.
type farTest struct {
	lat, lon, km, latDeg, c float64
}

func newFarTest(lat, lon, km float64) farTest {
	latDeg := km / kmPerDegLat * (1 + 1e-9)
	// cos x >= 1 - x²/2 + x⁴/24 - x⁶/720 for every x (the Taylor series
	// alternates), within 1e-5 at 40° and no math.Cos on every fix.
	// (Plain comparisons, as math.Min and math.Max would give: those are
	// calls, a fifth of this on every fix.)
	x := math.Abs(lat) + latDeg
	if x > 90 {
		x = 90
	}
	x = x * math.Pi / 180
	x2 := x * x
	c := (1 - x2/2*(1-x2/12*(1-x2/30))) * (1 - 1e-9)
	if c <= 0 {
		c = 0
	}
	return farTest{lat, lon, km * (1 + 1e-9), latDeg, c}
}

// lonReach bounds the longitudes of the points within t.km of t's centre,
// lon: at most lonDeg degrees off (farTest's bound, with 1% for its cubic
// term, valid while the angle stays under 0.4 rad). ok is false where that
// bound does not hold or the span crosses the antimeridian.
func (t *farTest) lonReach(lon float64) (lonDeg float64, ok bool) {
	xmax := t.km / (geo.EarthRadiusKm * t.c) / 0.99
	lonDeg = xmax * 180 / math.Pi
	return lonDeg, !(t.c <= 0 || xmax >= 0.4 || lon-lonDeg <= -180 || lon+lonDeg >= 180 || t.latDeg <= 0)
}

func (t *farTest) far(lat, lon float64) bool {
	if math.Abs(lat-t.lat) > t.latDeg {
		return true
	}
	dl := math.Abs(lon - t.lon)
	if dl > 180 {
		dl = 360 - dl
	}
	x := dl * math.Pi / 180
	return geo.EarthRadiusKm*t.c*x*(1-x*x/24) > t.km
}
