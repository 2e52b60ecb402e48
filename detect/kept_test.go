package detect

import (
	"math"
	"testing"
	"time"
	"unsafe"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/track"
)

// TestVesselRecordSize: a vessel's record is held for every MMSI heard
// (issue 17: 2 kB of state per live vessel); as time.Time and track.Point
// fields it took 1,744 bytes (a 1,792-byte allocation), then 1,344. 48
// are the loitering held for an interference area not yet decided
// (loiterhold.go), and 16 the segments of the latest encounter and close
// approach and when its pair was first together (two hulls under one
// MMSI each judge a draught change with their own encounters). It is
// three allocations now, each held only by a Detector running its
// detectors (24, 352 and 896 bytes; an open absence and the first fix's
// place as a whole kept fix took the third to 1,024).
func TestVesselRecordSize(t *testing.T) {
	if n := unsafe.Sizeof(vessel{}); n > 24 {
		t.Errorf("a vessel's record %d bytes, want at most 24", n)
	}
	if n := unsafe.Sizeof(spoofed{}); n > 352 {
		t.Errorf("the spoofing detector's record of a vessel %d bytes, want at most 352", n)
	}
	if n := unsafe.Sizeof(moveState{}); n > 896 {
		t.Errorf("the other detectors' record of a vessel %d bytes, want at most 896", n)
	}
	if n := unsafe.Sizeof(inPlaceFix{}); n > 16 {
		t.Errorf("a sailing-in-place fix takes %d bytes with its time, want 16", n)
	}
	// A stream's record, one per MMSI at least while its fixes are
	// spoofing's (192 bytes with time.Time fields).
	if n := unsafe.Sizeof(segInfo{}); n > 112 {
		t.Errorf("a stream's record takes %d bytes, want at most 112", n)
	}
	if n := unsafe.Sizeof(turn{}); n > 16 {
		t.Errorf("a circling turn takes %d bytes with its time, want 16", n)
	}
}

// TestKeptPointRoundTrip: a kept fix and a stamp give back what they kept,
// to the bit, as the detectors compare and report it.
func TestKeptPointRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 30, 15, 250_000_000, time.UTC)
	p := track.Point{Fix: track.Fix{MMSI: 273123456, HasPos: true, Class: 'A', Heading: 511 - 300, Status: 7,
		Time: at, Lat: 59.123456789, Lon: -179.99, SOG: 12.3, COG: math.NaN()}, Seg: 3, ImpliedKn: math.NaN(), NewSeg: true}
	got := keepPoint(&p)
	q := got.point()
	if q.Time != p.Time || q.MMSI != p.MMSI || !q.HasPos || q.Class != p.Class || q.Heading != p.Heading ||
		q.Status != p.Status || q.Lat != p.Lat || q.Lon != p.Lon || q.SOG != p.SOG || !math.IsNaN(q.COG) ||
		q.Seg != p.Seg || q.Flag != track.OK || !math.IsNaN(q.ImpliedKn) || !q.NewSeg {
		t.Errorf("kept %+v, gave back %+v", p, q)
	}
	var zero track.Point
	if z := keepPoint(&zero); z.point() != zero || !z.at.isZero() {
		t.Errorf("zero point gave back %+v", z.point())
	}
	if s := stampOf(at); s.time() != at || s.isZero() {
		t.Errorf("stamp of %v gave back %v", at, s.time())
	}
	if s := stampOf(time.Time{}); !s.isZero() || !s.time().IsZero() {
		t.Errorf("zero time stamped %d", s)
	}
}

// TestSpoofingOnlyRecord: a Detector running Spoofing only keeps no other
// detector's state for the vessels it is fed, one running the others none
// of spoofing's, and one widened later (Only) gives every vessel what it
// lacks before it feeds them. MoveSpoofing moves spoofing's part whole.
func TestSpoofingOnlyRecord(t *testing.T) {
	const mmsi = 273123456
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	feed := func(d *Detector, from int) {
		for i := from; i < from+3; i++ {
			d.Point(&track.Point{Fix: track.Fix{MMSI: mmsi, HasPos: true, Time: at.Add(time.Duration(i) * time.Minute),
				Lat: 60 + float64(i)/1000, Lon: 20, SOG: 10, COG: 0}, Seg: 1})
		}
	}
	sp := New(DefaultConfig(), nil, nil, func(*event.Event) {})
	sp.Only(Spoofing)
	rest := New(DefaultConfig(), nil, nil, func(*event.Event) {})
	rest.Only(Movement | Encounters)
	feed(sp, 0)
	feed(rest, 0)
	v, w := sp.vessels[mmsi], rest.vessels[mmsi]
	if v == nil || v.moveState != nil || v.spoofed == nil || !v.spoof.hasLast {
		t.Fatalf("spoofing-only record %+v, want spoofing's state alone", v)
	}
	if w == nil || w.spoofed != nil || w.moveState == nil || !w.has {
		t.Fatalf("record without spoofing %+v, want the other detectors' state alone", w)
	}
	sp.MoveSpoofing(rest, func(uint32) bool { return true })
	if v.spoofed != nil || w.spoofed == nil || !w.spoof.hasLast {
		t.Fatal("spoofing's state not moved whole")
	}
	sp.Only(All)
	rest.Only(All)
	if v.moveState == nil || v.spoofed == nil {
		t.Fatal("widened to All, the vessel still lacks a detector's state")
	}
	feed(sp, 60)
	feed(rest, 60)
	sp.Flush()
	rest.Flush()
}
