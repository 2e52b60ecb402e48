package trips

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable prints the counts per vessel and month, per vessel, per month
// and in total, then every counted trip with its evidence.
func WriteTable(w io.Writer, r Result) error {
	if r.Fleet != "" {
		fmt.Fprintf(w, "fleet: %s\n\n", r.Fleet)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	section := func(title string, rows []Tally) {
		fmt.Fprintf(tw, "%s\n", title)
		fmt.Fprintln(tw, "mmsi\tname\tmonth\tdirection\ttrips seen\tpossible dark trips\tvisits seen\tpossible dark visits\tsatellite-only visits")
		for _, c := range rows {
			mmsi, month := c.labels()
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s→%s\t%d\t%d\t%d\t%d\t%d\n", mmsi, r.Name(c.MMSI), month, c.From, c.To, c.Trips, c.DarkTrips, c.Visits, c.DarkVisits, c.SatelliteVisits)
		}
		fmt.Fprintln(tw)
	}
	section("per vessel and month", r.ByVesselMonth)
	section("per vessel", r.ByVessel)
	section("per month", r.ByMonth)
	section("total", r.Total)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "trips (%d):\n", len(r.Trips))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "mmsi\tname\tdirection\tkind\tdeparture\tleft\tvia\tarrival\tarrived\tevidence")
	for _, t := range r.Trips {
		fmt.Fprintf(tw, "%s\t%s\t%s→%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", vessel(t), r.Name(t.MMSI), t.From, t.To, kind(t),
			ports(t.Depart), t.Depart.End.Format(time.RFC3339), via(t), ports(t.Arrive), t.Arrive.Start.Format(time.RFC3339),
			strings.Join(t.Evidence, " "))
	}
	return tw.Flush()
}

// WriteCSV writes one row per counted trip: the form analysts load into a
// spreadsheet to pivot and check.
func WriteCSV(w io.Writer, r Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"mmsi", "mmsis", "from_group", "to_group", "month", "kind", "departure_ports", "departure_port_ids", "departure_start", "departure_end",
		"via_ports", "arrival_ports", "arrival_port_ids", "arrival_start", "arrival_end", "evidence", "name"})
	for _, t := range r.Trips {
		cw.Write([]string{
			strconv.FormatUint(uint64(t.MMSI), 10), joinMMSIs(t.MMSIs, "|"), t.From, t.To, t.Month, kind(t),
			strings.Join(t.Depart.Ports, "|"), strings.Join(t.Depart.PortIDs, "|"), t.Depart.Start.Format(time.RFC3339), t.Depart.End.Format(time.RFC3339),
			via(t), strings.Join(t.Arrive.Ports, "|"), strings.Join(t.Arrive.PortIDs, "|"), t.Arrive.Start.Format(time.RFC3339), t.Arrive.End.Format(time.RFC3339),
			strings.Join(t.Evidence, " "), r.Name(t.MMSI),
		})
	}
	cw.Flush()
	return cw.Error()
}

// WriteCountsCSV writes the counts: per vessel and month, per vessel, per
// month and in total, "all" standing for the summed dimension.
func WriteCountsCSV(w io.Writer, r Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"mmsi", "month", "from_group", "to_group", "trips_seen", "possible_dark_trips", "visits_seen", "possible_dark_visits", "satellite_only_visits", "name"})
	for _, rows := range [][]Tally{r.ByVesselMonth, r.ByVessel, r.ByMonth, r.Total} {
		for _, c := range rows {
			mmsi, month := c.labels()
			cw.Write([]string{mmsi, month, c.From, c.To, strconv.Itoa(c.Trips), strconv.Itoa(c.DarkTrips), strconv.Itoa(c.Visits), strconv.Itoa(c.DarkVisits), strconv.Itoa(c.SatelliteVisits), r.Name(c.MMSI)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// vessel names a trip's vessel, with the numbers it used when it changed
// identity on the way.
func vessel(t Trip) string {
	s := strconv.FormatUint(uint64(t.MMSI), 10)
	if len(t.MMSIs) > 0 {
		s += " (as " + joinMMSIs(t.MMSIs, ",") + ")"
	}
	return s
}

func joinMMSIs(ms []uint32, sep string) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = strconv.FormatUint(uint64(m), 10)
	}
	return strings.Join(s, sep)
}

func kind(t Trip) string {
	if t.Dark {
		return "possible_dark"
	}
	return "seen"
}

func ports(c Call) string {
	s := strings.Join(c.Ports, "|")
	if c.Dark {
		s += " (dark?)"
	}
	return s
}

func via(t Trip) string {
	if len(t.Via) == 0 {
		return "-"
	}
	var s []string
	for _, c := range t.Via {
		s = append(s, ports(c))
	}
	return strings.Join(s, ",")
}

// labels gives the vessel and month columns of a tally row: "all" where
// the row sums over them.
func (c Tally) labels() (mmsi, month string) {
	mmsi, month = "all", "all"
	if c.MMSI != 0 {
		mmsi = strconv.FormatUint(uint64(c.MMSI), 10)
	}
	if c.Month != "" {
		month = c.Month
	}
	return mmsi, month
}
