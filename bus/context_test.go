package bus

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
)

// The decisions made per vessel from evidence that comes from vessels of
// every partition: the context of a draught change (an encounter),
// whether a transfer's partner was unseen, and GNSS interference. Each
// test below builds the smallest case across partitions, checks that one
// process reports the event in question, and requires the workers to give
// exactly one process's events.

// withDraught is a static report carrying a draught.
func withDraught(m ais.Message, draught float64) ais.Message {
	m.StaticA.Draught = draught
	return m
}

// TestDraughtChangeDuringEncounterAcrossPartitions: two tankers of
// different partitions lie together at sea for six hours (an AIS-visible
// ship-to-ship transfer) and one reports a lighter draught midway. One
// process puts the draught change down to the encounter, naming the
// partner; the first stage, which sees one tanker only, puts it down to
// loitering unless the second stage decides it.
func TestDraughtChangeDuringEncounterAcrossPartitions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	ms, a, b := alongside()
	local, _ := equalOneProcess(t, ms)
	n := 0
	for _, e := range local.events {
		if e.Type == event.DraughtChange && e.MMSI == a && e.Evidence["context"] == string(event.Encounter) && e.OtherMMSI == b {
			n++
		}
	}
	if n != 1 {
		t.Errorf("one process reports %d draught changes of %d in an encounter with %d, want 1: the scenario does not test it", n, a, b)
	}
}

// alongside simulates two ships of two partitions drifting side by side
// for six hours (an encounter), then parting north and south at 10 kn;
// the first reports a lighter draught from hour 3. It returns their
// messages in time order and MMSIs.
func alongside() (ms []ais.Message, a, b uint32) {
	cw := Config{Partitions: 4}.withDefaults()
	a, b = uint32(273100021), uint32(273100022)
	for cw.Partition(a) == cw.Partition(b) {
		b++
	}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 12*20; i++ {
		at := t0.Add(time.Duration(i)*3*time.Minute + 17*time.Second)
		lat, kn := 39.0, 0.5
		if i >= 6*20 { // after six hours together, they part north and south at 10 kn
			lat, kn = 39.0+float64(i-6*20)*0.0083, 10
		}
		pa := posMsg(a, at, lat, 134.2)
		pa.PosA.Speed = kn
		pb := posMsg(b, at.Add(40*time.Second), 39.001-(lat-39.0), 134.2)
		pb.PosA.Speed = kn
		ms = append(ms, pa, pb)
		if i%10 == 0 {
			d := 12.0
			if i >= 3*20 {
				d = 8.0
			}
			ms = append(ms, withDraught(staticMsg(a, at.Add(time.Second), 9514755, "NORDIC HAMBURG"), d),
				withDraught(staticMsg(b, at.Add(41*time.Second), 9321483, "SEA DRAGON"), 6.0))
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].RxTime.Before(ms[j].RxTime) })
	return ms, a, b
}

// TestDarkTransferWithNobodyAlongside: a tanker loiters at sea for six
// hours and reports a lighter draught midway, with nobody alongside. One
// process reports a possible dark transfer; the first stage cannot tell
// that no vessel of another partition was alongside: the second stage
// decides it.
func TestDarkTransferWithNobodyAlongside(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	a := uint32(273100031)
	ms := loiteringTanker(a, nil)
	local, _ := equalOneProcess(t, ms)
	n := 0
	for _, e := range local.events {
		if e.Type == event.PossibleDarkTransfer && e.MMSI == a {
			n++
		}
	}
	if n != 1 {
		t.Errorf("one process reports %d possible dark transfers, want 1: the scenario does not test it", n)
	}
}

