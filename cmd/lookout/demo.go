package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/oilcap"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/report"
	"github.com/lookout-osint/lookout/sar/match"
	"github.com/lookout-osint/lookout/serve"
	"github.com/lookout-osint/lookout/sim"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/output"
	"github.com/lookout-osint/lookout/trips"
	"github.com/lookout-osint/lookout/web"
)

func init() {
	var (
		dir, addr, token string
		noServe          bool
	)
	cmd := &cobra.Command{
		Use:   "demo [--dir lookout-demo] [--no-serve]",
		Short: "From nothing to a map: simulate the demo scenario, analyse it, print the findings, serve the map",
		Long: `Generate the bundled eight-month demo scenario (a covert tanker fleet shuttling
between Russia's Primorye ports and the DPRK among ordinary traffic; see lookout
simulate --demo), analyse it into an embedded DuckDB store, screen the vessels
against the built-in sanctions lists (as every ingest does), match the simulated satellite detections,
print the headline findings and serve the web map.

Everything is kept in --dir: a second run reuses the scenario and the store and
starts serving at once. The first run takes several minutes (generating and
analysing eight months of AIS from 300 vessels); progress goes to stderr.`,
		Example: `  lookout demo
  lookout demo --no-serve            # findings only
  lookout demo --dir /tmp/demo --addr 127.0.0.1:9000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			if token == "" {
				token = os.Getenv("LOOKOUT_TOKEN")
			}
			st, err := demoStore(ctx, dir)
			if err != nil {
				return err
			}
			defer st.Close()
			s := serve.New(st, serve.Options{Token: token, Web: web.FS(), Refresh: serveRefresh})
			f, err := s.HeadlineFindings(ctx, "RU-FE", "KP", 5)
			if err != nil {
				return err
			}
			f.WriteText(cmd.OutOrStdout())
			if err := demoStory(ctx, cmd.OutOrStdout(), st, f.Trips, filepath.Join(dir, "lookout.duckdb"), addr, noServe); err != nil {
				return err
			}
			if noServe {
				return nil
			}
			fmt.Fprintln(os.Stderr)
			return serveWith(ctx, s, addr, token, filepath.Join(dir, "lookout.duckdb"))
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "dir", "lookout-demo", "where the scenario and the store are kept")
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address to serve on")
	f.StringVar(&token, "token", "", "bearer token that allows changes (default $LOOKOUT_TOKEN)")
	f.BoolVar(&noServe, "no-serve", false, "stop after printing the findings")
	root.AddCommand(cmd)
}

// demoStore makes sure dir holds the demo scenario and a store with it
// analysed, screened and matched, and opens that store.
func demoStore(ctx context.Context, dir string) (store.Store, error) {
	scen := filepath.Join(dir, "scenario")
	tty := term.IsTerminal(int(os.Stderr.Fd()))
	var cfg sim.Config
	if tty {
		bar := progressbar.NewOptions(sim.DemoConfig().Days, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("simulating days"), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		cfg.OnDay = func(done, total int) { _ = bar.Set(done) }
	}
	fmt.Fprintf(os.Stderr, "demo: scenario in %s (generated once; a minute or more)…\n", scen)
	t0 := time.Now()
	made, err := sim.EnsureDemo(scen, cfg)
	if err != nil {
		return nil, err
	}
	db := filepath.Join(dir, "lookout.duckdb")
	if made {
		fmt.Fprintf(os.Stderr, "demo: scenario generated in %s\n", time.Since(t0).Round(time.Second))
		// A store made from an earlier scenario (another simulator
		// version) would mix two scenarios: start it afresh.
		for _, f := range []string{db, db + ".wal"} {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				return nil, err
			}
		}
	}
	st, err := duckdb.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	if err := demoIngest(ctx, st, filepath.Join(scen, "ais.nmea.gz"), tty); err != nil {
		st.Close()
		return nil, err
	}
	if err := demoSAR(ctx, st, scen); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// demoIngest stores the scenario's AIS through the analysis pipeline, as
// lookout ingest does; a finished ingest is skipped at once.
func demoIngest(ctx context.Context, st store.Store, path string, tty bool) error {
	opt := analyze.DefaultOptions()
	var skipped bool
	cfg := pipeline.Config{Analyze: &opt, OnFile: func(res pipeline.FileResult) {
		skipped = res.Skipped
		fmt.Fprintln(os.Stderr, "demo:", ingestSummary(res))
	}}
	if tty {
		cfg.Progress = progressBar("analyse ")
	}
	fmt.Fprintf(os.Stderr, "demo: analysing %s into the store (a few minutes the first time)…\n", path)
	sum, err := pipeline.Files(ctx, st, cfg, []string{path})
	if err != nil {
		return fmt.Errorf("%w (run lookout demo again to carry on)", err)
	}
	if !skipped {
		fmt.Fprintf(os.Stderr, "demo: %d new events stored in all\n", sum.Events)
	}
	return nil
}

// demoSAR matches the scenario's satellite detections against the AIS and
// stores the dark ones, unless that was done before.
func demoSAR(ctx context.Context, st store.Store, scen string) error {
	have, err := st.Events(ctx, store.EventQuery{Types: []event.Type{event.DarkDetection}, Limit: 1})
	if err != nil || len(have) > 0 {
		return err
	}
	ds, stats, err := importFile(filepath.Join(scen, "sar.jsonl"), time.Time{})
	if err != nil {
		return err
	}
	seen := map[time.Time]bool{}
	var times []time.Time
	for _, d := range ds {
		if !seen[d.Time] {
			seen[d.Time] = true
			times = append(times, d.Time)
		}
	}
	fmt.Fprintf(os.Stderr, "demo: matching %d satellite detections at %d image times with AIS (%s)…\n", len(ds), len(times), stats)
	r, err := source.Open(filepath.Join(scen, "ais.nmea.gz"))
	if err != nil {
		return err
	}
	defer r.Close()
	rd, _, err := source.NewReader(r)
	if err != nil {
		return err
	}
	tracks, err := match.TracksFromAIS(rd, times, 12*time.Hour)
	if err != nil {
		return err
	}
	res := match.Match(ds, tracks, match.Options{})
	evs := match.DarkEvents(res.Dark, ref.Default(), match.EventOptions{})
	// A ship without AIS beside a tanker loitering while its draught
	// changed is the likely partner of that transfer.
	transfers, err := st.Events(ctx, store.EventQuery{Types: []event.Type{event.PossibleDarkTransfer}})
	if err != nil {
		return err
	}
	match.LinkDarkTransfers(evs, transfers, match.PositionsOf(tracks, match.Options{}), 3, time.Hour)
	w, err := st.Write(ctx, &store.Batch{Events: evs})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "demo: %s; %d dark detections stored\n", res, w.Events)
	return nil
}

// demoStory ends the findings on the story: the tankers that carried the
// trade, the trip and oil-cap headline, and the commands to go on with.
func demoStory(ctx context.Context, w io.Writer, st store.Store, all trips.Result, db, addr string, noServe bool) error {
	evs, err := st.Events(ctx, store.EventQuery{Types: []event.Type{event.PortVisit, event.PossibleDarkPortVisit, event.Voyage, event.DraughtChange}})
	if err != nil {
		return err
	}
	oil, _ := oilcap.Estimate(oilcap.DefaultConfig(), evs)
	tanker, _ := trips.ParseShipTypes("tanker")
	dir := output.NewDirectory(ctx, st)
	cat := ref.Default()
	fleet := trips.Fleet{ShipTypes: tanker}
	res := all.Only(fleet.Members(nil, func(m uint32) (string, uint8) { return cat.FlagCode(m), dir.Latest(m).ShipType }))
	story := report.NewStory(res, oil, 5, dir.Name, cat.FlagCode)
	if dir.Err != nil {
		return dir.Err
	}
	q := shellQuote(db)
	mapAt := [2]string{"lookout serve --db " + q, "The map, at http://127.0.0.1:8080/ once served"}
	if !noServe {
		mapAt = [2]string{"http://" + addr + "/", "The map (served now; Ctrl-C stops)"}
	}
	story.Next = [][2]string{
		mapAt,
		{"lookout report --db " + q + " --out report.html", "The evidence report: every figure with the events behind it"},
		{"lookout trips --db " + q + " --from RU-FE --to KP --ship-type tanker --follow-identity", "Every tanker trip, vessel by vessel and month by month"},
		{"lookout oilcap --db " + q + " --details", "Every delivery behind the oil figure"},
	}
	if len(story.Busiest) > 0 {
		v := story.Busiest[0].Name
		if v == "" {
			v = fmt.Sprint(story.Busiest[0].MMSI)
		}
		story.Next = append(story.Next, [2]string{"lookout vessel --db " + q + " " + shellQuote(strings.ToLower(v)) + " --report dossier.html", "The busiest tanker's dossier"})
	}
	story.WriteText(w, "Tankers")
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
