package ref

import (
	"math"

	"github.com/lookout-osint/lookout/geo"
)

// portGrid buckets ports into 0.25° cells so NearestPort looks at a handful of
// ports instead of all of them.
type portGrid struct {
	start []int32 // cell -> first index in items; len cells+1
	items []int32 // port indices
	ports []Port
}

const (
	gridDeg  = 0.25
	linearKm = 1500 // beyond this reach, visit scans every port
	gridRows = int(180 / gridDeg)
	gridCols = int(360 / gridDeg)
	// kmPerDeg is the length of one degree of latitude on geo's sphere.
	kmPerDeg = geo.EarthRadiusKm * math.Pi / 180
)

func cellOf(lat, lon float64) (row, col int) {
	row = int(math.Floor((lat + 90) / gridDeg))
	col = int(math.Floor((geo.NormLon(lon) + 180) / gridDeg))
	return min(max(row, 0), gridRows-1), min(max(col, 0), gridCols-1)
}

func newPortGrid(ports []Port) portGrid {
	g := portGrid{start: make([]int32, gridRows*gridCols+1), ports: ports}
	cells := make([]int, len(ports))
	for i, p := range ports {
		r, c := cellOf(p.Lat, p.Lon)
		cells[i] = r*gridCols + c
		g.start[cells[i]+1]++
	}
	for i := 1; i < len(g.start); i++ {
		g.start[i] += g.start[i-1]
	}
	g.items = make([]int32, len(ports))
	fill := append([]int32(nil), g.start[:len(g.start)-1]...)
	for i, cell := range cells {
		g.items[fill[cell]] = int32(i)
		fill[cell]++
	}
	return g
}

// NearestPort is the port closest to the position (great-circle distance)
// if one lies within maxKm.
func (c *Catalog) NearestPort(lat, lon, maxKm float64) (p Port, distKm float64, ok bool) {
	i, d := c.grid.nearest(lat, lon, maxKm)
	if i < 0 {
		return Port{}, 0, false
	}
	return c.Ports[i], d, true
}

// PortDist is a port and its distance from a query point.
type PortDist struct {
	Port   Port
	DistKm float64
}

// PortsWithin lists the ports within km of the position, nearest first.
func (c *Catalog) PortsWithin(lat, lon, km float64) []PortDist {
	var out []PortDist
	c.grid.visit(lat, lon, km, func(i int, d float64) float64 {
		if d <= km {
			out = append(out, PortDist{c.Ports[i], d})
		}
		return km
	})
	sortByDist(out)
	return out
}

func sortByDist(ps []PortDist) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && (ps[j].DistKm < ps[j-1].DistKm || ps[j].DistKm == ps[j-1].DistKm && ps[j].Port.ID < ps[j-1].Port.ID); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func (g *portGrid) nearest(lat, lon, maxKm float64) (int, float64) {
	best, bestD := -1, math.Inf(1)
	g.visit(lat, lon, maxKm, func(i int, d float64) float64 {
		if d <= maxKm && (d < bestD || d == bestD && g.ports[i].ID < g.ports[best].ID) {
			best, bestD = i, d
		}
		return min(bestD, maxKm)
	})
	return best, bestD
}

// visit calls fn with every port that may lie within reach km, ring of
// cells by ring of cells outwards, until no unvisited cell can hold a port
// closer than the reach fn returns (it may shrink as ports are found).
func (g *portGrid) visit(lat, lon, reach float64, fn func(i int, distKm float64) float64) {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsNaN(reach) || reach < 0 || len(g.ports) == 0 {
		return
	}
	lon = geo.NormLon(lon)
	if reach > linearKm {
		// Rings of small cells would cover much of the globe: scan instead.
		for i := range g.ports {
			p := &g.ports[i]
			fn(i, geo.DistanceKm(lat, lon, p.Lat, p.Lon))
		}
		return
	}
	r0, c0 := cellOf(lat, lon)
	cosLat := math.Cos(lat * math.Pi / 180)
	for ring := 0; ; ring++ {
		lo, hi := r0-ring, r0+ring
		allCols := 2*ring+1 >= gridCols
		prevAllCols := ring > 0 && 2*ring-1 >= gridCols
		visitCell := func(r, dc int) {
			cell := r*gridCols + ((c0+dc)%gridCols+gridCols)%gridCols
			for _, i := range g.items[g.start[cell]:g.start[cell+1]] {
				p := &g.ports[i]
				// The latitude difference alone bounds the distance from
				// below; skip the haversine when it is already too far.
				if math.Abs(p.Lat-lat)*kmPerDeg > reach {
					continue
				}
				reach = fn(int(i), geo.DistanceKm(lat, lon, p.Lat, p.Lon))
			}
		}
		for r := max(lo, 0); r <= min(hi, gridRows-1); r++ {
			if r == lo || r == hi {
				for dc := -ring; dc <= ring && dc < -ring+gridCols; dc++ {
					visitCell(r, dc)
				}
				continue
			}
			// Inner rows: only the ring's two new columns, unless earlier
			// rings already went all the way round.
			if !prevAllCols {
				visitCell(r, -ring)
				if 2*ring%gridCols != 0 {
					visitCell(r, ring)
				}
			}
		}
		// Anything outside the block of rings 0..ring is at least this far.
		bound := math.Inf(1)
		if lo > 0 {
			bound = min(bound, (lat-(float64(lo)*gridDeg-90))*kmPerDeg)
		}
		if hi < gridRows-1 {
			bound = min(bound, (float64(hi+1)*gridDeg-90-lat)*kmPerDeg)
		}
		if !allCols {
			west := lon - (float64(c0-ring)*gridDeg - 180)
			east := float64(c0+ring+1)*gridDeg - 180 - lon
			// A point at least delta degrees of longitude away whose latitude
			// is within the block: haversine with the block's smallest cosine.
			latA, latB := float64(max(lo, 0))*gridDeg-90, float64(min(hi+1, gridRows))*gridDeg-90
			cosMin := max(0, min(math.Cos(latA*math.Pi/180), math.Cos(latB*math.Pi/180)))
			s := math.Sin(min(west, east) * math.Pi / 360)
			a := cosLat * cosMin * s * s
			bound = min(bound, 2*geo.EarthRadiusKm*math.Asin(math.Sqrt(min(a, 1))))
		}
		if bound > reach || (lo <= 0 && hi >= gridRows-1 && allCols) {
			return
		}
	}
}
