package pipeline

import (
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/store"
)

// The screener sees every stored position: noting one must not allocate
// (it allocated an event per position, a quarter of ingest's allocations
// at real rates), and a match found before the vessel's first position
// still waits for it and is placed there.
func TestScreenerPositionAllocatesNothing(t *testing.T) {
	s := NewScreener(sanctions.NewIndex(sanctions.Concat(sanctions.Builtin()...)), nil)
	var got []event.Event
	s.emit = func(e *event.Event) { got = append(got, *e) }
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	// CHON MA SAN, listed by OFAC (testdata/README.md), heard before any
	// position of hers.
	s.identity(&store.Identity{MMSI: 445000001, Time: at, IMO: 8660313, Name: "CHON MA SAN"})
	if len(got) != 0 {
		t.Fatalf("match emitted before the vessel's position: %+v", got)
	}
	other := store.Position{MMSI: 211000001, Time: at, Lat: 54, Lon: 10}
	s.position(&other)
	if len(got) != 0 {
		t.Fatalf("another vessel's position released the match: %+v", got)
	}
	if n := testing.AllocsPerRun(100, func() { s.position(&other) }); n != 0 {
		t.Errorf("position allocates %.1f times per call while a match waits, want 0", n)
	}
	s.position(&store.Position{MMSI: 445000001, Time: at, Lat: 39.1, Lon: 125.7})
	if len(got) != 1 || got[0].Type != event.SanctionsMatch || got[0].Lat != 39.1 || got[0].Lon != 125.7 {
		t.Fatalf("want the waiting match placed at the vessel's first position, got %+v", got)
	}
	if n := testing.AllocsPerRun(100, func() { s.position(&other) }); n != 0 {
		t.Errorf("position allocates %.1f times per call, want 0", n)
	}
}
