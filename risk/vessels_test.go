package risk

import (
	"testing"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/ref"
)

func TestVesselsInNamesEveryVesselOnceWithItsFlag(t *testing.T) {
	evs := []event.Event{
		{Type: event.Encounter, MMSI: 445000001, OtherMMSI: 273000002},
		{Type: event.Gap, MMSI: 273000002},
		{Type: event.PortVisit, MMSI: 351000003},
	}
	got := VesselsIn(ref.Default(), evs)
	want := []uint32{273000002, 351000003, 445000001}
	if len(got) != len(want) {
		t.Fatalf("got %d vessels %+v, want %v", len(got), got, want)
	}
	for i, v := range got {
		if v.MMSI != want[i] {
			t.Errorf("vessel %d is %d, want %d (MMSI order, no duplicates, no zero)", i, v.MMSI, want[i])
		}
		if v.Flag == "" || v.Flag != ref.Default().FlagCode(v.MMSI) {
			t.Errorf("vessel %d flag %q, want the MID's flag code %q", v.MMSI, v.Flag, ref.Default().FlagCode(v.MMSI))
		}
	}
	if got[0].Flag != "RU" && got[0].Flag != "Russian Federation" {
		t.Errorf("MID 273 flag = %q, want Russia", got[0].Flag)
	}
}
