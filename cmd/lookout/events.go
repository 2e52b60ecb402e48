package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
	"github.com/lookout-osint/lookout/store/output"
)

// parseWhen reads a --since/--until value: RFC 3339, or a date or
// date-and-minute in UTC.
func parseWhen(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--%s %q: want a date (2026-03-01) or an RFC 3339 time (2026-03-01T12:00:00Z)", flag, s)
}

// parsePeriod reads the --since and --until flags; an empty one leaves
// that end open (the zero time).
func parsePeriod(since, until string) (from, to time.Time, err error) {
	if from, err = parseWhen("since", since); err != nil {
		return
	}
	to, err = parseWhen("until", until)
	return
}

// parseBBox reads minLon,minLat,maxLon,maxLat.
func parseBBox(s string) (*store.BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("--bbox %q: want minLon,minLat,maxLon,maxLat", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("--bbox %q: %w", s, err)
		}
		v[i] = f
	}
	b := &store.BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
	if b.MinLat > b.MaxLat || b.MinLat < -90 || b.MaxLat > 90 || b.MinLon < -180 || b.MaxLon > 180 || b.MinLon > 180 || b.MaxLon < -180 {
		return nil, fmt.Errorf("--bbox %q: latitudes must be -90..90 with min <= max, longitudes -180..180 (min > max crosses the antimeridian)", s)
	}
	return b, nil
}

// openExisting opens the store for a query command, read-only: a DuckDB
// path that does not exist is an error (opening it would create an empty
// database).
func openExisting(ctx context.Context, dsn string) (store.Store, error) {
	if err := mustExist(dsn); err != nil {
		return nil, err
	}
	return backend.OpenReadOnly(ctx, dsn)
}

func mustExist(dsn string) error {
	if !backend.IsPostgres(dsn) {
		if _, err := os.Stat(dsn); err != nil {
			return fmt.Errorf("no database at %s (store data with lookout ingest, or name one with --db): %w", dsn, err)
		}
	}
	return nil
}

// resolveVessel turns an MMSI, IMO or name into MMSIs, failing when
// nothing matches.
func resolveVessel(ctx context.Context, st store.Store, q string) ([]uint32, error) {
	ms, err := st.FindVessels(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no vessel matches %q (try an MMSI, an IMO number or part of a name)", q)
	}
	return ms, nil
}

func init() {
	var (
		dsn, types, bbox, since, until, vessel, format string
		limit                                          int
	)

	cmd := &cobra.Command{
		Use:   "events",
		Short: "List stored events by type, place, time and vessel",
		Long: `List events from the store (see lookout ingest), oldest first. An event
matches --since/--until when it overlaps the window; --vessel matches the
vessel or the other vessel of an encounter, by MMSI, IMO number or name.

Formats: ` + strings.Join(analyze.Formats, ", ") + ` (json is one array; jsonl one event per line).`,
		Example: `  lookout events --type encounter,gap --since 2026-03-01 --format table
  lookout events --bbox 124,37,131,43 --until 2026-04-01 --format geojson > dprk.geojson
  lookout events --vessel "CHON MA SAN" --db postgres://analyst@db.example.org/lookout --format csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			var q store.EventQuery
			var err error
			if q.Since, q.Until, err = parsePeriod(since, until); err != nil {
				return err
			}
			if types != "" {
				known := append(slices.Clone(event.Types), event.SanctionsMatch, event.DarkDetection, event.SARMatch)
				for _, t := range strings.Split(types, ",") {
					t = strings.TrimSpace(t)
					if !slices.Contains(known, event.Type(t)) {
						return fmt.Errorf("--type %q: unknown event type (known: %v)", t, known)
					}
					q.Types = append(q.Types, event.Type(t))
				}
			}
			if bbox != "" {
				if q.BBox, err = parseBBox(bbox); err != nil {
					return err
				}
			}
			if !slices.Contains(analyze.Formats, format) {
				return fmt.Errorf("--format %q: want one of %s", format, strings.Join(analyze.Formats, ", "))
			}
			st, err := openExisting(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			var evs []event.Event
			if vessel == "" {
				q.Limit = limit
				if evs, err = st.Events(ctx, q); err != nil {
					return err
				}
			} else {
				ms, err := resolveVessel(ctx, st, vessel)
				if err != nil {
					return err
				}
				seen := map[string]bool{}
				for _, m := range ms {
					q.MMSI = m
					got, err := st.Events(ctx, q)
					if err != nil {
						return err
					}
					for _, e := range got {
						if id := e.ID(); !seen[id] {
							seen[id] = true
							evs = append(evs, e)
						}
					}
				}
				slices.SortStableFunc(evs, func(a, b event.Event) int { return a.Start.Compare(b.Start) })
				if limit > 0 && len(evs) > limit {
					evs = evs[:limit]
				}
			}
			dir := output.NewDirectory(ctx, st)
			w, err := analyze.NewNamedWriter(os.Stdout, format, dir.Name)
			if err != nil {
				return err
			}
			for i := range evs {
				if err := w.Write(&evs[i]); err != nil {
					return err
				}
			}
			if err := w.Close(); err != nil {
				return err
			}
			return dir.Err
		},
	}
	dbFlag(cmd, &dsn)
	f := cmd.Flags()
	f.StringVar(&types, "type", "", "event types, comma-separated (e.g. encounter,gap)")
	f.StringVar(&bbox, "bbox", "", "area: minLon,minLat,maxLon,maxLat in degrees")
	f.StringVar(&since, "since", "", "events that end at or after this time (date or RFC 3339, UTC)")
	f.StringVar(&until, "until", "", "events that start before this time")
	f.StringVar(&vessel, "vessel", "", "an MMSI, IMO number or (part of a) name")
	f.StringVar(&format, "format", "table", "output format: "+strings.Join(analyze.Formats, ", "))
	f.IntVar(&limit, "limit", 0, "at most this many events (0: all)")
	root.AddCommand(cmd)
}
