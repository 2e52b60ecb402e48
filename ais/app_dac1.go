package ais

import (
	"fmt"
	"strconv"
)

// International application messages (DAC 1) of IMO SN.1/Circ.236 and
// IMO SN.1/Circ.289. Bit offsets are from the start of the application
// data; the comments give the standard's name where gpsd's differs.

var dac1Addressed = [64]appFunc{
	12: dangerousCargo236,
	14: tidalWindow236,
	15: extendedStatic236,
	16: personsAddressed,
	18: clearanceTime,
	20: berthingData,
	23: areaNotice,
	25: dangerousCargo289,
	28: routeInfo,
	30: textDescription,
	32: tidalWindow289,
}

var dac1Broadcast = [64]appFunc{
	11: metHydro236,
	13: fairwayClosed,
	15: extendedStatic236,
	16: personsBroadcast,
	17: vtsTargets,
	19: marineTrafficSignal,
	22: areaNotice,
	24: extendedStatic289,
	27: routeInfo,
	29: textDescription,
	31: metHydro289,
}

// Positions in 1/1000 minute (the 24/25-bit pairs of IMO 236/289) and
// 1/10000 minute (the 27/28-bit pairs), in degrees.
func (a *appDec) lat3(off uint, width uint) float64 { return float64(a.sraw(off, width)) / 60000 }
func (a *appDec) lat4(off uint, width uint) float64 { return float64(a.sraw(off, width)) / 600000 }

var (
	trendText  = []string{"steady", "increasing", "decreasing", "N/A"}
	precipText = []string{"reserved", "rain", "thunderstorm", "freezing rain", "mixed/ice", "snow", "reserved", "N/A"}
	iceText    = []string{"no", "yes", "reserved", "N/A"}
	routeText  = func() []string {
		t := []string{"Undefined (default)", "Mandatory", "Recommended", "Alternative",
			"Recommended route through ice", "Ship route plan"}
		for len(t) < 31 {
			t = append(t, "Reserved for future use.")
		}
		return append(t, "Cancel route identified by message linkage")
	}()
	berthPositionText = []string{"Not available", "Port-side to", "Starboard-side to",
		"Mediterranean (end-on) mooring", "Mooring buoy", "Anchorage",
		"Reserved for future use", "Reserved for future use"}
	targetIDText = []string{"mmsi", "imo", "callsign", "other"}
	signalText   = []string{"N/A",
		"Serious emergency – stop or divert according to instructions.",
		"Vessels shall not proceed.",
		"Vessels may proceed. One way traffic.",
		"Vessels may proceed. Two way traffic.",
		"Vessels shall proceed on specific orders only.",
		"Vessels in main channel shall not proceed.",
		"Vessels in main channel shall proceed on specific orders only.",
		"Vessels in main channel shall proceed on specific orders only.",
		`I = "in-bound" only acceptable.`,
		`O = "out-bound" only acceptable.`,
		`F = both "in- and out-bound" acceptable.`,
		`XI = Code will shift to "I" in due time.`,
		`XO = Code will shift to "O" in due time.`,
		"X = Vessels shall proceed only on direction."}
)

// metHydro236 is IMO 236 meteorological and hydrological data (8/1/11).
func metHydro236(a *appDec) string {
	if r := a.need(290); r != "" {
		return r
	}
	a.f("lat", a.lat3(0, 24), 4)
	a.f("lon", a.lat3(24, 25), 4)
	a.stamp("timestamp", -1, int(a.raw(49, 5)), int(a.raw(54, 5)), int(a.raw(59, 6)), true, true)
	a.u("wspeed", 65, 7)
	a.u("wgust", 72, 7)
	a.u("wdir", 79, 9)
	a.u("wgustdir", 88, 9)
	a.u("humidity", 108, 7)
	a.f("airtemp", (float64(a.raw(97, 11))-600)/10, 1)
	a.f("dewpoint", (float64(a.raw(115, 10))-200)/10, 1)
	a.out = append(a.out, AppField{Name: "pressure", Kind: AppUint, Int: int64(a.raw(125, 9)) + 800})
	a.str("pressuretend", trendText[a.raw(134, 2)])
	a.f("visibility", float64(a.raw(136, 8))/10, 1)
	a.f("waterlevel", (float64(a.raw(144, 9))-100)/10, 1)
	a.str("leveltrend", trendText[a.raw(153, 2)])
	a.currents(155)
	a.waves(216)
	a.f("watertemp", (float64(a.raw(266, 10))-100)/10, 1)
	a.enum("preciptype", "preciptype_text", 276, 3, precipText, "")
	a.f("salinity", float64(a.raw(279, 9))/10, 1)
	a.enum("ice", "ice_text", 288, 2, iceText, "")
	return ""
}

