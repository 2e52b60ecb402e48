package output

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// Vessel is what the store knows about one MMSI.
type Vessel struct {
	MMSI uint32 `json:"mmsi"`
	Flag string `json:"flag,omitempty"`
	// Identities is the identity history with consecutive identical
	// records (apart from their time) merged: each entry is a change.
	Identities []store.Identity `json:"identities"`
	PortCalls  []event.Event    `json:"port_calls"`
	Events     []event.Event    `json:"events"`
	Positions  int              `json:"positions"`
	FirstSeen  time.Time        `json:"first_seen,omitzero"`
	LastSeen   time.Time        `json:"last_seen,omitzero"`
}

// LoadVessel gathers a vessel's identity history, port calls, other events
// and the span of its stored positions.
func LoadVessel(ctx context.Context, st store.Store, mmsi uint32) (Vessel, error) {
	v := Vessel{MMSI: mmsi, Identities: []store.Identity{}, PortCalls: []event.Event{}, Events: []event.Event{}}
	ids, err := st.Identities(ctx, mmsi)
	if err != nil {
		return v, err
	}
	for _, id := range ids {
		if n := len(v.Identities); n > 0 && sameIdentity(v.Identities[n-1], id) {
			continue
		}
		v.Identities = append(v.Identities, id)
	}
	evs, err := st.Events(ctx, store.EventQuery{MMSI: mmsi})
	if err != nil {
		return v, err
	}
	for _, e := range evs {
		if e.Type == event.PortVisit {
			v.PortCalls = append(v.PortCalls, e)
		} else {
			v.Events = append(v.Events, e)
		}
	}
	ps, err := st.Track(ctx, mmsi, time.Time{}, time.Time{})
	if err != nil {
		return v, err
	}
	v.Positions = len(ps)
	if len(ps) > 0 {
		v.FirstSeen, v.LastSeen = ps[0].Time, ps[len(ps)-1].Time
	}
	return v, nil
}

func sameIdentity(a, b store.Identity) bool {
	a.Time, b.Time = time.Time{}, time.Time{}
	return a == b
}

// WriteText writes the vessel as a readable report.
func (v *Vessel) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "MMSI %d", v.MMSI)
	if v.Flag != "" {
		fmt.Fprintf(tw, " (flag %s)", v.Flag)
	}
	fmt.Fprintln(tw)
	if v.Positions > 0 {
		fmt.Fprintf(tw, "%d positions from %s to %s\n", v.Positions, v.FirstSeen.Format(time.RFC3339), v.LastSeen.Format(time.RFC3339))
	} else {
		fmt.Fprintln(tw, "no positions stored")
	}
	fmt.Fprintf(tw, "\nIdentity history (%d)\n", len(v.Identities))
	if len(v.Identities) > 0 {
		fmt.Fprintln(tw, "FROM\tIMO\tNAME\tCALL SIGN\tTYPE\tLENGTH\tBEAM\tDRAUGHT\tDESTINATION")
		for _, id := range v.Identities {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id.Time.Format(time.RFC3339), zero(id.IMO), id.Name, id.CallSign,
				zero(id.ShipType), zero(id.Length), zero(id.Beam), zero(id.Draught), id.Destination)
		}
	}
	fmt.Fprintf(tw, "\nPort calls (%d)\n", len(v.PortCalls))
	if len(v.PortCalls) > 0 {
		fmt.Fprintln(tw, "ARRIVED\tLEFT\tHOURS\tPORT\tPORT ID\tGROUP\tCONFIDENCE")
		for _, e := range v.PortCalls {
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%s\t%s\t%s\t%g\n", e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339),
				e.Duration().Hours(), e.Port, e.PortID, e.PortGroup, e.Confidence)
		}
	}
	fmt.Fprintf(tw, "\nOther events (%d)\n", len(v.Events))
	if len(v.Events) > 0 {
		fmt.Fprintln(tw, "TYPE\tSTART\tEND\tHOURS\tOTHER\tLAT\tLON\tCONFIDENCE\tEVIDENCE")
		for _, e := range v.Events {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\t%.4f\t%.4f\t%.2f\t%s\n", e.Type, e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339),
				e.Duration().Hours(), zero(e.OtherMMSI), e.Lat, e.Lon, e.Confidence, evidence(e.Evidence))
		}
	}
	return tw.Flush()
}

func zero[T uint8 | uint32 | float32](v T) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprint(v)
}

func evidence(m map[string]any) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		v := m[k]
		// Evidence read back from JSON holds every number as float64;
		// %v would print an IMO number as 1.355294e+06.
		if f, ok := v.(float64); ok {
			v = strconv.FormatFloat(f, 'f', -1, 64)
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	return strings.Join(parts, " ")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
