package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/store/duckdb"
)

func init() {
	var dsn, dir, format, since, until string
	cmd := &cobra.Command{
		Use:   "export --out DIR",
		Short: "Export stored positions and events as day-partitioned CSV or GeoParquet",
		Long: `Write positions and events under DIR/positions/day=YYYY-MM-DD/ and
DIR/events/day=YYYY-MM-DD/ (Hive partitioning: DuckDB, Spark and BigQuery read
the day as a column). GeoParquet files carry a WKB "geometry" column (points,
longitude/latitude on WGS 84) and the GeoParquet "geo" metadata, so GDAL,
QGIS and GeoPandas open them as layers. DIR must not hold an earlier export.`,
		Example: `  lookout export --format geoparquet --out export/
  lookout export --format csv --since 2026-03-01 --until 2026-04-01 --out march/
  lookout export --db postgres://analyst@db.example.org/lookout --format geoparquet --out team/
  duckdb -c "SELECT day, count(*) FROM read_parquet('export/positions/*/*.parquet', hive_partitioning=true) GROUP BY day"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			if dir == "" {
				return fmt.Errorf("--out DIR is required")
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
			start := time.Now()
			if err := duckdb.Export(ctx, st, dir, duckdb.ExportOptions{Format: format, Since: from, Until: to}); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "exported %s to %s in %s\n", format, dir, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	f := cmd.Flags()
	f.StringVarP(&dir, "out", "o", "", "output directory")
	f.StringVar(&format, "format", duckdb.GeoParquet, "csv or geoparquet")
	f.StringVar(&since, "since", "", "rows from this time (date or RFC 3339, UTC)")
	f.StringVar(&until, "until", "", "rows before this time")
	root.AddCommand(cmd)
}
