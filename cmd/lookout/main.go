// Command lookout watches AIS traffic for sanctions evasion. Each subcommand
// lives in its own file and registers itself with root in an init function;
// the logic stays in packages so it can be tested without the CLI.
package main

import (
	"fmt"
	"os"

	"github.com/lookout-osint/lookout/internal/heaplimit"
	"github.com/spf13/cobra"
)

var root = &cobra.Command{
	Use:   "lookout",
	Short: "Watch the sea for sanctions evasion: decode AIS, detect behaviour, report with evidence",
	Example: `  lookout decode testdata/sample.nmea
  lookout help decode`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	if _, err := heaplimit.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "lookout:", err, "(using the default)")
	}
	stop := startProfiles()
	err := root.Execute()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lookout:", err)
		os.Exit(1)
	}
}
