package sim

import (
	"cmp"
	"slices"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
)

// GNSS interference (issue 18): for some hours, every ship within
// gnssRadiusKm of a busy port reports its position displaced onto a circle
// of gnssCircleKm around one point at sea 60–100 km away (each fix at a
// random place on it, 0 kn), as has been seen near ports in the Baltic, the
// Black Sea, the Gulf and Shanghai. Ships on one circle are not together:
// their fixes lie kilometres apart. The ships
// did nothing: truth has one gnss_interference event for the area and
// period listing them, and for each ship whose displaced fixes show (three
// received) a spoofing event of kind gnss_interference, which the data
// show but for which risk scoring gives no points.

// gnssEpisode is one interference: ships within radiusKm of (lat, lon)
// during span report (toLat, toLon).
type gnssEpisode struct {
	span
	lat, lon     float64
	radiusKm     float64
	toLat, toLon float64
}

const (
	gnssPurpose  = 22 // world.rngFor stream for planning interference
	gnssRadiusKm = 30
	gnssCircleKm = 2
)

// planInterference places about one interference a month at the busiest
// hubs, 6–10 h each, away from the scenario's ends.
func (w *world) planInterference() {
	if len(w.hubs) == 0 || w.t1-w.t0 < 3*day {
		return
	}
	rng := w.rngFor(gnssPurpose, 0, 0)
	n := max(1, w.cfg.Days/30)
	for i := 0; i < n; i++ {
		hub := w.hubs[rng.IntN(len(w.hubs))]
		from := w.t0 + day + int64(rng.Float64()*float64(w.t1-w.t0-3*day))
		ep := gnssEpisode{span: span{from, from + int64((6+rng.Float64()*4)*float64(hour))},
			lat: hub.ref.Lat, lon: hub.ref.Lon, radiusKm: gnssRadiusKm}
		placed := false
		for try := 0; try < 100 && !placed; try++ {
			ep.toLat, ep.toLon = geo.Destination(hub.ref.Lat, hub.ref.Lon, rng.Float64()*360, 60+rng.Float64()*40)
			placed = !w.land.OnLand(ep.toLat, ep.toLon) && w.land.DistanceToShoreKm(ep.toLat, ep.toLon) > 5
		}
		if placed {
			w.gnss = append(w.gnss, ep)
		}
	}
}

// interferenceAt returns the index (+1) of the interference displacing a
// ship truly at (lat, lon) at t, or 0.
func (w *world) interferenceAt(t int64, lat, lon float64) int {
	for i := range w.gnss {
		if g := &w.gnss[i]; g.has(t) && geo.DistanceKm(g.lat, g.lon, lat, lon) <= g.radiusKm {
			return i + 1
		}
	}
	return 0
}

// interferenceEvents is the truth of every interference: a spoofing event
// for each vessel with three or more received displaced fixes, and the area
// event (MMSI 0) listing them when there are three or more.
func (w *world) interferenceEvents() []event.Event {
	var evs []event.Event
	for i := range w.gnss {
		type seen struct {
			first, last int64
			n           int
		}
		by := map[uint32]*seen{}
		for _, h := range w.hulls {
			for j := range h.log {
				r := &h.log[j]
				if r.kind != rxPosition || int(r.gnss) != i+1 {
					continue
				}
				s := by[r.id.MMSI]
				if s == nil {
					s = &seen{first: r.t}
					by[r.id.MMSI] = s
				}
				s.last, s.n = r.t, s.n+1
			}
		}
		var vessels []uint32
		var first, last int64
		for m, s := range by {
			if s.n < event.SpoofMinFixes {
				continue
			}
			vessels = append(vessels, m)
			if first == 0 || s.first < first {
				first = s.first
			}
			last = max(last, s.last)
		}
		slices.Sort(vessels)
		g := &w.gnss[i]
		// Each ship's displaced fixes show whether or not enough ships
		// were caught for the area to show.
		for _, m := range vessels {
			s := by[m]
			if !sustained(s.n, s.first, s.last) {
				// The area shows it (the vessel jumped into it), but a
				// few minutes of displaced fixes show no spoof of the
				// vessel (a 12-minute run on fresh seeds 9503 and 9601).
				continue
			}
			evs = append(evs, event.Event{Type: event.Spoofing, MMSI: m, Start: ts(s.first), End: ts(s.last),
				Lat: r3(g.toLat), Lon: r3(g.toLon), Confidence: 1, Source: event.SourceAIS, Evidence: map[string]any{
					"kind": "gnss_interference", "spoofed_positions": s.n,
				}})
		}
		if len(vessels) < 3 {
			continue
		}
		evs = append(evs, event.Event{Type: event.GNSSInterference, Start: ts(first), End: ts(last),
			Lat: r3(g.toLat), Lon: r3(g.toLon), Confidence: 1, Source: event.SourceAIS, Evidence: map[string]any{
				"vessels": vessels, "vessel_count": len(vessels), "area_lat": r3(g.lat), "area_lon": r3(g.lon),
				"radius_km": g.radiusKm,
			}})
	}
	slices.SortFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.Start.Unix(), b.Start.Unix()) })
	return evs
}
