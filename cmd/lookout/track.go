package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/store/output"
)

func init() {
	var (
		dsn, since, until, format string
		points                    bool
	)
	cmd := &cobra.Command{
		Use:   "track MMSI",
		Short: "Write one vessel's stored track as GeoJSON, KML or CSV",
		Long: `Write the positions stored for one MMSI (see lookout ingest) in time order:
GeoJSON and KML as a line (with --points, also every position with its time,
speed, course and receiving station), CSV one row per position.`,
		Example: `  lookout track 273456789 --since 2026-03-01 --until 2026-03-08 --format geojson > track.geojson
  lookout track 273456789 --format kml --points > track.kml
  lookout track 273456789 --format csv --db postgres://analyst@db.example.org/lookout`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := context.Background()
			m, err := strconv.ParseUint(args[0], 10, 32)
			if err != nil {
				return fmt.Errorf("MMSI %q: want a number (use lookout vessel to find one by name or IMO)", args[0])
			}
			from, to, err := parsePeriod(since, until)
			if err != nil {
				return err
			}
			st, err := openExisting(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			ps, err := st.Track(ctx, uint32(m), from, to)
			if err != nil {
				return err
			}
			if len(ps) == 0 {
				fmt.Fprintf(os.Stderr, "lookout track: no positions stored for MMSI %d in that window\n", m)
			}
			w := bufio.NewWriter(os.Stdout)
			if err := output.Track(w, format, uint32(m), ps, points); err != nil {
				return err
			}
			return w.Flush()
		},
	}
	dbFlag(cmd, &dsn)
	f := cmd.Flags()
	f.StringVar(&since, "since", "", "from this time (date or RFC 3339, UTC; included)")
	f.StringVar(&until, "until", "", "to this time (excluded)")
	f.StringVar(&format, "format", "geojson", "output format: "+strings.Join(output.TrackFormats, ", "))
	f.BoolVar(&points, "points", false, "GeoJSON/KML: every position as a point as well as the line")
	root.AddCommand(cmd)
}
