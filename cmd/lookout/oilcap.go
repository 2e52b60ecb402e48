package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/oilcap"
)

func init() {
	var (
		format  string
		details bool
		group   string
	)
	cmd := &cobra.Command{
		Use:   "oilcap [EVENTS.jsonl…|-]",
		Short: "Estimate refined product delivered into KP per year against the UN cap of 500,000 barrels",
		Long: `Reads events as JSON lines and estimates, per year, the refined petroleum product
delivered into the watched group (KP) from draught changes: discharges at KP ports,
ship-to-ship transfers whose receiver reaches KP within 30 days, and RU-FE→KP trips
loaded at the origin with no draught change seen at KP. UN Security Council
resolution 2397 (2017) caps supply to the DPRK at 500,000 barrels a year.

Every figure is a range: block coefficient 0.75–0.85 (0.80 central), water density
1.000–1.025 t/m³, draught reading ±0.1 m, product density 0.86–0.73 t/m³ (0.84
central, diesel). AIS draught is typed by crews and often stale, and deliveries
with AIS off are not seen: read the result as what AIS shows, a lower bound.`,
		Example: `  lookout oilcap events.jsonl
  lookout oilcap --details --format json events.jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"-"}
			}
			evs, err := readEventFiles(args)
			if err != nil {
				return err
			}
			cfg := oilcap.DefaultConfig()
			cfg.Group = group
			years, skipped := oilcap.Estimate(cfg, evs)
			fmt.Fprintf(cmd.ErrOrStderr(), "draught changes not counted: %v\n", skipped)
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				for _, y := range years {
					if !details {
						y.Deliveries = nil
					}
					if err := enc.Encode(y); err != nil {
						return err
					}
				}
				return nil
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
			fmt.Fprintln(w, "YEAR\tDELIVERIES\tBARRELS (LOW–CENTRAL–HIGH)\tSHARE OF CAP")
			for _, y := range years {
				fmt.Fprintf(w, "%d\t%d\t%.0f – %.0f – %.0f\t%.0f%% (%.0f–%.0f%%)\n", y.Year, len(y.Deliveries),
					y.Barrels.Low, y.Barrels.Central, y.Barrels.High, 100*y.CapShare.Central, 100*y.CapShare.Low, 100*y.CapShare.High)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if details {
				w = tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
				fmt.Fprintln(w, "\nTIME\tKIND\tMMSI\tRECEIVER\tPORT\tΔDRAUGHT_M\tL×B_M2\tBARRELS (CENTRAL)\tEVENTS")
				for _, y := range years {
					for _, d := range y.Deliveries {
						fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%.1f\t%.0f\t%.0f\t%s\n", d.Time.Format("2006-01-02"), d.Kind, d.MMSI,
							d.Receiver, d.Port, d.ChangeM, d.LengthM*d.BeamM, d.Barrels.Central, shortIDs(d.EventIDs))
					}
				}
				return w.Flush()
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table or json (one year per line)")
	cmd.Flags().BoolVar(&details, "details", false, "list every delivery with its events")
	cmd.Flags().StringVar(&group, "group", "KP", "receiving port group")
	root.AddCommand(cmd)
}