// loiteringTanker is tanker a's messages every 3 minutes for 14 hours:
// two hours coming from the south at 10 kn (a run that begins with the
// data is not reported), six hours still, on north, its draught every 30
// minutes, 12 m, 8 m from hour 5. more, if set, adds to them at each step
// i (time at).
func loiteringTanker(a uint32, more func(i int, at time.Time, ms []ais.Message) []ais.Message) []ais.Message {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var ms []ais.Message
	for i := 0; i < 14*20; i++ {
		at := t0.Add(time.Duration(i)*3*time.Minute + 17*time.Second)
		lat, kn := 39.0-float64(2*20-i)*0.0083, 10.0
		switch {
		case i >= 8*20:
			lat = 39.0 + float64(i-8*20)*0.0083
		case i >= 2*20:
			lat, kn = 39.0, 0.5
		}
		p := posMsg(a, at, lat, 134.2)
		p.PosA.Speed = kn
		ms = append(ms, p)
		if i%10 == 0 {
			d := 12.0
			if i >= 5*20 {
				d = 8.0
			}
			ms = append(ms, withDraught(staticMsg(a, at.Add(time.Second), 9514755, "NORDIC HAMBURG"), d))
		}
		if more != nil {
			ms = more(i, at, ms)
		}
	}
	return ms
}

// displacedShips simulates three ships of three partitions (the first
// MMSI first), sailing apart at 10 kn for hours h, put on one spot at sea
// (GNSS interference) from hour from to hour to, there reporting kn; the
// first reports its draught every half hour, 12 m, then draught from hour
// 4 (0: none). It returns their messages in time order and MMSIs.
func displacedShips(first uint32, h, from, to int, kn, draught float64) ([]ais.Message, []uint32) {
	cw := Config{Partitions: 4}.withDefaults()
	ships := []uint32{first}
	for m := first + 1; len(ships) < 3; m++ {
		if cw.Partition(m) != cw.Partition(ships[0]) && (len(ships) < 2 || cw.Partition(m) != cw.Partition(ships[1])) {
			ships = append(ships, m)
		}
	}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var ms []ais.Message
	for k, m := range ships {
		for i := 0; i < h*20; i++ {
			at := t0.Add(time.Duration(i)*3*time.Minute + time.Duration(17+20*k)*time.Second)
			pm := posMsg(m, at, 38.0+float64(i)*0.0083, 133.0+float64(k)*0.5)
			if i >= from*20 && i < to*20 {
				pm = posMsg(m, at, 40.5, 135.0)
				pm.PosA.Speed = kn
			}
			ms = append(ms, pm)
			if k == 0 && draught > 0 && i%10 == 0 {
				d := 12.0
				if i >= 4*20 {
					d = draught
				}
				ms = append(ms, withDraught(staticMsg(m, at.Add(time.Second), 9514755, "NORDIC HAMBURG"), d))
			}
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].RxTime.Before(ms[j].RxTime) })
	return ms, ships
}

// TestInterferenceAcrossPartitions: three ships of three partitions,
// sailing apart, are put on one spot at sea for an hour (GNSS
// interference) and then regain their positions. One process reports one
// interference listing the three; each partition sees one ship jump, which
// is not an interference (InterferenceVessels is 3): the interference unit
// sees them all.
func TestInterferenceAcrossPartitions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	ms, _ := displacedShips(273100041, 6, 2, 3, 10, 0)
	local, _ := equalOneProcess(t, ms)
	n := 0
	for _, e := range local.events {
		if e.Type == event.GNSSInterference && e.Evidence["vessel_count"] == float64(3) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("one process reports %d interferences of the three ships, want 1: the scenario does not test it", n)
	}
}

// TestInterferenceKeepsDisplacedFixesAcrossPartitions: three ships of
// three partitions, sailing apart, are put on one spot at sea for five
// hours, reporting no way. One process sees the interference once the
// three are there and keeps their displaced fixes from the movement
// detectors (no loitering on the spot) and from the encounter detector
// (the three are not together); a partition seeing its own ship alone
// takes them, and so did the shards, unless the interference unit's
// verdicts reach the partition first.
func TestInterferenceKeepsDisplacedFixesAcrossPartitions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	ms, _ := displacedShips(273100051, 10, 2, 7, 0.2, 0)
	local, _ := equalOneProcess(t, ms)
	n := 0
	for _, e := range local.events {
		switch e.Type {
		case event.GNSSInterference:
			n++
		case event.Loitering, event.Encounter:
			t.Errorf("one process reports %s of %d on the displaced spot: the scenario does not test the verdicts", e.Type, e.MMSI)
		}
	}
	if n != 1 {
		t.Errorf("one process reports %d interferences, want 1: the scenario does not test it", n)
	}
}

