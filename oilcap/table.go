package oilcap

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/lookout-osint/lookout/event"
)

// WriteTable prints the yearly totals and, with details, every delivery
// with its events; name, when not nil, names the vessels (as they last
// named themselves) beside their numbers.
func WriteTable(w io.Writer, years []Year, details bool, name func(mmsi uint32) string) error {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "YEAR\tDELIVERIES\tBARRELS (LOW–CENTRAL–HIGH)\tSHARE OF CAP")
	for _, y := range years {
		fmt.Fprintf(tw, "%d\t%d\t%.0f – %.0f – %.0f\t%.0f%% (%.0f–%.0f%%)\n", y.Year, len(y.Deliveries),
			y.Barrels.Low, y.Barrels.Central, y.Barrels.High, 100*y.CapShare.Central, 100*y.CapShare.Low, 100*y.CapShare.High)
	}
	if err := tw.Flush(); err != nil || !details {
		return err
	}
	label := func(m uint32) string {
		if m == 0 {
			return ""
		}
		if name != nil {
			if n := name(m); n != "" {
				return fmt.Sprintf("%d %s", m, n)
			}
		}
		return fmt.Sprint(m)
	}
	tw = tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "\nTIME\tKIND\tVESSEL\tRECEIVER\tPORT\tΔDRAUGHT_M\tL×B_M2\tBARRELS (CENTRAL)\tEVENTS")
	for _, y := range years {
		for _, d := range y.Deliveries {
			kind := d.Kind
			if len(d.STS) > 0 {
				kind += " (cargo from sts)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f\t%.0f\t%.0f\t%s\n", d.Time.Format("2006-01-02"), kind, label(d.MMSI),
				label(d.Receiver), d.Port, d.ChangeM, d.LengthM*d.BeamM, d.Barrels.Central, event.ShortIDs(d.EventIDs))
		}
	}
	return tw.Flush()
}
