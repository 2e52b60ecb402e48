package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/output"
	"github.com/lookout-osint/lookout/trips"
	"github.com/spf13/cobra"
)

func init() {
	var (
		cfg          trips.Config
		since, until string
		format       string
		groupsFile   string
		in           eventInput
		ff           fleetFlags
	)
	cmd := &cobra.Command{
		Use:   "trips --from GROUP --to GROUP [--since DATE] [--until DATE] [--db DB | EVENTS.jsonl...|-]",
		Short: "Count trips between two port groups per vessel and month, with the events behind each",
		Long: `Count trips between two port groups, per vessel and per month, from Lookout
events: port_visit, possible_dark_port_visit and voyage. The events come
from the store (--db, see lookout ingest) when no file is named and nothing
is piped in, or from event files (lookout analyze --format jsonl; "-" or a
pipe: stdin; gzip is accepted). Inputs that are not events (NMEA, DMA or
MarineCadastre CSV) are analysed on the fly with lookout analyze's default
thresholds, watching FROM and TO for dark visits; to change thresholds, run
lookout analyze and pipe its jsonl here.

One trip FROM→TO: a port call in FROM followed by a call in TO, where the
departure is the last FROM call before the arrival, the arrival is the first
TO call after it, and (unless --via) no other call lies in between. A call is
in a group when its event says so (port_group) or the reference catalogue
(plus --places) lists its port_id in the group. A call
is an AIS-seen port visit or a possible dark visit; a trip with a possible
dark visit at either end is a "possible dark" trip, counted apart from trips
seen in AIS at both ends. A trip counts in the UTC month its arrival starts,
and --since/--until select arrivals with since <= start < until. A round
trip is one trip each way; only FROM→TO is reported unless --both. Visits
count every call in TO in the period, seen and possible dark apart.

A published figure is about a fleet ("North Korean tankers' trips to
Russian ports"), so the count can be limited to one: --flag (the MMSI's
flag), --ship-type (the latest AIS ship type reported; needs the store),
--listed (vessels with a sanctions_match event), --met-listed (vessels that
met a listed vessel at sea), --vessels (a file of MMSIs and IMO numbers, one
a line; IMO numbers need the store). Every filter given must hold; --listed
and --met-listed together mean either. Satellite-only visits (no vessel to
name) are left out of a fleet's counts.

A vessel is one MMSI; with --follow-identity, numbers linked by
identity_change events are one hull, reported under its newest number, and
those events join the evidence. Off by default: a link is an inference.

Each trip lists its evidence: the IDs of the events behind it (departure,
via, arrival, and the voyages between them). With the store, tables name
each vessel as it last named itself.

Formats: table (counts per vessel and month, per vessel, per month, total,
then every trip), json (all of it), csv (one row per trip with its
evidence), counts-csv (the counts, "all" for a summed dimension).`,
		Example: `  lookout trips --db lookout.duckdb --from RU-FE --to KP
  lookout trips --db lookout.duckdb --from KP --to RU-FE --flag KP --ship-type tanker
  lookout trips --db lookout.duckdb --from RU-FE --to KP --listed --met-listed --format csv
  lookout trips --from RU-FE --to KP --both --since 2024-01-01 --until 2024-09-01 --format csv events.jsonl.gz
  lookout analyze day1.nmea.gz --format jsonl | lookout trips --from RU-FE --to KP --via
  lookout trips --from RU-FE --to KP --vessels dprk-tankers.txt out/ais.nmea.gz`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.From == "" || cfg.To == "" {
				return fmt.Errorf("--from and --to are required")
			}
			if cfg.From == cfg.To {
				return fmt.Errorf("--from and --to are both %q: a trip goes between two groups", cfg.From)
			}
			var err error
			if cfg.Since, err = parseDate(since); err != nil {
				return fmt.Errorf("--since: %w", err)
			}
			if cfg.Until, err = parseDate(until); err != nil {
				return fmt.Errorf("--until: %w", err)
			}
			if err := ff.parse(); err != nil {
				return err
			}
			cat := ref.Default()
			if groupsFile != "" {
				if cat, err = cat.WithUserFile(groupsFile); err != nil {
					return err
				}
			}
			cfg.GroupsOf = cat.GroupsOf
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			var evs []event.Event
			var st store.Store
			if in.fromStore(cmd, args) {
				evs, err = in.read(cmd, args, event.PortVisit, event.PossibleDarkPortVisit, event.Voyage,
					event.IdentityChange, event.DarkDetection, event.SanctionsMatch, event.Encounter)
				if err != nil {
					return err
				}
				defer in.close()
				st = in.st
			} else {
				if len(args) == 0 {
					args = []string{"-"}
				}
				if evs, err = tripInputs(args, cat, cfg.From, cfg.To); err != nil {
					return err
				}
			}
			for _, g := range []string{cfg.From, cfg.To} {
				if cat.Group(g) == nil && !mentionsGroup(evs, g) {
					return fmt.Errorf("unknown port group %q (known: %s; or load yours with --places)", g, strings.Join(cat.Groups(), ", "))
				}
			}
			dir := output.NewDirectory(ctx, st)
			fleet, err := ff.resolve(ctx, st)
			if err != nil {
				return err
			}
			res := trips.Count(evs, cfg)
			if !fleet.Empty() {
				res = res.Only(fleet.Members(evs, func(m uint32) (string, uint8) { return cat.FlagCode(m), dir.Latest(m).ShipType }))
				res.Fleet = fleet.String()
			}
			if st != nil {
				res.Names = map[uint32]string{}
				for _, m := range res.Vessels() {
					if n := dir.Name(m); n != "" {
						res.Names[m] = n
					}
				}
			}
			if dir.Err != nil {
				return dir.Err
			}
			out := cmd.OutOrStdout()
			switch format {
			case "table":
				return trips.WriteTable(out, res)
			case "csv":
				return trips.WriteCSV(out, res)
			case "counts-csv":
				return trips.WriteCountsCSV(out, res)
			case "json":
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return fmt.Errorf("--format %q: want table, json, csv or counts-csv", format)
		},
	}
	f := cmd.Flags()
	in.add(cmd)
	f.StringVar(&cfg.From, "from", "", "port group trips start from (e.g. RU-FE)")
	f.StringVar(&cfg.To, "to", "", "port group trips go to (e.g. KP)")
	f.StringVar(&since, "since", "", "count arrivals from this time on (2024-01-01 or RFC 3339; UTC)")
	f.StringVar(&until, "until", "", "count arrivals before this time (exclusive)")
	f.BoolVar(&cfg.Both, "both", false, "also count trips TO→FROM")
	f.BoolVar(&cfg.AllowVia, "via", false, "allow calls at ports in neither group between departure and arrival")
	f.BoolVar(&cfg.FollowIdentity, "follow-identity", false, "treat MMSIs linked by identity_change events (other_mmsi -> mmsi) as one vessel")
	f.DurationVar(&cfg.Slack, "voyage-slack", 6*time.Hour, "how far outside departure..arrival a voyage may reach and still be listed as evidence")
	f.StringVar(&format, "format", "table", "output format: table, json, csv (one row per trip) or counts-csv")
	f.StringVar(&groupsFile, "places", "", "user file of port groups and polygons (YAML, JSON or GeoJSON), as for lookout analyze")
	ff.add(cmd, "count")
	root.AddCommand(cmd)
}

