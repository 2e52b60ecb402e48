package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/sar"
	"github.com/lookout-osint/lookout/sar/cfar"
	"github.com/lookout-osint/lookout/sar/geotiff"
	"github.com/lookout-osint/lookout/sar/landmask"
	"github.com/lookout-osint/lookout/sar/match"
	"github.com/lookout-osint/lookout/sar/render"
	"github.com/lookout-osint/lookout/source"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func init() {
	cmd := &cobra.Command{
		Use:   "sar",
		Short: "Ships in satellite radar images: detect, import, match to AIS, render test scenes",
		Example: `  lookout sar detect S1A_IW_GRDH_20240301.tif > detections.geojson
  lookout sar import gfw_detections.csv --format csv > detections.csv
  lookout sar match detections.geojson --ais out/ais.nmea.gz > dark.jsonl
  lookout sar render --from out/sar.jsonl --out scene.tif`,
	}
	cmd.AddCommand(sarDetectCmd(), sarImportCmd(), sarMatchCmd(), sarRenderCmd())
	root.AddCommand(cmd)
}

// writeDetections writes to outPath (or stdout) as csv or geojson; an
// empty format follows the file extension, else GeoJSON.
func writeDetections(ds []sar.Detection, outPath, format string) error {
	if format == "" {
		format = "geojson"
		if strings.HasSuffix(strings.ToLower(outPath), ".csv") {
			format = "csv"
		}
	}
	var w io.Writer = os.Stdout
	if outPath != "" && outPath != "-" {
		f, err := os.Create(outPath)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	switch format {
	case "csv":
		return sar.WriteCSV(w, ds)
	case "geojson":
		return sar.WriteGeoJSON(w, ds)
	}
	return fmt.Errorf("--format %q: want csv or geojson", format)
}

func showProgress(asked bool) bool { return asked || term.IsTerminal(int(os.Stderr.Fd())) }

func sarDetectCmd() *cobra.Command {
	var (
		o                   cfar.Options
		outPath, format, at string
		noLand, progress    bool
	)
	cmd := &cobra.Command{
		Use:   "detect IMAGE.tif",
		Short: "Find ships in a calibrated SAR backscatter GeoTIFF (two-parameter CFAR)",
		Long: `Read a georeferenced SAR backscatter GeoTIFF (Sentinel-1 GRD style: one band,
float32 or integer, tiled or stripped, uncompressed, Deflate or LZW, WGS 84
EPSG:4326), mask land (Natural Earth coastline plus --land-buffer-km), run a
two-parameter CFAR (a pixel is a target when it exceeds the mean of the ring
between the guard and outer windows by --k standard deviations; a cluster
needs a pixel at --seed-k), group target pixels into ships and estimate each
one's length and heading from its second moments. The scene is processed in
tiles on all cores, in bounded memory.

Output: GeoJSON points (default) or CSV with id, scene, time, lat, lon,
length_m, width_m, heading_deg (0-180, bow/stern ambiguous), score (peak
contrast in standard deviations) and pixels. Totals go to stderr.

Images in a projected CRS (UTM) must be reprojected first:
gdalwarp -t_srs EPSG:4326 in.tif out.tif.`,
		Example: `  lookout sar detect S1A_IW_GRDH_20240301.tif > detections.geojson
  lookout sar detect scene.tif --out detections.csv --k 7 --land-buffer-km 1
  lookout sar detect scene.tif --time 2024-03-01T21:30:05Z --progress`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			start := time.Now()
			f, err := geotiff.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			img := cfar.FromGeoTIFF(f, strings.TrimSuffix(filepath.Base(args[0]), filepath.Ext(args[0])))
			if at != "" {
				t, ok := sar.ParseTime(at)
				if !ok {
					return fmt.Errorf("--time %q: want RFC 3339", at)
				}
				img.Time = t
			}
			if img.Time.IsZero() {
				fmt.Fprintln(os.Stderr, "lookout sar detect: the image carries no acquisition time; pass --time to match against AIS")
			}
			var land landmask.Land
			if !noLand {
				land = geo.DefaultLand()
			}
			if showProgress(progress) {
				var bar *progressbar.ProgressBar
				o.Progress = func(done, total int) {
					if bar == nil {
						bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("tiles"))
					}
					bar.Set(done)
				}
			}
			ds, st, err := cfar.Detect(cmd.Context(), img, land, o)
			if err != nil {
				return err
			}
			if err := writeDetections(ds, outPath, format); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%s: %d x %d pixels, %d detections in %.1fs; %d sea pixels tested, %d nodata, %d over threshold, %d clusters (%d too small, %d too faint, %d too long)\n",
				args[0], f.Width, f.Height, len(ds), time.Since(start).Seconds(), st.SeaPixels, st.NaNPixels, st.TargetPixels, st.Clusters, st.TooSmall, st.TooFaint, st.TooLong)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&outPath, "out", "o", "", "output file (default stdout)")
	fl.StringVar(&format, "format", "", "csv or geojson (default: from --out's extension, else geojson)")
	fl.StringVar(&at, "time", "", "acquisition time (RFC 3339) when the file's DateTime tag is missing or wrong")
	fl.Float64Var(&o.GuardM, "guard-m", 200, "guard window side in metres")
	fl.Float64Var(&o.OuterM, "outer-m", 600, "outer window side in metres")
	fl.Float64Var(&o.K, "k", 6, "pixel threshold in background standard deviations")
	fl.Float64Var(&o.SeedK, "seed-k", 15, "a cluster's brightest pixel must reach this many standard deviations")
	fl.IntVar(&o.MinPixels, "min-pixels", 3, "smallest cluster kept")
	fl.Float64Var(&o.MaxLengthM, "max-length-m", 500, "clusters longer than this are not ships")
	fl.Float64Var(&o.LandBufferKm, "land-buffer-km", 0.5, "mask this far into the sea from the coastline")
	fl.BoolVar(&noLand, "no-land", false, "do not mask land")
	fl.IntVar(&o.Tile, "tile", 1024, "tile side in pixels")
	fl.IntVar(&o.Workers, "workers", 0, "parallel tiles (default: all cores)")
	fl.BoolVar(&progress, "progress", false, "show progress on stderr even when it is not a terminal")
	return cmd
}

