package ais

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// appDeviation says why Lookout deliberately differs from gpsd 3.22 on a
// golden message; the test checks that the difference is that one.
type appDeviation int

const (
	devNone appDeviation = iota
	// gpsd decodes a payload too short for its layout, reading the
	// missing bits as zeros; Lookout keeps the raw data and reports it.
	devShort
	// gpsd counts a tidal-window record that starts at the very end of
	// the payload; Lookout counts whole records only.
	devPartialRecord
	// gpsd reads the IMO 236 persons count of a type 6 from the header.
	devPersons236
	// gpsd reads inland water levels as two's complement, not sign and
	// magnitude.
	devLevelSign
)

func TestAppGoldenGpsd(t *testing.T) {
	f, err := os.Open("testdata/gpsd-app-golden.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var n, decoded, fields int
	devs := map[appDeviation]int{}
	for sc.Scan() {
		var g struct {
			Source string         `json:"source"`
			NMEA   []string       `json:"nmea"`
			Gpsd   map[string]any `json:"gpsd"`
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatal(err)
		}
		n++
		r := NewReader(strings.NewReader(strings.Join(g.NMEA, "\n")))
		if !r.Next() {
			t.Errorf("%s %q: no message, %v", g.Source, g.NMEA, r.Stats().Rejected)
			continue
		}
		m := r.Message()
		var got map[string]any
		line := AppendJSON(nil, m)
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("invalid JSON %s: %v", line, err)
		}
		_, gpsdRaw := g.Gpsd["data"]
		dev := deviation(m, g.Gpsd)
		devs[dev]++
		switch {
		case dev == devShort:
			if !errors.Is(m.Binary.AppErr, ErrAppPayload) || gpsdRaw {
				t.Errorf("%s %q: expected a short-payload error, got %v", g.Source, g.NMEA, m.Binary.AppErr)
			}
			continue
		case gpsdRaw && m.Binary.App != nil:
			t.Errorf("%s %q: gpsd keeps raw data, we decoded %s", g.Source, g.NMEA, line)
			continue
		case !gpsdRaw && m.Binary.App == nil:
			t.Errorf("%s %q: gpsd decodes it, we did not (%v): %s", g.Source, g.NMEA, m.Binary.AppErr, line)
			continue
		}
		if m.Binary.App != nil {
			decoded++
		}
		for k, want := range g.Gpsd {
			if k == "class" || dev == devPersons236 && k == "persons" {
				continue
			}
			if dev == devLevelSign && k == "gauges" {
				for _, gw := range want.([]any) {
					g := gw.(map[string]any)
					raw := int64(g["level"].(float64)) & 0x3FFF
					if g["level"] = float64(raw & 0x1FFF); raw&0x2000 == 0 {
						g["level"] = -float64(raw & 0x1FFF)
					}
				}
			}
			if k == "tidals" && m.Binary.FI == 14 {
				// IMO 236 tidal windows have 1/10000-minute positions;
				// gpsd divides them as 1/1000-minute ones (latitudes
				// past 90 degrees)
				gt, _ := got[k].([]any)
				for i, tw := range want.([]any) {
					for _, c := range []string{"lon", "lat"} {
						w := tw.(map[string]any)[c].(float64) / 10
						if i < len(gt) {
							// gpsd printed one digit less
							if g, _ := gt[i].(map[string]any)[c].(float64); math.Abs(g-w) <= 1.01e-4 {
								w = g
							}
						}
						tw.(map[string]any)[c] = w
					}
				}
			}
			if dev == devPartialRecord && (k == "tidals" || k == "targets") {
				// gpsd's extra record is all zeros
				if w, ok := want.([]any); ok && len(w) > 0 {
					want = w[:len(w)-1]
				}
			}
			if w, ok := want.(float64); ok && k == "waterlevel" && m.Binary.FI == 31 && w > 4e7 {
				// gpsd subtracts the 10 m offset unsigned, so levels
				// below the datum wrap around
				if v, _ := got[k].(float64); math.Abs(v-(w-math.Exp2(32)/100)) > 0.11 {
					t.Errorf("%s %q: waterlevel %v, gpsd wrapped %v", g.Source, g.NMEA, v, w)
				}
				continue
			}
			v, ok := got[k]
			if !ok {
				t.Errorf("%s %q: %s missing, gpsd has %v", g.Source, g.NMEA, k, want)
				continue
			}
			if !sameJSON(k, v, want) {
				t.Errorf("%s %q: %s = %v, gpsd says %v", g.Source, g.NMEA, k, v, want)
			}
			fields++
		}
	}
	t.Logf("%d golden messages, %d decoded, %d fields compared, deviations %v", n, decoded, fields, devs)
	if n < 200 || decoded < 150 {
		t.Fatalf("only %d golden messages, %d decoded", n, decoded)
	}
}

