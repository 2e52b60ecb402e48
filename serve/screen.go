package serve

import (
	"context"
	"fmt"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/store"
)

// Screen matches every identity the store holds against ix and stores one
// sanctions_match event per matching identity span. It returns how many
// new events were stored (events already stored are not counted again).
// The caller must have exclusive use of st.
func Screen(ctx context.Context, st store.Store, ix *sanctions.Index) (int, error) {
	ms, err := st.FindVessels(ctx, "")
	if err != nil {
		return 0, err
	}
	var ids []sanctions.Identity
	for _, m := range ms {
		hist, err := st.Identities(ctx, m)
		if err != nil {
			return 0, err
		}
		ids = append(ids, spans(hist)...)
	}
	var evs []event.Event
	ix.MatchAll(ids, func(i int, ms []sanctions.Match) {
		if ev, ok := sanctions.Event(ids[i], ms); ok {
			evs = append(evs, ev)
		}
	})
	if len(evs) == 0 {
		return 0, nil
	}
	w, err := st.Write(ctx, &store.Batch{Events: evs})
	if err != nil {
		return 0, fmt.Errorf("storing sanctions matches: %w", err)
	}
	return int(w.Events), nil
}

// spans turns one MMSI's identity reports into the spans over which its
// IMO, name and call sign stayed the same.
func spans(hist []store.Identity) []sanctions.Identity {
	var out []sanctions.Identity
	for _, h := range hist {
		if h.IMO == 0 && h.Name == "" && h.CallSign == "" {
			continue
		}
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.IMO == h.IMO && last.Name == h.Name && last.CallSign == h.CallSign {
				last.Last = h.Time
				continue
			}
		}
		out = append(out, sanctions.Identity{MMSI: h.MMSI, IMO: h.IMO, Name: h.Name, CallSign: h.CallSign, First: h.Time, Last: h.Time})
	}
	return out
}
