package risk

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/lookout-osint/lookout/event"
)

// WriteTable prints the scores, one line per factor, each with how it was
// counted and the first events behind it.
func WriteTable(w io.Writer, scores []Score) error {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tMMSI\tNAME\tSCORE\tFACTOR\tPOINTS\tHOW\tEVENTS")
	for i, s := range scores {
		if len(s.Factors) == 0 {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%.1f\t\t\t\t\n", i+1, s.MMSI, s.Name, s.Total)
		}
		for j, f := range s.Factors {
			rank, id, name, total := "", "", "", ""
			if j == 0 {
				rank, id, name, total = fmt.Sprint(i+1), fmt.Sprint(s.MMSI), s.Name, fmt.Sprintf("%.1f", s.Total)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n", rank, id, name, total, f.Name, f.Points, f.Detail, event.ShortIDs(f.EventIDs))
		}
	}
	return tw.Flush()
}
