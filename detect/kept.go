package detect

import (
	"time"

	"github.com/lookout-osint/lookout/track"
)

// What the detectors keep per vessel is mostly times and fixes: as
// time.Time (24 bytes) and track.Point (112) they made a vessel's record
// 1.7 kB. Kept, they are a stamp (8 bytes) and a keptPoint (64). Every
// source gives UTC times without a monotonic reading (each converts its
// own), which is what a stamp gives back: the same time.Time, to the bit.
// A time in another location (the NATS stage's clock, time.Unix) comes
// back as the same instant in UTC: compared alike, and written alike,
// since events are written in UTC.

// stamp is a time as Unix nanoseconds; 0 is the zero time.Time (the
// tracker passes on no time before 2000).
type stamp int64

func stampOf(t time.Time) stamp {
	if t.IsZero() {
		return 0
	}
	return stamp(t.UnixNano())
}

func (s stamp) time() time.Time {
	if s == 0 {
		return time.Time{}
	}
	return nsTime(int64(s))
}

func (s stamp) isZero() bool { return s == 0 }

// keptPoint is a positioned, unflagged track.Point (the only ones the
// detectors keep as a vessel's first, last or latest fixes), or the zero
// Point.
type keptPoint struct {
	at                            stamp
	lat, lon, sog, cog, impliedKn float64
	seg                           int32
	mmsi                          uint32
	heading                       int16
	status, class                 uint8
	newSeg                        bool
}

func keepPoint(p *track.Point) keptPoint {
	return keptPoint{at: stampOf(p.Time), lat: p.Lat, lon: p.Lon, sog: p.SOG, cog: p.COG, impliedKn: p.ImpliedKn,
		seg: int32(p.Seg), mmsi: p.MMSI, heading: p.Heading, status: p.Status, class: p.Class, newSeg: p.NewSeg}
}

// keptPlace is where and when a fix was, where that is all the detectors
// read of it (a vessel's first fix): 24 bytes to a keptPoint's 64.
type keptPlace struct {
	at       stamp
	lat, lon float64
}

func placeOf(p *track.Point) keptPlace { return keptPlace{stampOf(p.Time), p.Lat, p.Lon} }

// point is k as the track.Point it was kept from.
func (k *keptPoint) point() track.Point {
	if k.at == 0 {
		return track.Point{}
	}
	return track.Point{Fix: track.Fix{MMSI: k.mmsi, HasPos: true, Class: k.class, Heading: k.heading, Status: k.status,
		Time: k.at.time(), Lat: k.lat, Lon: k.lon, SOG: k.sog, COG: k.cog}, Seg: int(k.seg), ImpliedKn: k.impliedKn, NewSeg: k.newSeg}
}
