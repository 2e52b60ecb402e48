// Package landmask rasterises land (plus a buffer) onto a scene's pixel grid
// in cells of a few pixels. It subdivides the scene as a quadtree and asks the
// land index about a block's centre only: a block farther from the shore than
// its own radius plus the buffer is all sea (or all land), so open-sea scenes
// cost a handful of queries and coastal ones cost queries in proportion to
// the length of coast, not to the number of pixels.
package landmask

import (
	"math"

	"github.com/lookout-osint/lookout/sar/geotiff"
)

// Land answers point queries; *geo.Land satisfies it.
type Land interface {
	OnLand(lat, lon float64) bool
	DistanceToShoreKm(lat, lon float64) float64
}

// Mask marks cells of Cell x Cell pixels that are land or within the buffer.
type Mask struct {
	Cell          int
	cols, rows    int
	land          []bool
	Queries       int // land-index queries made while building, for tuning
	AnyLandInside bool
}

// MetresPerDegree gives the ground size of one degree of latitude and
// longitude at latitude lat (spherical Earth, good to 0.5%).
func MetresPerDegree(lat float64) (mLat, mLon float64) {
	const m = 111_195.0
	return m, m * math.Cos(lat*math.Pi/180)
}

// PixelSizeM is the ground size of a pixel (along a row, down a column) in
// metres at the scene centre.
func PixelSizeM(t geotiff.Transform, w, h int) (dx, dy float64) {
	_, lat := t.LonLat(float64(w)/2, float64(h)/2)
	mLat, mLon := MetresPerDegree(lat)
	dx = math.Hypot(t[1]*mLon, t[4]*mLat)
	dy = math.Hypot(t[2]*mLon, t[5]*mLat)
	return dx, dy
}

// Build makes the mask of a w x h scene. bufferKm widens land into the sea.
// A nil land gives an all-sea mask.
func Build(land Land, w, h int, t geotiff.Transform, bufferKm float64, cell int) *Mask {
	if cell <= 0 {
		cell = 8
	}
	m := &Mask{Cell: cell, cols: (w + cell - 1) / cell, rows: (h + cell - 1) / cell}
	if land == nil {
		return m // all sea: no cells to mark
	}
	m.land = make([]bool, m.cols*m.rows)
	dx, dy := PixelSizeM(t, w, h)
	pxKm := math.Max(dx, dy) / 1000
	// Quadtree over cells; a block is [c0,c1) x [r0,r1) cells.
	var walk func(c0, r0, c1, r1 int)
	walk = func(c0, r0, c1, r1 int) {
		if c0 >= c1 || r0 >= r1 {
			return
		}
		// Centre and radius in pixels, clipped to the image.
		x0, y0 := float64(c0*cell), float64(r0*cell)
		x1, y1 := math.Min(float64(c1*cell), float64(w)), math.Min(float64(r1*cell), float64(h))
		lon, lat := t.LonLat((x0+x1)/2, (y0+y1)/2)
		radiusKm := math.Hypot(x1-x0, y1-y0) / 2 * pxKm
		d := land.DistanceToShoreKm(lat, lon)
		m.Queries++
		var isLand bool
		switch {
		case c1-c0 == 1 && r1-r0 == 1:
			isLand = d < bufferKm || land.OnLand(lat, lon)
			m.Queries++
		case d > radiusKm+bufferKm:
			// Every point of the block is on the centre's side of the coast.
			isLand = land.OnLand(lat, lon)
			m.Queries++
		case d+radiusKm < bufferKm:
			// The whole block lies within the buffer of the shore.
			isLand = true
		case d > radiusKm && land.OnLand(lat, lon):
			m.Queries++
			isLand = true
		default:
			m.Queries++
			cm, rm := (c0+c1+1)/2, (r0+r1+1)/2
			walk(c0, r0, cm, rm)
			walk(cm, r0, c1, rm)
			walk(c0, rm, cm, r1)
			walk(cm, rm, c1, r1)
			return
		}
		if isLand {
			m.AnyLandInside = true
			for r := r0; r < r1; r++ {
				for c := c0; c < c1; c++ {
					m.land[r*m.cols+c] = true
				}
			}
		}
	}
	walk(0, 0, m.cols, m.rows)
	return m
}

// Land reports whether pixel (x, y) is masked. Pixels outside the scene are.
func (m *Mask) Land(x, y int) bool {
	if x < 0 || y < 0 {
		return true
	}
	c, r := x/m.Cell, y/m.Cell
	if c >= m.cols || r >= m.rows {
		return true
	}
	return m.land != nil && m.land[r*m.cols+c]
}
