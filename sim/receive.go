package sim

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lookout-osint/lookout/geo"
)

// station is a shore AIS receiver, placed at a real port of the coast.
type station struct {
	Name    string  `json:"name"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	RangeNM float64 `json:"range_nm"`
	MMSI    uint32  `json:"mmsi"` // its base-station MMSI (00 + MID + 4 digits)
	PortID  string  `json:"port_id"`
}

// satPass is one pass of an AIS satellite over the region: during the
// window it hears a fraction of the messages sent inside its footprint.
type satPass struct {
	Name     string
	From, To int64
	Lat, Lon float64 // footprint centre
	RadiusKm float64
}

var stationMID = map[string]uint32{"China": 412, "South Korea": 440, "Japan": 431, "Russia": 273}

// setupStations puts receivers at ports of every coastal country except
// the DPRK, at least 80 km apart, so DPRK waters are seen mostly from
// space and the open sea has genuine holes.
func (w *world) setupStations() {
	rng := w.rngFor(6, 0, 0)
	cands := slices.Clone(w.ports)
	slices.SortStableFunc(cands, func(a, b *simPort) int { return sizeRank(b.ref.Size) - sizeRank(a.ref.Size) })
	for _, p := range cands {
		mid, ok := stationMID[p.ref.Country]
		if !ok {
			continue
		}
		far := true
		for _, s := range w.station {
			if geo.DistanceKm(s.Lat, s.Lon, p.ref.Lat, p.ref.Lon) < 80 {
				far = false
				break
			}
		}
		if !far {
			continue
		}
		name := strings.ToUpper(strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, p.ref.Name))
		w.station = append(w.station, station{
			Name: "RS-" + name, Lat: p.ref.Lat, Lon: p.ref.Lon, RangeNM: 40 + rng.Float64()*20,
			MMSI: mid*10000 + uint32(len(w.station)+1), PortID: p.ref.ID,
		})
	}
	// Eight to twelve satellite passes a day, at varying times, each covering
	// part of the region.
	for d := int64(0); w.t0+d*day < w.t1; d++ {
		n := 8 + rng.IntN(5)
		for k := 0; k < n; k++ {
			from := w.t0 + d*day + int64(rng.Float64()*float64(day))
			w.passes = append(w.passes, satPass{
				Name: fmt.Sprintf("SAT-%d", 1+rng.IntN(4)), From: from, To: from + 540 + int64(rng.IntN(300)),
				Lat: 34 + rng.Float64()*11, Lon: 122 + rng.Float64()*16, RadiusKm: 900 + rng.Float64()*700,
			})
		}
	}
	slices.SortStableFunc(w.passes, func(a, b satPass) int { return int(a.From - b.From) })
}

func sizeRank(s string) int {
	switch s {
	case "Large":
		return 4
	case "Medium":
		return 3
	case "Small":
		return 2
	case "Very Small":
		return 1
	}
	return 0
}

// stationIndex finds the stations that may hear a position quickly: a
// coarse grid of candidate stations per cell.
type stationIndex struct {
	cells [][]int
}

const stIdxStep = 0.5

func (w *world) indexStations() *stationIndex {
	rows, cols := int((gridLat1-gridLat0)/stIdxStep)+1, int((gridLon1-gridLon0)/stIdxStep)+1
	ix := &stationIndex{cells: make([][]int, rows*cols)}
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			lat := gridLat0 + (float64(r)+0.5)*stIdxStep
			lon := gridLon0 + (float64(c)+0.5)*stIdxStep
			for i, s := range w.station {
				// Cell half-diagonal is under 40 km.
				if geo.DistanceKm(lat, lon, s.Lat, s.Lon) < s.RangeNM*1.852+40 {
					ix.cells[r*cols+c] = append(ix.cells[r*cols+c], i)
				}
			}
		}
	}
	return ix
}

func (ix *stationIndex) near(lat, lon float64) []int {
	r := int((lat - gridLat0) / stIdxStep)
	c := int((lon - gridLon0) / stIdxStep)
	cols := int((gridLon1-gridLon0)/stIdxStep) + 1
	if r < 0 || c < 0 || c >= cols || r*cols+c >= len(ix.cells) {
		return nil
	}
	return ix.cells[r*cols+c]
}

// shoreProb is the chance a station at distance d (km) hears one message:
// near-certain close in, falling off towards the range limit.
func shoreProb(dKm, rangeKm float64) float64 {
	if dKm > rangeKm {
		return 0
	}
	f := dKm / rangeKm
	if f < 0.6 {
		return 0.95
	}
	return 0.95 - (f-0.6)/0.4*0.5
}

func fastKm(lat1, lon1, lat2, lon2 float64) float64 {
	x := (lon2 - lon1) * math.Cos((lat1+lat2)/2*math.Pi/180)
	y := lat2 - lat1
	return math.Sqrt(x*x+y*y) * 111.195
}
