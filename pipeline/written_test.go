package pipeline_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
)

// What ingest prints as new events is how much the store's total grew,
// across runs that leave events open: a run's closed version of an event
// the last run stored open replaces it, and a run's open events replace
// the last run's, so neither adds to the store. (It printed 24 new events
// while the total stayed the same.)
func TestNewEventsAreTheStoresGrowth(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openDuck(t, filepath.Join(dir, "db.duckdb"))
	defer st.Close()
	open := func(mmsi uint32, hours int) event.Event {
		return event.Event{Type: event.PortVisit, MMSI: mmsi, Start: t0, End: t0.Add(time.Duration(hours) * time.Hour),
			Lat: 43.1, Lon: 131.9, Port: "VLADIVOSTOK", PortID: "60950", Confidence: 3}
	}
	stored := func() int64 {
		c, err := st.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c.Events
	}
	runs := []struct {
		fixes     int
		before    []event.Event // emitted as the run starts: stored with its first batch
		openAtEnd []event.Event // emitted when the run ends: stored provisional
	}{
		{fixes: 100, openAtEnd: []event.Event{open(273000001, 5), open(273000002, 5), open(273000003, 5)}},
		// Vessel 1 left port (its visit closes), 2 is still there, 3's
		// visit turned out to be no visit.
		{fixes: 150, before: []event.Event{open(273000001, 9)}, openAtEnd: []event.Event{open(273000002, 30), open(273000001, 5)}},
		// Nothing new at all: the same open event again.
		{fixes: 10, openAtEnd: []event.Event{open(273000002, 30)}},
	}
	for i, r := range runs {
		path := filepath.Join(dir, "day"+string(rune('1'+i))+".nmea")
		writeFeed(t, path, 3, r.fixes)
		before := stored()
		p := newEventPipeline()
		in := pipeline.New(st, pipeline.Options{Analysis: p})
		p.emit = in.Emit
		if err := in.Restore(ctx); err != nil {
			t.Fatal(err)
		}
		for j := range r.before {
			in.Emit(&r.before[j])
		}
		res, err := in.File(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		for j := range r.openAtEnd {
			in.Emit(&r.openAtEnd[j])
		}
		n, err := in.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, grew := res.Events+int64(n), stored()-before; got != grew {
			t.Errorf("run %d: %d new events reported (%d while reading, %d at the end), the store's total grew by %d",
				i+1, got, res.Events, n, grew)
		}
	}
}