// TestDraughtChangeWhileDisplacedAcrossPartitions: three ships of three
// partitions are put on one spot at sea for five hours (GNSS
// interference), and one reports a lighter draught meanwhile. One process
// keeps the displaced fixes from the encounter detector, so the ships put
// on one spot are no encounter and give the draught change no partner;
// shards fed those fixes found the ships together there (so were the
// workers' draught changes at every interference of the eight-month demo
// put down to an encounter at its spot).
func TestDraughtChangeWhileDisplacedAcrossPartitions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	ms, ships := displacedShips(273100061, 10, 2, 7, 0.2, 8)
	local, _ := equalOneProcess(t, ms)
	n := 0
	for _, e := range local.events {
		if e.Type == event.DraughtChange && e.MMSI == ships[0] {
			n++
			if e.OtherMMSI != 0 {
				t.Errorf("one process puts the draught change down to %d: the scenario does not test it", e.OtherMMSI)
			}
		}
	}
	if n != 1 {
		t.Errorf("one process reports %d draught changes of %d, want 1: the scenario does not test it", n, ships[0])
	}
}

// TestClonedHullsAcrossStages: seed 10532's cloned MMSI. One hull loiters
// at sea for six hours and reports a lighter draught midway; another hull
// under the same MMSI, smaller, lies in Vostochnyy and reports a deeper
// draught from an hour before the run ends, confirmed after it. One process reports one possible dark transfer, the
// loitering hull's, and the other hull's change in port; the workers,
// whose first stage hands the loitering hull's change to the second, the
// same.
func TestClonedHullsAcrossStages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	a := uint32(273100041)
	ms := loiteringTanker(a, func(i int, at time.Time, ms []ais.Message) []ais.Message {
		if i%5 == 2 {
			// The clone, moored.
			at = at.Add(time.Minute)
			p := posMsg(a, at, 42.748, 133.076)
			p.PosA.Speed = 0
			ms = append(ms, p)
			if i%20 == 2 {
				d := 2.6
				if i >= 7*20 {
					d = 4.6
				}
				s := withDraught(staticMsg(a, at.Add(time.Second), 9514755, "NORDIC HAMBURG"), d)
				s.StaticA.Dim = ais.Dimensions{ToBow: 70, ToStern: 9, ToPort: 6, ToStarboard: 7}
				ms = append(ms, s)
			}
		}
		return ms
	})
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].RxTime.Before(ms[j].RxTime) })
	local, _ := equalOneProcess(t, ms)
	var dt, inPort int
	for _, e := range local.events {
		switch {
		case e.MMSI != a:
		case e.Type == event.PossibleDarkTransfer && e.Evidence["change_m"] == -4.0:
			dt++
		case e.Type == event.PossibleDarkTransfer:
			dt += 100
		case e.Type == event.DraughtChange && e.Evidence["length_m"] == 79.0 && e.Evidence["context"] == "port_visit":
			inPort++
		}
	}
	if dt != 1 || inPort != 1 {
		t.Errorf("one process: possible dark transfers %d (100 per other than the loitering hull's), the moored hull's change in port %d; want 1 and 1", dt, inPort)
	}
}

