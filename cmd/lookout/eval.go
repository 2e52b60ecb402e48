package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/eval"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
	"github.com/spf13/cobra"
)

func init() {
	cfg := eval.DefaultConfig()
	var (
		truthPath string
		format    string
		verbose   bool
		typeTol   map[string]string
		types     []string
		in        eventInput
	)
	cmd := &cobra.Command{
		Use:   "eval --truth TRUTH.jsonl [--db DB | EVENTS.jsonl|- ...]",
		Short: "Score detected events against ground truth: precision, recall and F1 per event type",
		Long: `Score detected events (lookout analyze --format jsonl) against ground truth
(lookout simulate's truth.jsonl): precision, recall and F1 per event type and
overall (micro-averaged). The detections are the store's events (--db, see
lookout ingest) when no file is named and nothing is piped in, or event
files (gzip allowed; "-" reads stdin).

Matching rules: a detection matches a truth event when
  - the type is the same;
  - the vessel is the same: the mmsi for most types; the unordered pair
    {mmsi, other_mmsi} for encounters and identity changes (either order);
  - the intervals [start, end] overlap, or lie at most --tolerance apart
    (so near-instant events must start within the tolerance);
  - port visits name the same port_id, or ports at most --port-km apart;
    possible dark port visits too, or any port of the same port_group
    (which of neighbouring reachable ports cannot be told from a gap;
    --dark-same-port turns this off); voyages agree on port_group and
    from_group where both give them.
Assignment is one-to-one and greedy: admissible pairs are taken by largest
overlap (intersection over union), then smallest time distance, then
smallest start difference. A second detection of one truth event is a
false positive. Truth events with source "satellite" (invisible in AIS) are
left out of recall unless --include-satellite; detections of them are
ignored rather than counted false. possible_dark_port_visit truth is always
scored: it is inferred from AIS gaps, whatever the visit's own source. With nothing to find or nothing found,
recall or precision is 1.

Beside the table: identity_change scored per kind as well (cloned_mmsi: two
hulls on one MMSI; flag_hopping: one hull under a new MMSI, flag and name),
the identity changes detected per real change (an alternation storm shows
as many on one), when truth has GNSS interference, the affected vessels that
got spoofing risk points for it, and, when the truth file has a
glitches.jsonl beside it (the GPS glitches lookout simulate sent and a
station heard), the spoofing events falling on one within --tolerance,
but for those truth explains (a true episode of the vessel starting within
--tolerance of it): a lone bad fix is no spoofing.`,
		Example: `  lookout eval --truth out/truth.jsonl events.jsonl
  lookout eval --truth lookout-demo/scenario/truth.jsonl --db lookout-demo/lookout.duckdb
  lookout analyze out/ais.nmea.gz --format jsonl | lookout eval --truth out/truth.jsonl -v -
  lookout eval --truth truth.jsonl --tolerance 2h --type-tolerance identity_change=6h --format json events.jsonl`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if truthPath == "" {
				return fmt.Errorf("--truth is required")
			}
			for k, v := range typeTol {
				d, err := time.ParseDuration(v)
				if err != nil {
					return fmt.Errorf("--type-tolerance %s: %w", k, err)
				}
				if cfg.TypeTolerance == nil {
					cfg.TypeTolerance = map[event.Type]time.Duration{}
				}
				if !knownType(k) {
					return fmt.Errorf("--type-tolerance: unknown event type %q", k)
				}
				cfg.TypeTolerance[event.Type(k)] = d
			}
			for _, t := range types {
				t = strings.TrimSpace(t)
				if !knownType(t) {
					return fmt.Errorf("--types: unknown event type %q", t)
				}
				cfg.Types = append(cfg.Types, event.Type(t))
			}
			truth, err := readEvents(truthPath)
			if err != nil {
				return err
			}
			det, err := in.read(cmd, args)
			in.close()
			if err != nil {
				return err
			}
			res := eval.Evaluate(truth, det, cfg)
			// The simulator lists the GPS glitches it sent beside the truth.
			if gl, err := readGlitches(filepath.Join(filepath.Dir(truthPath), "glitches.jsonl")); err != nil {
				return err
			} else if gl != nil {
				res.Glitches = eval.CheckGlitches(gl, truth, det, cfg.Tolerance)
			}
			out := cmd.OutOrStdout()
			switch format {
			case "table":
				return eval.WriteTable(out, res, verbose)
			case "json":
				if !verbose {
					res.Matches, res.Missed, res.Spurious = nil, nil, nil
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return fmt.Errorf("--format %q: want table or json", format)
		},
	}
	f := cmd.Flags()
	in.add(cmd)
	f.StringVar(&truthPath, "truth", "", "ground truth events (JSON lines, e.g. truth.jsonl)")
	f.StringVar(&format, "format", "table", "output format: table or json")
	f.BoolVarP(&verbose, "verbose", "v", false, "list missed truth events and spurious detections with the reason (json: also the matches)")
	f.DurationVar(&cfg.Tolerance, "tolerance", cfg.Tolerance, "largest time between two intervals that still match")
	f.StringToStringVar(&typeTol, "type-tolerance", nil, "per-type tolerance, e.g. identity_change=6h,gap=2h")
	f.Float64Var(&cfg.PortKm, "port-km", cfg.PortKm, "largest distance between two ports taken for the same port when their ids differ")
	f.BoolVar(&cfg.IncludeSatellite, "include-satellite", false, "score truth events that only a satellite could see (source: satellite)")
	f.BoolVar(&cfg.DarkSamePort, "dark-same-port", false, "possible dark port visits must name the same port (or one within --port-km), not just a port of the same group")
	f.StringSliceVar(&types, "types", nil, "score only these event types (default: every type lookout analyze emits)")
	root.AddCommand(cmd)
}

func knownType(t string) bool {
	return slices.Contains(event.Types, event.Type(t)) || t == string(event.SanctionsMatch) || t == string(event.DarkDetection)
}

// readEvents reads every event of a JSON-lines file ("-" for stdin, gzip
// allowed); malformed lines are skipped with a warning on stderr.
func readEvents(path string) ([]event.Event, error) {
	r, err := source.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	evs, st, err := event.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	warnMalformed(path, st)
	return evs, nil
}

// readEventFiles reads the events of every file in turn, as readEvents does.
func readEventFiles(paths []string) ([]event.Event, error) {
	var evs []event.Event
	for _, p := range paths {
		es, err := readEvents(p)
		if err != nil {
			return nil, err
		}
		evs = append(evs, es...)
	}
	return evs, nil
}

func warnMalformed(path string, st event.ReadStats) {
	if st.Malformed > 0 {
		fmt.Fprintf(os.Stderr, "%s: skipped %d malformed event lines of %d (first: %s)\n", path, st.Malformed, st.Lines, st.FirstMalformed)
	}
}

// readGlitches reads a simulator's glitches.jsonl; nil when there is none.
func readGlitches(path string) ([]eval.Glitch, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	out := []eval.Glitch{}
	for i, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var g eval.Glitch
		if err := json.Unmarshal(line, &g); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		out = append(out, g)
	}
	return out, nil
}
