package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// storyStore builds a small store with what every part of the first
// screen draws: four tankers shuttling Vostochnyy (RU-FE) → Najin (KP) over
// three months as positions and port visits, one arrival a possible dark
// visit, one vessel a sanctions list names and one that met it, two
// dark satellite detections (one at Najin) and one matched to a vessel. Port positions come from the
// catalogue. It returns the store and a time at which vessels are at sea.
func storyStore(t *testing.T) (store.Store, time.Time) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "story.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat := ref.Default()
	port := func(id string) ref.Port {
		p, ok := cat.Port(id)
		if !ok {
			t.Fatalf("port %s is not in the catalogue", id)
		}
		return p
	}
	vos, naj := port("60725"), port("60510") // Vostochnyy, Najin (World Port Index)
	// A point at sea south of Peter the Great Gulf keeps the tracks off land.
	sea := [2]float64{131.9, 42.0}
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var b store.Batch
	var atSea time.Time
	for v := range 4 {
		m := uint32(445100001 + v)
		b.Identities = append(b.Identities, store.Identity{MMSI: m, Time: t0, Name: fmt.Sprintf("CI SHUTTLE %d", v+1),
			ShipType: 80, Length: 100, Draught: 6})
		at := t0.Add(time.Duration(v*5) * 24 * time.Hour)
		for trip := range 3 {
			b.Events = append(b.Events, event.Event{Type: event.PortVisit, MMSI: m, Start: at, End: at.Add(36 * time.Hour),
				Lat: vos.Lat, Lon: vos.Lon, Port: vos.Name, PortID: vos.ID, PortGroup: "RU-FE", Confidence: 4, Source: event.SourceAIS})
			at = at.Add(36 * time.Hour)
			legs := [][2][2]float64{{{vos.Lon, vos.Lat}, sea}, {sea, {naj.Lon, naj.Lat}}}
			for _, leg := range legs {
				for k := range 24 {
					f := float64(k) / 24
					b.Positions = append(b.Positions, store.Position{MMSI: m, Time: at,
						Lon: leg[0][0] + f*(leg[1][0]-leg[0][0]) + float64(v)*0.03, Lat: leg[0][1] + f*(leg[1][1]-leg[0][1]) - float64(v)*0.03,
						SOG: 10, COG: 250, Heading: 250})
					at = at.Add(time.Hour)
				}
			}
			if v == 1 && trip == 0 {
				atSea = at.Add(-20 * time.Hour)
			}
			typ, conf := event.PortVisit, 4.0
			if v == 3 && trip == 1 {
				typ, conf = event.PossibleDarkPortVisit, 0.7 // AIS off near Najin: the trip is dashed
			}
			b.Events = append(b.Events, event.Event{Type: typ, MMSI: m, Start: at, End: at.Add(48 * time.Hour),
				Lat: naj.Lat, Lon: naj.Lon, Port: naj.Name, PortID: naj.ID, PortGroup: "KP", Confidence: conf, Source: event.SourceAIS})
			at = at.Add(48*time.Hour + time.Duration(20+v*3)*24*time.Hour)
		}
	}
	listed, partner := uint32(445100001), uint32(445100002)
	mid := t0.Add(20 * 24 * time.Hour)
	b.Events = append(b.Events,
		event.Event{Type: event.SanctionsMatch, MMSI: listed, Start: t0, End: t0, Lat: vos.Lat, Lon: vos.Lon, Confidence: 1, Source: event.SourceAIS,
			Evidence: map[string]any{"list": "CI list", "entry_name": "CI SHUTTLE 1", "reason": "exact name"}},
		event.Event{Type: event.Encounter, MMSI: partner, OtherMMSI: listed, Start: mid, End: mid.Add(6 * time.Hour),
			Lat: 41.6, Lon: 132.3, Confidence: 0.9, Source: event.SourceAIS, Evidence: map[string]any{"min_distance_m": 80.0}},
		event.Event{Type: event.DarkDetection, Start: mid, End: mid, Lat: naj.Lat - 0.02, Lon: naj.Lon + 0.03, Confidence: 0.9,
			Port: naj.Name, PortID: naj.ID, PortGroup: "KP", Source: event.SourceSatellite, Evidence: map[string]any{"length_m": 95.0, "tanker_sized": true}},
		event.Event{Type: event.DarkDetection, Start: mid, End: mid, Lat: 41.2, Lon: 132.8, Confidence: 0.8,
			Source: event.SourceSatellite, Evidence: map[string]any{"length_m": 40.0, "tanker_sized": false}},
		event.Event{Type: event.SARMatch, MMSI: partner, Start: mid, End: mid, Lat: 41.6, Lon: 132.31, Confidence: 0.9,
			Source: event.SourceSatellite, Evidence: map[string]any{"length_m": 98.0, "distance_km": 0.4}},
	)
	if _, err := st.Write(ctx, &b); err != nil {
		t.Fatal(err)
	}
	return st, atSea
}
