package ais_test

import (
	"fmt"
	"strings"

	"github.com/lookout-osint/lookout/ais"
)

func ExampleReader() {
	in := `\s:rORBCOMM000,c:1426032000*2D\!AIVDM,1,1,,B,15M67FC000G?ufbE` + "`" + `FepT@3n00Sa,0*5C
!AIVDM,2,1,1,A,538CQ>02A;h?D9QC800pu8@T>0P4l9E8L0000017Ah:;;5r50Ahm5;C0,0*07
!AIVDM,2,2,1,A,F@V@00000000000,2*35
garbage
`
	r := ais.NewReader(strings.NewReader(in))
	for r.Next() {
		m := r.Message()
		switch m.Type {
		case 1, 2, 3:
			lat, lon, _ := m.Position()
			fmt.Printf("%d at %.4f,%.4f from %s at %s\n", m.MMSI, lat, lon, m.Station, m.RxTime.Format("15:04:05"))
		case 5:
			fmt.Printf("%d is %s, IMO %d, bound for %s\n", m.MMSI, m.StaticA.ShipName, m.StaticA.IMO, m.StaticA.Destination)
		}
	}
	fmt.Println(r.Stats().Rejected)
	// Output:
	// 366053209 at 37.8021,-122.3416 from rORBCOMM000 at 00:00:00
	// 210035000 is NORDIC HAMBURG, IMO 9514755, bound for CTT-LAYBY
	// map[not an AIS sentence:1]
}

func ExampleDecoder() {
	var d ais.Decoder
	var m ais.Message
	if err := d.Decode([]byte("15M67FC000G?ufbE`FepT@3n00Sa"), 0, &m); err != nil {
		fmt.Println(err)
		return
	}
	speed, ok := m.Speed()
	fmt.Println(m.Type, m.MMSI, speed, ok)
	// Output: 1 366053209 0 true
}
