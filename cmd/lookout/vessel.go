package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/risk"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/output"
)

func init() {
	var dsn, format, reportOut string
	cmd := &cobra.Command{
		Use:   "vessel MMSI|IMO|NAME",
		Short: "Show a vessel's identity history, port calls and events from the store",
		Long: `Look a vessel up in the store (see lookout ingest) by MMSI, IMO number or
(part of a) name, case-insensitive, and show for each matching MMSI its
identity history (every change of name, call sign, IMO, type, size, draught
or destination), its port calls, its other events and its risk factors, each
with the events behind it. --report writes the same vessel's dossier as a
self-contained HTML page (lookout report vessel, with its defaults).`,
		Example: `  lookout vessel 273456789
  lookout vessel 8914556 --format json
  lookout vessel "chon ma" --db postgres://analyst@db.example.org/lookout
  lookout vessel 273456789 --report dossier.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := context.Background()
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			if reportOut != "" {
				return vesselReport(dsn, reportOut, args[0])
			}
			st, err := openExisting(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			ms, err := resolveVessel(ctx, st, args[0])
			if err != nil {
				return err
			}
			cat := ref.Default()
			// A vessel's risk depends on its partners' (meetings with
			// high-risk vessels), so every stored event is scored.
			all, err := st.Events(ctx, store.EventQuery{})
			if err != nil {
				return err
			}
			scores := map[uint32]risk.Score{}
			for _, sc := range risk.Scores(risk.DefaultConfig(), all, risk.VesselsIn(cat, all)) {
				scores[sc.MMSI] = sc
			}
			type vesselRisk struct {
				output.Vessel
				Risk risk.Score `json:"risk"`
			}
			var vs []vesselRisk
			for _, m := range ms {
				v, err := output.LoadVessel(ctx, st, m)
				if err != nil {
					return err
				}
				v.Flag = cat.Flag(m)
				vs = append(vs, vesselRisk{v, scores[m]})
			}
			if format == "json" {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(vs)
			}
			for i := range vs {
				if i > 0 {
					fmt.Println()
				}
				if err := vs[i].WriteText(os.Stdout); err != nil {
					return err
				}
				fmt.Printf("\nRisk %.1f\n", vs[i].Risk.Total)
				for _, f := range vs[i].Risk.Factors {
					fmt.Printf("  %-26s %6.1f  %s; events %s\n", f.Name, f.Points, f.Detail, strings.Join(f.EventIDs, " "))
				}
			}
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.Flags().StringVar(&reportOut, "report", "", "write the vessel's HTML dossier to this file instead")
	root.AddCommand(cmd)
}

// vesselReport runs lookout report vessel, so that the dossier has one
// implementation whichever command asks for it.
func vesselReport(dsn, out, vessel string) error {
	c, _, err := root.Find([]string{"report", "vessel"})
	if err != nil {
		return err
	}
	for k, v := range map[string]string{"db": dsn, "out": out} {
		if err := c.Flags().Set(k, v); err != nil {
			return err
		}
	}
	return c.RunE(c, []string{vessel})
}
