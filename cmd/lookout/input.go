package main

import (
	"context"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// eventInput is where an analysis command (trips, risk, oilcap, eval)
// reads its events: the store (--db), or event files given as arguments
// ("-" or a pipe: stdin), as lookout analyze writes them.
type eventInput struct {
	dsn string
	// st is the store the events came from, still open for names and
	// identities until close; nil for event files.
	st store.Store
}

func (in *eventInput) add(cmd *cobra.Command) { dbFlag(cmd, &in.dsn) }

// fromStore says whether the events come from the store: when no file is
// named and either --db is given or nothing is piped in (a terminal on
// stdin), so `lookout analyze … | lookout trips …` reads the pipe as before.
func (in *eventInput) fromStore(cmd *cobra.Command, args []string) bool {
	if len(args) > 0 {
		return false
	}
	return cmd.Flags().Changed("db") || term.IsTerminal(int(os.Stdin.Fd()))
}

// read returns the events of the files, or of the store (of the given
// types; none: every type), which then stays open in in.st until close.
func (in *eventInput) read(cmd *cobra.Command, args []string, types ...event.Type) ([]event.Event, error) {
	if !in.fromStore(cmd, args) {
		if len(args) == 0 {
			args = []string{"-"}
		}
		return readEventFiles(args)
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	st, err := openExisting(ctx, in.dsn)
	if err != nil {
		return nil, err
	}
	evs, err := st.Events(ctx, store.EventQuery{Types: types})
	if err != nil {
		st.Close()
		return nil, err
	}
	in.st = st
	return evs, nil
}

// close closes the store read, if any.
func (in *eventInput) close() {
	if in.st != nil {
		in.st.Close()
		in.st = nil
	}
}
