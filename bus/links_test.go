package bus

import (
	"sort"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/detect"
)

// TestIMOReusedWhileOldNumberHeard: a second MMSI, of another partition,
// takes the IMO of a number still heard; the link's start is the old
// number's last position at that moment, which the link shard must hold
// exactly although it is sent only some points of vessels without an IMO.
func TestIMOReusedWhileOldNumberHeard(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers over a day of traffic")
	}
	cw := Config{Partitions: 4}.withDefaults()
	a, b := uint32(273100001), uint32(273100002)
	for cw.Partition(a) == cw.Partition(b) {
		b++
	}
	// The IMO, name and dimensions of a reference vector.
	static := func(m uint32, at time.Time) ais.Message { return staticMsg(m, at, 9514755, "NORDIC HAMBURG") }
	pos := posMsg
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var ms []ais.Message
	for i := 0; i < 24*20; i++ { // a: a day at 3-min reports, heading north at 10 kn
		at := t0.Add(time.Duration(i)*3*time.Minute + 17*time.Second)
		ms = append(ms, pos(a, at, 39.0+float64(i)*0.0083, 134.2))
		if i%10 == 0 {
			ms = append(ms, static(a, at.Add(time.Second)))
		}
	}
	for i := 0; i < 6*20; i++ { // b: from hour 12, 40 km east
		at := t0.Add(12*time.Hour + time.Duration(i)*3*time.Minute + 71*time.Second)
		ms = append(ms, pos(b, at, 40.0+float64(i)*0.0083, 134.7))
		if i%10 == 5 {
			ms = append(ms, static(b, at.Add(time.Second)))
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].RxTime.Before(ms[j].RxTime) })

	local, _ := equalOneProcess(t, ms)
	links := 0
	for _, e := range local.events {
		if detect.IsLink(&e) && e.MMSI == b && e.OtherMMSI == a && e.Evidence["reason"] == "imo_reused" {
			links++
			t.Logf("link: %s .. %s", e.Start, e.End)
		}
	}
	if links != 1 {
		t.Errorf("one process links %d times, want once: the scenario does not test the link", links)
	}
}

// TestClonedMMSINamesOwnerAcrossPartitions: an MMSI whose static data go
// back and forth between its own identity and that of a hull heard under
// its own number in another partition is one cloned_mmsi finding naming
// that hull's MMSI (own_mmsi), as one process names it: the partition
// does not know the other hull, the link shard does.
func TestClonedMMSINamesOwnerAcrossPartitions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs workers over a day of traffic")
	}
	cw := Config{Partitions: 4}.withDefaults()
	a, b := uint32(273100011), uint32(273100012)
	for cw.Partition(a) == cw.Partition(b) {
		b++
	}
	static, pos := staticMsg, posMsg
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var ms []ais.Message
	for i := 0; i < 24*20; i++ { // a, under its own number: a day at 3-min reports
		at := t0.Add(time.Duration(i)*3*time.Minute + 17*time.Second)
		ms = append(ms, pos(a, at, 39.0+float64(i)*0.0083, 134.2))
		if i%10 == 0 {
			ms = append(ms, static(a, at.Add(time.Second), 9514755, "NORDIC HAMBURG"))
		}
	}
	for i := 0; i < 8*20; i++ { // b: from hour 2, its own identity and a's in turn
		at := t0.Add(2*time.Hour + time.Duration(i)*3*time.Minute + 71*time.Second)
		ms = append(ms, pos(b, at, 41.0, 131.0+float64(i)*0.01))
		if i%2 == 0 {
			imo, name := uint32(9321483), "SEA DRAGON"
			if i%4 == 0 {
				imo, name = 9514755, "NORDIC HAMBURG"
			}
			ms = append(ms, static(b, at.Add(time.Second), imo, name))
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].RxTime.Before(ms[j].RxTime) })

	local, _ := equalOneProcess(t, ms)
	named := 0
	for _, e := range local.events {
		if e.MMSI == b && e.Evidence["reason"] == "cloned_mmsi" {
			for _, id := range e.Evidence["identities"].([]any) {
				if own, ok := id.(map[string]any)["own_mmsi"]; ok && own == float64(a) {
					named++
				}
			}
		}
	}
	if named != 1 {
		t.Errorf("one process names %d once as the clone's owner, want once: the scenario does not test it", a)
	}
}

// staticMsg is a static report of a hull 152 m by 22 m.
func staticMsg(m uint32, at time.Time, imo uint32, name string) ais.Message {
	return ais.Message{Type: 5, MMSI: m, RxTime: at, Station: "rx1", Channel: 'A', StaticA: ais.StaticVoyageData{
		IMO: imo, ShipName: name, ShipType: 71, Dim: ais.Dimensions{ToBow: 142, ToStern: 10, ToPort: 11, ToStarboard: 11}}}
}

// posMsg is a position report at 10 kn.
func posMsg(m uint32, at time.Time, lat, lon float64) ais.Message {
	msg := ais.Message{Type: 1, MMSI: m, RxTime: at, Station: "rx1", Channel: 'A'}
	msg.PosA = ais.PositionReportA{Turn: -128, Speed: 10, Lon: lon, Lat: lat}
	return msg
}
