package output

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// When a vessel was seen is when its positions say, whichever way the store
// is asked: by SQL or through its track. Its static reports, later than
// its last position here, do not count.
func TestSeenIsItsPositions(t *testing.T) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	b := store.Batch{Identities: []store.Identity{{MMSI: 1, Time: t0.Add(-time.Hour), Name: "A"}, {MMSI: 1, Time: t0.Add(48 * time.Hour), Name: "A"}}}
	for i := range 5 {
		b.Positions = append(b.Positions, store.Position{MMSI: 1, Time: t0.Add(time.Duration(i) * time.Hour), Lat: 42, Lon: 131, SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15})
	}
	if _, err := st.Write(ctx, &b); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]store.Store{"sql": st, "track": trackOnly{st}} {
		n, first, last, err := Seen(ctx, s, 1)
		if err != nil || n != 5 || !first.Equal(t0) || !last.Equal(t0.Add(4*time.Hour)) {
			t.Errorf("%s: %d positions %s to %s (%v)", name, n, first, last, err)
		}
		if n, _, _, err := Seen(ctx, s, 2); err != nil || n != 0 {
			t.Errorf("%s: an unknown vessel has %d positions (%v)", name, n, err)
		}
	}
}

// trackOnly hides the store's SQL.
type trackOnly struct{ store.Store }
