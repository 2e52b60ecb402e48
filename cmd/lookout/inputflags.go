package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/lookout-osint/lookout/source"
)

// inputFlags are the options of commands that read AIS files: CSV column
// names and a clock for logs without timestamps.
type inputFlags struct {
	columns string
	start   string
}

const inputHelp = `Input: NMEA (tag blocks, timestamp prefixes, trailing epochs, $PGHP lines;
other NMEA sentences are set aside and counted) or CSV, recognised by its
header: DMA, MarineCadastre, unit-suffixed names (Latitude_degrees,
SOG_knots), Spire-style times (20210701_185151), comma, semicolon or tab
separated. A header Lookout does not know is read with --columns, e.g.
  --columns time=ts,mmsi=ship_id,lat=y,lon=x
(fields: time, mmsi, lat, lon, sog, cog, heading, status, rot, class, imo,
callsign, name, shiptype, cargo, width, length, draught, destination, eta).

A log without timestamps (a boat's multiplexer, a raw receiver dump) has
no time to place its messages in: they are counted and left out unless
--start is given. --start auto takes times from the log itself: AIS base
station reports, GPS $--RMC/$--ZDA sentences, and each report's own UTC
second; messages before the first such time stay untimed. --start TIME
(2024-03-01T12:00:00Z) is the clock until the log states a time of its
own. The file's modification time is not used: it says when writing
ended, not when it began, and copying a file changes it.`

func (i *inputFlags) register(f *pflag.FlagSet) {
	f.StringVar(&i.columns, "columns", "", "CSV columns for a header Lookout does not know: field=Column,... (see Input below)")
	f.StringVar(&i.start, "start", "", `clock for logs without timestamps: "auto" (the log's own GPS/base-station times) or a start time such as 2024-03-01T12:00:00Z`)
}

func (i *inputFlags) options() (source.Options, error) {
	var o source.Options
	if i.columns != "" {
		cols, err := source.ParseColumns(i.columns)
		if err != nil {
			return o, err
		}
		o.Columns = cols
	}
	switch s := strings.TrimSpace(i.start); s {
	case "":
	case "auto":
		o.Clock = true
	default:
		for _, l := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(l, s); err == nil {
				o.Clock, o.Start = true, t.UTC()
				return o, nil
			}
		}
		return o, fmt.Errorf(`--start %q: want "auto" or a time such as 2024-03-01T12:00:00Z`, s)
	}
	return o, nil
}

// refusedError is the error a command ends with when it skipped inputs it
// could not read (after reading and writing everything else).
func refusedError(refused []string, of int) error {
	if len(refused) == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d inputs skipped, unreadable: %s", len(refused), of, strings.Join(refused, ", "))
}
