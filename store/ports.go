package store

import (
	"context"
	"time"
)

// LearnedPort is a port area learned from where vessels stopped (package
// detect's LearnedArea): a group of cells about CellKm wide. Encounters,
// loitering and far-from-port tests treat it like a World Port Index port;
// an ingest restores the stored areas so that a harbour found in an
// earlier run is known from the first fix of the next.
type LearnedPort struct {
	ID          string
	Lat, Lon    float64 // centroid
	Vessels     int     // distinct vessels seen stationary in it
	CellKm      float64
	First, Last time.Time
	Cells       []LearnedCell
}

// LearnedCell is one cell of a learned port area, by its centre.
type LearnedCell struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	Vessels int     `json:"vessels"`
}

// PortAreas is what both backends offer for learned port areas.
type PortAreas interface {
	// PutLearnedPorts replaces the stored areas with ports: the detector
	// that learned them started from the stored ones, so its set is whole.
	PutLearnedPorts(ctx context.Context, ports []LearnedPort) error
	// LearnedPorts returns the stored areas in ID order.
	LearnedPorts(ctx context.Context) ([]LearnedPort, error)
}
