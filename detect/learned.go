package detect

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/track"
)

// Port areas learned from the data, the way Global Fishing Watch builds its
// anchorages: the sea is cut into cells about 0.5 km wide (GFW: S2 level
// 14), a vessel that stays within LearnStopKm of one place for LearnStopMin
// is stationary there, and a cell where enough distinct vessels were
// stationary (counting its eight neighbours, since a harbour's berths
// straddle cell edges) is a port area. Small harbours and marinas (Hvide
// Sande, Gilleleje, Dragør, Oyster Point) are not in the World Port Index;
// without this, boats moored side by side there are ship-to-ship
// encounters.
//
// GFW counts 20 vessels over years of data. A feed of a few hours must
// know a harbour before the first encounter there is reported, so fewer
// suffice here, and only near the shore: stationary ships far out are at
// an offshore anchorage or a transfer spot, which is just what encounters
// watch, so a transfer with its partner at sea never teaches itself away.
// Nor does one nearer the shore: a stop spent beside exactly one other
// stationary vessel is a transfer's, not a port's, evidence (issue 18: a
// second pair using an STS spot 4 km off the shore made it a port area
// and went unreported). An anchorage still shows itself in ships stopping
// alone or among several; in a marina (within LearnCoastKm), where two
// boats suffice, a pair is counted as before.

// learnCell is one cell's distinct stationary vessels (up to learnKeep of
// them: more never changes a decision) and when they stopped there.
type learnCell struct {
	MMSIs       []uint32
	First, Last time.Time
	// Before is how many vessels an earlier run counted here (restored
	// from the store; the cell is a port area whatever this run sees).
	Before int
}

const learnKeep = 16

// stayState follows one vessel's current stationary spell.
type stayState struct {
	lat, lon float64
	since    stamp
	counted  bool
	// listed: the spell has lasted EncounterSlot and is in learned.Stays.
	listed bool
	// added: the spell added the vessel to its cell (it was not there).
	added bool
}

// learned holds the cells and the ones that are port areas.
type learned struct {
	Cells map[uint64]*learnCell
	// Areas marks the cells that are port areas.
	Areas map[uint64]bool
	// Stays lists, by the cell of its place, each vessel whose current
	// stationary spell has lasted EncounterSlot: the vessels a stop being
	// counted may lie beside. Short spells are left out, since every fix
	// of a ship under way begins one.
	Stays map[uint64][]uint32
}

func newLearned() *learned {
	return &learned{Cells: map[uint64]*learnCell{}, Areas: map[uint64]bool{}, Stays: map[uint64][]uint32{}}
}

// learnCellDeg is a cell's height in degrees of latitude.
func (d *Detector) learnCellDeg() float64 { return d.cfg.LearnCellKm / kmPerDegLat }

// learnCellOf returns the cell of (lat, lon): rows of equal height,
// columns widened with latitude so that a cell is about square.
func (d *Detector) learnCellOf(lat, lon float64) (y, x int32) {
	h := d.learnCellDeg()
	y = int32(math.Floor(lat / h))
	return y, int32(math.Floor(lon / d.learnColDeg(y)))
}

func (d *Detector) learnColDeg(y int32) float64 {
	h := d.learnCellDeg()
	return h / math.Max(math.Cos((float64(y)+0.5)*h*math.Pi/180), 0.05)
}

// learnCentre is the centre of cell (y, x).
func (d *Detector) learnCentre(y, x int32) (lat, lon float64) {
	return (float64(y) + 0.5) * d.learnCellDeg(), (float64(x) + 0.5) * d.learnColDeg(y)
}

// learnAround calls fn for cell (y, x) and its eight neighbours. Columns
// are as wide as each row's latitude makes them, and that differs from row
// to row: the rows above and below take the columns around the one under
// the cell's centre.
func (d *Detector) learnAround(y, x int32, fn func(y, x int32)) {
	_, lon := d.learnCentre(y, x)
	for yy := y - 1; yy <= y+1; yy++ {
		c := x
		if yy != y {
			c = int32(math.Floor(lon / d.learnColDeg(yy)))
		}
		for xx := c - 1; xx <= c+1; xx++ {
			fn(yy, xx)
		}
	}
}

func unpackCell(k uint64) (y, x int32) { return int32(uint32(k >> 32)), int32(uint32(k)) }

