package report

import (
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/oilcap"
	"github.com/lookout-osint/lookout/trips"
)

func TestStoryNamesTheBusiestAndEndsOnWhereToLook(t *testing.T) {
	res := trips.Result{From: "RU-FE", To: "KP",
		Total: []trips.Tally{{From: "RU-FE", To: "KP", Trips: 3, DarkTrips: 5}},
		ByVessel: []trips.Tally{
			{MMSI: 1, From: "RU-FE", To: "KP", Trips: 1, DarkTrips: 1},
			{MMSI: 2, From: "RU-FE", To: "KP", Trips: 2, DarkTrips: 4},
			{MMSI: 3, From: "RU-FE", To: "KP", Visits: 2},
		}}
	oil := []oilcap.Year{{Year: 2024, Barrels: oilcap.Range{Low: 900000, Central: 1055983, High: 1347639}, CapShare: oilcap.Range{Central: 2.112}}}
	names := map[uint32]string{2: "SHUN LIGHT 51"}
	s := NewStory(res, oil, 5, func(m uint32) string { return names[m] }, func(uint32) string { return "KM" })
	s.Next = [][2]string{{"lookout report --db x.duckdb", "The report"}}
	var b strings.Builder
	s.WriteText(&b, "Tankers")
	out := b.String()
	for _, want := range []string{
		"  SHUN LIGHT 51          6 trips (2 seen, 4 possible dark)  MMSI 2, flag KM\n  (no name sent)         2 trips",
		"Headline: 3 trips RU-FE → KP seen in AIS and 5 possibly made dark, by 2 tankers.",
		"about 1,055,983 barrels (900,000–1,347,639)", "211% of the UN cap of 500,000",
		"Where to look next:\n  The report:\n    lookout report --db x.duckdb\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("story lacks %q:\n%s", want, out)
		}
	}
}
