package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func init() {
	opt := analyze.DefaultOptions()
	var (
		format   string
		outPath  string
		df       detectFlags
		progress bool
		quiet    bool
		in       inputFlags
	)
	var thresholds strings.Builder
	opt.Detect.Describe(&thresholds)
	cmd := &cobra.Command{
		Use:   "analyze [FILE...|-]",
		Short: "Detect behaviours (port visits, encounters, gaps, spoofing, ...) in AIS data, with evidence",
		Long: `Read AIS data (NMEA with tag blocks or timestamp prefixes, gzip or not, or
Danish Maritime Authority / NOAA MarineCadastre CSV exports, recognised by
their header) in one streaming pass: clean per-vessel tracks, then every
detector. Events are written to stdout; totals (messages, vessels, events by
type, rejected lines by reason) to stderr at the end.

Reports whose receive time cannot be true (before 2000, after the wall
clock) or lies far from the rest of the stream's (a station's bad clock)
are quarantined: counted among the rejected, never tracked, so that they
invent no gap.

Event types: ` + joinTypes() + `.

` + inputHelp + `

Thresholds (override any with --set Name=value; durations like 6h):
` + thresholds.String(),
		Example: `  lookout analyze out/ais.nmea.gz --format jsonl > events.jsonl
  lookout analyze aisdk-2024-03-01.csv --format table
  cat feed.nmea | lookout analyze - --set GapMin=6h --watch KP,RU-FE --format geojson > events.geojson
  lookout analyze boat-multiplexer.log --start auto
  lookout analyze export.csv --columns time=ts,mmsi=ship_id,lat=y,lon=x`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"-"}
			}
			if err := df.apply(&opt); err != nil {
				return err
			}
			srcOpt, err := in.options()
			if err != nil {
				return err
			}
			var out io.Writer = os.Stdout
			if outPath != "" {
				f, err := os.Create(outPath)
				if err != nil {
					return err
				}
				defer f.Close()
				out = f
			}
			if format == "" {
				format = "jsonl"
				if outPath == "" && term.IsTerminal(int(os.Stdout.Fd())) {
					format = "table"
				}
			}
			bw := bufio.NewWriterSize(out, 256*1024)
			w, err := analyze.NewWriter(bw, format)
			if err != nil {
				return err
			}
			var werr error
			a := analyze.New(opt, func(e *event.Event) {
				if err := w.Write(e); err != nil && werr == nil {
					werr = err
				}
			})
			showBar := progress || term.IsTerminal(int(os.Stderr.Fd()))
			var refused []string
			for _, name := range args {
				var bar *progressbar.ProgressBar
				var pw io.Writer
				if showBar && !quiet {
					bar = progressbar.DefaultBytes(-1, "reading "+name)
					pw = bar
				}
				r, size, closeFn, err := analyze.OpenOptions(name, pw, srcOpt)
				if err != nil {
					// What was read before stays: skip this input, say
					// why, and fail once the others are analysed.
					if bar != nil {
						bar.Finish()
						fmt.Fprintln(os.Stderr)
					}
					fmt.Fprintf(os.Stderr, "lookout: %v; skipped\n", err)
					refused = append(refused, name)
					continue
				}
				if bar != nil && size > 0 {
					bar.ChangeMax64(size)
				}
				err = a.Read(r)
				closeFn()
				if bar != nil {
					bar.Finish()
					fmt.Fprintln(os.Stderr)
				}
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			tot := a.Finish()
			if err := w.Close(); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			if werr != nil {
				return werr
			}
			if !quiet {
				analyze.WriteTotals(os.Stderr, tot)
			}
			return refusedError(refused, len(args))
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "", "output format: "+strings.Join(analyze.Formats, ", ")+" (default table on a terminal, else jsonl)")
	f.StringVarP(&outPath, "output", "o", "", "write events to this file instead of stdout")
	df.register(f)
	in.register(f)
	f.BoolVar(&progress, "progress", false, "show a progress bar even when stderr is not a terminal")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar and no totals")
	root.AddCommand(cmd)
}

func joinTypes() string {
	s := make([]string, len(event.Types))
	for i, t := range event.Types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
