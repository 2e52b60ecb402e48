package detect

import (
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// loiterState is a run of slow fixes far from shore.
type loiterState struct {
	on             bool
	start, end     time.Time
	sumKn          float64
	sumLat, sumLon float64
	n              int
	minShoreNm     float64
	cut            bool // began with the vessel's first fix: its start is unknown
	// draught is a draught change reported during the run: with the
	// loitering, a possible transfer with a partner whose AIS was off.
	draught *event.Event
}

// loiterPoint extends or ends the vessel's loitering run. A run is broken
// by a fix at or above LoiterSpeedKn, by coming within LoiterShoreNm of the
// shore, or by a silence longer than GapMin (a gap is not loitering).
func (d *Detector) loiterPoint(v *vessel, p *track.Point) {
	s := &v.loiter
	kn := speedOf(v, p)
	// The shore distance is the costliest figure: only ask for slow fixes.
	shoreNm := 0.0
	if kn < d.cfg.LoiterSpeedKn {
		shoreNm = d.shoreKm(p.Lat, p.Lon) / kmPerNm
	}
	slow := kn < d.cfg.LoiterSpeedKn && shoreNm >= d.cfg.LoiterShoreNm && !d.inPortArea(p.Lat, p.Lon)
	if s.on && (!slow || p.Time.Sub(s.end) >= d.cfg.GapMin) {
		d.closeLoiter(v, false)
	}
	if !slow {
		return
	}
	if !s.on {
		*s = loiterState{on: true, start: p.Time, minShoreNm: shoreNm, cut: !v.has}
	}
	s.end = p.Time
	s.sumKn += kn
	s.sumLat += p.Lat
	s.sumLon += p.Lon
	s.n++
	if shoreNm < s.minShoreNm {
		s.minShoreNm = shoreNm
	}
}

// closeLoiter ends the run; atEnd says the data ended, not the run.
func (d *Detector) closeLoiter(v *vessel, atEnd bool) { d.endLoiter(v, &v.segState, atEnd) }

// endLoiter ends the run of segment st of v (the current one, or one left
// waiting). atEnd says the data ended, or the segment is given up, before
// the run was seen to end.
func (d *Detector) endLoiter(v *vessel, st *segState, atEnd bool) {
	s := &st.loiter
	if !s.on {
		return
	}
	s.on = false
	if atEnd && d.now.Sub(s.end) >= d.cfg.GapMin {
		// The run's stream fell silent long before: it ended in the data
		// (a tanker dropping an MMSI it borrowed while drifting), since a
		// silence that long breaks a run. Unless the stream began with an
		// impossible jump away from the MMSI's other one: that is a
		// displaced position, which goes quiet when it jumps back.
		if st.jumped {
			return
		}
		atEnd = false
	}
	dur := s.end.Sub(s.start)
	if dur < d.cfg.LoiterMin || s.n == 0 || (s.cut || atEnd) && !d.cfg.Partial {
		return
	}
	avg := s.sumKn / float64(s.n)
	lo := &event.Event{Type: event.Loitering, MMSI: v.mmsi, Start: s.start, End: s.end,
		Lat: s.sumLat / float64(s.n), Lon: s.sumLon / float64(s.n), Confidence: 0.8, Source: event.SourceAIS,
		Evidence: map[string]any{
			"duration_h":       round(dur.Hours(), 2),
			"avg_speed_kn":     round(avg, 2),
			"min_shore_nm":     round(min(s.minShoreNm, 1e6), 1),
			"fixes":            s.n,
			"speed_limit_kn":   d.cfg.LoiterSpeedKn,
			"shore_minimum_nm": d.cfg.LoiterShoreNm,
		}}
	d.out(lo)
	v.lastLoiter = lo
	if s.draught != nil {
		d.darkTransfer(v, lo, s.draught)
		s.draught = nil
	}
}

// darkTransfer reports loitering at sea during which the draught changed
// with no vessel alongside: the partner of a transfer, if there was one,
// had its AIS off. A satellite image of the spot may show it (package sar
// matches dark detections to it).
func (d *Detector) darkTransfer(v *vessel, lo, dr *event.Event) {
	if d.run&Encounters == 0 {
		// Without the encounter detector nobody is ever seen alongside:
		// every transfer would look dark.
		return
	}
	ev := map[string]any{
		"loitering_h":    lo.Evidence["duration_h"],
		"avg_speed_kn":   lo.Evidence["avg_speed_kn"],
		"min_shore_nm":   lo.Evidence["min_shore_nm"],
		"draught_at":     dr.End.Format(time.RFC3339),
		"partner":        "unseen",
		"loitering_id":   lo.ID(),
		"draught_id":     dr.ID(),
		"old_draught_m":  dr.Evidence["old_draught_m"],
		"new_draught_m":  dr.Evidence["new_draught_m"],
		"change_m":       dr.Evidence["change_m"],
		"encounter_seen": false,
	}
	for _, k := range []string{"cargo_t", "cargo_bbl", "loaded"} {
		if x, ok := dr.Evidence[k]; ok {
			ev[k] = x
		}
	}
	d.out(&event.Event{Type: event.PossibleDarkTransfer, MMSI: v.mmsi, Start: lo.Start, End: lo.End,
		Lat: lo.Lat, Lon: lo.Lon, Confidence: 0.6, Source: event.SourceAIS, Evidence: ev})
}

// inPortArea tells whether a slow fix is in a port or a learned port area
// (an offshore terminal, an anchorage): waiting there is no loitering.
func (d *Detector) inPortArea(lat, lon float64) bool {
	if d.ports.Near(lat, lon, d.exitKm()) {
		return true
	}
	_, _, _, in := d.inLearnedArea(lat, lon, d.cfg.EncounterAreaKm)
	return in
}
