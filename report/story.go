package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lookout-osint/lookout/oilcap"
	"github.com/lookout-osint/lookout/trips"
)

// Story is what a first look at a store should end on: which ships carried
// the trade and how often, the trip and oil-cap headline, and where to
// look next. lookout demo prints it last.
type Story struct {
	From, To string
	// Total is the From→To row of the trips counted.
	Total trips.Tally
	// Vessels counts the vessels that made a From→To trip.
	Vessels int
	// Busiest are the vessels with the most From→To trips, most first.
	Busiest []Busy
	Oil     []oilcap.Year
	// Next are the commands (or the map's address) to go on with, each
	// with what it shows: {command, what}.
	Next [][2]string
}

// Busy is one vessel of the story.
type Busy struct {
	MMSI               uint32
	Name, Flag         string
	Trips, DarkTrips   int
	Visits, DarkVisits int
}

// NewStory tells the story of counted trips (of the fleet the caller
// chose) and the oil estimate; name and flag label the vessels.
func NewStory(res trips.Result, oil []oilcap.Year, top int, name, flag func(uint32) string) Story {
	s := Story{From: res.From, To: res.To, Oil: oil}
	for _, t := range res.Total {
		if t.From == res.From && t.To == res.To {
			s.Total = t
		}
	}
	var busy []Busy
	for _, t := range res.ByVessel {
		if t.From != res.From || t.To != res.To || t.Trips+t.DarkTrips == 0 {
			continue
		}
		busy = append(busy, Busy{MMSI: t.MMSI, Name: name(t.MMSI), Flag: flag(t.MMSI),
			Trips: t.Trips, DarkTrips: t.DarkTrips, Visits: t.Visits, DarkVisits: t.DarkVisits})
	}
	s.Vessels = len(busy)
	slices.SortFunc(busy, func(a, b Busy) int {
		return cmp.Or(cmp.Compare(b.Trips+b.DarkTrips, a.Trips+a.DarkTrips), cmp.Compare(b.DarkTrips, a.DarkTrips), cmp.Compare(a.MMSI, b.MMSI))
	})
	s.Busiest = busy[:min(top, len(busy))]
	return s
}

// WriteText writes the story for a terminal; what names the fleet
// ("Tankers").
func (s *Story) WriteText(w io.Writer, what string) {
	fmt.Fprintf(w, "\n%s making trips %s → %s, busiest first (possible dark: AIS off at one end):\n", what, s.From, s.To)
	if len(s.Busiest) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, b := range s.Busiest {
		name := b.Name
		if name == "" {
			name = "(no name sent)"
		}
		fmt.Fprintf(w, "  %-20s %3d trips (%d seen, %d possible dark)  MMSI %d, flag %s\n", name, b.Trips+b.DarkTrips, b.Trips, b.DarkTrips, b.MMSI, b.Flag)
	}
	fmt.Fprintf(w, "\nHeadline: %d trips %s → %s seen in AIS and %d possibly made dark, by %d %s.\n",
		s.Total.Trips, s.From, s.To, s.Total.DarkTrips, s.Vessels, strings.ToLower(what))
	for _, y := range s.Oil {
		fmt.Fprintf(w, "Oil into %s in %d: about %s barrels (%s–%s) in %d deliveries seen in AIS, %.0f%% of the UN cap of %s a year (a lower bound: deliveries with AIS off are not seen).\n",
			s.To, y.Year, barrels(y.Barrels.Central), barrels(y.Barrels.Low), barrels(y.Barrels.High), len(y.Deliveries), 100*y.CapShare.Central, barrels(oilcap.CapBarrels))
	}
	if len(s.Next) > 0 {
		fmt.Fprintln(w, "\nWhere to look next:")
		for _, n := range s.Next {
			fmt.Fprintf(w, "  %s:\n    %s\n", n[1], n[0])
		}
	}
}