// metHydro289 is IMO 289 meteorological and hydrological data (8/1/31):
// signed temperatures, a position accuracy flag and visibility limit, and
// water level in centimetres.
func metHydro289(a *appDec) string {
	if r := a.need(294); r != "" {
		return r
	}
	a.f("lat", a.lat3(25, 24), 4)
	a.f("lon", a.lat3(0, 25), 4)
	a.flag("accuracy", 49)
	a.stamp("timestamp", -1, int(a.raw(50, 5)), int(a.raw(55, 5)), int(a.raw(60, 6)), true, true)
	a.u("wspeed", 66, 7)
	a.u("wgust", 73, 7)
	a.u("wdir", 80, 9)
	a.u("wgustdir", 89, 9)
	a.u("humidity", 109, 7)
	a.f("airtemp", float64(a.sraw(98, 11))/10, 1)
	a.f("dewpoint", float64(a.sraw(116, 10))/10, 1)
	a.out = append(a.out, AppField{Name: "pressure", Kind: AppUint, Int: int64(a.raw(126, 9)) + 799})
	a.str("pressuretend", trendText[a.raw(135, 2)])
	a.flag("visgreater", 137)
	a.f("visibility", float64(a.raw(138, 7))/10, 1)
	a.f("waterlevel", (float64(a.raw(145, 12))-1000)/100, 1)
	a.str("leveltrend", trendText[a.raw(157, 2)])
	a.currents(159)
	a.waves(220)
	a.f("watertemp", float64(a.sraw(270, 10))/10, 1)
	a.str("preciptype", precipText[a.raw(280, 3)])
	a.f("salinity", float64(a.raw(283, 9))/10, 1)
	a.str("ice", iceText[a.raw(292, 2)])
	return ""
}

// currents is the surface current and the two current layers that both
// met/hydro layouts share (61 bits).
func (a *appDec) currents(off uint) {
	a.f("cspeed", float64(a.raw(off, 8))/10, 1)
	a.u("cdir", off+8, 9)
	a.f("cspeed2", float64(a.raw(off+17, 8))/10, 1)
	a.u("cdir2", off+25, 9)
	a.u("cdepth2", off+34, 5)
	a.f("cspeed3", float64(a.raw(off+39, 8))/10, 1)
	a.u("cdir3", off+47, 9)
	a.u("cdepth3", off+56, 5)
}

// waves is waves, swell and sea state (50 bits), shared likewise.
func (a *appDec) waves(off uint) {
	a.f("waveheight", float64(a.raw(off, 8))/10, 1)
	a.u("waveperiod", off+8, 6)
	a.u("wavedir", off+14, 9)
	a.f("swellheight", float64(a.raw(off+23, 8))/10, 1)
	a.u("swellperiod", off+31, 6)
	a.u("swelldir", off+37, 9)
	a.u("seastate", off+46, 4)
}

// dangerousCargo236 is IMO 236 dangerous cargo indication (6/1/12).
func dangerousCargo236(a *appDec) string {
	if r := a.need(269); r != "" {
		return r
	}
	a.text("lastport", 0, 5)
	a.stamp("departure", int(a.raw(30, 4)), int(a.raw(34, 5)), int(a.raw(39, 5)), int(a.raw(44, 6)), true, true)
	a.text("nextport", 50, 5)
	a.stamp("eta", int(a.raw(80, 4)), int(a.raw(84, 5)), int(a.raw(89, 5)), int(a.raw(94, 6)), true, true)
	a.text("dangerous", 100, 20)
	a.text("imdcat", 220, 4)
	a.u("unid", 244, 13)
	a.u("amount", 257, 10)
	a.u("unit", 267, 2)
	return ""
}

// dangerousCargo289 is IMO 289 dangerous cargo indication (6/1/25): unit
// and amount, then 17-bit cargo records to the end of the payload.
func dangerousCargo289(a *appDec) string {
	if r := a.need(12 + 17); r != "" {
		return r
	}
	n := (a.n - 12) / 17
	if n > 28 {
		return fmt.Sprintf("%d cargo records, at most 28", n)
	}
	a.u("unit", 0, 2)
	a.u("amount", 2, 10)
	a.array("cargos")
	for k := 0; k < n; k++ {
		off := uint(12 + 17*k)
		a.object()
		a.u("code", off, 4)
		a.u("subtype", off+4, 13)
		a.end()
	}
	a.end()
	return ""
}

