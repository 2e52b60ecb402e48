package detect

import (
	"math"
	"math/bits"

	"github.com/lookout-osint/lookout/geo"
)

// Port is a place where vessels call. Ports come from the reference
// catalogue (World Port Index points) or from a user's polygons; a port with
// a Polygon is entered when a fix falls inside it, whatever the radius.
type Port struct {
	ID, Name string
	Lat, Lon float64
	Groups   []string
	// Polygon is a closed ring of [lon, lat] points, or nil.
	Polygon [][2]float64
}

// Group returns the port's first group, or "".
func (p *Port) Group() string {
	if len(p.Groups) == 0 {
		return ""
	}
	return p.Groups[0]
}

// inGroups reports whether the port belongs to one of groups.
func (p *Port) inGroups(groups []string) bool {
	for _, g := range p.Groups {
		for _, w := range groups {
			if g == w {
				return true
			}
		}
	}
	return false
}

// PortIndex finds ports near a point quickly: ports are bucketed on a grid
// of 0.1° cells, each port listed in every cell within reach.
type PortIndex struct {
	ports []Port
	// cells holds the cells outside used's extent (none on a real Earth).
	cells map[uint64][]int32
	reach float64
	// used has a bit for every cell within ±100° latitude and ±200°
	// longitude that lists a port: most fixes are at sea, far from any
	// port, and one bit settles them without hashing. The ports of the
	// k-th cell with its bit set are idx[off[k]:off[k+1]], k counted by
	// rank (the bits set in the words before) and a popcount: a coastal
	// fix asks on every report, and a map lookup there was a sixth of
	// the port detector's time on a national feed.
	used []uint64
	rank []uint32
	off  []uint32
	idx  []int32
}

const (
	usedRows = 2001 // cells -1000 … 1000
	usedCols = 4001 // cells -2000 … 2000
)

// usedBit is the bit of cell (y, x) in used, or -1 outside its extent.
func usedBit(y, x int32) int {
	if y < -1000 || y > 1000 || x < -2000 || x > 2000 {
		return -1
	}
	return int(y+1000)*usedCols + int(x+2000)
}

const portCell = 0.1

// kmPerDegLat is the length of a degree of latitude on geo's sphere.
const kmPerDegLat = geo.EarthRadiusKm * math.Pi / 180

// NewPortIndex indexes ports for queries up to reachKm.
func NewPortIndex(ports []Port, reachKm float64) *PortIndex {
	ix := &PortIndex{ports: ports, cells: map[uint64][]int32{}, reach: reachKm, used: make([]uint64, (usedRows*usedCols+63)/64)}
	inUsed := map[int][]int32{}
	for i := range ports {
		p := &ports[i]
		r := reachKm
		if p.Polygon != nil {
			r += polygonRadiusKm(p)
		}
		dlat := r/111.0 + portCell
		dlon := r/(111.0*math.Max(math.Cos(p.Lat*math.Pi/180), 0.05)) + portCell
		for y := cellOf(p.Lat - dlat); y <= cellOf(p.Lat+dlat); y++ {
			for x := cellOf(p.Lon - dlon); x <= cellOf(p.Lon+dlon); x++ {
				if b := usedBit(y, x); b >= 0 {
					ix.used[b/64] |= 1 << (b % 64)
					inUsed[b] = append(inUsed[b], int32(i))
				} else {
					k := cellKey(y, x)
					ix.cells[k] = append(ix.cells[k], int32(i))
				}
			}
		}
	}
	ix.rank = make([]uint32, len(ix.used))
	n := uint32(0)
	for w, u := range ix.used {
		ix.rank[w] = n
		n += uint32(bits.OnesCount64(u))
	}
	ix.off = make([]uint32, 0, n+1)
	for w, u := range ix.used {
		for ; u != 0; u &= u - 1 {
			ix.off = append(ix.off, uint32(len(ix.idx)))
			ix.idx = append(ix.idx, inUsed[w*64+bits.TrailingZeros64(u)]...)
		}
	}
	ix.off = append(ix.off, uint32(len(ix.idx)))
	return ix
}

// cell lists the ports indexed in cell (y, x).
func (ix *PortIndex) cell(y, x int32) []int32 {
	b := usedBit(y, x)
	if b < 0 {
		return ix.cells[cellKey(y, x)]
	}
	w, u := b/64, ix.used[b/64]
	if u&(1<<(b%64)) == 0 {
		return nil
	}
	k := ix.rank[w] + uint32(bits.OnesCount64(u&(1<<(b%64)-1)))
	return ix.idx[ix.off[k]:ix.off[k+1]]
}

func cellOf(v float64) int32 { return int32(math.Floor(v / portCell)) }

// cellKey packs a grid cell into one word: maps keyed by it hash faster
// than by [2]int32.
func cellKey(y, x int32) uint64 { return uint64(uint32(y))<<32 | uint64(uint32(x)) }

// Ports returns the indexed ports.
func (ix *PortIndex) Ports() []Port { return ix.ports }