func sarImportCmd() *cobra.Command {
	var outPath, format, at string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Read ship detections made elsewhere (GFW, Skylight, xView3-style CSV or GeoJSON, simulator sar.jsonl)",
		Long: `Read detections from a CSV or GeoJSON export and write them in Lookout's
form. Columns are recognised by name: latitude (lat, latitude, detect_lat),
longitude (lon, longitude, detect_lon), time (timestamp, detect_timestamp,
time, ...), length (length_m, inferred_length_m, vessel_length_m,
estimated_length), score (presence, presence_score, confidence, score), id
(detect_id, id) and scene (scene_id). Rows that cannot be used are counted by
reason on stderr and skipped.`,
		Example: `  lookout sar import gfw_sar_detections.csv > detections.geojson
  lookout sar import skylight_events.geojson --format csv --out detections.csv
  lookout sar import xview3.csv --time 2021-06-01T09:30:00Z`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var def time.Time
			if at != "" {
				t, ok := sar.ParseTime(at)
				if !ok {
					return fmt.Errorf("--time %q: want RFC 3339", at)
				}
				def = t
			}
			ds, st, err := importFile(args[0], def)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%s: %s\n", args[0], st)
			return writeDetections(ds, outPath, format)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&outPath, "out", "o", "", "output file (default stdout)")
	fl.StringVar(&format, "format", "", "csv or geojson (default: from --out's extension, else geojson)")
	fl.StringVar(&at, "time", "", "time for rows without one (one scene per file)")
	return cmd
}

