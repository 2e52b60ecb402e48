package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
	"github.com/spf13/cobra"
)

func init() {
	var (
		group, near, search, places, dsn string
		km                               float64
		learned                          bool
	)
	cmd := &cobra.Command{
		Use:   "ports",
		Short: "List port groups, a group's ports, ports near a position, or ports by name",
		Long: `Show the embedded reference ports (NGA World Port Index) and port groups.
With no flag, list the groups. --places applies a user file of groups and
areas first (the same file analyze takes), to check it. --learned lists the
port areas learned from where vessels stopped (harbours, marinas and
anchorages the World Port Index lacks), as stored by ingest in --db.`,
		Example: `  lookout ports                         # the groups: RU-FE, KP, RU-PAC, CN-NE, ...
  lookout ports --group KP              # every DPRK port
  lookout ports --near 42.75,133.08 --km 30
  lookout ports --search nampo
  lookout ports --places my-areas.yaml --group WATCH
  lookout ports --learned --db lookout.duckdb   # learned port areas, nearest WPI port beside each`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cat := ref.Default()
			if places != "" {
				var err error
				if cat, err = cat.WithUserFile(places); err != nil {
					return err
				}
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			defer w.Flush()
			row := func(p ref.Port, extra string) {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%.4f\t%.4f\t%s\t%s\n", p.ID, p.LOCODE, p.Name, p.Country, p.Size,
					p.Lat, p.Lon, strings.Join(cat.GroupsOf(p.ID), ","), extra)
			}
			header := func(extra string) {
				fmt.Fprintf(w, "ID\tLOCODE\tNAME\tCOUNTRY\tSIZE\tLAT\tLON\tGROUPS\t%s\n", extra)
			}
			switch {
			case learned:
				return listLearned(cmd, w, cat, dsn)
			case group != "":
				g := cat.Group(group)
				if g == nil {
					return fmt.Errorf("no group %q (have %s)", group, strings.Join(cat.Groups(), ", "))
				}
				header("")
				for _, id := range g.PortIDs {
					p, _ := cat.Port(id)
					row(p, "")
				}
				for _, a := range g.Areas {
					fmt.Fprintf(w, "area\t\t%s\t%s\t\t\t\t\t%s\n", a.Name, a.Kind, a.Source)
				}
			case near != "":
				lat, lon, err := parsePortsLatLon(near)
				if err != nil {
					return err
				}
				header("KM")
				for _, pd := range cat.PortsWithin(lat, lon, km) {
					row(pd.Port, fmt.Sprintf("%.1f", pd.DistKm))
				}
				if pl, ok := cat.Locate(lat, lon, 0); ok && pl.Area != nil {
					fmt.Fprintf(w, "inside area %q (%s)\n", pl.Area.Name, strings.Join(pl.Groups, ","))
				}
			case search != "":
				q := strings.ToLower(search)
				header("")
				for _, p := range cat.Ports {
					hay := strings.ToLower(p.Name + ";" + strings.Join(p.AltNames, ";") + ";" + p.LOCODE)
					if strings.Contains(hay, q) {
						row(p, strings.Join(p.AltNames, "; "))
					}
				}
			default:
				fmt.Fprintf(w, "GROUP\tPORTS\tAREAS\tDESCRIPTION\n")
				for _, name := range cat.Groups() {
					g := cat.Group(name)
					fmt.Fprintf(w, "%s\t%d\t%d\t%s\n", name, len(g.PortIDs), len(g.Areas), g.Description)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&group, "group", "", "list the ports (and areas) of this group")
	f.StringVar(&near, "near", "", "list ports near LAT,LON (decimal degrees), nearest first")
	f.Float64Var(&km, "km", 50, "radius for --near, km")
	f.StringVar(&search, "search", "", "list ports whose name, alternate name or UN/LOCODE contains this text")
	f.StringVar(&places, "places", "", "user file of port groups and areas (YAML, JSON or GeoJSON) to apply first")
	f.BoolVar(&learned, "learned", false, "list the port areas learned from the data (stored by ingest in --db)")
	dbFlag(cmd, &dsn)
	root.AddCommand(cmd)
}

func parsePortsLatLon(s string) (lat, lon float64, err error) {
	a, b, ok := strings.Cut(s, ",")
	if ok {
		lat, err = strconv.ParseFloat(strings.TrimSpace(a), 64)
	}
	if ok && err == nil {
		lon, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
	}
	if !ok || err != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, fmt.Errorf("position %q: want LAT,LON in decimal degrees, e.g. 42.75,133.08", s)
	}
	return lat, lon, nil
}

// listLearned prints the learned port areas stored in dsn, each with the
// nearest World Port Index port.
func listLearned(cmd *cobra.Command, w *tabwriter.Writer, cat *ref.Catalog, dsn string) error {
	ctx := cmd.Context()
	st, err := backend.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	pa, ok := st.(store.PortAreas)
	if !ok {
		return fmt.Errorf("%s does not keep learned port areas", dsnName(dsn))
	}
	ports, err := pa.LearnedPorts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ID\tLAT\tLON\tVESSELS\tCELLS\tFIRST\tLAST\tNEAREST WPI PORT\n")
	for _, p := range ports {
		nearest := "none within 50 km"
		if pd := cat.PortsWithin(p.Lat, p.Lon, 50); len(pd) > 0 {
			nearest = fmt.Sprintf("%s (%s) %.1f km", pd[0].Port.Name, pd[0].Port.Country, pd[0].DistKm)
		}
		fmt.Fprintf(w, "%s\t%.4f\t%.4f\t%d\t%d\t%s\t%s\t%s\n", p.ID, p.Lat, p.Lon, p.Vessels, len(p.Cells),
			p.First.Format(time.DateTime), p.Last.Format(time.DateTime), nearest)
	}
	if len(ports) == 0 {
		fmt.Fprintf(w, "(no learned port areas in %s: ingest some AIS first)\n", dsnName(dsn))
	}
	return nil
}