// tidalWindow236 (6/1/14) and tidalWindow289 (6/1/32): a date and up to
// three windows. The 236 form has 1/10000-minute positions, the 289 form
// 1/1000-minute ones. Only whole records count (gpsd also takes a record
// that starts at the very end of the payload).
func tidalWindow236(a *appDec) string { return a.tidal(93, 27, 28, 7) }
func tidalWindow289(a *appDec) string { return a.tidal(88, 24, 25, 8) }

func (a *appDec) tidal(size, latBits, lonBits, speedBits uint) string {
	if r := a.need(9 + int(size)); r != "" {
		return r
	}
	n := (a.n - 9) / int(size)
	if n > 3 {
		return fmt.Sprintf("%d tidal windows, at most 3", n)
	}
	a.u("month", 0, 4)
	a.u("day", 4, 5)
	a.array("tidals")
	for k := 0; k < n; k++ {
		off := 9 + size*uint(k)
		a.object()
		if latBits == 27 { // lat first, 1/10000 minute
			a.f("lon", a.lat4(off+latBits, lonBits), 4)
			a.f("lat", a.lat4(off, latBits), 4)
		} else { // lon first, 1/1000 minute
			a.f("lon", a.lat3(off, lonBits), 4)
			a.f("lat", a.lat3(off+lonBits, latBits), 4)
		}
		p := off + latBits + lonBits
		a.u("from_hour", p, 5)
		a.u("from_min", p+5, 6)
		a.u("to_hour", p+11, 5)
		a.u("to_min", p+16, 6)
		a.u("cdir", p+22, 9)
		a.f("cspeed", float64(a.raw(p+31, speedBits))/10, 1)
		a.end()
	}
	a.end()
	return ""
}

// oneField is a layout of a single unsigned field: off and width in the
// data, which must be at least (or, when exact, exactly) bits long.
func oneField(name string, off, width uint, bits int, exact bool) appFunc {
	return func(a *appDec) string {
		r := a.need(bits)
		if exact {
			r = a.exact(bits)
		}
		if r != "" {
			return r
		}
		a.u(name, off, width)
		return ""
	}
}

var (
	// IMO 236 extended ship static and voyage data (6 and 8, FI 15): the
	// air draught in decimetres, as gpsd prints it.
	extendedStatic236 = oneField("airdraught", 0, 11, 11, false)
	// number of persons on board (6/1/16)
	personsAddressed = oneField("persons", 0, 13, 13, false)
	// 8/1/16 is not an IMO 289 layout; gpsd reads persons from 136-bit
	// payloads only, where they sit after a 32-bit prefix, and takes any
	// other length as someone else's message.
	personsBroadcast = oneField("persons", 32, 13, 136, true)
)

// clearanceTime is IMO 289 clearance time to enter port (6/1/18).
func clearanceTime(a *appDec) string {
	if r := a.need(229); r != "" {
		return r
	}
	a.u("linkage", 0, 10)
	a.stamp("arrival", int(a.raw(10, 4)), int(a.raw(14, 5)), int(a.raw(19, 5)), int(a.raw(24, 6)), true, true)
	a.text("portname", 30, 20)
	a.text("destination", 150, 5)
	a.f("lon", a.lat3(180, 25), 4)
	a.f("lat", a.lat3(205, 24), 4)
	return ""
}

var berthServices = [...]string{
	"agent", "fuel", "chandler", "stevedore", "electrical", "water", "customs",
	"cartage", "crane", "lift", "medical", "navrepair", "provisions", "shiprepair",
	"surveyor", "steam", "tugs", "solidwaste", "liquidwaste", "hazardouswaste",
	"ballast", "additional", "regional1", "regional2", "future1", "future2",
}