// TestCloseClonesAcrossStages: hull A of MMSI a lies still at sea for six
// hours with tanker b of another partition alongside; hull B under the
// same MMSI, smaller, lies still 11 km east and reports a deeper draught
// from hour 5. Each hull is heard every 30 minutes, 15 minutes after the
// other, so the tracker keeps them apart only by the way they zig-zag.
// One process reports hull B's change as its own, loitering alone (a
// possible dark transfer), not as A's encounter with b; the workers, whose
// first stage hands the change to the second, the same.
func TestCloseClonesAcrossStages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	cw := Config{Partitions: 4}.withDefaults()
	a, b := uint32(273100051), uint32(273100052)
	for cw.Partition(a) == cw.Partition(b) {
		b++
	}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	lat := func(i int) float64 { // two hours from the south at 10 kn, six still, on north
		switch {
		case i < 4:
			return 39.0 - float64(4-i)*0.0833
		case i < 16:
			return 39.0
		}
		return 39.0 + float64(i-16)*0.0833
	}
	var ms []ais.Message
	for i := 0; i < 22; i++ {
		at := t0.Add(time.Duration(i)*30*time.Minute + 17*time.Second)
		kn := 10.0
		if i >= 4 && i < 16 {
			kn = 0.5
		}
		pa := posMsg(a, at, lat(i), 134.2)
		pa.PosA.Speed = kn
		pb := posMsg(a, at.Add(15*time.Minute), lat(i), 134.2+0.1273)
		pb.PosA.Speed = kn
		d := 5.0
		if i >= 10 {
			d = 8.0
		}
		sb := withDraught(staticMsg(a, at.Add(15*time.Minute+time.Second), 9514755, "NORDIC HAMBURG"), d)
		sb.StaticA.Dim = ais.Dimensions{ToBow: 70, ToStern: 9, ToPort: 6, ToStarboard: 7}
		ms = append(ms, pa, withDraught(staticMsg(a, at.Add(time.Second), 9321483, "SEA DRAGON"), 12), pb, sb)
		if i >= 4 && i < 16 {
			for k := 0; k < 10; k++ { // b alongside, every 3 minutes
				p := posMsg(b, at.Add(time.Duration(k)*3*time.Minute+40*time.Second), 39.001, 134.2)
				p.PosA.Speed = 0.5
				ms = append(ms, p)
			}
			ms = append(ms, withDraught(staticMsg(b, at.Add(41*time.Second), 9074729, "PARTNER"), 6))
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].RxTime.Before(ms[j].RxTime) })
	local, _ := equalOneProcess(t, ms)
	var enc, dt, own int
	for _, e := range local.events {
		switch {
		case e.Type == event.Encounter:
			enc++
		case e.Type == event.PossibleDarkTransfer && e.MMSI == a && e.Evidence["change_m"] == 3.0:
			dt++
		case e.Type == event.DraughtChange && e.MMSI == a && e.Evidence["length_m"] == 79.0 && e.Evidence["context"] == string(event.Loitering) && e.OtherMMSI == 0:
			own++
		case e.Type == event.DraughtChange || e.Type == event.PossibleDarkTransfer:
			t.Errorf("one process: %s %+v, want hull B's change alone", e.Type, e)
		}
	}
	if enc != 1 || dt != 1 || own != 1 {
		t.Errorf("one process: %d encounters (want A's with b), %d possible dark transfers and %d draught changes of hull B loitering alone; want 1 each", enc, dt, own)
	}
}

// TestLoiteringHeldUntilInterferenceShownAcrossPartitions: ships of
// several partitions are put on an interference's circle, one of them
// heard there first after a silence (placed there, but no jump), lying
// there 5 h at 0 kn; all leave it before a fourth ship, jumping there,
// shows the interference. One process holds that ship's loitering on the
// circle until the area is decided and then drops it, and reports the
// loitering of a tanker drifting far away meanwhile; the workers, whose
// partitions learn of the area's decision from the interference unit, the
// same.
func TestLoiteringHeldUntilInterferenceShownAcrossPartitions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	ms, arrived, drift := leftBeforeShown(true)
	local, _ := equalOneProcess(t, ms)
	n := 0
	for _, e := range local.events {
		switch {
		case e.Type == event.Loitering && e.MMSI == drift:
			n++
		case e.Type == event.Loitering:
			t.Errorf("one process reports loitering of %d (the ship heard on the circle is %d): the scenario does not test it", e.MMSI, arrived)
		}
	}
	if n != 1 {
		t.Errorf("one process reports %d loitering events of the drifting tanker, want 1", n)
	}
	// Never shown (no fourth ship), the area releases the loitering it
	// held: the workers report it too.
	ms, arrived, _ = leftBeforeShown(false)
	local, _ = equalOneProcess(t, ms)
	n = 0
	for _, e := range local.events {
		if e.Type == event.Loitering && e.MMSI == arrived {
			n++
		}
	}
	if n != 1 {
		t.Errorf("one process reports %d loitering events of %d on a circle no interference showed, want 1: the scenario does not test it", n, arrived)
	}
}

