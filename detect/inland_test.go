package detect

import (
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/track"
)

// Ships on rivers, canals, lakes and ship channels that Natural Earth's
// coastline puts "inland": a coherent track there is a ship where the map
// is wrong, never spoofing (issue 14). Routes come from data, not from
// hand-written coordinates: World Port Index points (package ref) for the
// Kiel Canal, the Houston Ship Channel and the St. Lawrence Seaway, and
// Natural Earth 1:10m river centre lines (../shared/data/geo) for the
// Mississippi below Baton Rouge and the Rhine.

// wpiRoute is the route through the WPI points with these IDs.
func wpiRoute(t *testing.T, ids ...string) [][2]float64 {
	t.Helper()
	var r [][2]float64
	for _, id := range ids {
		p, ok := ref.Default().Port(id)
		if !ok {
			t.Fatalf("WPI port %s missing", id)
		}
		r = append(r, [2]float64{p.Lat, p.Lon})
	}
	return r
}

// riverRoute is the longest continuous stretch of the Natural Earth river
// centre line called name inside the box, as lat/lon points.
func riverRoute(t *testing.T, name string, minLat, maxLat, minLon, maxLon float64) [][2]float64 {
	t.Helper()
	fh, err := os.Open("../../shared/data/geo/ne_10m_rivers_lake_centerlines.geojson.gz")
	if err != nil {
		t.Skipf("Natural Earth river lines not available: %v", err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Name       string `json:"name"`
				FeatureCla string `json:"featurecla"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.NewDecoder(zr).Decode(&fc); err != nil {
		t.Fatal(err)
	}
	var best [][2]float64
	for _, f := range fc.Features {
		if f.Properties.Name != name || f.Properties.FeatureCla != "River" {
			continue
		}
		var lines [][][2]float64
		if f.Geometry.Type == "LineString" {
			var l [][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &l); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, l)
		} else if err := json.Unmarshal(f.Geometry.Coordinates, &lines); err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			var cur [][2]float64
			for _, p := range l {
				lat, lon := p[1], p[0]
				in := lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon
				if in && len(cur) > 0 && geo.DistanceKm(cur[len(cur)-1][0], cur[len(cur)-1][1], lat, lon) > 10 {
					in = false // not continuous: start again
				}
				if !in {
					if len(cur) > len(best) {
						best = cur
					}
					cur = nil
					if !(lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon) {
						continue
					}
				}
				cur = append(cur, [2]float64{lat, lon})
			}
			if len(cur) > len(best) {
				best = cur
			}
		}
	}
	if len(best) < 10 {
		t.Fatalf("river %s: only %d points in the box", name, len(best))
	}
	return best
}

// sailRoute is a ship sailing the route at kn, a fix every `every`, then
// moored at its end for `moor`.
func sailRoute(mmsi uint32, start time.Time, route [][2]float64, kn float64, every, moor time.Duration) []track.Fix {
	var out []track.Fix
	t := start
	carry := 0.0 // km sailed past the last fix
	step := kn * kmPerNm * every.Hours()
	for i := 1; i < len(route); i++ {
		a, b := route[i-1], route[i]
		leg := geo.DistanceKm(a[0], a[1], b[0], b[1])
		brg := geo.Bearing(a[0], a[1], b[0], b[1])
		for at := step - carry; at < leg; at += step {
			f := at / leg
			out = append(out, track.Fix{MMSI: mmsi, Time: t, Lat: a[0] + (b[0]-a[0])*f, Lon: a[1] + (b[1]-a[1])*f,
				HasPos: true, SOG: kn, COG: brg, Heading: -1, Status: 0, Class: 'A'})
			t = t.Add(every)
			carry = leg - at
		}
		if step-carry >= leg {
			carry += leg
		}
	}
	end := route[len(route)-1]
	for stop := t.Add(moor); t.Before(stop); t = t.Add(3 * every) {
		out = append(out, track.Fix{MMSI: mmsi, Time: t, Lat: end[0], Lon: end[1], HasPos: true,
			SOG: 0, COG: math.NaN(), Heading: -1, Status: 5, Class: 'A'})
	}
	return out
}

// runReal feeds fixes through the tracker and the detectors on the real
// coastline and returns the events and how many fixes the tracker put
// inland.
func runReal(t *testing.T, fixes []track.Fix) ([]event.Event, int64) {
	t.Helper()
	var out []event.Event
	land := geo.DefaultLand()
	d := New(DefaultConfig(), nil, land, func(e *event.Event) { out = append(out, *e) })
	tr := track.New(track.DefaultConfig(), land, sinkFn{d})
	for _, f := range fixes {
		tr.AddFix(f)
	}
	tr.Flush()
	d.Flush()
	return out, tr.Stats().Flagged[track.OnLand]
}

func reversed(r [][2]float64) [][2]float64 {
	out := make([][2]float64, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func TestInlandRoutesAreNotSpoofing(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes the world's coastline")
	}
	routes := []struct {
		name  string
		route [][2]float64
	}{
		// Brunsbüttel Canal Terminals, Rendsburg, Kiel (WPI).
		{"Kiel Canal", wpiRoute(t, "30720", "30730", "28930")},
		// Galveston, Texas City, Baytown, Pasadena, Houston (WPI).
		{"Houston Ship Channel", wpiRoute(t, "9150", "9160", "9170", "9220", "9240")},
		// Montreal, Cornwall, Ogdensburg, Kingston ON (WPI).
		{"St. Lawrence Seaway", wpiRoute(t, "2235", "2620", "2770", "2740")},
		{"Mississippi below Baton Rouge", riverRoute(t, "Mississippi", 28.9, 30.46, -91.3, -89.0)},
		{"Rhine", riverRoute(t, "Rhine", 47.5, 52.2, 3.5, 9.0)},
	}
	for _, r := range routes {
		t.Run(r.name, func(t *testing.T) {
			var fixes []track.Fix
			// Up the route and moored at its end for a day; down it again
			// under another MMSI; and one first heard halfway (its data
			// begin inland, with no track leading there).
			fixes = append(fixes, sailRoute(211000001, t0, r.route, 8, 3*time.Minute, 24*time.Hour)...)
			fixes = append(fixes, sailRoute(211000002, t0, reversed(r.route), 10, 6*time.Minute, 6*time.Hour)...)
			fixes = append(fixes, sailRoute(211000003, t0, r.route[len(r.route)/2:], 6, 2*time.Minute, 12*time.Hour)...)
			sortFixes(fixes)
			evs, inland := runReal(t, fixes)
			if inland < 20 {
				t.Fatalf("only %d fixes put inland by the coastline: the route tests nothing", inland)
			}
			if sp := only(evs, event.Spoofing); len(sp) != 0 {
				t.Errorf("%d spoofing events on ordinary inland traffic (%d inland fixes), first %+v", len(sp), inland, sp[0])
			}
		})
	}
}

// The same places still show a spoof: a ship moored at Rendsburg (inland
// by the map) whose position jumps 12 km further inland while it reports
// 0 kn, and a position held for hours far from any water.
func TestInlandSpoofStillFound(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes the world's coastline")
	}
	route := wpiRoute(t, "30720", "30730")
	fixes := sailRoute(211000004, t0, route, 8, 3*time.Minute, 12*time.Hour)
	end := route[len(route)-1]
	jLat, jLon := geo.Destination(end[0], end[1], 200, 12)
	for i := range fixes {
		if f := &fixes[i]; f.SOG == 0 && f.Time.After(fixes[len(fixes)-1].Time.Add(-8*time.Hour)) && f.Time.Before(fixes[len(fixes)-1].Time.Add(-4*time.Hour)) {
			f.Lat, f.Lon = jLat, jLon
		}
	}
	// The Algerian Sahara, 1,000 km from the sea and 100 km from any mapped river
	// or lake: a position held there for hours, no track leading to it.
	for i := 0; i < 30; i++ {
		fixes = append(fixes, track.Fix{MMSI: 211000005, Time: t0.Add(time.Duration(i) * 10 * time.Minute), Lat: 24.0, Lon: 8.0,
			HasPos: true, SOG: 0, COG: math.NaN(), Heading: -1, Status: 5, Class: 'A'})
	}
	sortFixes(fixes)
	evs, _ := runReal(t, fixes)
	got := map[uint32]int{}
	for _, e := range only(evs, event.Spoofing) {
		got[e.MMSI]++
	}
	if got[211000004] != 1 {
		t.Errorf("ship jumped inland from its berth: %d spoofing events, want 1", got[211000004])
	}
	if got[211000005] != 1 {
		t.Errorf("position held far from any water: %d spoofing events, want 1", got[211000005])
	}
}

func sortFixes(f []track.Fix) {
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && f[j].Time.Before(f[j-1].Time); j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}
