package bus

import (
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/sim"
)

// simMessages simulates a scenario of 40 hulls (with AIS-visible
// ship-to-ship transfers and, given a few weeks, covert tankers taking new
// identities) and returns its tracked messages as lookout analyze reads
// them.
func simMessages(t *testing.T, seed uint64, days int) []ais.Message {
	t.Helper()
	dir := t.TempDir()
	if _, err := sim.Run(sim.Config{Seed: seed, Days: days, Vessels: 40, Workers: 2}, dir); err != nil {
		t.Fatal(err)
	}
	r, _, closeFn, err := analyze.Open(filepath.Join(dir, "ais.nmea.gz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	var ms []ais.Message
	for r.Next() {
		if m := r.Message(); m.MMSI != 0 && analyze.Tracked(m.Type) && !m.RxTime.IsZero() {
			ms = append(ms, *m)
		}
	}
	return ms
}

// TestWorkersEqualOneProcess: two workers over four partitions, with the
// second stage in three shards, give exactly the events of one process
// reading the same messages (lookout analyze), encounters between vessels
// of different partitions and gap grades included.
func TestWorkersEqualOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	ms := simMessages(t, 11, 5)
	local, c := equalOneProcess(t, ms)
	across := 0
	for _, e := range local.events {
		if e.Type == event.Encounter && c.Partition(e.MMSI) != c.Partition(e.OtherMMSI) {
			across++
		}
	}
	t.Logf("%d encounters across partitions", across)
	if across == 0 {
		t.Error("the scenario has no encounter between vessels of different partitions, so it cannot test the second stage")
	}
}

// TestWorkersLinkIdentities: identity links between MMSIs of different
// partitions come out of the workers as out of one process: an IMO reused
// under a new MMSI (as the covert tankers of a month's scenario do), and,
// with the IMO numbers removed from the static reports, the same hulls
// reappearing under new MMSIs.
func TestWorkersLinkIdentities(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a scenario")
	}
	ms := simMessages(t, 13, 30)
	for _, noIMO := range []bool{false, true} {
		t.Run(map[bool]string{false: "imo_reused", true: "hull_reappeared"}[noIMO], func(t *testing.T) {
			if noIMO {
				ms = slices.Clone(ms)
				for i := range ms {
					ms[i].StaticA.IMO = 0
				}
			}
			local, c := equalOneProcess(t, ms)
			reason := map[bool]string{false: "imo_reused", true: "hull_reappeared"}[noIMO]
			across := 0
			for _, e := range local.events {
				if detect.IsLink(&e) && e.Evidence["reason"] == reason && c.Partition(e.MMSI) != c.Partition(e.OtherMMSI) {
					across++
				}
			}
			t.Logf("%d links (%s) across partitions", across, reason)
			if across == 0 {
				t.Errorf("the scenario has no %s link between vessels of different partitions, so it cannot test the links", reason)
			}
		})
	}
}

// equalOneProcess runs two workers over four partitions, with the second
// stage in three shards, and requires exactly the events of one process
// reading the same messages (lookout analyze), which it returns with the
// workers' configuration.
func equalOneProcess(t *testing.T, ms []ais.Message) (*sink, Config) {
	t.Helper()
	local, got, emitted, c := runBoth(t, ms)
	counts := map[event.Type]int{}
	for _, e := range local.events {
		counts[e.Type]++
	}
	t.Logf("single process: %v", counts)
	for _, typ := range []event.Type{event.Encounter, event.IdentityChange} {
		if emitted[typ] != counts[typ] {
			t.Errorf("workers reported %d %s events, one process %d", emitted[typ], typ, counts[typ])
		}
	}
	diffEvents(t, local, got)
	return local, c
}

// runBoth gives ms to one process (lookout analyze) and to two workers
// over four partitions, with the second stage in three shards: the events
// of each, how many events of each type the workers emitted (shards
// overlap: each encounter must still be reported once), and the workers'
// configuration.
func runBoth(t *testing.T, ms []ais.Message) (local, got *sink, emitted map[event.Type]int, c Config) {
	t.Helper()
	opt := analyze.DefaultOptions()
	local = oneProcess(t, opt, ms)

	js, c := testStream(t, 4)
	publish(t, js, c, "sim", ms)
	got = newSink()
	emitted = map[event.Type]int{}
	var mu sync.Mutex // the workers run at once
	emit := func(p int, e *event.Event) {
		mu.Lock()
		emitted[e.Type]++
		mu.Unlock()
		got.emit(p, e)
	}
	var ws []*Worker
	for i := range 2 {
		ws = append(ws, &Worker{JS: js, Config: c, Index: i, Of: 2, Options: opt, Emit: emit, Drain: true})
	}
	runAll(t.Context(), t, ws...)
	return local, got, emitted, c
}

// oneProcess returns the events of ms through one process (lookout
// analyze).
func oneProcess(t *testing.T, opt analyze.Options, ms []ais.Message) *sink {
	t.Helper()
	local := newSink()
	an := analyze.New(opt, func(e *event.Event) { local.emit(0, e) })
	if err := an.Read(&sliceReader{ms: ms}); err != nil {
		t.Fatal(err)
	}
	an.Finish()
	return local
}

// diffEvents reports every event of one sink missing from, or different
// in, the other.
func diffEvents(t *testing.T, local, got *sink) {
	t.Helper()
	var ids []string
	for id := range local.events {
		ids = append(ids, id)
	}
	for id := range got.events {
		if _, ok := local.events[id]; !ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		l, lok := local.events[id]
		b, bok := got.events[id]
		switch {
		case !bok:
			t.Errorf("workers miss %s %d/%d %s", l.Type, l.MMSI, l.OtherMMSI, l.Start)
		case !lok:
			t.Errorf("workers add %s %d/%d %s", b.Type, b.MMSI, b.OtherMMSI, b.Start)
		case !reflect.DeepEqual(l, b):
			t.Errorf("%s %d/%d %s differs:\n workers %+v\n local   %+v", l.Type, l.MMSI, l.OtherMMSI, l.Start, b, l)
		}
	}
}
