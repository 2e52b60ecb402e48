// Package storetest is the conformance suite every store.Store backend
// passes. A backend's test calls Run with a function that opens a fresh,
// empty store.
package storetest

import (
	"cmp"
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// Opener returns a new, empty store; Run closes it.
type Opener func(t *testing.T) store.Store

// Run runs the conformance suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Track", testTrack},
		{"ScanPositions", testScanPositions},
		{"Identities", testIdentities},
		{"EventsIdempotent", testEventsIdempotent},
		{"ProvisionalEvents", testProvisionalEvents},
		{"AddProvisional", testAddProvisional},
		{"EventQueries", testEventQueries},
		{"FailedBatchStoresNothing", testFailedBatch},
		{"Files", testFiles},
		{"Reception", testReception},
		{"QuarantinedPositions", testQuarantined},
		{"Checkpoints", testCheckpoints},
		{"FindVessels", testFindVessels},
		{"LearnedPorts", testLearnedPorts},
		{"Downsample", testDownsample},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			tc.fn(t, s)
		})
	}
}

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func write(t *testing.T, s store.Store, b *store.Batch) store.Written {
	t.Helper()
	w, err := s.Write(context.Background(), b)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if w.Positions != int64(len(b.Positions)) || w.Identities != int64(len(b.Identities)) {
		t.Fatalf("Write reported %+v for %d positions and %d identities", w, len(b.Positions), len(b.Identities))
	}
	return w
}

func counts(t *testing.T, s store.Store) store.Counts {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return c
}

// positions makes n fixes each for the given vessels, one a minute,
// interleaved across vessels the way a receiver hears them.
func positions(n int, mmsis ...uint32) []store.Position {
	var out []store.Position
	for i := 0; i < n; i++ {
		for j, m := range mmsis {
			out = append(out, store.Position{
				MMSI: m, Time: t0.Add(time.Duration(i) * time.Minute),
				Lat: 42.5 + float64(i)*0.001, Lon: 131.25 + float64(j)*0.01,
				SOG: float32(i%20) / 2, COG: float32(i * 7 % 360), Heading: int16(i * 7 % 360),
				Status: uint8(i % 16), Station: "rx" + string(rune('A'+j)), Flags: uint32(i % 3),
			})
		}
	}
	return out
}

func samePosition(a, b store.Position) bool {
	nanEq := func(x, y float32) bool { return x == y || (store.IsNaN32(x) && store.IsNaN32(y)) }
	return a.MMSI == b.MMSI && a.Time.Equal(b.Time) && a.Lat == b.Lat && a.Lon == b.Lon &&
		nanEq(a.SOG, b.SOG) && nanEq(a.COG, b.COG) && a.Heading == b.Heading &&
		a.Status == b.Status && a.Station == b.Station && a.Flags == b.Flags
}

