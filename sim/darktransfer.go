package sim

import (
	"math"

	"github.com/lookout-osint/lookout/event"
)

// darkTransferEvents derives possible dark transfers from the other truth
// events: a transfer AIS does not show as an encounter, seen from one side
// as loitering at sea (a loitering truth event overlapping the meeting)
// and a draught change (the transfer's draught truth event). AIS shows no
// partner, so the event names only the visible vessel; the truth knows the
// partner and says so in the evidence.
//
// The partner is unseen when its AIS was off, or when it transmitted but
// the meeting is not covered in what receivers heard (the encounter's
// truth is satellite-only: seeds 9652 and 9653, two tankers heard only by
// satellites). Only the first is certain from AIS: in the second, whether
// a detector sees the pair together depends on which of the partner's few
// positions were heard, so the transfer is satellite-only too (scored by
// neither answer) whatever the loitering's source.
func (w *world) darkTransferEvents(evs []event.Event) []event.Event {
	var out []event.Event
	for _, s := range w.sts {
		mid := (s.meet.from + s.meet.to) / 2
		meet := span{max(s.meet.from, w.t0), min(s.meet.to, w.t1)}
		shown := shownInAIS(s.a.log, s.b.log, meet)
		for _, pair := range [][2]*Hull{{s.a, s.b}, {s.b, s.a}} {
			vis, dark := pair[0], pair[1]
			off := dark.isOff(mid)
			if shown || vis.isOff(mid) {
				continue
			}
			m, partner := vis.identAt(mid).MMSI, dark.identAt(mid).MMSI
			var lo, dr *event.Event
			for i := range evs {
				e := &evs[i]
				if e.MMSI != m {
					continue
				}
				switch {
				case e.Type == event.Loitering && e.Start.Unix() <= s.meet.to && e.End.Unix() >= s.meet.from:
					lo = e
				case e.Type == event.DraughtChange && e.OtherMMSI == partner && e.Evidence["context"] == "encounter" &&
					e.End.Unix() >= s.meet.from:
					dr = e
				}
			}
			if lo == nil || dr == nil {
				continue
			}
			src := lo.Source
			if !off {
				src = event.SourceSatellite
			}
			out = append(out, event.Event{Type: event.PossibleDarkTransfer, MMSI: m, Start: lo.Start, End: lo.End,
				Lat: math.Round(s.lat*1e5) / 1e5, Lon: math.Round(s.lon*1e5) / 1e5, Confidence: 1, Source: src,
				Evidence: map[string]any{
					"partner_mmsi": partner, "partner_ais_off": off, "change_m": dr.Evidence["change_m"],
					"loitering_h": lo.Evidence["duration_h"],
				}})
		}
	}
	return out
}
