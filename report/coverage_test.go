package report

import (
	"context"
	"reflect"
	"slices"
	"testing"
)

// The coverage the store counts (store.ReceptionCounter: what crosses a
// served store's socket) is the coverage a scan of every position gives.
func TestCoverageCountedEqualsScanned(t *testing.T) {
	st, _ := fixture(t)
	opt := options()
	src := StoreSource{Store: st}
	ctx := context.Background()
	counted, err := src.Coverage(ctx, opt.Trips.Since, opt.Trips.Until)
	if err != nil {
		t.Fatal(err)
	}
	scanned, err := src.scanCoverage(ctx, opt.Trips.Since, opt.Trips.Until)
	if err != nil {
		t.Fatal(err)
	}
	if counted.Positions == 0 || len(counted.Cells) < 10 || len(counted.Stations) < 2 || len(counted.Files) == 0 {
		t.Fatalf("fixture coverage: %d positions, %d cells, %d stations, %d files",
			counted.Positions, len(counted.Cells), len(counted.Stations), len(counted.Files))
	}
	if counted.Positions != scanned.Positions || !reflect.DeepEqual(counted.Stations, scanned.Stations) ||
		!reflect.DeepEqual(counted.NoData, scanned.NoData) || !slices.Equal(counted.Cells, scanned.Cells) {
		t.Errorf("counted coverage differs from scanned:\n%+v\n%+v", counted, scanned)
	}
}
