package main

import (
	"fmt"
	"strings"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/ref"
	"github.com/spf13/pflag"
)

// detectFlags are the detector settings every command that runs the
// analysis pipeline accepts, so that a threshold means the same in analyze,
// ingest and the rest.
type detectFlags struct {
	sets   []string
	watch  string
	places string
}

func (d *detectFlags) register(f *pflag.FlagSet) {
	f.StringArrayVar(&d.sets, "set", nil, "override a detector threshold, Name=value (repeatable; see lookout analyze --help)")
	f.StringVar(&d.watch, "watch", "", "watched port groups, comma-separated (default KP,RU-FE)")
	f.StringVar(&d.places, "places", "", "user file of port groups and polygons (YAML, JSON or GeoJSON); polygons replace port radii")
}

// apply writes the flags into opt.
func (d *detectFlags) apply(opt *analyze.Options) error {
	for _, s := range d.sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("--set %q: want Name=value", s)
		}
		if err := opt.Detect.Set(k, v); err != nil {
			return err
		}
	}
	if d.watch != "" {
		opt.Detect.WatchedGroups = strings.Split(d.watch, ",")
	}
	if d.places != "" {
		cat, err := ref.Default().WithUserFile(d.places)
		if err != nil {
			return err
		}
		opt.Catalog = cat
	}
	return nil
}
