package serve

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/trips"
)

// Findings are the headline figures of a store: what lookout demo prints.
type Findings struct {
	Counts   store.Counts
	Vessels  int
	ByType   map[event.Type]int
	From, To string
	Trips    trips.Result
	Top      []scored
}

// HeadlineFindings computes the findings of the whole store, trips counted
// from group from to group to. It uses the server's cache, so serving
// after it costs nothing more.
func (s *Server) HeadlineFindings(ctx context.Context, from, to string, top int) (Findings, error) {
	f := Findings{From: from, To: to, ByType: map[event.Type]int{}}
	err := s.withStore(func() error {
		var err error
		if f.Counts, err = s.st.Counts(ctx); err != nil {
			return err
		}
		d, err := s.derivedLocked(ctx)
		if err != nil {
			return err
		}
		f.Vessels = len(d.vessels)
		for _, e := range d.events {
			f.ByType[e.Type]++
		}
		f.Trips = trips.Count(d.events, trips.Config{From: from, To: to, GroupsOf: s.opt.Catalog.GroupsOf, FollowIdentity: true})
		for _, sc := range d.scores {
			if len(f.Top) == top {
				break
			}
			f.Top = append(f.Top, scored{Score: sc, Vessel: d.vessels[sc.MMSI]})
		}
		return nil
	})
	return f, err
}

// WriteText writes the findings for a terminal.
func (f *Findings) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Store: %d positions, %d identity reports, %d events, %d vessels\n\n",
		f.Counts.Positions, f.Counts.Identities, f.Counts.Events, f.Vessels)
	seen, dark, sat := 0, 0, 0
	for _, t := range f.Trips.Total {
		if t.From == f.From && t.To == f.To {
			seen, dark, sat = t.Trips, t.DarkTrips, t.SatelliteVisits
		}
	}
	fmt.Fprintf(w, "Trips %s → %s: %d seen in AIS, %d possible dark (a dark port call at one end)\n", f.From, f.To, seen, dark)
	fmt.Fprintf(w, "Ships seen by satellite in %s with no AIS: %d (satellite-only visits)\n", f.To, sat)
	for _, m := range f.Trips.ByMonth {
		if m.From == f.From && m.To == f.To {
			fmt.Fprintf(w, "  %s  %3d seen  %3d possible dark\n", m.Month, m.Trips, m.DarkTrips)
		}
	}
	fmt.Fprintln(w, "\nEvents by type:")
	types := slices.Clone(knownTypes)
	for t := range f.ByType {
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	for _, t := range types {
		if n := f.ByType[t]; n > 0 {
			fmt.Fprintf(w, "  %-26s %7d\n", t, n)
		}
	}
	fmt.Fprintln(w, "\nHighest risk:")
	for _, sc := range f.Top {
		var names []string
		for _, fa := range sc.Factors {
			names = append(names, fmt.Sprintf("%s %g", fa.Name, fa.Points))
		}
		name := sc.Vessel.Name
		if name == "" {
			name = "?"
		}
		fmt.Fprintf(w, "  %5.1f  MMSI %-9d %-20s %s\n", sc.Total, sc.MMSI, name, strings.Join(names, ", "))
	}
}
