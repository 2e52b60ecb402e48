package geo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

//go:generate go run ./internal/genwater -lakes ../../shared/data/geo/ne_10m_lakes.geojson.gz,../../shared/data/geo/ne_10m_lakes_europe.geojson.gz,../../shared/data/geo/ne_10m_lakes_north_america.geojson.gz -rivers ../../shared/data/geo/ne_10m_rivers_lake_centerlines.geojson.gz,../../shared/data/geo/ne_10m_rivers_europe.geojson.gz,../../shared/data/geo/ne_10m_rivers_north_america.geojson.gz -out data/water10m.bin.gz

//go:embed data/water10m.bin.gz
var water10m []byte

// Water is mapped inland water: lakes (outer rings) and river centre lines.
// It answers how far a point is from the nearest of them, which tells a
// ship on a river or lake from a position put far inland. No map of inland
// water is complete (Natural Earth has no canals and no ship channels), so
// nearness is evidence of water, and distance only weak evidence of land.
// Immutable and safe for concurrent use.
type Water struct {
	lakes []waterRing
	// cells lists, per waterCellDeg cell, the segments of rivers and lake
	// rings passing through it.
	cells map[[2]int32][]waterSeg
}

type waterRing struct {
	minLat, maxLat, minLon, maxLon float64
	pts                            [][2]float64 // lon, lat; closed implicitly
}

type waterSeg struct{ lon1, lat1, lon2, lat2 float32 }

// waterCellDeg is the index's cell size: queries look a few tens of
// kilometres around a point, a few cells.
const waterCellDeg = 0.25

var (
	waterOnce    sync.Once
	defaultWater *Water
)

// DefaultWater is Natural Earth 1:10m lakes and river centre lines with the
// European and North American supplements (embedded, simplified to about
// 500 m; see data/README.md), indexed on first use.
func DefaultWater() *Water {
	waterOnce.Do(func() {
		rings, lines, err := decodeWater(water10m)
		if err != nil {
			// The data is embedded at build time; failing here is a build defect.
			panic(fmt.Sprintf("geo: embedded water data: %v", err))
		}
		defaultWater = NewWater(rings, lines)
	})
	return defaultWater
}

// NewWater indexes lake rings (polygons, lon/lat, closed implicitly) and
// river lines (lon/lat).
func NewWater(rings, lines [][][2]float64) *Water {
	w := &Water{cells: map[[2]int32][]waterSeg{}}
	for _, r := range rings {
		if len(r) < 3 {
			continue
		}
		wr := waterRing{minLat: 90, maxLat: -90, minLon: 360, maxLon: -360, pts: r}
		for _, p := range r {
			wr.minLon, wr.maxLon = math.Min(wr.minLon, p[0]), math.Max(wr.maxLon, p[0])
			wr.minLat, wr.maxLat = math.Min(wr.minLat, p[1]), math.Max(wr.maxLat, p[1])
		}
		w.lakes = append(w.lakes, wr)
		for i := range r {
			w.addSeg(r[i], r[(i+1)%len(r)])
		}
	}
	for _, l := range lines {
		for i := 1; i < len(l); i++ {
			w.addSeg(l[i-1], l[i])
		}
		if len(l) == 1 {
			w.addSeg(l[0], l[0])
		}
	}
	return w
}

func (w *Water) addSeg(a, b [2]float64) {
	s := waterSeg{float32(a[0]), float32(a[1]), float32(b[0]), float32(b[1])}
	x0, x1 := waterCell(math.Min(a[0], b[0])), waterCell(math.Max(a[0], b[0]))
	y0, y1 := waterCell(math.Min(a[1], b[1])), waterCell(math.Max(a[1], b[1]))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			k := [2]int32{y, x}
			w.cells[k] = append(w.cells[k], s)
		}
	}
}

func waterCell(deg float64) int32 { return int32(math.Floor(deg / waterCellDeg)) }

// InLake reports whether the point lies inside a mapped lake.
func (w *Water) InLake(lat, lon float64) bool {
	for i := range w.lakes {
		r := &w.lakes[i]
		if lat < r.minLat || lat > r.maxLat || lon < r.minLon || lon > r.maxLon {
			continue
		}
		in := false
		for j, k := 0, len(r.pts)-1; j < len(r.pts); k, j = j, j+1 {
			a, b := r.pts[j], r.pts[k]
			if (a[1] > lat) != (b[1] > lat) && lon < (b[0]-a[0])*(lat-a[1])/(b[1]-a[1])+a[0] {
				in = !in
			}
		}
		if in {
			return true
		}
	}
	return false
}

// DistanceKm is the distance from the point to the nearest mapped inland
// water: 0 inside a lake, else the distance to the nearest lake shore or
// river line, if one lies within maxKm; otherwise +Inf. The metric is
// planar around the point (equirectangular), within a fraction of a
// percent of the great circle at these ranges; the map itself is
// simplified to about 500 m.
func (w *Water) DistanceKm(lat, lon, maxKm float64) float64 {
	if w.InLake(lat, lon) {
		return 0
	}
	kx := kmPerDegree * math.Cos(lat*math.Pi/180)
	dLat := maxKm / kmPerDegree
	dLon := 180.0
	if kx > 1e-9 {
		dLon = math.Min(maxKm/kx, 180)
	}
	best := math.Inf(1)
	for y := waterCell(lat - dLat); y <= waterCell(lat+dLat); y++ {
		for x := waterCell(lon - dLon); x <= waterCell(lon+dLon); x++ {
			for _, s := range w.cells[[2]int32{y, x}] {
				d := segDistKm(kx, lat, lon, &s)
				if d < best {
					best = d
				}
			}
		}
	}
	if best > maxKm {
		return math.Inf(1)
	}
	return best
}

const kmPerDegree = EarthRadiusKm * math.Pi / 180

// segDistKm is the planar distance from (lat, lon) to segment s, with
// longitude scaled by kx km per degree.
func segDistKm(kx, lat, lon float64, s *waterSeg) float64 {
	ax, ay := (float64(s.lon1)-lon)*kx, (float64(s.lat1)-lat)*kmPerDegree
	bx, by := (float64(s.lon2)-lon)*kx, (float64(s.lat2)-lat)*kmPerDegree
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	x, y := ax+t*dx, ay+t*dy
	return math.Hypot(x, y)
}

// decodeWater reads the format written by internal/genwater.
func decodeWater(data []byte) (rings, lines [][][2]float64, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	r := bufio.NewReader(zr)
	magic := make([]byte, len("NEWATER1\n"))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "NEWATER1\n" {
		return nil, nil, errors.New("bad magic")
	}
	const unit = 1e-3
	read := func() ([][][2]float64, error) {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, err
		}
		out := make([][][2]float64, 0, n)
		for range n {
			m, err := binary.ReadUvarint(r)
			if err != nil {
				return nil, err
			}
			l := make([][2]float64, m)
			var x, y int64
			for i := range l {
				dx, err := binary.ReadVarint(r)
				if err != nil {
					return nil, err
				}
				dy, err := binary.ReadVarint(r)
				if err != nil {
					return nil, err
				}
				x, y = x+dx, y+dy
				l[i] = [2]float64{float64(x) * unit, float64(y) * unit}
			}
			out = append(out, l)
		}
		return out, nil
	}
	if rings, err = read(); err != nil {
		return nil, nil, fmt.Errorf("lakes: %w", err)
	}
	if lines, err = read(); err != nil {
		return nil, nil, fmt.Errorf("rivers: %w", err)
	}
	return rings, lines, nil
}