// berthingData is IMO 289 berthing data (6/1/20).
func berthingData(a *appDec) string {
	if r := a.need(272); r != "" {
		return r
	}
	a.u("linkage", 0, 10)
	a.u("berth_length", 10, 9)
	a.enum("position", "position_text", 27, 3, berthPositionText, "")
	a.stamp("arrival", int(a.raw(30, 4)), int(a.raw(34, 5)), int(a.raw(39, 5)), int(a.raw(44, 6)), false, false)
	a.u("availability", 50, 1)
	for k, name := range berthServices {
		a.u(name, uint(51+2*k), 2)
	}
	a.text("berth_name", 103, 20)
	a.f("berth_lon", a.lat3(223, 25), 4)
	a.f("berth_lat", a.lat3(248, 24), 4)
	a.f("berth_depth", float64(a.raw(19, 8))/10, 1)
	return ""
}

// routeInfo is IMO 289 route information (6/1/28 addressed, 8/1/27
// broadcast): a start time, a duration and waycount waypoints.
func routeInfo(a *appDec) string {
	if r := a.need(61); r != "" {
		return r
	}
	n := int(a.raw(56, 5))
	if n > 16 {
		return fmt.Sprintf("waypoint count %d, at most 16", n)
	}
	if need := 61 + 55*n; a.n < need {
		return fmt.Sprintf("%d waypoints need %d bits, payload has %d", n, need, a.n)
	}
	a.u("linkage", 0, 10)
	a.u("sender", 10, 3)
	a.enum("rtype", "rtype_text", 13, 5, routeText, "")
	a.stamp("start", int(a.raw(18, 4)), int(a.raw(22, 5)), int(a.raw(27, 5)), int(a.raw(32, 6)), true, true)
	a.u("duration", 38, 18)
	a.array("waypoints")
	for k := 0; k < n; k++ {
		off := uint(61 + 55*k)
		a.object()
		a.f("lon", a.lat4(off, 28), 6)
		a.f("lat", a.lat4(off+28, 27), 6)
		a.end()
	}
	a.end()
	return ""
}

// textDescription is IMO 289 text description (6/1/30, 8/1/29).
func textDescription(a *appDec) string {
	if r := a.need(10); r != "" {
		return r
	}
	a.u("linkage", 0, 10)
	a.text("text", 10, (a.n-10)/6)
	return ""
}

// fairwayClosed is IMO 236 fairway closed (8/1/13).
func fairwayClosed(a *appDec) string {
	if r := a.need(412); r != "" {
		return r
	}
	a.text("reason", 0, 20)
	a.text("closefrom", 120, 20)
	a.text("closeto", 240, 20)
	a.u("radius", 360, 10)
	a.u("extunit", 370, 2)
	// day before month in the payload
	a.stamp("from", int(a.raw(377, 4)), int(a.raw(372, 5)), int(a.raw(381, 5)), int(a.raw(386, 6)), true, false)
	a.stamp("to", int(a.raw(397, 4)), int(a.raw(392, 5)), int(a.raw(401, 5)), int(a.raw(406, 6)), true, false)
	return ""
}

// vtsTargets is IMO 289 VTS-generated/synthetic targets (8/1/17): 122-bit
// target records to the end of the payload.
func vtsTargets(a *appDec) string {
	if r := a.need(122); r != "" {
		return r
	}
	n := a.n / 122
	if n > 4 {
		return fmt.Sprintf("%d targets, at most 4", n)
	}
	a.array("targets")
	for k := 0; k < n; k++ {
		off := uint(122 * k)
		a.object()
		id := a.raw(off, 2)
		a.enum("idtype", "idtype_text", off, 2, targetIDText, "")
		switch id {
		case 0, 1: // MMSI, IMO number: gpsd quotes them and keeps the
			// low 32 bits of the 42-bit field
			var buf [20]byte
			a.str(targetIDText[id], a.d.intern(strconv.AppendUint(buf[:0], a.raw(off+2, 42)&0xFFFFFFFF, 10)))
		default:
			a.text(targetIDText[id], off+2, 7)
		}
		a.f("lat", a.lat3(off+48, 24), 4)
		a.f("lon", a.lat3(off+72, 25), 4)
		a.u("course", off+97, 9)
		a.u("second", off+106, 6)
		a.u("speed", off+112, 10)
		a.end()
	}
	a.end()
	return ""
}

// marineTrafficSignal is IMO 289 marine traffic signal (8/1/19). gpsd
// 3.22 leaves out the comma before nextsignal_text, so its line for this
// message is not valid JSON.
func marineTrafficSignal(a *appDec) string {
	if r := a.need(202); r != "" {
		return r
	}
	a.u("linkage", 0, 10)
	a.text("station", 10, 20)
	a.f("lon", a.lat3(130, 25), 4)
	a.f("lat", a.lat3(155, 24), 4)
	a.u("status", 179, 2)
	a.enum("signal", "signal_text", 181, 5, signalText, "INVALID SIGNAL TYPE")
	a.u("hour", 186, 5)
	a.u("minute", 191, 6)
	a.enum("nextsignal", "nextsignal_text", 197, 5, signalText, "INVALID SIGNAL TYPE")
	return ""
}

