package ais

// Inland AIS (DAC 200, the European river information services standard)
// and the GLA aid-to-navigation monitoring message (DAC 235 UK, 250
// Ireland). gpsd decodes these only at their nominal lengths; so do we,
// and count any other length as a bad payload.

var inlandAddressed = [64]appFunc{
	21: inlandETA,
	22: inlandRTA,
	55: inlandPersons,
}

var inlandBroadcast = [64]appFunc{
	10: inlandStatic,
	23: inlandEMMA,
	24: inlandWaterLevels,
	40: inlandSignal,
}

// inlandShipTypes maps ERI ship type codes (and the AIS ship types they
// correspond to) to gpsd's legends; the first match wins, as in gpsd.
var inlandShipTypes = []struct {
	code, ais uint64
	text      string
}{
	{8000, 99, "Vessel, type unknown"},
	{8010, 79, "Motor freighter"},
	{8020, 89, "Motor tanker"},
	{8021, 80, "Motor tanker, liquid cargo, type N"},
	{8022, 80, "Motor tanker, liquid cargo, type C"},
	{8023, 89, "Motor tanker, dry cargo as if liquid (e.g. cement)"},
	{8030, 79, "Container vessel"},
	{8040, 80, "Gas tanker"},
	{8050, 79, "Motor freighter, tug"},
	{8060, 89, "Motor tanker, tug"},
	{8070, 79, "Motor freighter with one or more ships alongside"},
	{8080, 89, "Motor freighter with tanker"},
	{8090, 79, "Motor freighter pushing one or more freighters"},
	{8100, 89, "Motor freighter pushing at least one tank-ship"},
	{8110, 79, "Tug, freighter"},
	{8120, 89, "Tug, tanker"},
	{8130, 31, "Tug freighter, coupled"},
	{8140, 31, "Tug, freighter/tanker, coupled"},
	{8150, 99, "Freightbarge"},
	{8160, 99, "Tankbarge"},
	{8161, 90, "Tankbarge, liquid cargo, type N"},
	{8162, 90, "Tankbarge, liquid cargo, type C"},
	{8163, 99, "Tankbarge, dry cargo as if liquid (e.g. cement)"},
	{8170, 99, "Freightbarge with containers"},
	{8180, 90, "Tankbarge, gas"},
	{8210, 79, "Pushtow, one cargo barge"},
	{8220, 79, "Pushtow, two cargo barges"},
	{8230, 79, "Pushtow, three cargo barges"},
	{8240, 79, "Pushtow, four cargo barges"},
	{8250, 79, "Pushtow, five cargo barges"},
	{8260, 79, "Pushtow, six cargo barges"},
	{8270, 79, "Pushtow, seven cargo barges"},
	{8280, 79, "Pushtow, eigth cargo barges"},
	{8290, 79, "Pushtow, nine or more barges"},
	{8310, 80, "Pushtow, one tank/gas barge"},
	{8320, 80, "Pushtow, two barges at least one tanker or gas barge"},
	{8330, 80, "Pushtow, three barges at least one tanker or gas barge"},
	{8340, 80, "Pushtow, four barges at least one tanker or gas barge"},
	{8350, 80, "Pushtow, five barges at least one tanker or gas barge"},
	{8360, 80, "Pushtow, six barges at least one tanker or gas barge"},
	{8370, 80, "Pushtow, seven barges at least one tanker or gas barg"},
}

var (
	hazardText    = []string{"0 blue cones/lights", "1 blue cone/light", "2 blue cones/lights", "3 blue cones/lights", "4 B-Flag", "Unknown"}
	loadedText    = []string{"N/A (default)", "Unloaded", "Loaded"}
	rtaStatusText = []string{"Operational", "Limited operation", "Out of order", "N/A"}
	emmaTypeText  = []string{"Not Available", "Wind", "Rain", "Snow and ice", "Thunderstorm", "Fog",
		"Low temperature", "High temperature", "Flood", "Forest Fire"}
	emmaClassText = []string{"Slight", "Medium", "Strong"}
	emmaWindText  = []string{"N/A", "North", "North East", "East", "South East", "South", "South West", "West", "North West"}
	directionText = []string{"Unknown", "Upstream", "Downstream", "To left bank", "To right bank"}
	lightText     = []string{"Unknown", "No light", "White", "Yellow", "Green", "Red", "White flashing", "Yellow flashing."}
	raconText     = []string{"No RACON installed", "RACON not monitored", "RACON operational", "RACON ERROR"}
	glaLightText  = []string{"No light or no monitoring", "Light ON", "Light OFF", "Light ERROR"}
)

// inlandStatic is inland ship static and voyage related data (8/200/10).
// A hazard code past the table means the payload is not this message
// (gpsd's check against false matches).
func inlandStatic(a *appDec) string {
	if r := a.exact(112); r != "" {
		return r
	}
	if h := a.raw(85, 3); h >= uint64(len(hazardText)) {
		return "hazard code out of range: not an inland static report"
	}
	a.text("vin", 0, 8)
	a.u("length", 48, 13)
	a.u("beam", 61, 10)
	t := a.u("shiptype", 71, 14)
	text := "Illegal ship type value."
	for _, s := range inlandShipTypes {
		if s.code == t || s.ais == t {
			text = s.text
			break
		}
	}
	a.str("shiptype_text", text)
	a.enum("hazard", "hazard_text", 85, 3, hazardText, "INVALID HAZARD TYPE")
	a.u("draught", 88, 11)
	a.enum("loaded", "loaded_text", 99, 2, loadedText, "INVALID LOAD STATUS")
	a.flag("speed_q", 101)
	a.flag("course_q", 102)
	a.flag("heading_q", 103)
	return ""
}

