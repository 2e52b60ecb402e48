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
// dark satellite detections (one at Najin) and one matched to a vessel, a
// possible dark transfer with its likely partner seen by satellite and an
// area of GNSS interference. Port positions come from the
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
	// A possible dark transfer with the dark detection beside it (its
	// likely partner, as sar/match links them) and an area of satellite
	// navigation interference: every popup kind has its figures.
	xfer := event.Event{Type: event.PossibleDarkTransfer, MMSI: 445100003, Start: mid.Add(10 * 24 * time.Hour), End: mid.Add(10*24*time.Hour + 20*time.Hour),
		Lat: 41.5, Lon: 132.6, Confidence: 0.6, Source: event.SourceAIS, Evidence: map[string]any{"loitering_h": 20.0, "avg_speed_kn": 0.8,
			"min_shore_nm": 40.0, "old_draught_m": 6.0, "new_draught_m": 7.4, "change_m": 1.4, "cargo_t": 3900.0, "cargo_bbl": 28600.0, "loaded": true, "partner": "unseen"}}
	b.Events = append(b.Events, xfer,
		event.Event{Type: event.DarkDetection, OtherMMSI: xfer.MMSI, Start: xfer.Start.Add(8 * time.Hour), End: xfer.Start.Add(8 * time.Hour), Lat: 41.51, Lon: 132.62,
			Confidence: 0.8, Source: event.SourceSatellite, Evidence: map[string]any{"length_m": 70.0, "tanker_sized": true,
				"dark_transfer_id": xfer.ID(), "dark_transfer_mmsi": xfer.MMSI, "dark_transfer_km": 1.9, "dark_transfer_km_from": "vessel_at_image_time"}},
		event.Event{Type: event.GNSSInterference, Start: mid.Add(30 * 24 * time.Hour), End: mid.Add(30*24*time.Hour + 5*time.Hour), Lat: 41.8, Lon: 131.6,
			Confidence: 0.8, Source: event.SourceAIS, Evidence: map[string]any{"vessels": []uint32{445100001, 445100002, 445100004}, "vessel_count": 3,
				"radius_km": 12.0, "jumps": 9, "displaced_fixes": 40}},
	)
	if _, err := st.Write(ctx, &b); err != nil {
		t.Fatal(err)
	}
	return st, atSea
}