// learnPoint follows the vessel's stationary spell and, when it has lasted
// LearnStopMin, counts the vessel in the spell's cell.
func (d *Detector) learnPoint(v *vessel, p *track.Point) {
	if d.cfg.LearnVessels <= 0 {
		return
	}
	s := &v.stay
	if s.since.isZero() || !withinKm(s.lat, s.lon, p.Lat, p.Lon, d.cfg.LearnStopKm) ||
		track.Elapsed(v.last.Time, p.Time) > d.cfg.GapMin {
		if s.listed {
			d.unlistStay(v)
		}
		*s = stayState{lat: p.Lat, lon: p.Lon, since: stampOf(p.Time)}
		return
	}
	if !s.listed && track.Elapsed(s.since.time(), p.Time) >= d.cfg.EncounterSlot {
		s.listed = true
		k := cellKey(d.learnCellOf(s.lat, s.lon))
		d.learn.Stays[k] = append(d.learn.Stays[k], v.mmsi)
	}
	if s.counted || track.Elapsed(s.since.time(), p.Time) < d.cfg.LearnStopMin {
		return
	}
	s.counted = true
	if o := d.stopPartner(v, p); o != nil {
		// The partner may have lain there alone for LearnStopMin before
		// this one came (the simulator's second tanker comes an hour
		// after the first): its stop was a pair's too.
		if o.stay.added {
			d.uncount(o)
		}
		return
	}
	y, x := d.learnCellOf(s.lat, s.lon)
	k := cellKey(y, x)
	c := d.learn.Cells[k]
	if c == nil {
		c = &learnCell{First: s.since.time()}
		d.learn.Cells[k] = c
	}
	c.Last = p.Time
	if !slices.Contains(c.MMSIs, v.mmsi) && len(c.MMSIs) < learnKeep {
		c.MMSIs = append(c.MMSIs, v.mmsi)
		s.added = true
	}
	// A new vessel here may make this cell or a neighbour a port area.
	d.learnAround(y, x, d.learnCheck)
}

// unlistStay takes v's spell, which has ended, out of learned.Stays.
func (d *Detector) unlistStay(v *vessel) {
	k := cellKey(d.learnCellOf(v.stay.lat, v.stay.lon))
	l := slices.DeleteFunc(d.learn.Stays[k], func(m uint32) bool { return m == v.mmsi })
	if len(l) == 0 {
		delete(d.learn.Stays, k)
	} else {
		d.learn.Stays[k] = l
	}
}

// stopPartner returns v's partner if v, stationary at p for LearnStopMin,
// is one of a pair alone: the only other vessel stationary (and heard
// within EncounterMaxInterp) in its cell and the eight around lies within
// EncounterDistanceM, as in a ship-to-ship transfer. Alone, or with others
// near, it is at an anchorage or a harbour (DMA sample: two boats moored
// 8 m apart off Göteborg, a third 1 km away). Within LearnCoastKm of the
// shore two boats make a marina: no stop there is a pair's.
func (d *Detector) stopPartner(v *vessel, p *track.Point) *vessel {
	if d.shore != nil && d.shoreKm(v.stay.lat, v.stay.lon) <= d.cfg.LearnCoastKm {
		return nil
	}
	var partner *vessel
	n := 0
	y, x := d.learnCellOf(v.stay.lat, v.stay.lon)
	d.learnAround(y, x, func(y, x int32) {
		for _, m := range d.learn.Stays[cellKey(y, x)] {
			if o := d.vessels[m]; m != v.mmsi && track.Elapsed(o.last.Time, p.Time) <= d.cfg.EncounterMaxInterp {
				n++
				partner = o
			}
		}
	})
	if n != 1 || !withinKm(p.Lat, p.Lon, partner.last.Lat, partner.last.Lon, d.cfg.EncounterDistanceM/1000) {
		return nil
	}
	return partner
}

// uncount takes v, counted in its spell's cell by this spell, out of it
// again, and unmakes the port areas learned in this run that thereby lack
// vessels (one restored from the store stays).
func (d *Detector) uncount(v *vessel) {
	v.stay.added = false
	y, x := d.learnCellOf(v.stay.lat, v.stay.lon)
	k := cellKey(y, x)
	if c := d.learn.Cells[k]; c != nil {
		c.MMSIs = slices.DeleteFunc(c.MMSIs, func(m uint32) bool { return m == v.mmsi })
		if len(c.MMSIs) == 0 && c.Before == 0 {
			delete(d.learn.Cells, k)
		}
	}
	d.learnAround(y, x, func(y, x int32) {
		k := cellKey(y, x)
		if c := d.learn.Cells[k]; d.learn.Areas[k] && (c == nil || c.Before == 0 && !d.learnEnough(y, x)) {
			delete(d.learn.Areas, k)
		}
	})
}

// learnCheck makes cell (y, x) a port area if enough distinct vessels were
// stationary in it and its neighbours, and it is near enough the shore.
func (d *Detector) learnCheck(y, x int32) {
	k := cellKey(y, x)
	if d.learn.Areas[k] || d.learn.Cells[k] == nil {
		return
	}
	if d.learnEnough(y, x) {
		d.learn.Areas[k] = true
	}
}

// learnEnough tells whether enough distinct vessels were stationary in
// cell (y, x) and its neighbours for a port area, and the cell is near
// enough the shore.
func (d *Detector) learnEnough(y, x int32) bool {
	var seen []uint32
	d.learnAround(y, x, func(y, x int32) {
		if c := d.learn.Cells[cellKey(y, x)]; c != nil {
			for _, m := range c.MMSIs {
				if !slices.Contains(seen, m) {
					seen = append(seen, m)
				}
			}
		}
	})
	need := d.cfg.LearnVessels
	if len(seen) < min(need, d.cfg.LearnCoastVessels) {
		return false
	}
	lat, lon := d.learnCentre(y, x)
	shore := d.shoreKm(lat, lon)
	if d.shore != nil && shore <= d.cfg.LearnCoastKm {
		need = min(need, d.cfg.LearnCoastVessels)
	}
	return len(seen) >= need && (d.shore == nil || shore <= d.cfg.LearnShoreKm)
}

