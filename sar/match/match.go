// Package match pairs satellite detections with AIS tracks: each vessel's
// track is interpolated (or briefly dead-reckoned) to the image time, pairs
// farther apart than a distance gate are ruled out, and the rest are
// assigned one to one by the Hungarian algorithm on a cost of distance plus
// a small length-disagreement term, so that of two equally close vessels the
// one whose length fits gets the detection. Detections left over are dark:
// a ship was there and nothing broadcast.
package match

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/sar"
)

// Fix is one AIS position report. SOG (knots) and COG (degrees) are NaN
// when not available.
type Fix struct {
	Time     time.Time
	Lat, Lon float64
	SOG, COG float64
}

// Track is one vessel's AIS positions around the image time, in time order.
// The track package's per-vessel state maps onto it directly: MMSI, the
// static length (dimension to bow + stern), the ship type category from
// ref.ShipTypeCategory, and the position reports.
type Track struct {
	MMSI     uint32
	LengthM  float64 // 0 when unknown
	Category string  // "tanker", "cargo", "fishing", ... or ""
	Fixes    []Fix
}

// Options tune Match. Zero values take the defaults.
type Options struct {
	// MaxDistanceKm is the gate between a detection and a vessel's
	// position at image time (default 1.5 km, as Skylight uses).
	MaxDistanceKm float64
	// MaxExtrapolation is how far from its nearest fix a vessel's position
	// may be dead-reckoned (default 30 min); MaxInterpolationGap is the
	// longest gap between two fixes that is interpolated across (default 2 h).
	MaxExtrapolation    time.Duration
	MaxInterpolationGap time.Duration
	// LengthWeight scales the length-disagreement term of the cost (default
	// 0.25: a perfect length fit is worth 0.25 x MaxDistanceKm).
	LengthWeight float64
	// MaxCandidateGap is the longest AIS gap across the image time for
	// which a silent vessel is listed as a candidate for a dark detection
	// (default 24 h).
	MaxCandidateGap time.Duration
}

func (o *Options) defaults() {
	if o.MaxDistanceKm == 0 {
		o.MaxDistanceKm = 1.5
	}
	if o.MaxExtrapolation == 0 {
		o.MaxExtrapolation = 30 * time.Minute
	}
	if o.MaxInterpolationGap == 0 {
		o.MaxInterpolationGap = 2 * time.Hour
	}
	if o.LengthWeight == 0 {
		o.LengthWeight = 0.25
	}
	if o.MaxCandidateGap == 0 {
		o.MaxCandidateGap = 24 * time.Hour
	}
}

// Matched is a detection paired with a vessel.
type Matched struct {
	sar.Detection
	MMSI       uint32  `json:"mmsi"`
	DistanceKm float64 `json:"distance_km"`
	// FixAge is the time from the image to the vessel's nearest fix.
	FixAge         time.Duration `json:"fix_age_ns"`
	VesselLengthM  float64       `json:"vessel_length_m,omitempty"`
	VesselCategory string        `json:"vessel_category,omitempty"`
}

// Dark is a detection no broadcasting vessel accounts for.
type Dark struct {
	sar.Detection
	// Candidates are vessels whose AIS fell silent across the image time
	// (no fix close enough to position them) and that could have reached
	// the detection at their speeds before and after: who it might be.
	Candidates []Candidate `json:"candidates,omitempty"`
}

// Candidate is a silent vessel that could be a dark detection.
type Candidate struct {
	MMSI uint32 `json:"mmsi"`
	// GapH is the length of the AIS gap spanning the image time, hours.
	GapH float64 `json:"gap_h"`
	// OffTrackKm is the detection's distance from the straight line
	// between the fixes either side of the gap, at the image time.
	OffTrackKm float64 `json:"off_track_km"`
	LengthM    float64 `json:"length_m,omitempty"`
}

// Result is the outcome of matching.
type Result struct {
	Matched []Matched
	Dark    []Dark
}

