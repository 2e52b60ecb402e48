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
	// The IMO, name and dimensions of a reference vector (NORDIC HAMBURG).
	static := func(m uint32, at time.Time) ais.Message {
		return ais.Message{Type: 5, MMSI: m, RxTime: at, Station: "rx1", Channel: 'A', StaticA: ais.StaticVoyageData{
			IMO: 9514755, ShipName: "NORDIC HAMBURG", ShipType: 71, Dim: ais.Dimensions{ToBow: 142, ToStern: 10, ToPort: 11, ToStarboard: 11}}}
	}
	pos := func(m uint32, at time.Time, lat, lon float64) ais.Message {
		msg := ais.Message{Type: 1, MMSI: m, RxTime: at, Station: "rx1", Channel: 'A'}
		msg.PosA = ais.PositionReportA{Turn: -128, Speed: 10, Lon: lon, Lat: lat, Course: 0, Heading: 0}
		return msg
	}
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