func testTrack(t *testing.T, s store.Store) {
	ctx := context.Background()
	ps := positions(50, 273000001, 273000002, 273000003)
	// Unknown speed, course, heading and station must survive as unknown.
	ps[4].SOG, ps[4].COG, ps[4].Heading, ps[4].Station = store.NaN32, store.NaN32, -1, ""
	// Two batches, the second out of time order, as a re-ordered feed gives.
	write(t, s, &store.Batch{Positions: ps[75:]})
	write(t, s, &store.Batch{Positions: ps[:75]})
	if got := counts(t, s).Positions; got != int64(len(ps)) {
		t.Fatalf("positions stored = %d, want %d", got, len(ps))
	}
	var want []store.Position
	for _, p := range ps {
		if p.MMSI == 273000002 {
			want = append(want, p)
		}
	}
	got, err := s.Track(ctx, 273000002, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("track has %d positions, want %d", len(got), len(want))
	}
	for i := range want {
		if !samePosition(got[i], want[i]) {
			t.Fatalf("track[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The time window is half-open: since included, until excluded.
	got, err = s.Track(ctx, 273000002, t0.Add(10*time.Minute), t0.Add(20*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 || !got[0].Time.Equal(t0.Add(10*time.Minute)) || !got[9].Time.Equal(t0.Add(19*time.Minute)) {
		t.Fatalf("windowed track: %d positions from %v to %v, want 10 from +10m to +19m", len(got), first(got), last(got))
	}
	got, err = s.Track(ctx, 999999999, time.Time{}, time.Time{})
	if err != nil || len(got) != 0 {
		t.Fatalf("track of unknown vessel = %d positions, %v; want none", len(got), err)
	}
}

func first(ps []store.Position) time.Time {
	if len(ps) == 0 {
		return time.Time{}
	}
	return ps[0].Time
}

func last(ps []store.Position) time.Time {
	if len(ps) == 0 {
		return time.Time{}
	}
	return ps[len(ps)-1].Time
}

func testScanPositions(t *testing.T, s store.Store) {
	ps := positions(30, 1, 2)
	write(t, s, &store.Batch{Positions: ps})
	var got []store.Position
	err := s.ScanPositions(context.Background(), t0.Add(5*time.Minute), t0.Add(25*time.Minute), func(p *store.Position) error {
		got = append(got, *p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 40 {
		t.Fatalf("scanned %d positions, want 40", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Time.Before(got[i-1].Time) {
			t.Fatalf("scan out of time order at %d: %v after %v", i, got[i].Time, got[i-1].Time)
		}
	}
	stop := errors.New("stop")
	n := 0
	err = s.ScanPositions(context.Background(), time.Time{}, time.Time{}, func(*store.Position) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("callback error: got %v after %d calls, want it returned after 1", err, n)
	}
}

func testIdentities(t *testing.T, s store.Store) {
	ids := []store.Identity{
		{MMSI: 620000001, Time: t0.Add(2 * time.Hour), IMO: 8914556, Name: "NEW NAME", CallSign: "D6AB2", ShipType: 80, Length: 110, Beam: 17.5, Draught: 7.2, Destination: "NAMPO"},
		{MMSI: 620000001, Time: t0, IMO: 8914556, Name: "OLD NAME", CallSign: "D6AB1", ShipType: 80, Length: 110, Beam: 17.5, Draught: 4.1, Destination: "VOSTOCHNYY"},
		{MMSI: 620000002, Time: t0, Name: "OTHER"},
	}
	write(t, s, &store.Batch{Identities: ids})
	got, err := s.Identities(context.Background(), 620000001)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Identity{ids[1], ids[0]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("identity history:\n got %+v\nwant %+v", got, want)
	}
	got, err = s.Identities(context.Background(), 620000002)
	if err != nil || len(got) != 1 || got[0] != ids[2] {
		t.Fatalf("sparse identity = %+v, %v; want %+v (unreported fields stay zero)", got, err, ids[2])
	}
}

func sampleEvents() []event.Event {
	return []event.Event{
		{Type: event.PortVisit, MMSI: 1, Start: t0, End: t0.Add(30 * time.Hour), Lat: 42.73, Lon: 133.07,
			Port: "VOSTOCHNYY", PortID: "60460", PortGroup: "RU-FE", Confidence: 4, Source: event.SourceAIS,
			Evidence: map[string]any{"min_distance_km": 0.8, "messages": float64(120)}},
		{Type: event.Encounter, MMSI: 1, OtherMMSI: 2, Start: t0.Add(48 * time.Hour), End: t0.Add(53 * time.Hour),
			Lat: 38.9, Lon: 124.1, Confidence: 0.9, Evidence: map[string]any{"min_distance_m": 120.0}},
		{Type: event.Gap, MMSI: 2, Start: t0.Add(100 * time.Hour), End: t0.Add(130 * time.Hour), Lat: 38.5, Lon: 125.0,
			Confidence: 0.7, Evidence: map[string]any{"deliberate": true}},
		{Type: event.Loitering, MMSI: 3, Start: t0.Add(10 * time.Hour), End: t0.Add(16 * time.Hour), Lat: 51.0, Lon: 179.5, Confidence: 0.5},
		{Type: event.Loitering, MMSI: 3, Start: t0.Add(20 * time.Hour), End: t0.Add(26 * time.Hour), Lat: 51.0, Lon: -179.5, Confidence: 0.5},
	}
}

func testEventsIdempotent(t *testing.T, s store.Store) {
	evs := sampleEvents()
	// The same event twice in one batch, then the whole set again: stored once.
	if w := write(t, s, &store.Batch{Events: append(slices.Clone(evs), evs[0])}); w.Events != int64(len(evs)) {
		t.Errorf("first Write added %d events, want %d", w.Events, len(evs))
	}
	if w := write(t, s, &store.Batch{Events: evs}); w.Events != 0 {
		t.Errorf("second Write of the same events added %d, want 0", w.Events)
	}
	if got := counts(t, s).Events; got != int64(len(evs)) {
		t.Fatalf("events stored = %d, want %d", got, len(evs))
	}
	got, err := s.Events(context.Background(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(evs) {
		t.Fatalf("got %d events, want %d", len(got), len(evs))
	}
	byID := map[string]event.Event{}
	for _, e := range got {
		byID[e.ID()] = e
	}
	for _, e := range evs {
		g, ok := byID[e.ID()]
		if !ok {
			t.Fatalf("event %s (%s) missing", e.ID(), e.Type)
		}
		if !reflect.DeepEqual(g, e) {
			t.Errorf("event round trip:\n got %+v\nwant %+v", g, e)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i].Start.Before(got[i-1].Start) {
			t.Fatalf("events not in start order")
		}
	}
}

// testProvisionalEvents: what a run leaves open is stored provisionally;
// the next run's provisional set replaces it whole, and a final version
// (same ID, the vessel left port since) replaces a provisional one, while a
// final event is never replaced.
func testProvisionalEvents(t *testing.T, s store.Store) {
	evs := sampleEvents()
	final, open1, open2, stale := evs[0], evs[1], evs[2], evs[3]
	write(t, s, &store.Batch{Events: []event.Event{final}})

	// Run 1 ends with three events open.
	shortFinal := final
	shortFinal.End = final.End.Add(-time.Hour)
	if w := write(t, s, &store.Batch{Events: []event.Event{open1, open2, stale, shortFinal}, Provisional: true}); w.Events != 3 {
		t.Errorf("provisional write added %d events, want 3 (a final event is never replaced)", w.Events)
	}
	// Events says which are open: the provisional ones.
	got, err := s.Events(context.Background(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range got {
		if want := g.ID() != final.ID(); g.Open != want {
			t.Errorf("after run 1, %s %s has Open %v, want %v", g.Type, g.ID(), g.Open, want)
		}
	}
	// Run 2 finds open1 closed, longer: it replaces the provisional one.
	closed1 := open1
	closed1.End = open1.End.Add(5 * time.Hour)
	closed1.Evidence = map[string]any{"min_distance_m": 80.0}
	// It replaces, and so adds nothing: the figures an ingest prints are
	// how much the store's total grew.
	if w := write(t, s, &store.Batch{Events: []event.Event{closed1}}); w.Events != 0 {
		t.Errorf("final version of a provisional event: %d events added, want 0", w.Events)
	}
	// Run 2 ends with open2 longer and still open; stale is not open any
	// more (its provisional version must go), and open1's provisional
	// version, emitted again, must not undo the final one. The store holds
	// one event fewer: the stale one.
	longer2 := open2
	longer2.End = open2.End.Add(10 * time.Hour)
	for i, want := range []int64{-1, 0} { // idempotent
		if w := write(t, s, &store.Batch{Events: []event.Event{longer2, open1}, Provisional: true}); w.Events != want {
			t.Errorf("provisional write %d: %d events added, want %d", i+1, w.Events, want)
		}
	}
	// A final event with a known ID that is already final changes nothing.
	again := final
	again.End = final.End.Add(time.Hour)
	if w := write(t, s, &store.Batch{Events: []event.Event{again}}); w.Events != 0 {
		t.Errorf("a final event replaced another final one (%d rows)", w.Events)
	}

	longer2.Open = true
	storedAre(t, s, final, closed1, longer2)
}

// storedAre requires the store to hold the events want (end, evidence and
// open flag), and no others (a stale provisional event kept).
func storedAre(t *testing.T, s store.Store, want ...event.Event) {
	t.Helper()
	got, err := s.Events(context.Background(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]event.Event{}
	for _, e := range got {
		byID[e.ID()] = e
	}
	if len(got) != len(want) {
		t.Errorf("%d events stored, want %d (stale provisional event kept?)", len(got), len(want))
	}
	for _, w := range want {
		g, ok := byID[w.ID()]
		if !ok {
			t.Errorf("%s %s missing", w.Type, w.ID())
			continue
		}
		if !g.End.Equal(w.End) || !reflect.DeepEqual(g.Evidence, w.Evidence) || g.Open != w.Open {
			t.Errorf("%s: stored end %s evidence %v open %v, want %s %v open %v", w.Type, g.End, g.Evidence, g.Open, w.End, w.Evidence, w.Open)
		}
	}
}

// testAddProvisional: writers that each store part of what a run left open
// (Batch.AddProvisional) keep each other's provisional events; a writer's
// newer version replaces its older one, a final version replaces both, and
// a provisional one never replaces a final event.
func testAddProvisional(t *testing.T, s store.Store) {
	evs := sampleEvents()
	final, open1, open2 := evs[0], evs[1], evs[2]
	write(t, s, &store.Batch{Events: []event.Event{final}})
	add := func(e ...event.Event) store.Written {
		return write(t, s, &store.Batch{Events: e, Provisional: true, AddProvisional: true})
	}
	if w := add(open1, final); w.Events != 1 {
		t.Errorf("first writer: %d events added, want 1", w.Events)
	}
	if w := add(open2); w.Events != 1 {
		t.Errorf("second writer: %d events added, want 1 (the first one's kept)", w.Events)
	}
	longer1 := open1
	longer1.End = open1.End.Add(3 * time.Hour)
	if w := add(longer1); w.Events != 0 {
		t.Errorf("newer provisional version: %d events added, want 0", w.Events)
	}
	closed2 := open2
	closed2.End = open2.End.Add(time.Hour)
	if w := write(t, s, &store.Batch{Events: []event.Event{closed2}}); w.Events != 0 {
		t.Errorf("final version: %d events added, want 0", w.Events)
	}
	longer1.Open = true
	storedAre(t, s, final, longer1, closed2)
}

func testEventQueries(t *testing.T, s store.Store) {
	evs := sampleEvents()
	write(t, s, &store.Batch{Events: evs})
	cases := []struct {
		name string
		q    store.EventQuery
		want []int // indexes into evs
	}{
		{"type", store.EventQuery{Types: []event.Type{event.Gap, event.Encounter}}, []int{1, 2}},
		{"vessel matches other_mmsi", store.EventQuery{MMSI: 2}, []int{1, 2}},
		{"since overlaps", store.EventQuery{Since: t0.Add(29 * time.Hour)}, []int{0, 1, 2}},
		{"until excludes start", store.EventQuery{Until: t0.Add(10 * time.Hour)}, []int{0}},
		{"window", store.EventQuery{Since: t0.Add(31 * time.Hour), Until: t0.Add(101 * time.Hour)}, []int{1, 2}},
		{"bbox", store.EventQuery{BBox: &store.BBox{MinLon: 120, MinLat: 35, MaxLon: 130, MaxLat: 40}}, []int{1, 2}},
		{"bbox across antimeridian", store.EventQuery{BBox: &store.BBox{MinLon: 179, MinLat: 50, MaxLon: -179, MaxLat: 52}}, []int{3, 4}},
		{"limit", store.EventQuery{Limit: 2}, []int{0, 3}},
		{"nothing", store.EventQuery{MMSI: 42}, nil},
	}
	for _, c := range cases {
		got, err := s.Events(context.Background(), c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var gotIDs, wantIDs []string
		for _, e := range got {
			gotIDs = append(gotIDs, e.ID())
		}
		for _, i := range c.want {
			wantIDs = append(wantIDs, evs[i].ID())
		}
		slices.Sort(gotIDs)
		slices.Sort(wantIDs)
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("%s: got %d events %v, want %v", c.name, len(got), gotIDs, wantIDs)
		}
	}
}

func testFailedBatch(t *testing.T, s store.Store) {
	// Evidence that cannot be encoded fails the batch after its positions
	// and identities were sent: none of it may remain.
	bad := sampleEvents()[:1]
	bad[0].Evidence = map[string]any{"x": math.Inf(1)}
	_, err := s.Write(context.Background(), &store.Batch{
		Positions:   positions(10, 1),
		Identities:  []store.Identity{{MMSI: 1, Time: t0, Name: "X"}},
		Events:      bad,
		Checkpoints: []store.Checkpoint{{MMSI: 1, Data: []byte("state")}},
		File:        &store.File{Hash: "abc", Name: "f", Positions: 10},
	})
	if err == nil {
		t.Fatal("Write with unencodable evidence succeeded")
	}
	if c := counts(t, s); c != (store.Counts{}) {
		t.Fatalf("failed batch left rows behind: %+v", c)
	}
	// The store is still usable afterwards.
	write(t, s, &store.Batch{Positions: positions(3, 1)})
	if got := counts(t, s).Positions; got != 3 {
		t.Fatalf("positions after recovery = %d, want 3", got)
	}
}

func testFiles(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.File(ctx, "feed"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("File of unknown hash: err = %v, want ErrNotFound", err)
	}
	f := store.File{Hash: "feed", Name: "a.nmea", Size: 1234, Positions: 10, Identities: 2, Events: 1}
	write(t, s, &store.Batch{File: &f, Positions: positions(10, 7)})
	f.Positions, f.Done = 20, true
	write(t, s, &store.Batch{File: &f, Positions: positions(10, 8)})
	got, err := s.File(ctx, "feed")
	if err != nil {
		t.Fatal(err)
	}
	if got.Updated.IsZero() || time.Since(got.Updated) > time.Hour {
		t.Errorf("Updated = %v, want about now", got.Updated)
	}
	got.Updated = time.Time{}
	if got != f {
		t.Fatalf("file record = %+v, want %+v", got, f)
	}
	if c := counts(t, s); c.Files != 1 || c.Positions != 20 {
		t.Fatalf("counts = %+v, want 1 file and 20 positions", c)
	}
}

func testCheckpoints(t *testing.T, s store.Store) {
	ctx := context.Background()
	write(t, s, &store.Batch{Checkpoints: []store.Checkpoint{{MMSI: 0, Data: []byte("global")}, {MMSI: 5, Data: []byte("v1")}, {MMSI: 6, Data: []byte{0, 1, 2}}}})
	write(t, s, &store.Batch{Checkpoints: []store.Checkpoint{{MMSI: 5, Data: []byte("v2")}, {MMSI: 6}}})
	var got []store.Checkpoint
	if err := s.Checkpoints(ctx, func(c store.Checkpoint) error {
		got = append(got, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b store.Checkpoint) int { return int(a.MMSI) - int(b.MMSI) })
	want := []store.Checkpoint{{MMSI: 0, Data: []byte("global")}, {MMSI: 5, Data: []byte("v2")}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("checkpoints = %v, want %v", got, want)
	}
}

func testFindVessels(t *testing.T, s store.Store) {
	write(t, s, &store.Batch{
		Identities: []store.Identity{
			{MMSI: 620000001, Time: t0, IMO: 8914556, Name: "SAEBYOL"},
			{MMSI: 620000001, Time: t0.Add(time.Hour), IMO: 8914556, Name: "CHON MA SAN"},
			{MMSI: 351000002, Time: t0, IMO: 9123456, Name: "NEW CHONMA"},
			{MMSI: 351000003, Time: t0, Name: "100% PURE"},
		},
		Positions: positions(2, 273000009),
	})
	cases := []struct {
		q    string
		want []uint32
	}{
		{"620000001", []uint32{620000001}},
		{"8914556", []uint32{620000001}},
		{"273000009", []uint32{273000009}},
		{"saebyol", []uint32{620000001}},
		{"chon", []uint32{351000002, 620000001}},
		{" Chon Ma ", []uint32{620000001}},
		{"0% P", []uint32{351000003}},
		{"%", []uint32{351000003}},
		{"_", nil},
		{"nobody", nil},
	}
	for _, c := range cases {
		got, err := s.FindVessels(context.Background(), c.q)
		if err != nil {
			t.Fatalf("FindVessels(%q): %v", c.q, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("FindVessels(%q) = %v, want %v", c.q, got, c.want)
		}
	}
}

// testReception: the store's own counts per station and day and per cell
// equal those of a scan of the positions, across days, stations (one
// unknown), both hemispheres, cell edges and the window's bounds.
func testReception(t *testing.T, s store.Store) {
	ctx := context.Background()
	rc, ok := s.(store.ReceptionCounter)
	if !ok {
		t.Fatalf("%T is not a store.ReceptionCounter", s)
	}
	var ps []store.Position
	places := [][2]float64{{42.5, 131.25}, {42.49, 131.75}, {-0.25, -0.75}, {0, 0}, {-33.9, 151.2}, {42.999, 131.5}}
	for i := 0; i < 300; i++ {
		at := places[i%len(places)]
		ps = append(ps, store.Position{MMSI: uint32(100 + i%7), Time: t0.Add(time.Duration(i) * 17 * time.Minute),
			Lat: at[0], Lon: at[1], SOG: store.NaN32, COG: store.NaN32, Heading: -1, Status: 15,
			Station: []string{"rxA", "rxB", "", "rxC"}[i%4]})
	}
	f := store.File{Hash: "cafe", Name: "day.nmea", Size: 99, Positions: int64(len(ps)), Done: true}
	write(t, s, &store.Batch{Positions: ps, File: &f})

	since, until := t0.Add(5*time.Hour), t0.Add(60*time.Hour) // cuts the first and last day
	got, err := rc.Reception(ctx, since, until, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	var want store.Reception
	days := map[store.StationDay]int64{}
	cells := map[store.CellCount]int64{}
	err = s.ScanPositions(ctx, since, until, func(p *store.Position) error {
		days[store.StationDay{Station: p.Station, Day: p.Time.Truncate(24 * time.Hour)}]++
		cells[store.CellCount{Lat: math.Floor(p.Lat/0.5) * 0.5, Lon: math.Floor(p.Lon/0.5) * 0.5}]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range days {
		k.Positions = n
		want.Days = append(want.Days, k)
	}
	for k, n := range cells {
		k.Positions = n
		want.Cells = append(want.Cells, k)
	}
	slices.SortFunc(want.Days, func(a, b store.StationDay) int {
		if a.Station != b.Station {
			return strings.Compare(a.Station, b.Station)
		}
		return a.Day.Compare(b.Day)
	})
	slices.SortFunc(want.Cells, func(a, b store.CellCount) int {
		if a.Lat != b.Lat {
			return cmp.Compare(a.Lat, b.Lat)
		}
		return cmp.Compare(a.Lon, b.Lon)
	})
	if len(want.Days) < 8 || len(want.Cells) != 6 {
		t.Fatalf("the fixture spans %d station-days and %d cells", len(want.Days), len(want.Cells))
	}
	if !reflect.DeepEqual(got.Days, want.Days) {
		t.Errorf("Days:\n got %v\nwant %v", got.Days, want.Days)
	}
	if !reflect.DeepEqual(got.Cells, want.Cells) {
		t.Errorf("Cells:\n got %v\nwant %v", got.Cells, want.Cells)
	}
	if len(got.Files) != 1 || got.Files[0].Hash != "cafe" || got.Files[0].Positions != 300 || !got.Files[0].Done {
		t.Errorf("Files = %+v", got.Files)
	}
	all, err := rc.Reception(ctx, time.Time{}, time.Time{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, d := range all.Days {
		n += d.Positions
	}
	if n != int64(len(ps)) || len(all.Cells) != 4 {
		t.Errorf("unbounded: %d positions in %d cells of 1°, want %d in 4", n, len(all.Cells), len(ps))
	}
}

// testQuarantined: positions named in a later batch's Quarantined are
// deleted with it, every copy (two stations heard the report), and no
// other; a key nothing matches is no error.
func testQuarantined(t *testing.T, s store.Store) {
	ctx := context.Background()
	ps := positions(10, 7, 8)
	dup := ps[4] // vessel 7, third minute, heard again by another station
	dup.Station = "rxZ"
	write(t, s, &store.Batch{Positions: append(slices.Clone(ps), dup)})
	bad := store.PositionKey{MMSI: 7, Time: dup.Time}
	write(t, s, &store.Batch{Quarantined: []store.PositionKey{bad, {MMSI: 9, Time: t0}}})
	if c := counts(t, s); c.Positions != int64(len(ps))-1 {
		t.Fatalf("%d positions after deleting 2 of %d", c.Positions, len(ps)+1)
	}
	tr, err := s.Track(ctx, 7, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 9 || slices.ContainsFunc(tr, func(p store.Position) bool { return p.Time.Equal(bad.Time) }) {
		t.Errorf("vessel 7 keeps %d positions, the quarantined one among them: %v", len(tr), tr)
	}
	if other, _ := s.Track(ctx, 8, time.Time{}, time.Time{}); len(other) != 10 {
		t.Errorf("vessel 8 lost positions: %d left", len(other))
	}
}
