package sim

import (
	"math/rand/v2"
	"time"

	"github.com/lookout-osint/lookout/geo"
)

// GPS glitches (issue 18): now and then a cargo ship or tanker of the
// normal fleet under way on a lane reports one fix 5–20 km off its track
// (a receiver's bad fix), and the next one is right again. A glitch is no
// spoofing and has no truth event: a detector that reports one is wrong.
// Glitches are kept 40 km or more from any port, so a displaced fix cannot
// fall into a port circle and make a visit either.

// glitchRate is the chance that a position report under way is a glitch:
// about one a fortnight for a ship at sea, a few hundred per 60-day seed.
const glitchRate = 1.0 / 3000

// glitchPurpose seeds the glitch streams (see world.rngFor), apart from
// the emission stream so that glitches change no other message.
const glitchPurpose = 21

// glitchMinPortKm keeps glitches away from ports.
const glitchMinPortKm = 40

// glitch returns a glitched transmitted position for a report at (lat,
// lon) at sog knots, or ok false for a good fix.
func (w *world) glitch(h *Hull, rng *rand.Rand, lat, lon, sog float64) (glat, glon float64, ok bool) {
	if rng.Float64() >= glitchRate || h.Role != "normal" || (h.Kind != "cargo" && h.Kind != "tanker") || sog < 5 {
		return 0, 0, false
	}
	if w.nearestPortKm(lat, lon) < glitchMinPortKm {
		return 0, 0, false
	}
	glat, glon = geo.Destination(lat, lon, rng.Float64()*360, 5+rng.Float64()*15)
	return glat, glon, true
}

// Glitch is one glitched position report that some station heard, as
// glitches.jsonl lists them: the MMSI it went out under, the first receive
// time and the displaced position sent. They are no truth events; `lookout
// eval` counts the spoofing events that fall on one (none should).
type Glitch struct {
	MMSI uint32    `json:"mmsi"`
	Time time.Time `json:"time"`
	Lat  float32   `json:"lat"`
	Lon  float32   `json:"lon"`
}

// receivedGlitches lists the glitches heard, by hull and receive time.
func (w *world) receivedGlitches() []Glitch {
	var out []Glitch
	for _, h := range w.hulls {
		for i := range h.log {
			if r := &h.log[i]; r.glitch && r.kind == rxPosition {
				out = append(out, Glitch{MMSI: r.id.MMSI, Time: time.Unix(r.t, 0).UTC(), Lat: r.lat, Lon: r.lon})
			}
		}
	}
	return out
}
