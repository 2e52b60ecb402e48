package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/report"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/source"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
)

// reportFlags are the flags of lookout report and lookout report vessel.
type reportFlags struct {
	opt                    report.Options
	dsn, since, until      string
	out, pdf, kml, geojson string
	format, title, places  string
	sets                   []string
	noScreen               bool
	fleet                  fleetFlags
}

func (f *reportFlags) add(cmd *cobra.Command) {
	f.opt = report.DefaultOptions()
	fl := cmd.Flags()
	dbFlag(cmd, &f.dsn)
	fl.StringVar(&f.opt.Trips.From, "from", "RU-FE", "port group trips start from")
	fl.StringVar(&f.opt.Trips.To, "to", "KP", "port group trips go to")
	fl.StringVar(&f.since, "since", "", "period start: arrivals (and events) from this time on (2024-03-01 or RFC 3339; UTC)")
	fl.StringVar(&f.until, "until", "", "period end (exclusive)")
	fl.BoolVar(&f.opt.Trips.Both, "both", false, "also count trips TO→FROM (as lookout trips --both)")
	fl.BoolVar(&f.opt.Trips.AllowVia, "via", false, "allow calls at ports in neither group between departure and arrival (as lookout trips --via)")
	fl.BoolVar(&f.opt.Trips.FollowIdentity, "follow-identity", false, "treat MMSIs linked by identity_change events as one vessel (as lookout trips)")
	fl.DurationVar(&f.opt.Trips.Slack, "voyage-slack", 6*time.Hour, "as lookout trips --voyage-slack")
	fl.StringVarP(&f.out, "out", "o", "report.html", "output file (- for stdout), in --format")
	fl.StringVar(&f.format, "format", "html", "format of --out: html, kml or geojson")
	fl.StringVar(&f.pdf, "pdf", "", "also render the report to this PDF file with headless Chromium")
	fl.StringVar(&f.kml, "kml", "", "also write tracks and events as KML (Google Earth) to this file")
	fl.StringVar(&f.geojson, "geojson", "", "also write tracks, events and trips as GeoJSON to this file")
	fl.StringVar(&f.title, "title", "", "report title")
	fl.StringVar(&f.places, "places", "", "user file of port groups and polygons, as for lookout trips")
	fl.StringArrayVar(&f.sets, "set", nil, "detector threshold the events were found with, Name=value (stated in the methodology; as for lookout ingest --set)")
	f.fleet.add(cmd, "report on")
	fl.BoolVar(&f.noScreen, "no-screen", false, "do not screen the vessels' identities against the sanctions lists (use stored sanctions_match events only)")
}

func init() {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report [--db DB | EVENTS.jsonl… | AIS files…] --from GROUP --to GROUP [--since DATE] [--until DATE] [--out report.html]",
		Short: "Write the evidence report: figures, map, trips per month, vessels, evidence, coverage and methodology in one HTML file",
		Long: `Write one self-contained HTML file (no network access when opened: inline CSS,
SVG and script) for analysts to publish or archive:

  - headline figures: trips FROM→TO seen in AIS and possible dark (the same
    numbers lookout trips prints for the same events and flags), calls in TO,
    vessels, and the oil volume estimate against the UN cap (lookout oilcap);
  - a map (Mercator, Natural Earth land) of the vessels' tracks and events,
    with reception cells; trips per month as a chart; every trip with its
    evidence;
  - a per-vessel table: identity history, flag, risk factors (lookout risk)
    and sanctions matches (the identities are screened against the lists:
    with --db those kept in the store, as ingest screens; with files the
    built-in and imported ones);
  - the evidence list: every event shown or cited, with its ID, time,
    position and the figures that triggered it;
  - data coverage (files, receiving stations and their periods, days and
    areas without data) and the methodology (every threshold and rule).

The report may be about a fleet, chosen as for lookout trips (--flag,
--ship-type, --listed, --met-listed, --vessels): its trips, its vessels and
their meeting partners, and its oil deliveries.

Data comes from the store (--db, see lookout ingest), or from files: event
JSON lines (lookout analyze --format jsonl) are used as they are (no tracks
or coverage then); AIS files (NMEA, CSV) are ingested into a temporary
DuckDB first. --pdf renders the page with headless Chromium; --kml and
--geojson export tracks and events (and trips, in GeoJSON) too.`,
		Example: `  lookout report --from RU-FE --to KP --since 2024-03-01 --until 2024-11-01 --out report.html
  lookout report --db postgres://analyst@db.example.org/lookout --pdf report.pdf --kml report.kml
  lookout report --db lookout.duckdb --ship-type tanker --listed --met-listed --out fleet.html
  lookout report --from RU-FE --to KP events.jsonl --out report.html
  lookout report --format geojson --out report.geojson
  lookout report vessel 445123000 --out dossier.html`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, args, "")
		},
	}
	f.add(cmd)

	var vf reportFlags
	vcmd := &cobra.Command{
		Use:   "vessel MMSI|IMO|NAME [--db DB | files…]",
		Short: "Write a one-vessel dossier in the style of lookout report",
		Long: `Write the report for one vessel: its trips, identity history, risk factors,
sanctions matches, track and every event about it (and about the MMSIs that
identity_change events link to it), with coverage and methodology. With
--db the vessel may be named by MMSI, IMO number or (part of a) name; with
files, by MMSI.`,
		Example: `  lookout report vessel 445123000 --out dossier.html
  lookout report vessel "chon ma san" --db demo.duckdb --pdf dossier.pdf
  lookout report vessel 445123000 events.jsonl --out dossier.html`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return vf.run(cmd, args[1:], args[0])
		},
	}
	vf.add(vcmd)
	cmd.AddCommand(vcmd)
	root.AddCommand(cmd)
}

