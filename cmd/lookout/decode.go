package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/source"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func init() {
	var (
		format   string
		verbose  bool
		lax      bool
		progress bool
		in       inputFlags
	)
	cmd := &cobra.Command{
		Use:   "decode [FILE...]",
		Short: "Decode AIS NMEA (!AIVDM/!AIVDO) or CSV exports into JSON or CSV, one message per line",
		Long: `Decode AIS NMEA 0183 sentences (any talker, VDM and VDO) into one JSON
object per message, with gpsd's AIS field names and scaling (as gpsdecode -j
and AIS-catcher write them) plus "rxtime" and "station" when the input has
them: NMEA 4.10 tag blocks (\c:UNIXTIME,s:STATION*hh\), unix-seconds or ISO
8601 timestamps in front of the sentence, or Danish Maritime Authority $PGHP
lines. Multi-sentence messages are reassembled. CSV exports are read as
every other command reads them: each row becomes the AIS messages it stands
for (a position report, and static data when it changes). Files ending in
.gz (or any gzip stream) are read transparently; no FILE or "-" reads stdin.

Types 6 and 8 whose application message (DAC/FI) gpsd decodes - IMO 236/289
meteorological and hydrological data, dangerous cargo, tidal windows, route
information, area notices, inland AIS, ... - print their decoded fields with
gpsd's names; other DAC/FI print the raw "data", and a payload that does not
fit its DAC/FI prints "data" with "app_error" (and, with -v, a line on
stderr).

Bad lines never stop decoding: they are counted by reason. At the end,
messages by type, application messages by DAC/FI (decoded, unknown, bad)
and rejected lines by reason go to stderr.

--format csv writes a spreadsheet-friendly table (not-available values are
empty cells); --format none only decodes and prints the statistics.

` + inputHelp,
		Example: `  lookout decode testdata/sample.nmea
  lookout decode --format csv capture.nmea.gz > positions.csv
  nc ais.example.org 5631 | lookout decode -
  lookout decode --format none -v big-archive.nmea.gz
  lookout decode --format none aisdk-2024-03-01.csv
  lookout decode --start auto boat.log`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "json" && format != "csv" && format != "none" {
				return fmt.Errorf("--format must be json, csv or none, not %q", format)
			}
			if len(args) == 0 {
				args = []string{"-"}
			}
			srcOpt, err := in.options()
			if err != nil {
				return err
			}
			out := bufio.NewWriterSize(os.Stdout, 256<<10)
			if format == "csv" {
				out.WriteString(ais.CSVHeader)
			}
			var total ais.Stats
			total.Rejected = map[string]int64{}
			start := time.Now()
			showBar := progress || term.IsTerminal(int(os.Stderr.Fd()))
			var refused []string
			for _, name := range args {
				st, err := decodeFile(name, format, verbose, lax, showBar, srcOpt, out)
				addStats(&total, st)
				if errors.Is(err, source.ErrUnknownFormat) || errors.Is(err, fs.ErrNotExist) {
					fmt.Fprintf(os.Stderr, "lookout: %v; skipped\n", err)
					refused = append(refused, name)
					continue
				}
				if err != nil {
					out.Flush()
					printStats(os.Stderr, total, time.Since(start))
					return err
				}
			}
			if err := out.Flush(); err != nil {
				return err
			}
			printStats(os.Stderr, total, time.Since(start))
			return refusedError(refused, len(args))
		},
	}
	cmd.Flags().StringVar(&format, "format", "json", "output format: json, csv or none")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print every rejected line with its reason on stderr")
	cmd.Flags().BoolVar(&progress, "progress", false, "show a progress bar on stderr even when it is not a terminal")
	cmd.Flags().BoolVar(&lax, "lax-checksum", false, "decode sentences whose checksum does not match instead of rejecting them")
	in.register(cmd.Flags())
	root.AddCommand(cmd)
}

