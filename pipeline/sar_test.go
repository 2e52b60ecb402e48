package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/sar"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// TestSARStoresMatchedAndDark: one image with a ship where a vessel's AIS
// put it and two ships no AIS accounts for. All three are stored (the two
// dark ones share the image time and have no MMSI, and were once one
// event), and storing them again adds nothing.
func TestSARStoresMatchedAndDark(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := duckdb.Open(ctx, filepath.Join(dir, "sar.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2024, 3, 2, 9, 7, 0, 0, time.UTC)
	// The vessel sails east along 41°N at about 10 knots, a fix every 5 minutes.
	var csv strings.Builder
	csv.WriteString("MMSI,BaseDateTime,LAT,LON\n")
	for i := -12; i <= 12; i++ {
		fmt.Fprintf(&csv, "445000001,%s,41.0,%.5f\n", t0.Add(time.Duration(i)*5*time.Minute).Format("2006-01-02T15:04:05"), 132.0+float64(i)*0.0206)
	}
	aisPath := filepath.Join(dir, "ais.csv")
	if err := os.WriteFile(aisPath, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ds := []sar.Detection{
		{ID: "d1", Scene: "S1", Time: t0, Lat: 41.001, Lon: 132.001, LengthM: 100, Score: 20},
		{ID: "d2", Scene: "S1", Time: t0, Lat: 40.5, Lon: 133.0, LengthM: 90, Score: 15},
		{ID: "d3", Scene: "S1", Time: t0, Lat: 40.2, Lon: 133.4, LengthM: 40, Score: 12},
	}
	cfg := pipeline.SARConfig{AIS: []string{aisPath}}
	res, err := pipeline.SAR(ctx, st, ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched != 1 || res.Dark != 2 {
		t.Fatalf("%s, want 1 matched and 2 dark", res)
	}
	count := func() map[event.Type]int {
		evs, err := st.Events(ctx, store.EventQuery{})
		if err != nil {
			t.Fatal(err)
		}
		n := map[event.Type]int{}
		for _, e := range evs {
			n[e.Type]++
			if e.Type == event.SARMatch && (e.MMSI != 445000001 || e.Source != event.SourceSatellite || e.Evidence["distance_km"] == nil) {
				t.Errorf("matched detection stored as %+v", e)
			}
		}
		return n
	}
	if n := count(); n[event.SARMatch] != 1 || n[event.DarkDetection] != 2 {
		t.Fatalf("stored %v, want 1 sar_match and 2 dark_detection", n)
	}
	if _, err := pipeline.SAR(ctx, st, ds, cfg); err != nil {
		t.Fatal(err)
	}
	if n := count(); n[event.SARMatch] != 1 || n[event.DarkDetection] != 2 {
		t.Fatalf("after storing again: %v", n)
	}
}
