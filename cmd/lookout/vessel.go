package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/store/output"
)

func init() {
	var dsn, format string
	cmd := &cobra.Command{
		Use:   "vessel MMSI|IMO|NAME",
		Short: "Show a vessel's identity history, port calls and events from the store",
		Long: `Look a vessel up in the store (see lookout ingest) by MMSI, IMO number or
(part of a) name, case-insensitive, and show for each matching MMSI its
identity history (every change of name, call sign, IMO, type, size, draught
or destination), its port calls and its other events.`,
		Example: `  lookout vessel 273456789
  lookout vessel 8914556 --format json
  lookout vessel "chon ma" --db postgres://analyst@db.example.org/lookout`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := context.Background()
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
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
			var vs []output.Vessel
			for _, m := range ms {
				v, err := output.LoadVessel(ctx, st, m)
				if err != nil {
					return err
				}
				v.Flag = cat.Flag(m)
				vs = append(vs, v)
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
			}
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	root.AddCommand(cmd)
}