func decodeFile(name, format string, verbose, lax, showBar bool, srcOpt source.Options, out *bufio.Writer) (ais.Stats, error) {
	in, err := source.Open(name)
	if err != nil {
		return ais.Stats{}, err
	}
	defer in.Close()
	var src io.Reader = in
	if showBar && name != "-" {
		// Decompressed bytes are counted, so a .gz file gets a spinner.
		size := int64(-1)
		if fi, err := os.Stat(name); err == nil && !strings.HasSuffix(name, ".gz") {
			size = fi.Size()
		}
		bar := progressbar.DefaultBytes(size, "decode "+name)
		defer bar.Finish()
		src = io.TeeReader(in, bar)
	}
	r, _, err := source.NewReaderOptions(src, srcOpt)
	if err != nil {
		return ais.Stats{}, fmt.Errorf("%s: %w", name, err)
	}
	if ar, ok := r.(*ais.Reader); ok {
		ar.LaxChecksum = lax
		if verbose {
			ar.OnReject = func(line []byte, err error) {
				if len(line) > 200 {
					line = line[:200]
				}
				fmt.Fprintf(os.Stderr, "%s: %v: %q\n", name, err, line)
			}
		}
	}
	var buf []byte
	for r.Next() {
		m := r.Message()
		if verbose && m.Binary.AppErr != nil && (m.Type == 6 || m.Type == 8) {
			fmt.Fprintf(os.Stderr, "%s: line %d: type %d from %09d: %v\n", name, r.Stats().Lines, m.Type, m.MMSI, m.Binary.AppErr)
		}
		switch format {
		case "json":
			buf = ais.AppendJSON(buf[:0], m)
		case "csv":
			buf = ais.AppendCSV(buf[:0], m)
		default:
			continue
		}
		if _, err := out.Write(buf); err != nil {
			return r.Stats(), err
		}
	}
	if err := r.Err(); err != nil {
		return r.Stats(), fmt.Errorf("%s: %w", name, err)
	}
	return r.Stats(), nil
}

func addStats(t *ais.Stats, s ais.Stats) {
	t.Lines += s.Lines
	t.Sentences += s.Sentences
	t.Messages += s.Messages
	t.Other += s.Other
	t.TagOnly += s.TagOnly
	for i, n := range s.ByType {
		t.ByType[i] += n
	}
	for k, n := range s.Rejected {
		t.Rejected[k] += n
	}
	for id, c := range s.Apps {
		if t.Apps == nil {
			t.Apps = map[ais.AppID]ais.AppCounts{}
		}
		a := t.Apps[id]
		a.Decoded += c.Decoded
		a.Unknown += c.Unknown
		a.Bad += c.Bad
		t.Apps[id] = a
	}
}

func printStats(w io.Writer, s ais.Stats, took time.Duration) {
	fmt.Fprintf(w, "%d lines, %d AIS sentences, %d messages in %.2fs (%.0f lines/s)\n",
		s.Lines, s.Sentences, s.Messages, took.Seconds(), float64(s.Lines)/took.Seconds())
	fmt.Fprintln(w, "messages by type:")
	for t, n := range s.ByType {
		if n > 0 {
			fmt.Fprintf(w, "  %2d  %d\n", t, n)
		}
	}
	if len(s.Apps) > 0 {
		ids := make([]ais.AppID, 0, len(s.Apps))
		for id := range s.Apps {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool {
			a, b := ids[i], ids[j]
			if a.DAC != b.DAC {
				return a.DAC < b.DAC
			}
			if a.FI != b.FI {
				return a.FI < b.FI
			}
			return a.Type < b.Type
		})
		fmt.Fprintln(w, "application messages (types 6 and 8) by DAC/FI:   decoded  unknown  bad payload")
		for _, id := range ids {
			c := s.Apps[id]
			fmt.Fprintf(w, "  type %d  DAC %4d  FI %2d  %16d %8d %8d\n", id.Type, id.DAC, id.FI, c.Decoded, c.Unknown, c.Bad)
		}
	}
	if s.Other > 0 || s.TagOnly > 0 {
		fmt.Fprintf(w, "set aside (not AIS, not errors): %d other NMEA sentences, %d tag-block-only lines\n", s.Other, s.TagOnly)
	}
	fmt.Fprintf(w, "rejected lines by reason (%d):\n", s.RejectedTotal())
	reasons := make([]string, 0, len(s.Rejected))
	for k := range s.Rejected {
		reasons = append(reasons, k)
	}
	sort.Slice(reasons, func(i, j int) bool { return s.Rejected[reasons[i]] > s.Rejected[reasons[j]] })
	for _, k := range reasons {
		fmt.Fprintf(w, "  %8d  %s\n", s.Rejected[k], k)
	}
}