// inLearnedArea tells whether (lat, lon) is within km of a learned port
// area cell, and which cell's centre is nearest.
func (d *Detector) inLearnedArea(lat, lon, km float64) (y, x int32, dist float64, ok bool) {
	if len(d.learn.Areas) == 0 {
		return 0, 0, 0, false
	}
	cy, _ := d.learnCellOf(lat, lon)
	r := int32(math.Ceil(km/d.cfg.LearnCellKm)) + 1
	dist = math.Inf(1)
	for yy := cy - r; yy <= cy+r; yy++ {
		// Columns are as wide as the row's latitude makes them: find the
		// point's column in this row.
		xx0 := int32(math.Floor(lon / d.learnColDeg(yy)))
		for xx := xx0 - r; xx <= xx0+r; xx++ {
			if !d.learn.Areas[cellKey(yy, xx)] {
				continue
			}
			la, lo := d.learnCentre(yy, xx)
			// The cell's edge, not its centre, is the area's limit.
			dk := math.Max(geo.DistanceKm(lat, lon, la, lo)-d.cfg.LearnCellKm/2, 0)
			if dk < dist {
				y, x, dist = yy, xx, dk
			}
		}
	}
	return y, x, dist, dist <= km
}

// LearnedArea is one port area learned from where vessels stopped: a group
// of touching cells.
type LearnedArea struct {
	// ID names the area by its first cell (south-west most), so that it
	// keeps its name as it grows.
	ID       string
	Lat, Lon float64 // centroid of its cells
	// Vessels is how many distinct vessels were seen stationary in it (at
	// most 16 per cell are kept).
	Vessels     int
	First, Last time.Time
	// Cells are the area's cells: centre and the vessels counted there.
	Cells []LearnedCell
	// CellKm is the cells' size.
	CellKm float64
}

// LearnedCell is one cell of a learned area.
type LearnedCell struct {
	Lat, Lon float64
	Vessels  int
}

// LearnedAreas returns the port areas learned so far (restored ones
// included), each a group of touching cells, in ID order.
func (d *Detector) LearnedAreas() []LearnedArea {
	done := map[uint64]bool{}
	keys := make([]uint64, 0, len(d.learn.Areas))
	for k := range d.learn.Areas {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []LearnedArea
	for _, k := range keys {
		if done[k] {
			continue
		}
		// Flood the touching area cells.
		group := []uint64{k}
		done[k] = true
		for i := 0; i < len(group); i++ {
			y, x := unpackCell(group[i])
			d.learnAround(y, x, func(y, x int32) {
				if n := cellKey(y, x); d.learn.Areas[n] && !done[n] {
					done[n] = true
					group = append(group, n)
				}
			})
		}
		slices.SortFunc(group, func(a, b uint64) int {
			ay, ax := unpackCell(a)
			by, bx := unpackCell(b)
			if ay != by {
				return int(ay - by)
			}
			return int(ax - bx)
		})
		a := LearnedArea{CellKm: d.cfg.LearnCellKm}
		var vessels []uint32
		for _, g := range group {
			y, x := unpackCell(g)
			la, lo := d.learnCentre(y, x)
			c := d.learn.Cells[g]
			a.Lat += la / float64(len(group))
			a.Lon += lo / float64(len(group))
			a.Cells = append(a.Cells, LearnedCell{Lat: round(la, 5), Lon: round(lo, 5), Vessels: max(c.Before, len(c.MMSIs))})
			for _, m := range c.MMSIs {
				if !slices.Contains(vessels, m) {
					vessels = append(vessels, m)
				}
			}
			if a.First.IsZero() || c.First.Before(a.First) {
				a.First = c.First
			}
			if c.Last.After(a.Last) {
				a.Last = c.Last
			}
			// The same boats are counted again in every run: the larger
			// count, not the sum.
			a.Vessels = max(a.Vessels, c.Before)
		}
		a.Vessels = max(a.Vessels, len(vessels))
		a.Lat, a.Lon = round(a.Lat, 5), round(a.Lon, 5)
		a.ID = fmt.Sprintf("learned:%.4f,%.4f", a.Cells[0].Lat, a.Cells[0].Lon)
		out = append(out, a)
	}
	return out
}

// RestoreLearned makes the cells of areas learned in an earlier run (read
// back from the store) port areas again, so that a feed restarted in a
// harbour knows it from its first fix.
func (d *Detector) RestoreLearned(areas []LearnedArea) {
	for _, a := range areas {
		for _, c := range a.Cells {
			y, x := d.learnCellOf(c.Lat, c.Lon)
			k := cellKey(y, x)
			lc := d.learn.Cells[k]
			if lc == nil {
				lc = &learnCell{First: a.First, Last: a.Last}
				d.learn.Cells[k] = lc
			}
			lc.Before = max(lc.Before, c.Vessels)
			d.learn.Areas[k] = true
		}
	}
}