func importFile(name string, def time.Time) ([]sar.Detection, sar.ImportStats, error) {
	r, err := source.Open(name)
	if err != nil {
		return nil, sar.ImportStats{}, err
	}
	defer r.Close()
	ds, st, err := sar.Import(r, filepath.Base(name), def)
	if err != nil {
		return nil, st, fmt.Errorf("%s: %w", name, err)
	}
	return ds, st, nil
}

func sarMatchCmd() *cobra.Command {
	var (
		o                       match.Options
		eo                      match.EventOptions
		aisFiles                []string
		matchedPath, groupsFile string
		window                  time.Duration
		eventFiles              []string
	)
	cmd := &cobra.Command{
		Use:   "match DETECTIONS",
		Short: "Pair satellite detections with AIS; write the dark ones as events",
		Long: `Read detections (any form lookout sar import reads) and AIS (NMEA or CSV,
gzip or not), interpolate every vessel's track to each image time, gate pairs
by --max-km, and assign detections to vessels one to one (Hungarian algorithm;
length agreement breaks ties). Detections left over are dark: they are
written to stdout as dark_detection events (JSON lines, source "satellite");
tanker-sized ones inside a port group's area (a user area, or within
--port-radius-km of a grouped port) name the port and group, so trip counts
can take them as satellite-only port calls. --matched writes the matched
detections with their MMSI as CSV. Given lookout analyze's events
(--events), a dark detection imaged during a possible_dark_transfer within
3 km of the loitering tanker (where its AIS puts it at the image time) names
that transfer in its evidence: the ship without AIS is the likely partner.`,
		Example: `  lookout sar match detections.geojson --ais out/ais.nmea.gz > dark.jsonl
  lookout sar match out/sar.jsonl --ais out/ais.nmea.gz --matched matched.csv --max-km 1
  lookout sar match gfw.csv --ais aisdk-2024-03-01.csv --groups my-ports.yaml
  lookout sar match out/sar.jsonl --ais out/ais.nmea.gz --events events.jsonl > dark.jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(aisFiles) == 0 {
				return fmt.Errorf("--ais is required")
			}
			ds, st, err := importFile(args[0], time.Time{})
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%s: %s\n", args[0], st)
			cfg := pipeline.SARConfig{AIS: aisFiles, Window: window, Match: o, Events: eo, Catalog: ref.Default()}
			if groupsFile != "" {
				if cfg.Catalog, err = cfg.Catalog.WithUserFile(groupsFile); err != nil {
					return err
				}
			}
			res, tracks, images, err := pipeline.MatchSAR(ds, cfg)
			if err != nil {
				return err
			}
			var transfers []event.Event
			if len(eventFiles) > 0 {
				if transfers, err = readEventFiles(eventFiles); err != nil {
					return err
				}
			}
			evs, linked := pipeline.DarkSAR(res, tracks, transfers, cfg)
			enc := json.NewEncoder(os.Stdout)
			atPort := 0
			for _, e := range evs {
				if e.PortGroup != "" {
					atPort++
				}
				if err := enc.Encode(e); err != nil {
					return err
				}
			}
			if matchedPath != "" {
				if err := writeMatched(matchedPath, res.Matched); err != nil {
					return err
				}
			}
			fmt.Fprintf(os.Stderr, "%d detections at %d image times, %d vessels with AIS near them: %s (%d tanker-sized at grouped ports)\n",
				len(ds), images, len(tracks), res, atPort)
			if len(eventFiles) > 0 {
				fmt.Fprintf(os.Stderr, "%d dark detections beside a possible dark transfer\n", linked)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&aisFiles, "ais", nil, "AIS input files (NMEA or CSV, gzip or not); repeatable")
	fl.StringVar(&matchedPath, "matched", "", "write matched detections with MMSI to this CSV file")
	fl.StringVar(&groupsFile, "groups", "", "user file of port groups and areas (YAML or JSON)")
	fl.StringSliceVar(&eventFiles, "events", nil, "lookout analyze events (JSON lines): link dark detections to the possible dark transfers beside them; repeatable")
	fl.Float64Var(&o.MaxDistanceKm, "max-km", 1.5, "distance gate between a detection and a vessel's position at image time")
	fl.DurationVar(&o.MaxExtrapolation, "max-extrapolation", 30*time.Minute, "dead-reckon a vessel at most this far from its nearest fix")
	fl.DurationVar(&o.MaxInterpolationGap, "max-gap", 2*time.Hour, "interpolate across gaps between fixes up to this long")
	fl.DurationVar(&window, "window", 12*time.Hour, "AIS positions kept around each image time (half the longest gap that can name a dark detection's candidates)")
	fl.Float64Var(&eo.MinTankerM, "min-tanker-m", 60, "shortest detection counted as tanker-sized")
	fl.Float64Var(&eo.MaxTankerM, "max-tanker-m", 340, "longest detection counted as tanker-sized")
	fl.Float64Var(&eo.PortRadiusKm, "port-radius-km", 10, "a detection this near a grouped port point is at that port")
	return cmd
}

func writeMatched(path string, ms []match.Matched) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := csv.NewWriter(f)
	w.Write([]string{"id", "scene", "time", "lat", "lon", "length_m", "score", "mmsi", "distance_km", "fix_age_s", "vessel_length_m", "vessel_category"})
	for _, m := range ms {
		w.Write([]string{m.ID, m.Scene, m.Time.UTC().Format(time.RFC3339), strconv.FormatFloat(m.Lat, 'f', 6, 64), strconv.FormatFloat(m.Lon, 'f', 6, 64),
			strconv.FormatFloat(m.LengthM, 'f', 1, 64), strconv.FormatFloat(m.Score, 'f', 3, 64), strconv.FormatUint(uint64(m.MMSI), 10),
			strconv.FormatFloat(m.DistanceKm, 'f', 3, 64), strconv.FormatFloat(m.FixAge.Seconds(), 'f', 0, 64),
			strconv.FormatFloat(m.VesselLengthM, 'f', 0, 64), m.VesselCategory})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

func sarRenderCmd() *cobra.Command {
	var (
		from, sceneID, outPath string
		lat, lon, pixelM, k    float64
		width, height          int
		seed                   uint64
		deflate, noLand        bool
		rain, spikes           int
	)
	cmd := &cobra.Command{
		Use:   "render --from sar.jsonl --out scene.tif",
		Short: "Render a synthetic SAR scene (GeoTIFF) with ships from a detection list",
		Long: `Render a calibrated backscatter GeoTIFF (linear sigma-nought, north-up,
EPSG:4326) with speckled sea clutter, land from the bundled coastline, the
ships of a detection list drawn as bright hulls of their length (headings
drawn from --seed), azimuth ambiguities, rain cells and spikes. --from takes
the simulator's sar.jsonl (one scene, --scene or the first; its false alarms
are not drawn as ships) or any file lookout sar import reads. The window is
--width x --height pixels of --pixel-m metres centred on --lat/--lon
(default: the scene footprint's or the targets' centre).`,
		Example: `  lookout sar render --from out/sar.jsonl --out scene.tif
  lookout sar render --from out/sar.jsonl --scene S1-20240302T090729 --lat 42.75 --lon 133.05 --width 4096 --height 4096 --out vostochnyy.tif
  lookout sar render --from targets.csv --k-shape 6 --deflate --out rough.tif`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" || outPath == "" {
				return fmt.Errorf("--from and --out are required")
			}
			var lats, lons, lens []float64
			var when time.Time
			var cLat, cLon float64
			if sc, ok, err := readSimScene(from, sceneID); err != nil {
				return err
			} else if ok {
				when = sc.Time
				cLat, cLon = (sc.Footprint.MinLat+sc.Footprint.MaxLat)/2, (sc.Footprint.MinLon+sc.Footprint.MaxLon)/2
				for _, d := range sc.Detections {
					if d.Truth != sar.FalseAlarm {
						lats, lons, lens = append(lats, d.Lat), append(lons, d.Lon), append(lens, d.LengthM)
					}
				}
			} else {
				ds, st, err := importFile(from, time.Time{})
				if err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "%s: %s\n", from, st)
				for _, d := range ds {
					lats, lons, lens = append(lats, d.Lat), append(lons, d.Lon), append(lens, d.LengthM)
					cLat, cLon = cLat+d.Lat/float64(len(ds)), cLon+d.Lon/float64(len(ds))
					when = d.Time
				}
			}
			if cmd.Flags().Changed("lat") {
				cLat = lat
			}
			if cmd.Flags().Changed("lon") {
				cLon = lon
			}
			s := render.Scene{
				Width: width, Height: height, Transform: render.NorthUp(cLat, cLon, width, height, pixelM),
				Time: when, Seed: seed, KShape: k, Targets: render.TargetsAt(lats, lons, lens, seed),
				Ambiguities: true, RainCells: rain, Spikes: spikes,
			}
			if !noLand {
				s.Land = geo.DefaultLand()
			}
			r, err := render.Prepare(s)
			if err != nil {
				return err
			}
			start := time.Now()
			if err := r.WriteGeoTIFF(outPath, deflate); err != nil {
				return err
			}
			in := 0
			for _, t := range r.Targets {
				if c, rr, ok := s.Transform.Inverse(t.Lon, t.Lat); ok && c >= 0 && rr >= 0 && c < float64(width) && rr < float64(height) {
					in++
				}
			}
			fmt.Fprintf(os.Stderr, "%s: %d x %d pixels at %g m centred on %.5f,%.5f, %d ships inside, in %.1fs\n", outPath, width, height, pixelM, cLat, cLon, in, time.Since(start).Seconds())
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&from, "from", "", "targets: simulator sar.jsonl, or detections in CSV/GeoJSON")
	fl.StringVar(&sceneID, "scene", "", "scene id in sar.jsonl (default: the first)")
	fl.StringVarP(&outPath, "out", "o", "", "GeoTIFF to write")
	fl.Float64Var(&lat, "lat", 0, "latitude of the scene centre")
	fl.Float64Var(&lon, "lon", 0, "longitude of the scene centre")
	fl.IntVar(&width, "width", 4096, "pixels across")
	fl.IntVar(&height, "height", 4096, "pixels down")
	fl.Float64Var(&pixelM, "pixel-m", 10, "pixel size in metres")
	fl.Uint64Var(&seed, "seed", 1, "random seed (speckle, headings, false alarms)")
	fl.Float64Var(&k, "k-shape", 0, "K-distributed clutter texture shape (0: gamma speckle only)")
	fl.IntVar(&rain, "rain-cells", 2, "patches of raised clutter")
	fl.IntVar(&spikes, "spikes", 100, "isolated bright pixels")
	fl.BoolVar(&deflate, "deflate", false, "compress tiles")
	fl.BoolVar(&noLand, "no-land", false, "draw no land")
	return cmd
}

// readSimScene returns the scene named id (or the first) when path is a
// simulator sar.jsonl; ok is false for other files.
func readSimScene(path, id string) (sar.SimScene, bool, error) {
	f, err := source.Open(path)
	if err != nil {
		return sar.SimScene{}, false, err
	}
	defer f.Close()
	scenes, err := sar.ReadSimScenes(f)
	if err != nil || len(scenes) == 0 || scenes[0].ID == "" || scenes[0].Time.IsZero() {
		return sar.SimScene{}, false, nil // not a scene list: read it as detections
	}
	for _, s := range scenes {
		if id == "" || s.ID == id {
			return s, true, nil
		}
	}
	return sar.SimScene{}, false, fmt.Errorf("%s: no scene %q", path, id)
}