// leftBeforeShown builds the case of
// TestLoiteringHeldUntilInterferenceShownAcrossPartitions (with the fourth
// ship if shown), returning the messages in time order, the ship heard
// first on the circle and the drifting tanker.
func leftBeforeShown(shown bool) (ms []ais.Message, arrived, drift uint32) {
	cw := Config{Partitions: 4}.withDefaults()
	var ships []uint32
	for m := uint32(273100071); len(ships) < 4; m++ {
		if !slices.ContainsFunc(ships, func(o uint32) bool { return cw.Partition(o) == cw.Partition(m) }) {
			ships = append(ships, m)
		}
	}
	arrived, drift = ships[2], ships[0]+100
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	circle := func(m uint32, at time.Time, k int) ais.Message {
		lat, lon := geo.Destination(40.30, 131.30, float64(k*37%360), 2)
		pm := posMsg(m, at, lat, lon)
		pm.PosA.Speed = 0
		return pm
	}
	for k, m := range ships {
		on, off := time.Duration(k)*5*time.Minute+time.Hour, 6*time.Hour
		switch k {
		case 2:
			on, off = 4*time.Hour, 9*time.Hour
		case 3:
			on, off = 10*time.Hour, 12*time.Hour
			if !shown {
				continue
			}
		}
		for i := 0; i < 13*6; i++ {
			d := time.Duration(i)*10*time.Minute + time.Duration(17+k*60)*time.Second
			at := t0.Add(d)
			if k == 2 && d >= time.Hour && d < 4*time.Hour {
				continue // silent
			}
			pm := posMsg(m, at, 39.3+0.2*float64(k), 130.6+float64(i)*0.0257)
			pm.PosA.Speed = 8
			if d >= on && d < off {
				pm = circle(m, at, i+40*k)
			}
			ms = append(ms, pm)
		}
	}
	for i := 0; i < 12*6; i++ {
		at := t0.Add(time.Duration(i)*10*time.Minute + time.Hour + 41*time.Second)
		lat, kn := 41.5, 0.5
		switch {
		case i < 6:
			lat, kn = 41.3+float64(i)*0.0278, 10
		case i >= 42:
			lat, kn = 41.5+float64(i-42)*0.0278, 10
		}
		pm := posMsg(drift, at, lat, 132.5)
		pm.PosA.Speed = kn
		ms = append(ms, pm)
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].RxTime.Before(ms[j].RxTime) })
	return ms, arrived, drift
}

// TestTugAlongsideAcrossPartitions: a tug (AIS ship type 52) lies six
// hours beside a ship of another partition. Ships that serve others make
// no encounter, in one process as in the workers, whose encounter shards
// learn the ship types the partitions hear.
func TestTugAlongsideAcrossPartitions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers")
	}
	ms, _, b := alongside()
	for i := range ms {
		if ms[i].MMSI == b && ms[i].Type == 5 {
			ms[i].StaticA.ShipType = 52
		}
	}
	local, _ := equalOneProcess(t, ms)
	for _, e := range local.events {
		if e.Type == event.Encounter {
			t.Errorf("one process reports an encounter with the tug: %+v", e)
		}
	}
}
