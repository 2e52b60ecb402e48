package sanctions

import (
	"github.com/lookout-osint/lookout/event"
)

// Event turns the matches of one identity (as returned by Match, strongest
// first) into one sanctions_match event. One event per identity, not per
// entry: the event ID is derived from type, MMSI and start, so two events
// for one identity would collide. The strongest match fills the top-level
// evidence; every match, with its fields, is under "matches".
func Event(id Identity, ms []Match) (event.Event, bool) {
	if len(ms) == 0 {
		return event.Event{}, false
	}
	best := ms[0]
	all := make([]map[string]any, 0, len(ms))
	for _, m := range ms {
		fields := make([]map[string]any, 0, len(m.Fields))
		for _, f := range m.Fields {
			fields = append(fields, map[string]any{
				"field": f.Field, "observed": f.Observed, "listed": f.Listed,
				"strength": f.Strength, "reason": f.Reason,
			})
		}
		all = append(all, map[string]any{
			"list": m.Entry.List, "entry_id": m.Entry.ListID, "entry_name": m.Entry.Name,
			"programs": m.Entry.Programs, "strength": m.Strength, "exact": m.Exact,
			"reason": m.Reason, "fields": fields,
		})
	}
	ev := event.Event{
		Type:       event.SanctionsMatch,
		MMSI:       id.MMSI,
		Start:      id.First,
		End:        id.Last,
		Confidence: best.Strength,
		Source:     event.SourceAIS,
		Evidence: map[string]any{
			"list":             best.Entry.List,
			"entry_id":         best.Entry.ListID,
			"entry_name":       best.Entry.Name,
			"programs":         best.Entry.Programs,
			"matched_field":    best.Fields[0].Field,
			"observed_value":   best.Fields[0].Observed,
			"listed_value":     best.Fields[0].Listed,
			"strength":         best.Strength,
			"exact":            best.Exact,
			"reason":           best.Reason,
			"vessel_name":      id.Name,
			"vessel_imo":       id.IMO,
			"vessel_call_sign": id.CallSign,
			"matches":          all,
		},
	}
	return ev, true
}
