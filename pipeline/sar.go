package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/sar"
	"github.com/lookout-osint/lookout/sar/match"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
)

// SARConfig is how satellite radar detections are matched and stored.
type SARConfig struct {
	// AIS are the files (NMEA or CSV, gzip or not) whose positions place
	// the broadcasting vessels at each image time.
	AIS []string
	// Window is how much AIS around each image time is kept (default 12
	// h: half the longest gap that can name a dark detection's candidates).
	Window time.Duration
	Match  match.Options
	Events match.EventOptions
	// Catalog places tanker-sized dark detections at ports (default
	// ref.Default()).
	Catalog *ref.Catalog
}

// SARResult says what SAR matched and stored.
type SARResult struct {
	Matched, Dark int
	// Stored is the events written (a re-run writes the same IDs again).
	Stored int
}

func (r SARResult) String() string {
	return fmt.Sprintf("%d matched, %d dark; %d detections stored", r.Matched, r.Dark, r.Stored)
}

// SAR matches detections against the AIS in cfg.AIS and stores every
// detection as an event, in one batch: a matched one as sar_match on the
// vessel it matched, a dark one as dark_detection (tanker-sized at a
// grouped port: a satellite-only port call; beside a stored possible dark
// transfer: named as its likely partner). Event IDs are stable, so
// storing the same detections again adds nothing.
func SAR(ctx context.Context, st store.Store, ds []sar.Detection, cfg SARConfig) (SARResult, error) {
	res, tracks, _, err := MatchSAR(ds, cfg)
	if err != nil {
		return SARResult{}, err
	}
	transfers, err := st.Events(ctx, store.EventQuery{Types: []event.Type{event.PossibleDarkTransfer}})
	if err != nil {
		return SARResult{}, err
	}
	dark, _ := DarkSAR(res, tracks, transfers, cfg)
	w, err := st.Write(ctx, &store.Batch{Events: append(match.MatchedEvents(res.Matched), dark...)})
	if err != nil {
		return SARResult{}, err
	}
	return SARResult{Matched: len(res.Matched), Dark: len(res.Dark), Stored: int(w.Events)}, nil
}

// DarkSAR returns res's dark detections as events (tanker-sized at a
// grouped port: a satellite-only port call), each imaged within 3 km of a
// tanker during one of transfers (where its AIS track puts it at the
// image time) naming that transfer: a ship without AIS beside a tanker
// loitering while its draught changed is its likely partner. It also
// says how many were so linked.
func DarkSAR(res match.Result, tracks []match.Track, transfers []event.Event, cfg SARConfig) ([]event.Event, int) {
	if cfg.Catalog == nil {
		cfg.Catalog = ref.Default()
	}
	dark := match.DarkEvents(res.Dark, cfg.Catalog, cfg.Events)
	return dark, match.LinkDarkTransfers(dark, transfers, match.PositionsOf(tracks, cfg.Match), 3, time.Hour)
}

// MatchSAR matches detections against the AIS in cfg.AIS (lookout sar
// match prints what SAR stores). It also returns the AIS tracks near the
// image times (the vessels with AIS near them) and how many image times
// there were.
func MatchSAR(ds []sar.Detection, cfg SARConfig) (res match.Result, tracks []match.Track, images int, err error) {
	if cfg.Window == 0 {
		cfg.Window = 12 * time.Hour
	}
	seen := map[time.Time]bool{}
	var times []time.Time
	for _, d := range ds {
		if !seen[d.Time] {
			seen[d.Time] = true
			times = append(times, d.Time)
		}
	}
	for _, name := range cfg.AIS {
		ts, err := sarTracks(name, times, cfg.Window)
		if err != nil {
			return match.Result{}, nil, 0, fmt.Errorf("%s: %w", name, err)
		}
		tracks = append(tracks, ts...)
	}
	return match.Match(ds, tracks, cfg.Match), tracks, len(times), nil
}

func sarTracks(name string, times []time.Time, window time.Duration) ([]match.Track, error) {
	r, err := source.Open(name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	rd, _, err := source.NewReader(r)
	if err != nil {
		return nil, err
	}
	return match.TracksFromAIS(rd, times, window)
}
