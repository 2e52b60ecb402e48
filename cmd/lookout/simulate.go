package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lookout-osint/lookout/sim"
)

func init() {
	var (
		cfg      sim.Config
		out      string
		progress bool
		demo     bool
		preset   string
	)
	cmd := &cobra.Command{
		Use:   "simulate --seed N --days D --out DIR",
		Short: "Generate a scenario: AIS traffic with a covert fleet, ground truth, SAR detections",
		Long: `Simulate normal traffic in the Sea of Japan/East Sea and the Yellow Sea plus a covert
fleet shuttling between Russia's Primorye ports and the DPRK (AIS off, ship-to-ship
transfers, loitering, spoofing, identity changes), heard by shore stations and
satellites. Writes into DIR:

  ais.nmea.gz    NMEA with tag blocks (\c:UNIXTIME,s:STATION*hh\!AIVDM,...)
  truth.jsonl    the events a perfect detector would report (lookout analyze --format jsonl form)
  glitches.jsonl the GPS glitches heard (lone bad fixes: no event; lookout eval counts spoofing on them)
  sar.jsonl      satellite radar scenes: footprint, detections with truth, misses
  vessels.json   every hull: role, size and the identities it used over time
  stations.json  the shore receivers
  summary.json   counts (sentences, bytes, corrupt lines, events by type)
  scenario.json  the settings, written last (marks a finished run)

The same seed and flags always give byte-identical files.`,
		Example: `  lookout simulate --seed 1 --days 7 --vessels 60 --out /tmp/week
  lookout simulate --demo --out /tmp/demo          # the bundled eight-month demo scenario
  lookout simulate --seed 7 --days 30 --interval 1m --out /tmp/dense
  lookout simulate --preset national-day --out /tmp/dk   # ~11M messages, 3,000 hulls, real rate
  lookout simulate --real-rate --days 2 --vessels 100 --out /tmp/rr`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("simulate: --out DIR is required")
			}
			if demo {
				d := sim.DemoConfig()
				cfg.Seed, cfg.Days, cfg.Start, cfg.Vessels = d.Seed, d.Days, d.Start, d.Vessels
			}
			if preset != "" {
				p, err := sim.PresetConfig(preset)
				if err != nil {
					return err
				}
				p.Workers = cfg.Workers
				cfg = p
			}
			if progress || term.IsTerminal(int(os.Stderr.Fd())) {
				cfg.Progress = os.Stderr
				bar := progressbar.NewOptions(cfg.Days, progressbar.OptionSetWriter(os.Stderr),
					progressbar.OptionSetDescription("simulating days"), progressbar.OptionShowCount(),
					progressbar.OptionClearOnFinish())
				cfg.OnDay = func(done, total int) { _ = bar.Set(done) }
			}
			st, err := sim.Run(cfg, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d sentences (%d bytes, %d gzipped), %d corrupt lines, %d duplicate lines, %d truth events, %d SAR scenes in %s\n",
				out, st.Sentences, st.Bytes, st.GzipBytes, st.Corrupt, st.Duplicates, sumEvents(st.Events), st.SARScenes, st.Elapsed.Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&cfg.Seed, "seed", 1, "random seed; the same seed and flags give identical output")
	f.IntVar(&cfg.Days, "days", 30, "days to simulate")
	f.IntVar(&cfg.Vessels, "vessels", 300, "hulls in the scenario, covert fleet included")
	f.DurationVar(&cfg.Interval, "interval", 6*time.Minute, "mean position-report interval of a class A ship under way (receiver-log thinning)")
	f.BoolVar(&cfg.RealRate, "real-rate", false, "report at the ITU-R M.1371 intervals (class A 2-10 s under way, 3 min moored; class B 30 s/3 min) instead of --interval")
	f.StringVar(&preset, "preset", "", "named scenario, overriding --seed/--days/--vessels: "+presetNames())
	f.StringVar(&out, "out", "", "output directory")
	f.IntVar(&cfg.Workers, "workers", 0, "parallel workers (default: all CPUs)")
	f.BoolVar(&progress, "progress", false, "show progress on stderr even when it is not a terminal")
	f.BoolVar(&demo, "demo", false, "generate the bundled demo scenario (seed "+fmt.Sprint(sim.DemoSeed)+", 243 days, 300 vessels)")
	root.AddCommand(cmd)
}

func sumEvents(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func presetNames() string {
	var b []byte
	for i, p := range sim.Presets {
		if i > 0 {
			b = append(b, "; "...)
		}
		b = append(b, p.Name+" ("+p.Help+")"...)
	}
	return string(b)
}
