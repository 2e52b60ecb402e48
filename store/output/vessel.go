package output

import (
	"context"
	"database/sql"
	"fmt"
	"io"
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
	v.Identities = Changes(ids)
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
	v.Positions, v.FirstSeen, v.LastSeen, err = Seen(ctx, st, mmsi)
	return v, err
}

// Seen counts a vessel's stored positions and gives the first and last:
// when it was seen is when it was heard at a place, not when it last sent
// its name (static reports come every six minutes at best, and a vessel
// may send none at all).
func Seen(ctx context.Context, st store.Store, mmsi uint32) (n int, first, last time.Time, err error) {
	// A store that takes SQL answers from its index, without sending the
	// whole track (a dossier asks on every request).
	if db, ok := st.(interface{ DB() *sql.DB }); ok {
		var lo, hi sql.NullTime
		err = db.DB().QueryRowContext(ctx, `SELECT count(*), min(ts), max(ts) FROM positions WHERE mmsi = ?`, int64(mmsi)).Scan(&n, &lo, &hi)
		if err != nil || n == 0 {
			return 0, first, last, err
		}
		return n, lo.Time.UTC(), hi.Time.UTC(), nil
	}
	ps, err := st.Track(ctx, mmsi, time.Time{}, time.Time{})
	if err != nil || len(ps) == 0 {
		return 0, first, last, err
	}
	return len(ps), ps[0].Time, ps[len(ps)-1].Time, nil
}

// Changes keeps the changes of an identity history: consecutive reports
// identical apart from their time are one entry, the first. Never nil.
func Changes(ids []store.Identity) []store.Identity {
	out := []store.Identity{}
	for _, id := range ids {
		if n := len(out); n > 0 {
			a, b := out[n-1], id
			a.Time, b.Time = time.Time{}, time.Time{}
			if a == b {
				continue
			}
		}
		out = append(out, id)
	}
	return out
}

// WriteText writes the vessel as a readable report.
func (v *Vessel) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	id := Latest(v.Identities)
	if id.Name != "" {
		fmt.Fprintf(tw, "%s · ", id.Name)
	}
	fmt.Fprintf(tw, "MMSI %d", v.MMSI)
	if id.IMO != 0 {
		fmt.Fprintf(tw, " · IMO %d", id.IMO)
	}
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
		fmt.Fprintln(tw, "TYPE\tSTART\tEND\tHOURS\tOTHER\tPOSITION\tCONFIDENCE\tEVIDENCE")
		for _, e := range v.Events {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\t%s\t%.2f\t%s\n", e.Type, e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339),
				e.Duration().Hours(), zero(v.other(e)), e.PlaceText(), e.Confidence, event.EvidenceText(e.Evidence))
		}
	}
	return tw.Flush()
}

// other is the other vessel of one of v's events: an encounter stored
// under the partner's MMSI names v as its other vessel.
func (v *Vessel) other(e event.Event) uint32 {
	if e.MMSI != v.MMSI {
		return e.MMSI
	}
	return e.OtherMMSI
}

func zero[T uint8 | uint32 | float32](v T) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprint(v)
}
