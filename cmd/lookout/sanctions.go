package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/backend"
	"github.com/lookout-osint/lookout/track"
)

func init() {
	cmd := &cobra.Command{
		Use:   "sanctions",
		Short: "Import sanctions lists, list their vessels, screen AIS identities against them",
		Long: `Lookout ships the OFAC SDN vessels (2024-05-03) and the UK Sanctions List's ships
(2025-08-11, including the 37 UN-designated DPRK ships). Lists live in the store
(--db), with their source, import time and content hash, so everyone using a
store screens against the same lists: the built-in ones are stored by the first
ingest, imported ones replace a stored list of the same name. Every identity is
screened as lookout ingest stores it; importing a list screens the identities
already stored. Without --db, list and screen use the built-in lists and those
in the old lists directory (--lists).`,
		Example: `  lookout sanctions import --db lookout.duckdb sdn.csv
  lookout sanctions list --db lookout.duckdb --program DPRK --search "chon myong"
  lookout sanctions screen identities.jsonl > matches.jsonl`,
	}
	var listsDir, dsn string
	cmd.PersistentFlags().StringVar(&listsDir, "lists", "", "without --db: directory of lists imported by older versions (default $LOOKOUT_LISTS or ~/.lookout/lists)")
	cmd.PersistentFlags().StringVar(&dsn, "db", backend.Default, "store whose lists are used (import: where the list is kept): a DuckDB file path, or a postgres:// URL")
	dir := func() (string, error) {
		if listsDir != "" {
			return listsDir, nil
		}
		return sanctions.ListDir()
	}
	// index is what list and screen match against: the store's lists with
	// --db, else the built-in and old-directory ones.
	index := func(cmd *cobra.Command, noBuiltin bool) (*sanctions.Index, error) {
		if !cmd.Flags().Changed("db") {
			return loadIndex(dir, noBuiltin)
		}
		st, err := backend.Open(cmd.Context(), dsn)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		return storeIndex(cmd.Context(), st, noBuiltin)
	}

	var format, name, alt string
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a sanctions list into the store and screen the stored identities against it",
		Long: `Formats: ofac-sdn (OFAC's raw sdn.csv, Windows-1252, no header), ofac-vessels (the
vessel extract with a header), uk (UK Sanctions List summary export: ships only, no IMO),
ftm (FollowTheMoney entities as JSON lines, e.g. OpenSanctions; Vessel entities only),
csv (any CSV whose header names name, imo, mmsi, call_sign, flag, aliases, former_names,
programs, date_designated). auto guesses from the first bytes.
Rejected rows are counted with their reason. The list and the matches its
screening finds are stored in one transaction: a list that cannot be read or
stored leaves the store as it was.`,
		Example: `  lookout sanctions import --db lookout.duckdb sdn.csv
  lookout sanctions import --db postgres://analyst@db.example.org/lookout --alt alt.csv sdn.csv
  lookout sanctions import --format ftm --name OpenSanctions targets.nested.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			l, err := sanctions.Read(f, format, name, args[0])
			if err != nil {
				return err
			}
			if alt != "" {
				if err := mergeAlt(l, args[0], format, alt); err != nil {
					return err
				}
			}
			st, err := backend.Open(cmd.Context(), dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			res, err := pipeline.ImportList(cmd.Context(), st, l)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\nstored in %s (%d entries, sha256 %.12s…); stored identities screened: %d matches stored or updated\n",
				l.Name, l.Stats, dsnName(dsn), res.List.Entries, res.List.Hash, res.Matches)
			return nil
		},
	}
	imp.Flags().StringVar(&format, "format", "auto", "list format: "+strings.Join(sanctions.Formats, ", "))
	imp.Flags().StringVar(&name, "name", "", "list name (replaces an earlier import of the same name)")
	imp.Flags().StringVar(&alt, "alt", "", "OFAC alt.csv to add aliases and former names to an sdn.csv import")

	var program, search string
	var noBuiltin bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the sanctioned vessels known to Lookout",
		Example: `  lookout sanctions list --program DPRK
  lookout sanctions list --search "kum un san"
  lookout sanctions list --search 8712362`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ix, err := index(cmd, noBuiltin)
			if err != nil {
				return err
			}
			strength := map[string]float64{}
			if search != "" {
				strength = searchStrengths(ix, search)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
			fmt.Fprintln(w, "LIST\tID\tNAME\tIMO\tMMSI\tFLAG\tPROGRAMS\tMATCH")
			n := 0
			entries := ix.Entries()
			for i := range entries {
				e := &entries[i]
				if program != "" && !hasProgram(e, program) {
					continue
				}
				s, ok := strength[e.Key()]
				if search != "" && !ok {
					continue
				}
				match := ""
				if search != "" {
					match = fmt.Sprintf("%.2f", s)
				}
				flag := ""
				if len(e.Flags) > 0 {
					flag = e.Flags[0]
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.List, e.ListID, e.Name, uints(e.IMOs), uints(e.MMSIs),
					flag, strings.Join(e.Programs, ";"), match)
				n++
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d of %d entries\n", n, len(entries))
			return nil
		},
	}
	list.Flags().StringVar(&program, "program", "", "only entries whose program contains this text (case-insensitive), e.g. DPRK")
	list.Flags().StringVar(&search, "search", "", "name (matched as the screener does), IMO or MMSI")
	list.Flags().BoolVar(&noBuiltin, "no-builtin", false, "leave out the lists shipped with Lookout")

	var minStrength float64
	var fromAIS, progress bool
	screen := &cobra.Command{
		Use:   "screen [FILE…|-]",
		Short: "Screen vessel identities against the lists; print sanctions_match events as JSON lines",
		Long: `Input: JSON lines {"mmsi":…,"imo":…,"name":…,"call_sign":…,"first":…,"last":…} or a
CSV with a header naming mmsi, imo, name, call_sign, flag, first, last (RFC 3339).
One line per identity a vessel used; give each its time span so that events differ.
The simulator's vessels.json (identity histories) is read too. With --ais, the
files are AIS (NMEA or CSV, as lookout analyze reads them) and each MMSI's identity
history is built from its static reports (types 5, 19 and 24).
Every match has a strength (0–1) and its reason; exact means the IMO (valid check
digit) or the MMSI is the one listed.`,
		Example: `  lookout sanctions screen identities.csv > matches.jsonl
  lookout sanctions screen --ais day1.nmea.gz day2.nmea.gz > matches.jsonl
  lookout sanctions screen --min-strength 0.6 - < identities.jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"-"}
			}
			var (
				ids      []sanctions.Identity
				rejected = map[string]int{}
				err      error
			)
			if fromAIS {
				ids, err = identitiesFromAIS(args, rejected, progress || term.IsTerminal(int(os.Stderr.Fd())))
			} else {
				ids, err = identitiesFromFiles(args, rejected)
			}
			if err != nil {
				return err
			}
			ix, err := index(cmd, noBuiltin)
			if err != nil {
				return err
			}
			ix.MinStrength = minStrength
			out := event.NewWriter(cmd.OutOrStdout())
			matched, exact := 0, 0
			var werr error
			ix.MatchAll(ids, func(i int, ms []sanctions.Match) {
				ev, ok := sanctions.Event(ids[i], ms)
				if !ok || werr != nil {
					return
				}
				matched++
				if ms[0].Exact {
					exact++
				}
				werr = out.Write(&ev)
			})
			fmt.Fprintf(cmd.ErrOrStderr(), "%d identities, %d matched (%d exact), rejected %v\n", len(ids), matched, exact, rejected)
			return werr
		},
	}
	screen.Flags().Float64Var(&minStrength, "min-strength", sanctions.DefaultMinStrength, "weakest match to report")
	screen.Flags().BoolVar(&fromAIS, "ais", false, "read AIS (NMEA or CSV) and screen each MMSI's identity history")
	screen.Flags().BoolVar(&progress, "progress", false, "show a progress bar reading AIS even when stderr is not a terminal")
	screen.Flags().BoolVar(&noBuiltin, "no-builtin", false, "leave out the lists shipped with Lookout")

	cmd.AddCommand(imp, list, screen)
	root.AddCommand(cmd)
}

