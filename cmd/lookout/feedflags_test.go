package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// runErr runs lookout and returns its error, then resets the flags it set
// (cobra keeps them on the shared root between runs).
func runErr(t *testing.T, args ...string) error {
	t.Helper()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	for _, c := range root.Commands() {
		c.Flags().Visit(func(f *pflag.Flag) {
			if s, ok := f.Value.(pflag.SliceValue); ok {
				s.Replace(nil)
			} else {
				f.Value.Set(f.DefValue)
			}
			f.Changed = false
		})
	}
	return err
}

func TestFeedArgumentsAreChecked(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest"}, "give AIS files, or a network input"},
		{[]string{"ingest", "--listen", "udp://127.0.0.1:0", "day1.nmea"}, "not both"},
		{[]string{"ingest", "--rules", "watch.yaml", "--reorder", "1s", "day1.nmea"}, "--reorder, --rules: only for network inputs"},
		{[]string{"ingest", "--listen", "tcp://127.0.0.1:1", "--db", t.TempDir() + "/x.duckdb"}, "only udp:// can listen"},
		{[]string{"live", "--listen", "udp://127.0.0.1:0", "--db", "/nonexistent/dir/x.duckdb", "--connect", "udp://127.0.0.1:1"}, "udp:// is for --listen"},
		{[]string{"live", "--connect", "udp://127.0.0.1:1"}, "udp:// is for --listen"},
		{[]string{"live"}, "give at least one input"},
		{[]string{"live", "--aisstream", "wss://127.0.0.1:1/", "--listen", "udp://127.0.0.1:0"}, "cannot be combined"},
	} {
		err := runErr(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("lookout %s: %v, want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// Both commands take the same network flags from one definition.
func TestIngestAndLiveShareFeedFlags(t *testing.T) {
	find := func(name string) *cobra.Command {
		for _, c := range root.Commands() {
			if c.Name() == name {
				return c
			}
		}
		t.Fatalf("no command %s", name)
		return nil
	}
	in, lv := find("ingest"), find("live")
	var ff feedFlags
	fs := pflag.NewFlagSet("feed", pflag.ContinueOnError)
	ff.register(fs)
	fs.VisitAll(func(f *pflag.Flag) {
		for _, c := range []*cobra.Command{in, lv} {
			if g := c.Flags().Lookup(f.Name); g == nil || g.Usage != f.Usage {
				t.Errorf("lookout %s: flag --%s missing or different", c.Name(), f.Name)
			}
		}
	})
	for _, c := range []*cobra.Command{in, lv} {
		if !strings.Contains(c.Example, "--listen udp://") {
			t.Errorf("lookout %s --help has no live example", c.Name())
		}
	}
}