// inlandLocation is the lock/bridge/terminal identification that the ETA
// and RTA messages share (120 bits).
func (a *appDec) inlandLocation() {
	a.text("country", 0, 2)
	a.text("locode", 12, 3)
	a.text("section", 30, 5)
	a.text("terminal", 60, 5)
	a.text("hectometre", 90, 5)
	a.stamp("eta", int(a.raw(120, 4)), int(a.raw(124, 5)), int(a.raw(129, 5)), int(a.raw(134, 6)), false, false)
}

// inlandETA is ETA at lock/bridge/terminal (6/200/21).
func inlandETA(a *appDec) string {
	if r := a.exact(160); r != "" {
		return r
	}
	a.inlandLocation()
	a.u("tugs", 140, 3)
	a.u("airdraught", 143, 12)
	return ""
}

// inlandRTA is RTA at lock/bridge/terminal (6/200/22).
func inlandRTA(a *appDec) string {
	if r := a.exact(144); r != "" {
		return r
	}
	a.inlandLocation()
	a.enum("status", "status_text", 140, 2, rtaStatusText, "")
	return ""
}

// inlandPersons is the number of persons on board (6/200/55).
func inlandPersons(a *appDec) string {
	if r := a.exact(80); r != "" {
		return r
	}
	a.u("crew", 0, 8)
	a.u("passengers", 8, 13)
	a.u("personnel", 21, 8)
	return ""
}

// inlandEMMA is an EMMA weather warning (8/200/23). gpsd swaps the start
// day and hour in its "start" string; we write them in order.
func inlandEMMA(a *appDec) string {
	if r := a.exact(200); r != "" {
		return r
	}
	for _, p := range [2]struct {
		name            string
		y, mo, d, h, mi uint
	}{{"start", 0, 8, 12, 34, 39}, {"end", 17, 25, 29, 45, 50}} {
		var buf [24]byte
		b := appendPadded(buf[:0], 2000+int(a.raw(p.y, 8)), 4)
		b = append(b, '-')
		b = appendMonthDayTime(b, int(a.raw(p.mo, 4)), int(a.raw(p.d, 5)), int(a.raw(p.h, 5)), int(a.raw(p.mi, 6)))
		a.str(p.name, a.d.intern(b))
	}
	a.f("start_lon", a.lat4(56, 28), 6)
	a.f("start_lat", a.lat4(84, 27), 6)
	a.f("end_lon", a.lat4(111, 28), 6)
	a.f("end_lat", a.lat4(139, 27), 6)
	a.enum("type", "type_text", 166, 4, emmaTypeText, "INVALID EMMA TYPE")
	a.i("min", 170, 9)
	a.i("max", 179, 9)
	a.enum("class", "class_text", 188, 2, emmaClassText, "INVALID EMMA TYPE")
	a.enum("wind", "wind_text", 190, 4, emmaWindText, "INVALID EMMA WIND DIRECTION")
	return ""
}

// inlandWaterLevels is water levels (8/200/24): a country and four gauges
// (levels in centimetres).
func inlandWaterLevels(a *appDec) string {
	if r := a.exact(112); r != "" {
		return r
	}
	a.text("country", 0, 2)
	a.array("gauges")
	for k := uint(0); k < 4; k++ {
		off := 12 + 25*k
		a.object()
		a.u("id", off, 11)
		// sign and magnitude in cm (top bit set = positive), as libais
		// reads it; gpsd's two's complement turns a level of 1.85 m into
		// -80.07 m
		lv := int64(a.raw(off+11, 14))
		level := lv & 0x1FFF
		if lv&0x2000 == 0 {
			level = -level
		}
		a.out = append(a.out, AppField{Name: "level", Kind: AppInt, Int: level})
		a.end()
	}
	a.end()
	return ""
}

// inlandSignal is signal status (8/200/40).
func inlandSignal(a *appDec) string {
	if r := a.exact(112); r != "" {
		return r
	}
	a.f("lon", a.lat4(0, 28), 6)
	a.f("lat", a.lat4(28, 27), 6)
	a.u("form", 55, 4)
	a.u("facing", 59, 9)
	a.enum("direction", "direction_text", 68, 3, directionText, "INVALID DIRECTION")
	a.enum("status", "status_text", 71, 30, lightText, "INVALID STATUS")
	return ""
}

// glaAtoN is GLA AtoN monitoring data (6/235/10, 6/250/10). Voltages are
// in volts (0.05 V steps); gpsd prints 0, "not used", as an integer.
func glaAtoN(a *appDec) string {
	if r := a.exact(48); r != "" {
		return r
	}
	a.flag("off_pos", 43)
	a.flag("alarm", 34)
	a.u("stat_ext", 35, 8)
	for k, name := range [3]string{"ana_int", "ana_ext1", "ana_ext2"} {
		if v := a.raw(uint(10*k), 10); v != 0 {
			a.f(name, float64(v)*0.05, 2)
		} else {
			a.u(name, uint(10*k), 10)
		}
	}
	a.enum("racon", "racon_text", 30, 2, raconText, "")
	a.enum("light", "light_text", 32, 2, glaLightText, "")
	return ""
}
