package eval

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// WriteTable prints the scores as an aligned table; with verbose it also
// lists every missed truth event and every spurious detection with the
// reason its closest candidate did not match.
func WriteTable(w io.Writer, r Result, verbose bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "type\ttruth\tdetected\ttp\tfp\tfn\tprecision\trecall\tf1\t")
	row := func(s Score) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t\n", s.Type, s.Truth, s.Detected, s.TP, s.FP, s.FN, s.Precision, s.Recall, s.F1)
	}
	for _, s := range r.Types {
		if s.Truth+s.Detected+s.Ignored > 0 {
			row(s)
		}
		if s.Type == event.IdentityChange {
			for _, k := range r.Kinds {
				row(k)
			}
		}
	}
	row(r.Overall)
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.ExcludedTruth > 0 {
		fmt.Fprintf(w, "\n%d satellite-only truth events left out of recall (%d detections of them ignored); --include-satellite scores them\n", r.ExcludedTruth, r.Overall.Ignored)
	}
	if c := r.Interference; c != nil {
		fmt.Fprintf(w, "\nGNSS interference: %d of %d affected vessels got spoofing risk points for it", len(c.WithPoints), c.Vessels)
		for _, v := range c.WithPoints {
			fmt.Fprintf(w, " (%d: %.0f)", v.MMSI, v.Points)
		}
		fmt.Fprintln(w)
	}
	if c := r.Identity; c != nil {
		fmt.Fprintf(w, "\nidentity changes: %d detected for %d real changes, at most %d on one real change\n", c.Detected, c.Truth, c.MaxPerTruth)
	}
	if g := r.Glitches; g != nil {
		fmt.Fprintf(w, "\nGPS glitches: %d spoofing events on %d of %d glitches heard\n", g.Events, g.OnGlitch, g.Glitches)
	}
	for _, t := range slices.Sorted(maps.Keys(r.Skipped)) {
		fmt.Fprintf(w, "skipped %d events of type %s (not scored)\n", r.Skipped[t], t)
	}
	if !verbose {
		return nil
	}
	list := func(title string, ms []Miss) {
		fmt.Fprintf(w, "\n%s (%d):\n", title, len(ms))
		for _, m := range ms {
			e := m.Event
			who := fmt.Sprint(e.MMSI)
			if e.OtherMMSI != 0 {
				who += "/" + fmt.Sprint(e.OtherMMSI)
			}
			where := ""
			if e.PortID != "" || e.Port != "" {
				where = fmt.Sprintf(" port %s %s", e.PortID, e.Port)
			}
			fmt.Fprintf(w, "  %-24s %-20s %s .. %s%s  [%s]\n", e.Type, who, e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339), where, m.Reason)
		}
	}
	list("missed truth events (false negatives)", r.Missed)
	list("spurious detections (false positives)", r.Spurious)
	_, err := fmt.Fprintln(w)
	return err
}