// Nearest returns the port nearest to (lat, lon) within maxKm (at most the
// index's reach). A point inside a port polygon is at distance 0 from it.
func (ix *PortIndex) Nearest(lat, lon, maxKm float64) (*Port, float64, bool) {
	if ix == nil {
		return nil, 0, false
	}
	cell := ix.cell(cellOf(lat), cellOf(lon))
	if len(cell) == 0 {
		return nil, 0, false
	}
	best, bestD := -1, math.Inf(1)
	// A port beyond maxKm cannot be the answer: in busy waters a cell
	// lists many, most ruled out by farTest without trigonometry.
	far := newFarTest(lat, lon, maxKm)
	for _, i := range cell {
		p := &ix.ports[i]
		// The latitude difference alone bounds the distance from below: a
		// port that cannot beat the best so far (or reach maxKm) is skipped
		// without trigonometry. The margin keeps the choice exact.
		if p.Polygon == nil && (math.Abs(p.Lat-lat)*kmPerDegLat*(1-1e-9) > math.Min(bestD, maxKm) || far.far(p.Lat, p.Lon)) {
			continue
		}
		d := ix.Distance(p, lat, lon)
		if d < bestD {
			best, bestD = int(i), d
		}
	}
	if best < 0 || bestD > maxKm {
		return nil, 0, false
	}
	return &ix.ports[best], bestD, true
}

// Near reports whether a port lies within maxKm of (lat, lon): whether
// Nearest would find one. Vessels close together in busy waters ask it
// every encounter slot; it stops at the first port surely within reach.
func (ix *PortIndex) Near(lat, lon, maxKm float64) bool {
	if ix == nil {
		return false
	}
	for _, i := range ix.cell(cellOf(lat), cellOf(lon)) {
		p := &ix.ports[i]
		if p.Polygon == nil && withinKm(lat, lon, p.Lat, p.Lon, maxKm) || p.Polygon != nil && ix.Distance(p, lat, lon) <= maxKm {
			return true
		}
	}
	return false
}

// Distance is the distance from (lat, lon) to port p: 0 inside its polygon,
// otherwise to the polygon's reference point or WPI point. Outside a
// polygon the distance is at least the polygon's outer radius so that a
// polygon fully replaces the radius rule.
func (ix *PortIndex) Distance(p *Port, lat, lon float64) float64 {
	d := geo.DistanceKm(lat, lon, p.Lat, p.Lon)
	if p.Polygon == nil {
		return d
	}
	if geo.InRing(p.Polygon, lon, lat) {
		return 0
	}
	// Outside the user's polygon: never within the entry radius.
	return math.Max(d, 1e3)
}

func polygonRadiusKm(p *Port) float64 {
	r := 0.0
	for _, q := range p.Polygon {
		r = math.Max(r, geo.DistanceKm(p.Lat, p.Lon, q[1], q[0]))
	}
	return r
}

// withinKm is geo.DistanceKm(lat1, lon1, lat2, lon2) <= km, the same
// answer, with no trigonometry unless the distance is within a few
// millionths of km (nearKm) or the points are degrees apart and not
// plainly so (farTest): consecutive fixes of a ship a few seconds apart
// are asked about on every fix, and a ship on passage holds a fix near
// the threshold (circling's oldest turn, 10 km back) on each.
func withinKm(lat1, lon1, lat2, lon2, km float64) bool {
	if pathKm(lat1, lon1, lat2, lon2) <= km {
		return true
	}
	if r := nearKm(lat1, lon1, lat2, lon2, km); r != 0 {
		return r > 0
	}
	if math.Abs(lat2-lat1)*kmPerDegLat*(1-1e-9) > km {
		return false
	}
	if far := newFarTest(lat1, lon1, km); far.far(lat2, lon2) {
		return false
	}
	return geo.DistanceKm(lat1, lon1, lat2, lon2) <= km
}

// pathKm bounds the great-circle distance from above as upperKm does,
// closer by the parallel's length: along the parallel of the point
// nearer a pole (the shorter) at an upper bound of its latitude's cosine
// (cos x <= 1 - x²/2 + x⁴/24 for every x). At 55° it is ~40% below
// upperKm, which left a ship's fixes a few hundred metres apart (a stay
// being followed, a circle's turns) to the full formula.
func pathKm(lat1, lon1, lat2, lon2 float64) float64 {
	// Plain comparisons: math.Max and math.Min are calls, not inlined,
	// and were most of this function's cost.
	x := math.Abs(lat1)
	if a := math.Abs(lat2); a > x {
		x = a
	}
	x *= math.Pi / 180
	x2 := x * x
	c := 1 - x2/2*(1-x2/12)
	if c > 1 { // past ±198°: no latitude
		c = 1
	}
	return (math.Abs(lat2-lat1) + c*math.Abs(lon2-lon1)) * kmPerDegLat * (1 + 1e-9)
}

// upperKm bounds the great-circle distance from above without
// trigonometry: a path along a meridian and then a parallel is never
// shorter than the great circle. The slack covers rounding.
func upperKm(lat1, lon1, lat2, lon2 float64) float64 {
	return (math.Abs(lat2-lat1) + math.Abs(lon2-lon1)) * kmPerDegLat * (1 + 1e-9)
}
