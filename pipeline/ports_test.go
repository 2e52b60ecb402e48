package pipeline_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/source"
)

// learner is a pipeline that only keeps port areas.
type learner struct{ areas []detect.LearnedArea }

func (l *learner) Read(r source.Reader) error {
	for r.Next() {
	}
	return r.Err()
}
func (l *learner) LearnedAreas() []detect.LearnedArea        { return l.areas }
func (l *learner) RestoreLearned(areas []detect.LearnedArea) { l.areas = append(l.areas, areas...) }

func TestLearnedPortsCarryOverRuns(t *testing.T) {
	// A run learns a harbour and stores it when flushed; the next run is
	// given it before its first file, so it knows the harbour from the
	// first fix.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	st := openDuck(t, path)
	hvide := detect.LearnedArea{ID: "learned:55.9990,8.1290", Lat: 55.999, Lon: 8.129, Vessels: 9, CellKm: 0.5,
		First: time.Date(2010, 6, 11, 11, 0, 0, 0, time.UTC), Last: time.Date(2010, 6, 11, 14, 0, 0, 0, time.UTC),
		Cells: []detect.LearnedCell{{Lat: 55.999, Lon: 8.129, Vessels: 9}}}
	first := &learner{areas: []detect.LearnedArea{hvide}}
	in := pipeline.New(st, pipeline.Options{Analysis: first})
	if err := in.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st = openDuck(t, path)
	defer st.Close()
	next := &learner{}
	if err := pipeline.New(st, pipeline.Options{Analysis: next}).Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if len(next.areas) != 1 || next.areas[0].ID != hvide.ID || next.areas[0].Vessels != 9 || len(next.areas[0].Cells) != 1 {
		t.Fatalf("next run was given %+v, want the harbour learned before", next.areas)
	}
}