// tripInputs reads events from every input: event JSON lines as they are,
// raw AIS (NMEA or CSV) through one analyze pipeline, keeping only the
// events trips are made of.
func tripInputs(paths []string, cat *ref.Catalog, from, to string) ([]event.Event, error) {
	var evs []event.Event
	var a *analyze.Analyzer
	for _, p := range paths {
		f, err := source.Open(p)
		if err != nil {
			return nil, err
		}
		br, format, err := source.Sniff(f)
		switch {
		case err != nil:
		case format == source.Events:
			var es []event.Event
			var st event.ReadStats
			es, st, err = event.ReadAll(br)
			evs = append(evs, es...)
			warnMalformed(p, st)
		default:
			if a == nil {
				opt := analyze.DefaultOptions()
				opt.Catalog = cat
				for _, g := range []string{from, to} {
					if !slices.Contains(opt.Detect.WatchedGroups, g) {
						opt.Detect.WatchedGroups = append(opt.Detect.WatchedGroups, g)
					}
				}
				a = analyze.New(opt, func(e *event.Event) {
					switch e.Type {
					case event.PortVisit, event.Voyage, event.PossibleDarkPortVisit, event.IdentityChange:
						evs = append(evs, *e)
					}
				})
			}
			var r source.Reader
			if r, _, err = source.NewReader(br); err == nil {
				err = a.Read(r)
			}
		}
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	if a != nil {
		analyze.WriteTotals(os.Stderr, a.Finish())
	}
	return evs, nil
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
