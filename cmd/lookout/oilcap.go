package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/oilcap"
	"github.com/lookout-osint/lookout/store/output"
)

func init() {
	var (
		format  string
		details bool
		group   string
		in      eventInput
	)
	cmd := &cobra.Command{
		Use:   "oilcap [--db DB | EVENTS.jsonl…|-]",
		Short: "Estimate refined product delivered into KP per year against the UN cap of 500,000 barrels",
		Long: `Reads events from the store (--db, see lookout ingest) when no file is named
and nothing is piped in, or as JSON lines ("-": stdin), and estimates, per
year, the refined petroleum product delivered into the watched group (KP)
from draught changes: discharges at KP ports, ship-to-ship transfers whose
receiver reaches KP within 30 days, and RU-FE→KP trips loaded at the origin
with no draught change seen at KP. Each cargo counts once: a receiver that
discharges at a KP port what it took on at sea counts at the discharge.
UN Security Council resolution 2397 (2017) caps supply to the DPRK at
500,000 barrels a year.

Every figure is a range: block coefficient 0.75–0.85 (0.80 central), water density
1.000–1.025 t/m³, draught reading ±0.1 m, product density 0.86–0.73 t/m³ (0.84
central, diesel). AIS draught is typed by crews and often stale, and deliveries
with AIS off are not seen: read the result as what AIS shows, a lower bound.`,
		Example: `  lookout oilcap --db lookout.duckdb --details
  lookout oilcap events.jsonl
  lookout oilcap --details --format json events.jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			evs, err := in.read(cmd, args)
			if err != nil {
				return err
			}
			defer in.close()
			cfg := oilcap.DefaultConfig()
			cfg.Group = group
			years, skipped := oilcap.Estimate(cfg, evs)
			fmt.Fprintf(cmd.ErrOrStderr(), "draught changes not counted: %s\n", skipped)
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
			dir := output.NewDirectory(cmd.Context(), in.st)
			if err := oilcap.WriteTable(cmd.OutOrStdout(), years, details, dir.Name); err != nil {
				return err
			}
			return dir.Err
		},
	}
	in.add(cmd)
	cmd.Flags().StringVar(&format, "format", "table", "table or json (one year per line)")
	cmd.Flags().BoolVar(&details, "details", false, "list every delivery with its events")
	cmd.Flags().StringVar(&group, "group", "KP", "receiving port group")
	root.AddCommand(cmd)
}