// PositionAt is the vessel's estimated position at t: interpolated between
// the fixes either side if they are close enough in time, else
// dead-reckoned from the nearest fix if it is recent enough. age is the time
// to the nearest fix.
func (tr *Track) PositionAt(t time.Time, o Options) (lat, lon float64, age time.Duration, ok bool) {
	o.defaults()
	fs := tr.Fixes
	i := sort.Search(len(fs), func(i int) bool { return !fs[i].Time.Before(t) })
	var before, after *Fix
	if i > 0 {
		before = &fs[i-1]
	}
	if i < len(fs) {
		after = &fs[i]
	}
	switch {
	case before != nil && after != nil && after.Time.Sub(before.Time) <= o.MaxInterpolationGap:
		span := after.Time.Sub(before.Time)
		f := 0.0
		if span > 0 {
			f = float64(t.Sub(before.Time)) / float64(span)
		}
		dlon := geo.NormLon(after.Lon - before.Lon)
		age = min(t.Sub(before.Time), after.Time.Sub(t))
		return before.Lat + f*(after.Lat-before.Lat), geo.NormLon(before.Lon + f*dlon), age, true
	}
	// Nearest fix, dead-reckoned.
	var near *Fix
	switch {
	case before == nil:
		near = after
	case after == nil:
		near = before
	case t.Sub(before.Time) <= after.Time.Sub(t):
		near = before
	default:
		near = after
	}
	if near == nil {
		return 0, 0, 0, false
	}
	dt := t.Sub(near.Time)
	age = dt.Abs()
	if age > o.MaxExtrapolation {
		return 0, 0, age, false
	}
	lat, lon = near.Lat, near.Lon
	if !math.IsNaN(near.SOG) && !math.IsNaN(near.COG) && near.SOG > 0 && near.SOG < 50 {
		km := near.SOG * 1.852 * dt.Hours() // negative dt runs backwards
		lat, lon = geo.Destination(lat, lon, near.COG, km)
	}
	return lat, lon, age, true
}

const forbidden = 1e9

// Match pairs detections with tracks. Detections may come from several
// scenes: each is compared with vessel positions at its own time.
func Match(ds []sar.Detection, tracks []Track, o Options) Result {
	o.defaults()
	var res Result
	// Group detections by time so each track is positioned once per scene.
	byTime := map[time.Time][]int{}
	var times []time.Time
	for i, d := range ds {
		if _, ok := byTime[d.Time]; !ok {
			times = append(times, d.Time)
		}
		byTime[d.Time] = append(byTime[d.Time], i)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	type pos struct {
		lat, lon float64
		age      time.Duration
		track    int
	}
	for _, t := range times {
		idx := byTime[t]
		var ps []pos
		for k := range tracks {
			if lat, lon, age, ok := tracks[k].PositionAt(t, o); ok {
				ps = append(ps, pos{lat, lon, age, k})
			}
		}
		// Gated cost matrix, kept sparse: most pairs are far apart.
		type edge struct {
			v    int
			cost float64
			dist float64
		}
		adj := make([][]edge, len(idx))
		for a, di := range idx {
			d := ds[di]
			dlat := o.MaxDistanceKm / 111.0
			for v, p := range ps {
				if math.Abs(p.lat-d.Lat) > dlat {
					continue
				}
				dist := geo.DistanceKm(d.Lat, d.Lon, p.lat, p.lon)
				if dist > o.MaxDistanceKm {
					continue
				}
				c := dist / o.MaxDistanceKm
				if l := tracks[p.track].LengthM; l > 0 && d.LengthM > 0 {
					c += o.LengthWeight * math.Abs(l-d.LengthM) / math.Max(l, d.LengthM)
				}
				adj[a] = append(adj[a], edge{v, c, dist})
			}
		}
		assign := assignComponents(len(idx), len(ps), 1.5+o.LengthWeight, func(a int, f func(v int, c float64)) {
			for _, e := range adj[a] {
				f(e.v, e.cost)
			}
		})
		positioned := make(map[int]bool, len(ps))
		for _, p := range ps {
			positioned[p.track] = true
		}
		for a, di := range idx {
			v := assign[a]
			if v < 0 {
				res.Dark = append(res.Dark, Dark{Detection: ds[di], Candidates: candidates(ds[di], tracks, positioned, o)})
				continue
			}
			p := ps[v]
			tr := &tracks[p.track]
			res.Matched = append(res.Matched, Matched{
				Detection: ds[di], MMSI: tr.MMSI, FixAge: p.age,
				DistanceKm:    math.Round(geo.DistanceKm(ds[di].Lat, ds[di].Lon, p.lat, p.lon)*1000) / 1000,
				VesselLengthM: tr.LengthM, VesselCategory: tr.Category,
			})
		}
	}
	return res
}

// maxCandidates bounds the candidates listed per dark detection.
const maxCandidates = 5

// candidates lists vessels that had no usable position at the detection's
// time but whose fixes either side of it leave the detection within reach:
// the distance from the last fix before and to the first fix after fits
// 1.3 times the fastest of their reported and implied speeds (at least 12
// knots).
func candidates(d sar.Detection, tracks []Track, positioned map[int]bool, o Options) []Candidate {
	var out []Candidate
	for k := range tracks {
		if positioned[k] {
			continue
		}
		fs := tracks[k].Fixes
		i := sort.Search(len(fs), func(i int) bool { return !fs[i].Time.Before(d.Time) })
		if i == 0 || i == len(fs) {
			continue
		}
		b, a := fs[i-1], fs[i]
		gap := a.Time.Sub(b.Time)
		if gap > o.MaxCandidateGap || gap <= 0 {
			continue
		}
		direct := geo.DistanceKm(b.Lat, b.Lon, a.Lat, a.Lon)
		kn := math.Max(12, direct/1.852/gap.Hours())
		for _, s := range []float64{b.SOG, a.SOG} {
			if !math.IsNaN(s) && s < 50 {
				kn = math.Max(kn, s)
			}
		}
		reach := 1.3 * kn * 1.852
		if geo.DistanceKm(b.Lat, b.Lon, d.Lat, d.Lon) > reach*d.Time.Sub(b.Time).Hours()+o.MaxDistanceKm ||
			geo.DistanceKm(d.Lat, d.Lon, a.Lat, a.Lon) > reach*a.Time.Sub(d.Time).Hours()+o.MaxDistanceKm {
			continue
		}
		f := float64(d.Time.Sub(b.Time)) / float64(gap)
		ilat, ilon := b.Lat+f*(a.Lat-b.Lat), geo.NormLon(b.Lon+f*geo.NormLon(a.Lon-b.Lon))
		out = append(out, Candidate{MMSI: tracks[k].MMSI, GapH: math.Round(gap.Hours()*10) / 10,
			OffTrackKm: math.Round(geo.DistanceKm(d.Lat, d.Lon, ilat, ilon)*100) / 100, LengthM: tracks[k].LengthM})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OffTrackKm < out[j].OffTrackKm })
	if len(out) > maxCandidates {
		out = out[:maxCandidates]
	}
	return out
}