// mergeAlt adds OFAC's alt.csv names to a list read from sdn.csv.
func mergeAlt(l *sanctions.List, listPath, format, altPath string) error {
	if format == "" || format == "auto" {
		head := make([]byte, 4096)
		f, err := os.Open(listPath)
		if err != nil {
			return err
		}
		n, _ := io.ReadFull(f, head)
		f.Close()
		format = sanctions.Detect(head[:n])
	}
	if format != "ofac-sdn" {
		return fmt.Errorf("--alt goes with OFAC's sdn.csv; %s reads as %s", listPath, format)
	}
	f, err := os.Open(altPath)
	if err != nil {
		return err
	}
	defer f.Close()
	return sanctions.MergeOFACAlt(l, f)
}

func identitiesFromFiles(paths []string, rejected map[string]int) ([]sanctions.Identity, error) {
	var out []sanctions.Identity
	for _, p := range paths {
		var in io.Reader = os.Stdin
		if p != "-" {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			in = f
		}
		ids, rej, err := sanctions.ReadIdentities(in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for k, v := range rej {
			rejected[k] += v
		}
		out = append(out, ids...)
	}
	return out, nil
}

// identitiesFromAIS builds each MMSI's identity history from the static
// reports in AIS files, converted as analyze converts them; only the
// fields that identify a vessel are kept.
func identitiesFromAIS(paths []string, rejected map[string]int, showBar bool) ([]sanctions.Identity, error) {
	hist := track.NewIdentities()
	var order []uint32
	seen := map[uint32]bool{}
	for _, p := range paths {
		var bar *progressbar.ProgressBar
		var pw io.Writer
		if showBar {
			bar = progressbar.DefaultBytes(-1, "reading "+p)
			pw = bar
		}
		r, size, closeFn, err := analyze.Open(p, pw)
		if err != nil {
			return nil, err
		}
		if bar != nil && size > 0 {
			bar.ChangeMax64(size)
		}
		for r.Next() {
			full, ok := analyze.StaticOf(r.Message())
			if !ok {
				continue
			}
			// Only what identifies a vessel: a new ship type or draught
			// is not a new identity to screen.
			st := track.Static{MMSI: full.MMSI, Time: full.Time, IMO: full.IMO, Name: full.Name, CallSign: full.CallSign}
			if st.MMSI == 0 || (st.IMO == 0 && st.Name == "" && st.CallSign == "") {
				continue
			}
			if !seen[st.MMSI] {
				seen[st.MMSI] = true
				order = append(order, st.MMSI)
			}
			hist.Update(&st)
		}
		for k, v := range r.Stats().Rejected {
			rejected[k] += int(v)
		}
		err = r.Err()
		closeFn()
		if bar != nil {
			bar.Finish()
			fmt.Fprintln(os.Stderr)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	var out []sanctions.Identity
	for _, mmsi := range order {
		for _, h := range hist.History(mmsi) {
			out = append(out, sanctions.Identity{MMSI: mmsi, IMO: h.IMO, Name: h.Name, CallSign: h.CallSign,
				Flag: ref.Default().Flag(mmsi), First: h.First, Last: h.Last})
		}
	}
	return out, nil
}

// storeIndex indexes the lists that screen st's identities, as the
// pipeline's Screener does at ingest (those kept in st, and the built-in
// ones st has not stored yet unless noBuiltin), so that a command reading
// a store flags what ingest flags and a list imported into a shared store
// counts for everyone who reads it.
func storeIndex(ctx context.Context, st store.Store, noBuiltin bool) (*sanctions.Index, error) {
	lists, missing, err := pipeline.Lists(ctx, st)
	if err != nil {
		return nil, err
	}
	if noBuiltin {
		lists = slices.DeleteFunc(lists, func(l *sanctions.List) bool { return slices.Contains(missing, l) })
	}
	return sanctions.NewIndex(sanctions.Concat(lists...)), nil
}

// loadIndex indexes the builtin lists and the imported ones. An imported
// list that cannot be read is reported and left out.
func loadIndex(dir func() (string, error), noBuiltin bool) (*sanctions.Index, error) {
	var lists []*sanctions.List
	if !noBuiltin {
		lists = append(lists, sanctions.Builtin()...)
	}
	d, err := dir()
	if err != nil {
		return nil, err
	}
	imported, err := sanctions.LoadDir(d)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lookout: some imported lists were skipped:", err)
	}
	// An imported list with a builtin's name replaces it (a newer edition).
	names := map[string]bool{}
	for _, l := range imported {
		names[l.Name] = true
	}
	var all []*sanctions.List
	for _, l := range lists {
		if !names[l.Name] {
			all = append(all, l)
		}
	}
	all = append(all, imported...)
	return sanctions.NewIndex(sanctions.Concat(all...)), nil
}

func searchStrengths(ix *sanctions.Index, q string) map[string]float64 {
	out := map[string]float64{}
	var id sanctions.Identity
	digits := strings.Trim(q, "0123456789") == ""
	switch {
	case digits && len(q) == 7:
		fmt.Sscan(q, &id.IMO)
	case digits && len(q) == 9:
		fmt.Sscan(q, &id.MMSI)
	default:
		id.Name = q
	}
	for _, m := range ix.Match(id) {
		out[m.Entry.Key()] = m.Strength
	}
	// Also plain substring on names, for partial queries ("SAN").
	up := strings.ToUpper(q)
	for _, e := range ix.Entries() {
		if _, ok := out[e.Key()]; ok || digits {
			continue
		}
		for _, n := range append(append([]string{e.Name}, e.Aliases...), e.FormerNames...) {
			if strings.Contains(strings.ToUpper(n), up) {
				out[e.Key()] = 0
				break
			}
		}
	}
	return out
}

func hasProgram(e *sanctions.Entry, p string) bool {
	p = strings.ToUpper(p)
	for _, q := range e.Programs {
		// The UK names the regime in full where OFAC writes DPRK.
		q = strings.ReplaceAll(strings.ToUpper(q), "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA", "DPRK")
		if strings.Contains(q, p) {
			return true
		}
	}
	return false
}

func uints(ns []uint32) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}
