package event

import "time"

// What a spoofing event needs to show, for the detector and the
// simulator's truth alike: detect's default Config takes its thresholds
// from here and sim's truth claims no episode below them, so truth never
// claims an episode the detector is designed not to report (and a
// detector change that lowers one is a change of this definition).
//
// A spoof is sustained: at least SpoofMinFixes received positions put
// elsewhere, spanning SpoofMinSpan or more. One or two displaced fixes,
// or a burst of a few minutes, are what a GPS glitch or one receiver's
// bad minute also gives (issue 18). A satellite pass lasts 9-14 minutes:
// a spoof seen in one pass alone is not shown (fresh seed 9503 claimed a
// 12-minute GNSS-displaced run that the detector was right to pass over).
//
// A drawn circle is shown by its received fixes going round it (all four
// sides) at least SpoofCircleTurns times, or by fixes on all four sides
// spanning SpoofInPlaceMin (a circle heard now and then): a ship turning
// once near one spot (a pilot, a ship swinging round in a harbour) goes
// round once, and a 2-hour piece of a circle (fresh seed 7015) is no
// different.
const (
	SpoofMinFixes    = 3
	SpoofMinSpan     = 15 * time.Minute
	SpoofCircleTurns = 2
	SpoofInPlaceMin  = 12 * time.Hour
)
