package main

import (
	"context"
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/risk"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/output"
)

func init() {
	var (
		top        int
		format     string
		identities string
		aisFiles   []string
		watch      []string
		noFOC      bool
		mmsi       uint32
		in         eventInput
	)
	cmd := &cobra.Command{
		Use:   "risk [--db DB | EVENTS.jsonl…|-]",
		Short: "Rank vessels by a risk score that is a sum of named factors, each citing its events",
		Long: `Reads events from the store (--db, see lookout ingest) when no file is named
and nothing is piped in, or as JSON lines (lookout analyze --format jsonl;
.gz accepted; "-": stdin), and scores every vessel; with the store, each
vessel is named as it last named itself.

Factors and default weights (points each, cap):
  listed                      50 × strongest sanctions_match strength (cap 50)
  watched_port_visit          15 per visit to a watched group (KP), cap 45
  watched_trip                10 per RU-FE↔KP voyage, cap 40
  meeting_listed_vessel       20 × partner's match strength per encounter, cap 40
  meeting_high_risk_vessel    10 per encounter with a partner scoring ≥ 30 before meetings, cap 30
  deliberate_gap               8 per gap with evidence.deliberate, cap 24
  possible_dark_port_visit    12 × confidence (× 0.5 if its gap was not deliberate), cap 36
  spoofing                    10 each, cap 20
  identity_change / flag_change 5 / 8 each, cap 20 / 16
  cargo_change_at_sea         10 per draught change at an encounter, cap 20
  flag_of_convenience          5 once, when the MMSI's flag is on the ITF list of 2013
With --identities (a file) or --ais (AIS files, whose static reports give each MMSI's
identity history), the identities are screened against the sanctions lists first (with
--db, the lists kept in the store, as ingest screens; else the built-in and imported ones)
and their sanctions_match events join the input.`,
		Example: `  lookout risk --db lookout.duckdb --top 10
  lookout analyze --format jsonl month.nmea.gz > events.jsonl
  lookout risk --top 20 events.jsonl
  lookout risk --identities identities.csv --format json events.jsonl
  lookout risk --ais month.nmea.gz events.jsonl
  lookout risk --mmsi 445123000 events.jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			evs, err := in.read(cmd, args)
			if err != nil {
				return err
			}
			defer in.close()
			if identities != "" || len(aisFiles) > 0 {
				ms, err := screenIdentities(cmd.Context(), in.st, identities, aisFiles)
				if err != nil {
					return err
				}
				evs = append(evs, ms...)
			}
			cfg := risk.DefaultConfig()
			if len(watch) > 0 {
				cfg.WatchedGroups = watch
			}
			if noFOC {
				cfg.FOC = nil
			}
			scores := risk.Scores(cfg, evs, risk.VesselsIn(ref.Default(), evs))
			if mmsi != 0 {
				var only []risk.Score
				for _, s := range scores {
					if s.MMSI == mmsi {
						only = append(only, s)
					}
				}
				scores = only
			} else if top > 0 && len(scores) > top {
				scores = scores[:top]
			}
			dir := output.NewDirectory(cmd.Context(), in.st)
			for i := range scores {
				scores[i].Name = dir.Name(scores[i].MMSI)
			}
			if dir.Err != nil {
				return dir.Err
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				for _, s := range scores {
					if err := enc.Encode(s); err != nil {
						return err
					}
				}
				return nil
			}
			return risk.WriteTable(cmd.OutOrStdout(), scores)
		},
	}
	in.add(cmd)
	cmd.Flags().IntVar(&top, "top", 20, "show the N highest scores (0: all)")
	cmd.Flags().StringVar(&format, "format", "table", "table or json (one score per line, every event ID)")
	cmd.Flags().StringVar(&identities, "identities", "", "identities file to screen against the sanctions lists (see lookout sanctions screen)")
	cmd.Flags().StringSliceVar(&aisFiles, "ais", nil, "AIS files (NMEA or CSV) whose identities to screen against the sanctions lists")
	cmd.Flags().StringSliceVar(&watch, "watch", nil, "watched port groups (default KP)")
	cmd.Flags().BoolVar(&noFOC, "no-foc", false, "leave out the flag-of-convenience factor")
	cmd.Flags().Uint32Var(&mmsi, "mmsi", 0, "show only this vessel's score")
	root.AddCommand(cmd)
}

// screenIdentities screens an identities file and the identity histories
// in AIS files and returns the sanctions_match events: against the lists
// kept in st when the events come from a store, else against the built-in
// and imported lists.
func screenIdentities(ctx context.Context, st store.Store, path string, aisFiles []string) ([]event.Event, error) {
	rejected := map[string]int{}
	var ids []sanctions.Identity
	if path != "" {
		got, err := identitiesFromFiles([]string{path}, rejected)
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
	}
	if len(aisFiles) > 0 {
		got, err := identitiesFromAIS(aisFiles, rejected, false)
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
	}
	var ix *sanctions.Index
	var err error
	if st != nil {
		ix, err = storeIndex(ctx, st, false)
	} else {
		ix, err = loadIndex(sanctions.ListDir, false)
	}
	if err != nil {
		return nil, err
	}
	var out []event.Event
	ix.MatchAll(ids, func(i int, ms []sanctions.Match) {
		if ev, ok := sanctions.Event(ids[i], ms); ok {
			out = append(out, ev)
		}
	})
	return out, nil
}