var solasEquipment = [...]string{
	"ais_state", "ata_state", "bnwas_state", "ecdisb_state", "chart_state",
	"sounder_state", "epaid_state", "steer_state", "gnss_state", "gyro_state",
	"lrit_state", "magcomp_state", "navtex_state", "arpa_state", "sband_state",
	"xband_state", "hfradio_state", "inmarsat_state", "mfradio_state",
	"vhfradio_state", "grndlog_state", "waterlog_state", "thd_state",
	"tcs_state", "vdr_state",
}

// extendedStatic289 is IMO 289 extended ship static and voyage related
// data (8/1/24). gpsd does not decode it; the member names are those of
// gpsd's AIVDM document, the air draught in metres.
func extendedStatic289(a *appDec) string {
	if r := a.need(294); r != "" {
		return r
	}
	a.u("linkage", 0, 10)
	a.f("airdraught", float64(a.raw(10, 13))/100, 2)
	a.text("lastport", 23, 5)
	a.text("nextport", 53, 5)
	a.text("secondport", 83, 5)
	for k, name := range solasEquipment {
		a.u(name, uint(113+2*k), 2)
	}
	a.u("iceclass", 165, 4)
	a.u("horsepower", 169, 18)
	a.u("vhfchan", 187, 12)
	a.text("lshiptype", 199, 7)
	a.u("tonnage", 241, 18)
	a.u("lading", 259, 2)
	a.u("heavyoil", 261, 2)
	a.u("lightoil", 263, 2)
	a.u("dieseloil", 265, 2)
	a.u("totaloil", 267, 14)
	a.u("persons", 281, 13)
	return ""
}

// areaNotice is IMO 289 area notice (8/1/22 broadcast, 6/1/23 addressed):
// a 55-bit header and 1 to 10 sub-areas of 87 bits. gpsd does not decode
// it; the member names are those of gpsd's AIVDM document, positions in
// degrees, bearings in degrees (sent in half degrees), distances and radii
// in the sub-area's units (10^scale metres).
func areaNotice(a *appDec) string {
	if r := a.need(55 + 87); r != "" {
		return r
	}
	n := (a.n - 55) / 87
	if n > 10 {
		return fmt.Sprintf("%d sub-areas, at most 10", n)
	}
	for k := 0; k < n; k++ {
		if s := a.raw(uint(55+87*k), 3); s > 5 {
			return fmt.Sprintf("sub-area %d has reserved shape %d", k+1, s)
		}
	}
	a.u("linkage", 0, 10)
	a.u("notice", 10, 7)
	a.u("month", 17, 4)
	a.u("day", 21, 5)
	a.u("hour", 26, 5)
	a.u("minute", 31, 6)
	a.u("duration", 37, 18)
	a.array("subareas")
	for k := 0; k < n; k++ {
		a.subarea(uint(55 + 87*k))
	}
	a.end()
	return ""
}

func (a *appDec) subarea(off uint) {
	a.object()
	shape := a.u("shape", off, 3)
	if shape == 5 {
		a.text("text", off+3, 14)
		a.end()
		return
	}
	a.u("scale", off+3, 2)
	switch shape {
	case 0, 1, 2:
		a.f("lon", a.lat3(off+5, 25), 4)
		a.f("lat", a.lat3(off+30, 24), 4)
		a.u("precision", off+54, 3)
		switch shape {
		case 0:
			a.u("radius", off+57, 12)
		case 1:
			a.u("east", off+57, 8)
			a.u("north", off+65, 8)
			a.u("orientation", off+73, 9)
		case 2:
			a.u("radius", off+57, 12)
			a.u("left", off+69, 9)
			a.u("right", off+78, 9)
		}
	case 3, 4:
		name := "waypoints"
		if shape == 4 {
			name = "vertices"
		}
		a.array(name)
		for k := uint(0); k < 4; k++ {
			p := off + 5 + 20*k
			a.object()
			a.f("bearing", float64(a.raw(p, 10))/2, 1)
			a.u("distance", p+10, 10)
			a.end()
		}
		a.end()
	}
	a.end()
}