// assignComponents solves the assignment separately on each connected
// component of the gated bipartite graph (rows are detections, columns
// vessels), which keeps the cubic Hungarian step small on busy scenes.
// Leaving a row unassigned costs darkCost. It returns each row's column or
// -1.
func assignComponents(rows, cols int, darkCost float64, edges func(r int, f func(c int, cost float64))) []int {
	out := make([]int, rows)
	for i := range out {
		out[i] = -1
	}
	colRows := make([][]int, cols)
	for r := 0; r < rows; r++ {
		edges(r, func(c int, _ float64) { colRows[c] = append(colRows[c], r) })
	}
	seenR := make([]bool, rows)
	seenC := make([]bool, cols)
	for r0 := 0; r0 < rows; r0++ {
		if seenR[r0] {
			continue
		}
		// Breadth-first over the component.
		var rs, cs []int
		queue := []int{r0}
		seenR[r0] = true
		for len(queue) > 0 {
			r := queue[0]
			queue = queue[1:]
			rs = append(rs, r)
			edges(r, func(c int, _ float64) {
				if seenC[c] {
					return
				}
				seenC[c] = true
				cs = append(cs, c)
				for _, r2 := range colRows[c] {
					if !seenR[r2] {
						seenR[r2] = true
						queue = append(queue, r2)
					}
				}
			})
		}
		if len(cs) == 0 {
			continue
		}
		colIdx := map[int]int{}
		for i, c := range cs {
			colIdx[c] = i
		}
		// Square matrix: real columns, then one "unmatched" column per row
		// so leaving a detection dark is always possible.
		n := len(rs) + len(cs)
		cost := make([][]float64, n)
		for i := range cost {
			cost[i] = make([]float64, n)
			for j := range cost[i] {
				cost[i][j] = forbidden
			}
		}
		for i, r := range rs {
			edges(r, func(c int, cst float64) { cost[i][colIdx[c]] = cst })
			for j := len(cs); j < n; j++ {
				cost[i][j] = darkCost // dearer than any gated pair (cost <= 1 + LengthWeight)
			}
		}
		for i := len(rs); i < n; i++ { // dummy rows absorb unused columns
			for j := 0; j < n; j++ {
				cost[i][j] = 0
			}
		}
		a := hungarian(cost)
		for i, r := range rs {
			if j := a[i]; j < len(cs) && cost[i][j] < forbidden {
				out[r] = cs[j]
			}
		}
	}
	return out
}

