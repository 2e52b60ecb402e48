package sqlstore

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
)

func TestOrderByMMSIIsStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ps := make([]store.Position, 5000)
	for i := range ps {
		// MMSIs differing in every byte, times increasing in input order.
		ps[i] = store.Position{MMSI: rng.Uint32N(40) * 0x01010101, Time: t0.Add(time.Duration(i) * time.Second)}
	}
	order := OrderByMMSI(ps)
	seen := make([]bool, len(ps))
	for k, i := range order {
		if seen[i] {
			t.Fatalf("index %d appears twice", i)
		}
		seen[i] = true
		if k == 0 {
			continue
		}
		a, b := ps[order[k-1]], ps[i]
		if a.MMSI > b.MMSI || (a.MMSI == b.MMSI && !a.Time.Before(b.Time)) {
			t.Fatalf("position %d (%d %v) after (%d %v): not ordered by MMSI then input order", k, b.MMSI, b.Time, a.MMSI, a.Time)
		}
	}
	if len(OrderByMMSI(nil)) != 0 {
		t.Fatal("empty input")
	}
}

func TestVesselSQLEscapesWildcards(t *testing.T) {
	_, args := VesselSQL(`100%_\`)
	if len(args) != 1 || args[0] != `100\%\_\\` {
		t.Fatalf("args = %q", args)
	}
	q, args := VesselSQL(" 273000001 ")
	if args != nil || !contains(q, "mmsi = 273000001") || !contains(q, "imo = 273000001") {
		t.Fatalf("numeric query: %s %v", q, args)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
