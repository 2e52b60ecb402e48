package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/trips"
)

// fleetFlags choose the fleet whose trips lookout trips and lookout report
// count (trips.Fleet).
type fleetFlags struct {
	fleet       trips.Fleet
	shipTypes   string
	vesselsFile string
	list        trips.Numbers
}

// add registers the flags; verb says what the command does with the
// fleet ("count", "report").
func (f *fleetFlags) add(cmd *cobra.Command, verb string) {
	fl := cmd.Flags()
	fl.BoolVar(&f.fleet.Listed, "listed", false, verb+" only vessels matched against a sanctions list (sanctions_match events)")
	fl.BoolVar(&f.fleet.MetListed, "met-listed", false, verb+" only vessels that met a listed vessel at sea (with --listed: either)")
	fl.StringSliceVar(&f.fleet.Flags, "flag", nil, verb+" only vessels of these flags (ISO codes from the MMSI, e.g. KP)")
	fl.StringVar(&f.shipTypes, "ship-type", "", verb+" only these AIS ship types: tanker, cargo, passenger, fishing, tug, a code (80) or a range (80-89)")
	fl.StringVar(&f.vesselsFile, "vessels", "", verb+" only the vessels of this file: one MMSI or IMO number a line (# comments)")
}

// parse checks the flags and reads the list, before any long work.
func (f *fleetFlags) parse() error {
	var err error
	if f.shipTypes != "" {
		if f.fleet.ShipTypes, err = trips.ParseShipTypes(f.shipTypes); err != nil {
			return fmt.Errorf("--ship-type: %w", err)
		}
	}
	if f.vesselsFile == "" {
		return nil
	}
	fh, err := os.Open(f.vesselsFile)
	if err != nil {
		return fmt.Errorf("--vessels: %w", err)
	}
	defer fh.Close()
	if f.list, err = trips.ReadNumbers(fh); err != nil {
		return fmt.Errorf("--vessels %s: %w", f.vesselsFile, err)
	}
	return nil
}

// resolve returns the fleet, its IMO numbers turned into MMSIs through the
// store's identity reports; st is nil when the events come from files.
func (f *fleetFlags) resolve(ctx context.Context, st store.Store) (trips.Fleet, error) {
	fleet := f.fleet
	if st == nil && len(fleet.ShipTypes) > 0 {
		return fleet, fmt.Errorf("--ship-type needs the vessels' identity reports: read the store (--db) rather than event files")
	}
	if f.vesselsFile == "" {
		return fleet, nil
	}
	fleet.MMSIs = map[uint32]bool{}
	for _, m := range f.list.MMSIs {
		fleet.MMSIs[m] = true
	}
	if len(f.list.IMOs) > 0 && st == nil {
		return fleet, fmt.Errorf("--vessels %s: IMO numbers (%d) need the store's identity reports to find their MMSIs: read the store (--db), or list MMSIs", f.vesselsFile, len(f.list.IMOs))
	}
	for _, imo := range f.list.IMOs {
		ms, err := st.FindVessels(ctx, strconv.FormatUint(uint64(imo), 10))
		if err != nil {
			return fleet, err
		}
		// FindVessels also matches names containing the digits: keep the
		// MMSIs that reported this IMO number at some time.
		for _, m := range ms {
			hist, err := st.Identities(ctx, m)
			if err != nil {
				return fleet, err
			}
			if slices.ContainsFunc(hist, func(id store.Identity) bool { return id.IMO == imo }) {
				fleet.MMSIs[m] = true
			}
		}
	}
	return fleet, nil
}