// hungarian solves the square assignment problem (minimum total cost) in
// O(n^3) with potentials (the Jonker-Volgenant style shortest augmenting
// path formulation). It returns the column of each row.
func hungarian(a [][]float64) []int {
	n := len(a)
	u := make([]float64, n+1)
	v := make([]float64, n+1)
	p := make([]int, n+1) // p[j]: row matched to column j (1-based), 0 none
	way := make([]int, n+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		minv := make([]float64, n+1)
		used := make([]bool, n+1)
		for j := range minv {
			minv[j] = math.Inf(1)
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				cur := a[i0-1][j-1] - u[i0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	out := make([]int, n)
	for j := 1; j <= n; j++ {
		if p[j] > 0 {
			out[p[j]-1] = j - 1
		}
	}
	return out
}

// Locator finds the port or area a position lies in; *ref.Catalog is one.
type Locator interface {
	Locate(lat, lon, radiusKm float64) (ref.Place, bool)
}

// EventOptions tune DarkEvents.
type EventOptions struct {
	// Tanker-sized means a length in [MinTankerM, MaxTankerM] (default
	// 60-340 m: the product and crude tankers of the DPRK trade are 60-120
	// m; unknown lengths never count).
	MinTankerM, MaxTankerM float64
	// PortRadiusKm is how near a port point a detection must be to be at
	// that port when no user area contains it (default 10 km: anchorages
	// such as Vostochnyy's lie several km from the WPI point).
	PortRadiusKm float64
}

// DarkEvents turns dark detections into events. Every one is a
// dark_detection with source "satellite"; a tanker-sized one inside a port
// group's area (a user area, or within PortRadiusKm of a grouped port) also
// names the port and group, so trip counting can take it as a
// satellite-only port call. loc may be nil (no ports).
func DarkEvents(dark []Dark, loc Locator, o EventOptions) []event.Event {
	if o.MinTankerM == 0 {
		o.MinTankerM = 60
	}
	if o.MaxTankerM == 0 {
		o.MaxTankerM = 340
	}
	if o.PortRadiusKm == 0 {
		o.PortRadiusKm = 10
	}
	out := make([]event.Event, 0, len(dark))
	for _, d := range dark {
		e := event.Event{
			Type: event.DarkDetection, Start: d.Time, End: d.Time, Lat: d.Lat, Lon: d.Lon,
			Confidence: confidence(d.Detection), Source: event.SourceSatellite,
			Evidence: map[string]any{"length_m": d.LengthM, "score": d.Score, "detection_id": d.ID, "scene": d.Scene, "detector": d.Source},
		}
		tanker := d.LengthM >= o.MinTankerM && d.LengthM <= o.MaxTankerM
		e.Evidence["tanker_sized"] = tanker
		if len(d.Candidates) > 0 {
			e.Evidence["candidates"] = d.Candidates
		}
		if loc != nil && tanker {
			if pl, ok := loc.Locate(d.Lat, d.Lon, o.PortRadiusKm); ok && len(pl.Groups) > 0 {
				e.Port, e.PortID, e.PortGroup = pl.Name(), pl.Port.ID, pl.Groups[0]
				e.Evidence["port_distance_km"] = math.Round(pl.DistKm*100) / 100
				if len(pl.Groups) > 1 {
					e.Evidence["port_groups"] = pl.Groups
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// MatchedEvents turns matched detections into sar_match events on the
// vessels they matched (source "satellite"): the image saw the ship where
// its AIS put it, which dossiers show beside its AIS events.
func MatchedEvents(ms []Matched) []event.Event {
	out := make([]event.Event, 0, len(ms))
	for _, m := range ms {
		ev := map[string]any{"distance_km": math.Round(m.DistanceKm*1000) / 1000, "fix_age_s": math.Round(m.FixAge.Seconds()),
			"length_m": m.LengthM, "score": m.Score, "detection_id": m.ID, "scene": m.Scene, "detector": m.Source}
		if m.VesselLengthM > 0 {
			ev["vessel_length_m"] = m.VesselLengthM
		}
		if m.VesselCategory != "" {
			ev["vessel_category"] = m.VesselCategory
		}
		out = append(out, event.Event{Type: event.SARMatch, MMSI: m.MMSI, Start: m.Time, End: m.Time, Lat: m.Lat, Lon: m.Lon,
			Confidence: confidence(m.Detection), Source: event.SourceSatellite, Evidence: ev})
	}
	return out
}

// confidence maps a detection's score to 0-1: imported scores already are
// probabilities; CFAR scores (standard deviations) saturate at 40.
func confidence(d sar.Detection) float64 {
	s := d.Score
	if s <= 1 {
		return math.Max(s, 0)
	}
	return math.Round(math.Min(s/40, 1)*1000) / 1000
}

// String is a one-line summary.
func (r Result) String() string {
	return fmt.Sprintf("%d matched, %d dark", len(r.Matched), len(r.Dark))
}
