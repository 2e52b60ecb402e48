package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/lookout-osint/lookout/geo"
)

// SARScene is one satellite radar overpass: when, where, what it saw.
type SARScene struct {
	ID         string         `json:"id"`
	Time       time.Time      `json:"time"`
	Footprint  Footprint      `json:"footprint"`
	Detections []SARDetection `json:"detections"`
	// Misses are ships inside the footprint the scene did not detect.
	Misses []SARMiss `json:"misses"`
}

// Footprint is the scene's area, a latitude/longitude box.
type Footprint struct {
	MinLat float64 `json:"min_lat"`
	MinLon float64 `json:"min_lon"`
	MaxLat float64 `json:"max_lat"`
	MaxLon float64 `json:"max_lon"`
}

// SARDetection is one bright target. Truth is the MMSI the ship was
// broadcasting (or would have been, if dark) as a decimal string, or
// "false_alarm".
type SARDetection struct {
	Lat     float64   `json:"lat"`
	Lon     float64   `json:"lon"`
	Time    time.Time `json:"time"`
	LengthM float64   `json:"length_m"`
	Score   float64   `json:"score"`
	Truth   string    `json:"truth"`
	// AISOn says whether the ship's transponder was transmitting its true
	// position at the time (false: dark or spoofing).
	AISOn  *bool `json:"ais_on,omitempty"`
	Vessel int   `json:"vessel,omitempty"`
}

// SARMiss is a ship in the footprint that was not detected.
type SARMiss struct {
	MMSI    uint32  `json:"mmsi"`
	Vessel  int     `json:"vessel"`
	LengthM float64 `json:"length_m"`
}

// sarScenes simulates radar scenes: most days one pass, half of them over
// the Primorye and DPRK ports the analysts watch.
func (w *world) sarScenes() []SARScene {
	rng := w.rngFor(9, 0, 0)
	var watch []*simPort
	for _, g := range []string{"RU-FE", "KP"} {
		watch = append(watch, w.portsOf(g)...)
	}
	var out []SARScene
	for d := int64(0); w.t0+d*day < w.t1; d++ {
		if rng.Float64() < 0.35 {
			continue
		}
		t := w.t0 + d*day + 9*hour + int64(rng.IntN(2))*12*hour + int64(rng.IntN(600))
		var clat, clon float64
		if rng.Float64() < 0.5 && len(watch) > 0 {
			p := watch[rng.IntN(len(watch))]
			clat, clon = p.ref.Lat, p.ref.Lon
		} else {
			clat, clon = 35+rng.Float64()*9, 122+rng.Float64()*14
		}
		dlat := 0.9
		dlon := 1.5 / math.Cos(clat*math.Pi/180)
		fp := Footprint{r5(clat - dlat), r5(clon - dlon), r5(clat + dlat), r5(clon + dlon)}
		sc := SARScene{ID: fmt.Sprintf("S1-%s", ts(t).Format("20060102T150405")), Time: ts(t), Footprint: fp, Detections: []SARDetection{}, Misses: []SARMiss{}}
		for _, h := range w.hulls {
			if t < h.path[0].t {
				continue
			}
			lat, lon, _, _ := h.at(t)
			if lat < fp.MinLat || lat > fp.MaxLat || lon < fp.MinLon || lon > fp.MaxLon {
				continue
			}
			pd := 0.97
			switch {
			case h.Length < 30:
				pd = 0.55
			case h.Length < 60:
				pd = 0.85
			}
			id := h.identAt(t)
			if rng.Float64() >= pd {
				sc.Misses = append(sc.Misses, SARMiss{id.MMSI, h.Index, h.Length})
				continue
			}
			on := !h.isOff(t) && h.spoofAt(t) == nil
			dl, dn := geo.Destination(lat, lon, rng.Float64()*360, math.Abs(rng.NormFloat64())*0.04)
			sc.Detections = append(sc.Detections, SARDetection{Lat: r5(dl), Lon: r5(dn), Time: ts(t),
				LengthM: math.Round(h.Length * math.Max(0.5, 1+0.12*rng.NormFloat64())), Score: r3(0.6 + 0.4*rng.Float64()),
				Truth: fmt.Sprint(id.MMSI), AISOn: &on, Vessel: h.Index})
		}
		nfa := rng.IntN(5)
		for k := 0; k < nfa; k++ {
			lat, lon := fp.MinLat+rng.Float64()*(fp.MaxLat-fp.MinLat), fp.MinLon+rng.Float64()*(fp.MaxLon-fp.MinLon)
			if w.land.OnLand(lat, lon) {
				continue
			}
			sc.Detections = append(sc.Detections, SARDetection{Lat: r5(lat), Lon: r5(lon), Time: ts(t),
				LengthM: math.Round(15 + rng.Float64()*60), Score: r3(0.5 + 0.3*rng.Float64()), Truth: "false_alarm"})
		}
		out = append(out, sc)
	}
	return out
}

func r5(x float64) float64 { return math.Round(x*1e5) / 1e5 }
