package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/trips"
	"github.com/spf13/cobra"
)

func init() {
	var (
		cfg          trips.Config
		since, until string
		format       string
		groupsFile   string
	)
	cmd := &cobra.Command{
		Use:   "trips --from GROUP --to GROUP [--since DATE] [--until DATE] [EVENTS.jsonl...|-]",
		Short: "Count trips between two port groups per vessel and month, with the events behind each",
		Long: `Count trips between two port groups, per vessel and per month, from Lookout
events (lookout analyze --format jsonl): port_visit, possible_dark_port_visit
and voyage. With no file, events are read from stdin; gzip is accepted.

One trip FROM→TO: a port call in FROM followed by a call in TO, where the
departure is the last FROM call before the arrival, the arrival is the first
TO call after it, and (unless --via) no other call lies in between. A call is
in a group when its event says so (port_group) or the reference catalogue
(plus --groups) lists its port_id in the group. A call
is an AIS-seen port visit or a possible dark visit; a trip with a possible
dark visit at either end is a "possible dark" trip, counted apart from trips
seen in AIS at both ends. A trip counts in the UTC month its arrival starts,
and --since/--until select arrivals with since <= start < until. A round
trip is one trip each way; only FROM→TO is reported unless --both. Visits
count every call in TO in the period, seen and possible dark apart.

Each trip lists its evidence: the IDs of the events behind it (departure,
via, arrival, and the voyages between them).

Formats: table (counts per vessel and month, per vessel, per month, total,
then every trip), json (all of it), csv (one row per trip).`,
		Example: `  lookout trips --from RU-FE --to KP events.jsonl
  lookout trips --from RU-FE --to KP --both --since 2024-01-01 --until 2024-09-01 --format csv events.jsonl.gz
  lookout analyze day1.nmea.gz --format jsonl | lookout trips --from RU-FE --to KP --via`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.From == "" || cfg.To == "" {
				return fmt.Errorf("--from and --to are required")
			}
			var err error
			if cfg.Since, err = parseDate(since); err != nil {
				return fmt.Errorf("--since: %w", err)
			}
			if cfg.Until, err = parseDate(until); err != nil {
				return fmt.Errorf("--until: %w", err)
			}
			cat := ref.Default()
			if groupsFile != "" {
				if cat, err = cat.WithUserFile(groupsFile); err != nil {
					return err
				}
			}
			cfg.GroupsOf = cat.GroupsOf
			if len(args) == 0 {
				args = []string{"-"}
			}
			var evs []event.Event
			for _, a := range args {
				e, err := readEvents(a)
				if err != nil {
					return err
				}
				evs = append(evs, e...)
			}
			for _, g := range []string{cfg.From, cfg.To} {
				if cat.Group(g) == nil && !mentionsGroup(evs, g) {
					return fmt.Errorf("unknown port group %q (known: %s; or load yours with --groups)", g, strings.Join(cat.Groups(), ", "))
				}
			}
			res := trips.Count(evs, cfg)
			out := cmd.OutOrStdout()
			switch format {
			case "table":
				return trips.WriteTable(out, res)
			case "csv":
				return trips.WriteCSV(out, res)
			case "json":
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return fmt.Errorf("--format %q: want table, json or csv", format)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.From, "from", "", "port group trips start from (e.g. RU-FE)")
	f.StringVar(&cfg.To, "to", "", "port group trips go to (e.g. KP)")
	f.StringVar(&since, "since", "", "count arrivals from this time on (2024-01-01 or RFC 3339; UTC)")
	f.StringVar(&until, "until", "", "count arrivals before this time (exclusive)")
	f.BoolVar(&cfg.Both, "both", false, "also count trips TO→FROM")
	f.BoolVar(&cfg.AllowVia, "via", false, "allow calls at ports in neither group between departure and arrival")
	f.DurationVar(&cfg.Slack, "voyage-slack", 6*time.Hour, "how far outside departure..arrival a voyage may reach and still be listed as evidence")
	f.StringVar(&format, "format", "table", "output format: table, json or csv")
	f.StringVar(&groupsFile, "groups", "", "YAML file of your own port groups and areas (groups: name, ports: [WPI ids]; areas with polygons)")
	root.AddCommand(cmd)
}

// mentionsGroup reports whether any event names the group, so groups that
// came from the analyst's own file at analyze time are accepted.
func mentionsGroup(evs []event.Event, g string) bool {
	for i := range evs {
		if evs[i].PortGroup == g || evs[i].FromGroup == g {
			return true
		}
	}
	return false
}

// parseDate accepts a date (midnight UTC) or an RFC 3339 time; empty means
// unbounded.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