// deviation classifies a golden message by the known differences.
func deviation(m *Message, g map[string]any) appDeviation {
	x := &m.Binary
	_, raw := g["data"]
	switch {
	case x.AppErr != nil && !raw && strings.Contains(x.AppErr.Error(), "too short"):
		return devShort
	case m.Type == 6 && x.DAC == 1 && x.FI == 16 && x.DataBits != 136:
		return devPersons236
	case m.Type == 8 && x.DAC == 200 && x.FI == 24 && x.App != nil:
		return devLevelSign
	case m.Type == 6 && x.DAC == 1 && (x.FI == 32 && (x.DataBits-9)%88 == 0 || x.FI == 14 && (x.DataBits-9)%93 == 0),
		m.Type == 8 && x.DAC == 1 && x.FI == 17 && x.DataBits%122 == 0:
		return devPartialRecord
	}
	return devNone
}

// sameJSON compares decoded JSON values, numbers with a tolerance of half
// their printed precision and strings after trimming (Lookout trims
// leading spaces of text fields too).
func sameJSON(k string, got, want any) bool {
	switch w := want.(type) {
	case string:
		g, ok := got.(string)
		return ok && g == strings.TrimSpace(w)
	case float64:
		g, ok := got.(float64)
		return ok && (g == w || fmt.Sprint(g) == fmt.Sprint(w) || abs(g-w) < 1e-9)
	case bool:
		return got == w
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameJSON(k, g[i], w[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for kk, wv := range w {
			if !sameJSON(kk, g[kk], wv) {
				return false
			}
		}
		return true
	}
	return false
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// areaNoticeJSON is an area notice as AppendJSON writes it.
type areaNoticeJSON struct {
	Linkage, Notice, Month, Day, Hour, Minute, Duration int
	Subareas                                            []struct {
		Shape, Scale, Precision, Radius int
		Lon, Lat                        float64
		Vertices                        []struct {
			Bearing  float64
			Distance int
		}
		Text string
	}
}

// Layouts gpsd does not decode (area notice, IMO 289 extended static):
// fields checked against the values the payload was built from.
func TestAppAreaNotice(t *testing.T) {
	w := appHeader(8, 366123456, 1, 22)
	w.put(42, 10).put(35, 7).put(12, 4).put(24, 5).put(18, 5).put(30, 6).put(1440, 18)
	// circle: scale 1, lon -70.5 (minutes*1000), lat 41.25, precision 4, radius 250
	w.put(0, 3).put(1, 2).put(1<<25-4230000, 25).put(uint64(41.25*60000), 24).put(4, 3).put(250, 12).put(0, 18)
	// polygon: four vertices, bearings 10, 90.5, 180, 359.5 degrees
	w.put(4, 3).put(0, 2)
	for _, b := range []uint64{20, 181, 360, 719} {
		w.put(b, 10).put(b/2+1, 10)
	}
	w.put(0, 2)
	// text
	w.put(5, 3).text("NO FISHING", 14)
	m := decodeOne(t, w.sentences(1))
	x := &m.Binary
	if x.AppErr != nil || x.App == nil {
		t.Fatalf("not decoded: %v", x.AppErr)
	}
	var v areaNoticeJSON
	if err := json.Unmarshal(AppendJSON(nil, m), &v); err != nil {
		t.Fatal(err)
	}
	if v.Linkage != 42 || v.Notice != 35 || v.Month != 12 || v.Day != 24 || v.Hour != 18 || v.Minute != 30 || v.Duration != 1440 {
		t.Errorf("header %+v", v)
	}
	if len(v.Subareas) != 3 {
		t.Fatalf("%d sub-areas: %s", len(v.Subareas), AppendJSON(nil, m))
	}
	c, p, tx := v.Subareas[0], v.Subareas[1], v.Subareas[2]
	if c.Shape != 0 || c.Scale != 1 || c.Lon != -70.5 || c.Lat != 41.25 || c.Precision != 4 || c.Radius != 250 {
		t.Errorf("circle %+v", c)
	}
	if p.Shape != 4 || len(p.Vertices) != 4 || p.Vertices[1].Bearing != 90.5 || p.Vertices[3].Bearing != 359.5 || p.Vertices[3].Distance != 360 {
		t.Errorf("polygon %+v", p)
	}
	if tx.Shape != 5 || tx.Text != "NO FISHING" {
		t.Errorf("text %+v", tx)
	}
	if f, ok := x.Get("duration"); !ok || f.Int != 1440 {
		t.Errorf("Get(duration) = %+v %v", f, ok)
	}
	if _, ok := x.Get("lon"); ok {
		t.Error("Get found a field inside the sub-area array")
	}
	// The same layout addressed (6/1/23).
	w = appHeader(6, 2320001, 1, 23)
	w.put(7, 10).put(127, 7).put(0, 4).put(0, 5).put(24, 5).put(60, 6).put(262143, 18)
	w.put(1, 3).put(2, 2).put(0, 25).put(0, 24).put(4, 3).put(10, 8).put(20, 8).put(45, 9).put(0, 5)
	m = decodeOne(t, w.sentences(2))
	if f, ok := m.Binary.Get("notice"); !ok || f.Int != 127 {
		t.Fatalf("6/1/23 notice %+v %v (%v)", f, ok, m.Binary.AppErr)
	}
}

func TestAppExtendedStatic289(t *testing.T) {
	w := appHeader(8, 257000001, 1, 24)
	w.put(5, 10).put(4512, 13).text("NOOSL", 5).text("DEHAM", 5).text("", 5)
	for k := 0; k < 25; k++ {
		w.put(uint64(k%4), 2)
	}
	w.put(0, 2).put(7, 4).put(12000, 18).put(16, 12).text("A13B2PC", 7).put(45000, 18).put(1, 2).put(2, 2).put(1, 2).put(2, 2).put(800, 14).put(23, 13).put(0, 10)
	m := decodeOne(t, w.sentences(3))
	want := map[string]any{"linkage": 5.0, "airdraught": 45.12, "lastport": "NOOSL", "nextport": "DEHAM",
		"ata_state": 1.0, "vdr_state": 0.0, "iceclass": 7.0, "horsepower": 12000.0, "vhfchan": 16.0,
		"lshiptype": "A13B2PC", "tonnage": 45000.0, "lading": 1.0, "totaloil": 800.0, "persons": 23.0}
	var got map[string]any
	if err := json.Unmarshal(AppendJSON(nil, m), &got); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// Bad payloads: a known DAC/FI that does not fit its layout keeps the
// message and its raw data, and the error names the DAC/FI.
func TestAppBadPayloads(t *testing.T) {
	route := func(count, waypoints int) *bitWriter {
		w := appHeader(8, 265000001, 1, 27).put(0, 56).put(uint64(count), 5)
		for k := 0; k < waypoints; k++ {
			w.put(0, 55)
		}
		return w
	}
	area := func(shape uint64, n int) *bitWriter {
		w := appHeader(8, 265000002, 1, 22).put(0, 55)
		for k := 0; k < n; k++ {
			w.put(shape, 3).put(0, 84)
		}
		return w
	}
	for _, c := range []struct {
		name string
		w    *bitWriter
		want string
	}{
		{"met/hydro cut short", appHeader(8, 2300061, 1, 31).put(0, 200), "DAC 1 FI 31: payload too short"},
		{"route with more waypoints than bits", route(5, 2), "DAC 1 FI 27: 5 waypoints need"},
		{"route count past 16", route(20, 20), "DAC 1 FI 27: waypoint count 20"},
		{"area notice without sub-area", area(0, 0), "DAC 1 FI 22: payload too short"},
		{"area notice, 11 sub-areas", area(0, 11), "DAC 1 FI 22: 11 sub-areas"},
		{"area notice, reserved shape", area(6, 1), "DAC 1 FI 22: sub-area 1 has reserved shape 6"},
		{"inland static of the wrong length", appHeader(8, 244650946, 200, 10).put(0, 200), "DAC 200 FI 10: payload of 200 bits"},
		{"tidal window without a window", appHeader(6, 2320002, 1, 32).put(0, 9), "DAC 1 FI 32: payload too short"},
	} {
		m := decodeOne(t, c.w.sentences(4))
		x := &m.Binary
		if x.App != nil || x.AppErr == nil || !strings.HasPrefix(x.AppErr.Error(), c.want) || !errors.Is(x.AppErr, ErrAppPayload) {
			t.Errorf("%s: App %v, error %v, want %q", c.name, x.App != nil, x.AppErr, c.want)
			continue
		}
		var got map[string]any
		if err := json.Unmarshal(AppendJSON(nil, m), &got); err != nil {
			t.Fatal(err)
		}
		if got["data"] == nil || got["app_error"] != x.AppErr.Error() {
			t.Errorf("%s: JSON %v", c.name, got)
		}
	}
	// Counted per DAC/FI by the Reader, unknown ones too.
	var in strings.Builder
	for _, w := range []*bitWriter{route(5, 2), route(1, 1), appHeader(8, 1, 366, 50).put(0, 40)} {
		for _, l := range w.sentences(5) {
			in.WriteString(l + "\n")
		}
	}
	st := readAll(t, strings.NewReader(in.String()), func(*Message) {})
	if c := st.Apps[AppID{8, 1, 27}]; c != (AppCounts{Decoded: 1, Bad: 1}) {
		t.Errorf("8/1/27 counts %+v", c)
	}
	if c := st.Apps[AppID{8, 366, 50}]; c != (AppCounts{Unknown: 1}) {
		t.Errorf("8/366/50 counts %+v", c)
	}
}

func decodeOne(t *testing.T, lines []string) *Message {
	t.Helper()
	r := NewReader(strings.NewReader(strings.Join(lines, "\n")))
	if !r.Next() {
		t.Fatalf("%q: no message, %v", lines, r.Stats().Rejected)
	}
	return r.Message()
}

// Application decoding leaves the hot path alone and does not allocate
// for a repeated met/hydro message once its strings are interned.
func TestAppNoAllocsWhenRepeated(t *testing.T) {
	line := "!AIVDO,1,1,4,B,8>jR06@0Bk3:wOli;<`WPhh<1rqVBQf2V@Pdt0J82avIM2b<<Rv1t<ot=@1,2*54\n"
	r := NewReader(&repeatReader{data: []byte(line), n: -1})
	for i := 0; i < 10; i++ {
		r.Next()
	}
	if a := testing.AllocsPerRun(500, func() { r.Next() }); a != 0 {
		t.Fatalf("%v allocations per met/hydro message", a)
	}
	if r.Message().Binary.App == nil {
		t.Fatal("not decoded")
	}
}

// The small differences gpsd's output showed: type 17 positions with one
// decimal, type 22/23 corners as quoted strings, the type 24 vendor ID of
// pre-M.1371-4 transponders as 7 characters (gpsdecode 3.22's output).
func TestGpsdFormats(t *testing.T) {
	for _, c := range []struct {
		nmea []string
		want []string
	}{
		{[]string{"!AIVDM,1,1,1,A,A;wUJKU>io;WlWuwH`W1PpnuN<isf;5iHtOM1S6q?vsvNrNGOqLcr5mfD6t,2*51"},
			[]string{`"lon":134.4,"lat":-44.7,`}},
		{[]string{"!AIVDM,1,1,,A,F030ot22N2P6aoQbhe4736L20000,0*1A"},
			[]string{`"ne_lon":"-73.500000","ne_lat":"45.550000","sw_lon":"-80.166667","sw_lat":"42.333333"`}},
		{[]string{"!AIVDM,1,1,,B,G02:Kn01R`sn@291nj600000900,2*12"},
			[]string{`"ne_lon":"2.630000","ne_lat":"51.070000","sw_lon":"1.826667","sw_lat":"50.680000"`}},
		{[]string{"!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40"},
			[]string{`"shiptype":60,"vendorid":"1D00014","model":12,"serial":199796,"callsign":"TC6163"`}},
	} {
		m := decodeOne(t, c.nmea)
		got := string(AppendJSON(nil, m))
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s\nlacks %s", got, w)
			}
		}
	}
	m := decodeOne(t, []string{"!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40"})
	if m.StaticB.VendorID != "1D0" || m.StaticB.VendorIDLong != "1D00014" {
		t.Errorf("vendor IDs %q %q", m.StaticB.VendorID, m.StaticB.VendorIDLong)
	}
}

// Area notices sent by NOAA (right whale sightings and dynamic management
// areas), from libais' src/test/ais8_1_22_test.cc (github.com/schwehr/libais,
// Apache-2.0), with the values libais decodes: radius and distances in
// 10^scale metres, libais' raw half-degree angles 179, 0, 540.
func TestAppAreaNoticeLibais(t *testing.T) {
	var v areaNoticeJSON
	m := decodeOne(t, []string{"!AIVDM,1,1,0,B,803Ovrh0EPM0WB0h2l0MwJUi=6B4G9000aip8<2Bt2Hq2Qhp,0*01"})
	if err := json.Unmarshal(AppendJSON(nil, m), &v); err != nil {
		t.Fatal(err)
	}
	if m.MMSI != 3669739 || v.Linkage != 29 || v.Notice != 1 || v.Month != 3 || v.Day != 20 || v.Hour != 16 || v.Minute != 6 || v.Duration != 1440 || len(v.Subareas) != 2 {
		t.Fatalf("sighting: %s", AppendJSON(nil, m))
	}
	if c := v.Subareas[0]; c.Shape != 0 || c.Radius*10 != 14810 || c.Precision != 4 || abs(c.Lon+70.22429656982422) > 1e-4 || abs(c.Lat-42.105865478515625) > 1e-4 {
		t.Errorf("sighting circle %+v", c)
	}
	if s := v.Subareas[1]; s.Shape != 5 || s.Text != "NOAA RW SGHTNG" {
		t.Errorf("sighting text %+v", s)
	}

	v.Subareas = nil
	m = decodeOne(t, []string{"!AIVDM,2,1,1,A,803Ovrh0EPJ0Vvch00@=w52I9BK<00000VFHkP0>D>3,0*24", "!AIVDM,2,2,1,A,;J005>?11PBGP4=1PPP,0*3F"})
	if err := json.Unmarshal(AppendJSON(nil, m), &v); err != nil {
		t.Fatal(err)
	}
	if v.Linkage != 26 || v.Month != 3 || v.Day != 15 || v.Hour != 21 || v.Minute != 30 || v.Duration != 2 || len(v.Subareas) != 3 {
		t.Fatalf("DMA: %s", AppendJSON(nil, m))
	}
	if c := v.Subareas[0]; c.Radius != 0 || abs(c.Lon+70.408216666666661) > 1e-4 || abs(c.Lat-40.02495) > 1e-4 {
		t.Errorf("DMA circle %+v", c)
	}
	p := v.Subareas[1]
	if p.Shape != 4 || p.Scale != 3 || len(p.Vertices) != 4 {
		t.Fatalf("DMA polygon %+v", p)
	}
	for k, want := range []struct{ angle, dist float64 }{{179, 103000}, {0, 114000}, {540, 101000}} {
		if got := p.Vertices[k]; got.Bearing*2 != want.angle || float64(got.Distance)*1000 != want.dist {
			t.Errorf("DMA vertex %d: %+v, libais %v", k, got, want)
		}
	}
	if s := v.Subareas[2]; s.Text != "NOAA RW DMA" {
		t.Errorf("DMA text %q", s.Text)
	}
	// libais' "missing subareas" case is a bad payload here.
	m = decodeOne(t, []string{"!AIVDM,1,1,,A,803Ovrh0EPG0WB5p2l0L40,4*1E"})
	if m.Binary.AppErr == nil || !strings.HasPrefix(m.Binary.AppErr.Error(), "DAC 1 FI 22: ") {
		t.Errorf("missing sub-areas: %v", m.Binary.AppErr)
	}
}

// Inland water levels of libais' issue 162 test (Croatian gauges 4, 3, 2,
// 1 at 185, 347, 171 and 196 cm).
func TestAppWaterLevelsLibais(t *testing.T) {
	m := decodeOne(t, []string{"!AIVDM,1,1,,B,802ATu0j624P2@G80pEd0D5F0634,0*2F"})
	want := `"country":"HR","gauges":[{"id":4,"level":185},{"id":3,"level":347},{"id":2,"level":171},{"id":1,"level":196}]`
	if got := string(AppendJSON(nil, m)); !strings.Contains(got, want) {
		t.Errorf("%s\nlacks %s", got, want)
	}
}
