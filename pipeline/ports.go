package pipeline

import (
	"context"
	"fmt"

	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/store"
)

// PortLearner is a pipeline that learns port areas from where vessels stop
// (package analyze's Analyzer). The Ingester gives it the areas stored by
// earlier runs before the first file, so that a harbour found before is
// known from the first fix, and stores what it knows when it is finished.
type PortLearner interface {
	LearnedAreas() []detect.LearnedArea
	RestoreLearned([]detect.LearnedArea)
}

// restorePorts gives pl the areas stored in st, when both keep them.
func restorePorts(ctx context.Context, st store.Store, pl any) error {
	l, ok := pl.(PortLearner)
	pa, ok2 := st.(store.PortAreas)
	if !ok || !ok2 {
		return nil
	}
	ports, err := pa.LearnedPorts(ctx)
	if err != nil {
		return err
	}
	areas := make([]detect.LearnedArea, 0, len(ports))
	for _, p := range ports {
		a := detect.LearnedArea{ID: p.ID, Lat: p.Lat, Lon: p.Lon, Vessels: p.Vessels, CellKm: p.CellKm, First: p.First, Last: p.Last}
		for _, c := range p.Cells {
			a.Cells = append(a.Cells, detect.LearnedCell{Lat: c.Lat, Lon: c.Lon, Vessels: c.Vessels})
		}
		areas = append(areas, a)
	}
	l.RestoreLearned(areas)
	return nil
}

// savePorts stores the areas pl knows (those restored and those learned
// since) in place of st's.
func savePorts(ctx context.Context, st store.Store, pl any) error {
	l, ok := pl.(PortLearner)
	pa, ok2 := st.(store.PortAreas)
	if !ok || !ok2 {
		return nil
	}
	areas := l.LearnedAreas()
	ports := make([]store.LearnedPort, 0, len(areas))
	for _, a := range areas {
		p := store.LearnedPort{ID: a.ID, Lat: a.Lat, Lon: a.Lon, Vessels: a.Vessels, CellKm: a.CellKm, First: a.First, Last: a.Last}
		for _, c := range a.Cells {
			p.Cells = append(p.Cells, store.LearnedCell{Lat: c.Lat, Lon: c.Lon, Vessels: c.Vessels})
		}
		ports = append(ports, p)
	}
	if err := pa.PutLearnedPorts(ctx, ports); err != nil {
		return fmt.Errorf("store learned port areas: %w", err)
	}
	return nil
}