func (f *reportFlags) run(cmd *cobra.Command, args []string, vessel string) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	opt := f.opt
	var err error
	if opt.Trips.From == opt.Trips.To {
		return fmt.Errorf("--from and --to are both %q: a trip goes between two groups", opt.Trips.From)
	}
	if opt.Trips.Since, err = parseWhen("since", f.since); err != nil {
		return err
	}
	if opt.Trips.Until, err = parseWhen("until", f.until); err != nil {
		return err
	}
	if f.format != "html" && f.format != "kml" && f.format != "geojson" {
		return fmt.Errorf("--format %q: want html, kml or geojson", f.format)
	}
	if err := f.fleet.parse(); err != nil {
		return err
	}
	if _, err := os.Stat(report.Chromium); f.pdf != "" && err != nil {
		return report.ErrNoChromium // before minutes of work, not after
	}
	for _, s := range f.sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("--set %q: want Name=value", s)
		}
		if err := opt.Detect.Set(k, v); err != nil {
			return err
		}
	}
	opt.Catalog = ref.Default()
	if f.places != "" {
		if opt.Catalog, err = opt.Catalog.WithUserFile(f.places); err != nil {
			return err
		}
	}
	opt.Title = f.title

	var src report.Source
	var st store.Store
	if len(args) == 0 {
		if st, err = backend.OpenReadOnly(ctx, f.dsn); err != nil {
			return err
		}
		defer st.Close()
		src = report.StoreSource{Store: st}
		if !f.noScreen {
			opt.Sanctions, err = storeIndex(ctx, st, false)
		}
	} else {
		if !f.noScreen {
			opt.Sanctions, err = loadIndex(sanctions.ListDir, false)
		}
		var cleanup func()
		if err == nil {
			src, st, cleanup, err = reportFiles(ctx, args, opt.Catalog, opt.Trips.From, opt.Trips.To)
		}
		if err != nil {
			return err
		}
		defer cleanup()
	}
	if err != nil {
		return err
	}
	if vessel != "" {
		if opt.MMSI, err = reportVessel(ctx, st, vessel); err != nil {
			return err
		}
	}
	if opt.Fleet, err = f.fleet.resolve(ctx, st); err != nil {
		return err
	}
	for _, g := range []string{opt.Trips.From, opt.Trips.To} {
		if opt.Catalog.Group(g) == nil {
			return fmt.Errorf("unknown port group %q (known: %s; or load yours with --places)", g, strings.Join(opt.Catalog.Groups(), ", "))
		}
	}
	r, err := report.Build(ctx, src, opt)
	if err != nil {
		return err
	}
	write := func(path, format string) error {
		var w io.Writer = cmd.OutOrStdout()
		var fh *os.File
		if path != "-" {
			if fh, err = os.Create(path); err != nil {
				return err
			}
			w = fh
		}
		switch format {
		case "html":
			err = r.WriteHTML(w)
		case "kml":
			err = r.WriteKML(w)
		case "geojson":
			err = r.WriteGeoJSON(w)
		}
		if fh != nil {
			if cerr := fh.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	if err := write(f.out, f.format); err != nil {
		return err
	}
	if f.kml != "" {
		if err := write(f.kml, "kml"); err != nil {
			return err
		}
	}
	if f.geojson != "" {
		if err := write(f.geojson, "geojson"); err != nil {
			return err
		}
	}
	if f.pdf != "" {
		html := f.out
		if f.format != "html" || f.out == "-" {
			tmp, err := os.CreateTemp("", "lookout-report-*.html")
			if err != nil {
				return err
			}
			tmp.Close()
			defer os.Remove(tmp.Name())
			html = tmp.Name()
			if err := write(html, "html"); err != nil {
				return err
			}
		}
		if err := report.PDF(ctx, html, f.pdf); err != nil {
			return err
		}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "report: %d trips seen, %d possible dark %s→%s; %d vessels, %d events in evidence; built in %s\n",
		r.Total.Trips, r.Total.DarkTrips, r.From, r.To, len(r.Vessels), len(r.Evidence), time.Since(start).Round(time.Millisecond))
	return nil
}

// reportVessel resolves the vessel of a dossier: through the store when
// there is one, else as an MMSI.
func reportVessel(ctx context.Context, st store.Store, q string) (uint32, error) {
	if st == nil {
		m, err := strconv.ParseUint(q, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("vessel %q: with event files, name the vessel by MMSI", q)
		}
		return uint32(m), nil
	}
	ms, err := resolveVessel(ctx, st, q)
	if err != nil {
		return 0, err
	}
	if len(ms) > 1 {
		return 0, fmt.Errorf("vessel %q matches %d MMSIs (%v): name one", q, len(ms), ms)
	}
	return ms[0], nil
}

// reportFiles reads the report's inputs from files: event JSON lines as
// they are, AIS files through ingest into a temporary DuckDB. Mixing the
// two is refused: a report rests on one consistent analysis.
func reportFiles(ctx context.Context, paths []string, cat *ref.Catalog, from, to string) (report.Source, store.Store, func(), error) {
	nop := func() {}
	var evs []event.Event
	var files []report.File
	var ais []string
	for _, p := range paths {
		fh, err := source.Open(p)
		if err != nil {
			return nil, nil, nop, err
		}
		br, format, err := source.Sniff(fh)
		if err == nil && format == source.Events {
			var read []event.Event
			var es event.ReadStats
			read, es, err = event.ReadAll(br)
			evs = append(evs, read...)
			warnMalformed(p, es)
			files = append(files, report.File{Name: p, Events: int64(es.Events), Done: true})
		} else if err == nil {
			ais = append(ais, p)
		}
		fh.Close()
		if err != nil {
			return nil, nil, nop, fmt.Errorf("%s: %w", p, err)
		}
	}
	if len(ais) == 0 {
		return &report.EventSource{List: evs, Files: files}, nil, nop, nil
	}
	if len(evs) > 0 {
		return nil, nil, nop, fmt.Errorf("give either event files or AIS files, not both (ingest the AIS files and report from the store)")
	}
	dir, err := os.MkdirTemp("", "lookout-report-")
	if err != nil {
		return nil, nil, nop, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	st, err := backend.Open(ctx, filepath.Join(dir, "report.duckdb"))
	if err != nil {
		cleanup()
		return nil, nil, nop, err
	}
	done := func() { st.Close(); cleanup() }
	opt := analyze.DefaultOptions()
	opt.Catalog = cat
	for _, g := range []string{from, to} {
		if !strings.Contains(","+strings.Join(opt.Detect.WatchedGroups, ",")+",", ","+g+",") {
			opt.Detect.WatchedGroups = append(opt.Detect.WatchedGroups, g)
		}
	}
	if _, err := pipeline.Files(ctx, st, pipeline.Config{Analyze: &opt}, ais); err != nil {
		done()
		return nil, nil, nop, err
	}
	return report.StoreSource{Store: st}, st, done, nil
}
