package analyze

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
)

// TestSlowFeedEventsNotHeldBack feeds a rename through a pipe that stays
// open, as a quiet live feed does, and expects its identity change before
// the input ends: a partial batch must not wait for 4,096 messages.
func TestSlowFeedEventsNotHeldBack(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	events := make(chan event.Event, 16)
	a := New(Options{Detect: DefaultOptions().Detect, Track: DefaultOptions().Track, NoLand: true},
		func(e *event.Event) { events <- *e })
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	rows := []string{"MMSI,BaseDateTime,LAT,LON,VesselName\n"}
	// Two names two hours apart, then a fix past the tracker's reorder
	// window so the renamed report leaves the tracker.
	for i, name := range []string{"SEA STAR", "SEA STAR", "OCEAN PEARL", "OCEAN PEARL"} {
		at := t0.Add(time.Duration(i) * time.Hour)
		rows = append(rows, fmt.Sprintf("273000001,%s,40.5,%.3f,%s\n", at.Format("2006-01-02T15:04:05"), 133+0.1*float64(i), name))
	}
	lastLine := make(chan time.Time, 1)
	go func() {
		for _, r := range rows {
			time.Sleep(10 * time.Millisecond)
			if _, err := io.WriteString(pw, r); err != nil {
				return
			}
		}
		lastLine <- time.Now()
	}()
	errc := make(chan error, 1)
	go func() {
		sr, _, err := source.NewReader(pr)
		if err != nil {
			errc <- err
			return
		}
		errc <- a.Read(sr)
	}()
	// Generous: the point is "while the pipe is open", not how fast.
	deadline := time.After(20 * time.Second)
	for {
		select {
		case e := <-events:
			if e.Type == event.IdentityChange {
				t.Logf("identity change %v after the last line was written", time.Since(<-lastLine))
				pw.Close()
				if err := <-errc; err != nil {
					t.Fatal(err)
				}
				return
			}
		case err := <-errc:
			t.Fatalf("Read ended (%v) before any event", err)
		case <-deadline:
			pw.Close()
			<-errc
			t.Fatal("no identity change within 20 s while the feed stayed open: a partial batch is held back")
		}
	}
}

// TestLiveReorderByWallClock: on a live feed the last report must leave the
// tracker once the wall clock is a reorder window past it, with the feed
// still open and nothing later arriving.
func TestLiveReorderByWallClock(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	events := make(chan event.Event, 16)
	opt := Options{Detect: DefaultOptions().Detect, Track: DefaultOptions().Track, NoLand: true, Live: true}
	opt.Track.ReorderWindow = time.Second
	a := New(opt, func(e *event.Event) { events <- *e })
	now := time.Now().UTC()
	go func() {
		io.WriteString(pw, "MMSI,BaseDateTime,LAT,LON,VesselName\n")
		io.WriteString(pw, fmt.Sprintf("273000001,%s,40.5,133,SEA STAR\n", now.Add(-3*time.Second).Format("2006-01-02T15:04:05")))
		io.WriteString(pw, fmt.Sprintf("273000001,%s,40.5,133,OCEAN PEARL\n", now.Add(-2*time.Second).Format("2006-01-02T15:04:05")))
	}()
	errc := make(chan error, 1)
	go func() {
		sr, _, err := source.NewReader(pr)
		if err != nil {
			errc <- err
			return
		}
		errc <- a.Read(sr)
	}()
	select {
	case e := <-events:
		if e.Type != event.IdentityChange {
			t.Fatalf("got %s, want identity_change", e.Type)
		}
	case err := <-errc:
		t.Fatalf("Read ended (%v) before any event", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the rename stayed in the tracker while the feed was open and quiet")
	}
	pw.Close()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
