package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
)

// testLearnedPorts checks that learned port areas round-trip and that a put
// replaces the stored set.
func testLearnedPorts(t *testing.T, s store.Store) {
	pa, ok := s.(store.PortAreas)
	if !ok {
		t.Fatalf("%T does not store learned port areas", s)
	}
	ctx := context.Background()
	a := store.LearnedPort{ID: "learned:55.9990,8.1290", Lat: 55.999, Lon: 8.129, Vessels: 12, CellKm: 0.5,
		First: t0, Last: t0.Add(3 * time.Hour),
		Cells: []store.LearnedCell{{Lat: 55.999, Lon: 8.129, Vessels: 9}, {Lat: 56.0035, Lon: 8.129, Vessels: 4}}}
	b := store.LearnedPort{ID: "learned:37.5888,-122.3167", Lat: 37.5888, Lon: -122.3167, Vessels: 2, CellKm: 0.5,
		First: t0, Last: t0.Add(time.Hour), Cells: []store.LearnedCell{{Lat: 37.5888, Lon: -122.3167, Vessels: 2}}}
	if err := pa.PutLearnedPorts(ctx, []store.LearnedPort{b, a}); err != nil {
		t.Fatal(err)
	}
	got, err := pa.LearnedPorts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.LearnedPort{b, a}; !reflect.DeepEqual(got, want) {
		t.Fatalf("learned ports\n got %+v\nwant %+v", got, want)
	}
	if err := pa.PutLearnedPorts(ctx, []store.LearnedPort{a}); err != nil {
		t.Fatal(err)
	}
	if got, err = pa.LearnedPorts(ctx); err != nil || len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("after replacing: %+v %v", got, err)
	}
}
