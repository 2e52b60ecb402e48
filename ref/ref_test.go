package ref

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/geo"
)

func sharedData(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "shared", "data"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	return p
}

func readSharedCSV(t *testing.T, parts ...string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(sharedData(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	return col, rows[1:]
}

// The focus file lists every DPRK port and the Primorye ports, independently
// extracted from the WPI: each must be in the catalog with the same facts.
func TestFocusPortsMatchSharedData(t *testing.T) {
	c := Default()
	col, rows := readSharedCSV(t, "ports", "wpi_focus_ru_far_east_dprk.csv")
	if len(rows) != 17 {
		t.Fatalf("focus file has %d rows", len(rows))
	}
	for _, r := range rows {
		id := r[col["wpi_number"]]
		p, ok := c.Port(id)
		if !ok {
			t.Errorf("port %s (%s) missing", id, r[col["main_port_name"]])
			continue
		}
		lat, _ := strconv.ParseFloat(r[col["latitude"]], 64)
		lon, _ := strconv.ParseFloat(r[col["longitude"]], 64)
		if math.Abs(p.Lat-lat) > 1e-6 || math.Abs(p.Lon-lon) > 1e-6 {
			t.Errorf("port %s at %v,%v, shared data says %v,%v", id, p.Lat, p.Lon, lat, lon)
		}
		if p.Name != r[col["main_port_name"]] || p.Country != r[col["country"]] || p.Size != r[col["harbor_size"]] || p.Type != r[col["harbor_type"]] {
			t.Errorf("port %s = %+v, shared row %v", id, p, r)
		}
		if want := strings.ReplaceAll(r[col["unlocode"]], " ", ""); p.LOCODE != want {
			t.Errorf("port %s LOCODE %q, want %q", id, p.LOCODE, want)
		}
		if alt := r[col["alternate_port_name"]]; alt != "" && !slices.Contains(p.AltNames, alt) {
			t.Errorf("port %s alt names %q lack %q", id, p.AltNames, alt)
		}
		switch p.Country {
		case "North Korea":
			if !c.InGroup(id, "KP") {
				t.Errorf("DPRK port %s %s not in KP", id, p.Name)
			}
		case "Russia":
			if !c.InGroup(id, "RU-FE") || !c.InGroup(id, "RU-PAC") {
				t.Errorf("Primorye port %s %s groups %v", id, p.Name, c.GroupsOf(id))
			}
		default:
			t.Errorf("unexpected country %q", p.Country)
		}
	}
}

func TestKnownPorts(t *testing.T) {
	c := Default()
	for _, k := range []struct{ id, name, locode, group string }{
		{"60725", "Vostochnyy", "RUVYP", "RU-FE"},
		{"60730", "Nakhodka", "RUNJK", "RU-FE"},
		{"60610", "Vladivostok", "RUVVO", "RU-FE"},
		{"62535", "Slavyanka", "RUSKA", "RU-FE"},
		{"60582", "Zarubino", "RUZAR", "RU-FE"},
		{"60540", "Pos'yet", "RUPSE", "RU-FE"},
		{"60720", "Bukhta Gaydamak", "", "RU-FE"},
		{"60280", "Nampo", "KPNAM", "KP"},
		{"60500", "Ch'ongjin", "KPCHO", "KP"},
		{"60510", "Najin", "KPRJN", "KP"},
		{"60450", "Hungnam", "KPHGM", "KP"},
		{"60440", "Wonsan", "KPWON", "KP"},
		{"60290", "Kyomip'o", "KPSGN", "KP"},
		{"60310", "Haeju Hang", "KPHAE", "KP"},
		{"60250", "Dalian", "", "CN-NE"},
	} {
		p, ok := c.Port(k.id)
		if !ok {
			t.Errorf("%s %s missing", k.id, k.name)
			continue
		}
		if p.Name != k.name || (k.locode != "" && p.LOCODE != k.locode) {
			t.Errorf("%s = %q %q, want %q %q", k.id, p.Name, p.LOCODE, k.name, k.locode)
		}
		if !c.InGroup(k.id, k.group) || !slices.Contains(c.GroupsOf(k.id), k.group) {
			t.Errorf("%s %s not in %s (groups %v)", k.id, k.name, k.group, c.GroupsOf(k.id))
		}
		if !slices.Contains(c.Group(k.group).PortIDs, k.id) {
			t.Errorf("group %s lacks %s", k.group, k.id)
		}
	}
	if p, _ := c.Port("60510"); !slices.Contains(p.AltNames, "Rashin") {
		t.Errorf("Najin alt names %q", p.AltNames)
	}
	if c.Group("RU-FE").Description == "" || c.Group("nope") != nil {
		t.Error("group lookup")
	}
	// Vanino and Sakhalin are Pacific Russia but not Primorye.
	for _, id := range []string{"60800", "60920"} {
		if c.InGroup(id, "RU-FE") || !c.InGroup(id, "RU-PAC") {
			t.Errorf("%s groups %v", id, c.GroupsOf(id))
		}
	}
}

func TestGroupsFollowTheData(t *testing.T) {
	c := Default()
	nk := 0
	for _, p := range c.Ports {
		if p.Country == "North Korea" {
			nk++
			if !c.InGroup(p.ID, "KP") {
				t.Errorf("%s %s not in KP", p.ID, p.Name)
			}
		}
	}
	if got := len(c.Group("KP").PortIDs); got != nk || nk < 10 {
		t.Errorf("KP has %d ports, the data %d DPRK ports", got, nk)
	}
	for _, g := range c.Groups() {
		for _, id := range c.Group(g).PortIDs {
			p, ok := c.Port(id)
			if !ok {
				t.Errorf("group %s: unknown port %s", g, id)
				continue
			}
			want := map[string]string{"KP": "North Korea", "RU-FE": "Russia", "RU-PAC": "Russia", "CN-NE": "China"}[g]
			if want != "" && p.Country != want {
				t.Errorf("group %s: %s %s is in %s", g, id, p.Name, p.Country)
			}
			if g == "RU-FE" && (p.Lat < 42 || p.Lat > 48.4 || p.Lon < 130 || p.Lon > 139.5) {
				t.Errorf("RU-FE port %s %s at %v,%v is outside Primorye", id, p.Name, p.Lat, p.Lon)
			}
		}
	}
}

// Every WPI row is in the catalog with its number, name and position; the
// four repeated numbers keep their first row.
func TestAllWPIPorts(t *testing.T) {
	c := Default()
	col, rows := readSharedCSV(t, "ports", "nga_wpi_pub150_2025-03.csv")
	if len(rows) != 3802 {
		t.Fatalf("WPI rows %d", len(rows))
	}
	seen := map[string]bool{}
	for _, r := range rows {
		n, err := strconv.ParseFloat(r[col["World Port Index Number"]], 64)
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.Itoa(int(n))
		if seen[id] {
			continue
		}
		seen[id] = true
		p, ok := c.Port(id)
		if !ok {
			t.Errorf("WPI %s missing", id)
			continue
		}
		lat, _ := strconv.ParseFloat(r[col["Latitude"]], 64)
		lon, _ := strconv.ParseFloat(r[col["Longitude"]], 64)
		if p.Name != strings.TrimSpace(r[col["Main Port Name"]]) || math.Abs(p.Lat-lat) > 1e-6 || math.Abs(p.Lon-lon) > 1e-6 {
			t.Errorf("WPI %s: %q %v,%v vs row %q %v,%v", id, p.Name, p.Lat, p.Lon, r[col["Main Port Name"]], lat, lon)
		}
		if len(p.LOCODE) != 0 && len(p.LOCODE) != 5 || strings.Contains(p.LOCODE, " ") {
			t.Errorf("WPI %s LOCODE %q", id, p.LOCODE)
		}
	}
	if len(c.Ports) != len(seen) || len(seen) != 3798 {
		t.Errorf("catalog has %d ports, WPI %d distinct numbers", len(c.Ports), len(seen))
	}
}

func bruteNearest(c *Catalog, lat, lon, maxKm float64) (string, float64) {
	best, bd := "", math.Inf(1)
	for _, p := range c.Ports {
		d := geo.DistanceKm(lat, lon, p.Lat, p.Lon)
		if d <= maxKm && (d < bd || d == bd && p.ID < best) {
			best, bd = p.ID, d
		}
	}
	return best, bd
}

func TestNearestPortMatchesBruteForce(t *testing.T) {
	c := Default()
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() || raceEnabled {
		n = 500
	}
	for i := range n {
		var lat, lon float64
		switch i % 3 {
		case 0: // anywhere
			lat, lon = rng.Float64()*180-90, rng.Float64()*360-180
		case 1: // near a port
			p := c.Ports[rng.IntN(len(c.Ports))]
			lat, lon = geo.Destination(p.Lat, p.Lon, rng.Float64()*360, rng.Float64()*30)
		default: // the region we care about, and the far north
			lat, lon = 30+rng.Float64()*60, 117+rng.Float64()*70
		}
		maxKm := []float64{1, 10, 50, 300, 2000, 25000}[rng.IntN(6)]
		p, d, ok := c.NearestPort(lat, lon, maxKm)
		wantID, wantD := bruteNearest(c, lat, lon, maxKm)
		if ok != (wantID != "") || ok && (p.ID != wantID || math.Abs(d-wantD) > 1e-9) {
			t.Fatalf("NearestPort(%v,%v,%v) = %s %v %v, brute force %s %v", lat, lon, maxKm, p.ID, d, ok, wantID, wantD)
		}
		if i%10 == 0 {
			got := c.PortsWithin(lat, lon, maxKm/10)
			want := 0
			for _, q := range c.Ports {
				if geo.DistanceKm(lat, lon, q.Lat, q.Lon) <= maxKm/10 {
					want++
				}
			}
			if len(got) != want || !slices.IsSortedFunc(got, func(a, b PortDist) int { return int(math.Copysign(1, a.DistKm-b.DistKm)) }) {
				t.Fatalf("PortsWithin(%v,%v,%v): %d ports, brute force %d", lat, lon, maxKm/10, len(got), want)
			}
		}
	}
	if _, _, ok := c.NearestPort(math.NaN(), 0, 100); ok {
		t.Error("NaN position found a port")
	}
	// Poles and the antimeridian must not loop or panic.
	for _, q := range [][2]float64{{90, 0}, {-90, 0}, {89.9, 179.99}, {0, -180}, {0, 180}, {0, 540}} {
		c.NearestPort(q[0], q[1], 20000)
	}
	p, d, ok := c.NearestPort(42.76, 133.09, 5)
	if !ok || p.ID != "60725" || d > 2 {
		t.Errorf("near Vostochnyy: %v %v %v", p.ID, d, ok)
	}
}

func TestFlags(t *testing.T) {
	c := Default()
	for _, k := range []struct {
		mmsi uint32
		kind MMSIKind
		flag string
		iso  string
	}{
		{273123456, Ship, "Russian Federation", "RU"},
		{445123456, Ship, "Democratic People's Republic of Korea", "KP"},
		{351000001, Ship, "Panama (Republic of)", "PA"},
		{370999999, Ship, "Panama (Republic of)", "PA"},
		{413000000, Ship, "China (People's Republic of)", "CN"},
		{477000000, Ship, "China (People's Republic of) - Hong Kong (Special Administrative Region of China)", "HK"},
		{2731234, CoastStation, "Russian Federation", "RU"},
		{44512345, GroupCall, "Democratic People's Republic of Korea", "KP"},
		{111273123, SARAircraft, "Russian Federation", "RU"},
		{992731234, AtoN, "Russian Federation", "RU"},
		{984451234, CraftAssociated, "Democratic People's Republic of Korea", "KP"},
		{827312345, Handheld, "Russian Federation", "RU"},
		{970123456, SART, "", ""},
		{972123456, MOB, "", ""},
		{974123456, EPIRB, "", ""},
		{0, InvalidMMSI, "", ""},
		{123456789, InvalidMMSI, "", ""},
		{1000000000, InvalidMMSI, "", ""},
		{4294967295, InvalidMMSI, "", ""},
		{200000000, Ship, "", ""}, // MID 200 is not allocated
		{306123456, Ship, "Netherlands (Kingdom of the) - Bonaire, Sint Eustatius and Saba / Netherlands (Kingdom of the) - Curaçao / Netherlands (Kingdom of the) - Sint Maarten (Dutch part)", ""},
	} {
		got := c.MMSI(k.mmsi)
		if got.Kind != k.kind || got.Flag != k.flag || got.ISO2 != k.iso || c.Flag(k.mmsi) != k.flag || c.FlagISO(k.mmsi) != k.iso {
			t.Errorf("MMSI %09d = %+v, want %s %q %q", k.mmsi, got, k.kind, k.flag, k.iso)
		}
	}
}

// Every MID in the shared table resolves to its administration.
func TestAllMIDs(t *testing.T) {
	c := Default()
	_, rows := readSharedCSV(t, "ais_codes", "itu_mid.csv")
	for _, r := range rows {
		mid, _ := strconv.Atoi(r[0])
		if got := c.Flag(uint32(mid)*1_000_000 + 123456); got != r[1] && !(mid == 306 && strings.Contains(got, r[1])) {
			t.Errorf("MID %d: %q, want %q", mid, got, r[1])
		}
	}
}

func TestShipTypesAndNavStatus(t *testing.T) {
	c := Default()
	for code, want := range map[int]string{80: "tanker", 89: "tanker", 70: "cargo", 79: "cargo", 30: "fishing", 35: "military", 52: "tug_tow", 0: "not_available", 150: "not_available", -1: "not_available", 60: "passenger", 37: "pleasure"} {
		if got := c.ShipTypeCategory(code); got != want {
			t.Errorf("ShipTypeCategory(%d) = %q, want %q", code, got, want)
		}
	}
	if d := c.ShipType(80); !strings.HasPrefix(d, "Tanker") {
		t.Errorf("ShipType(80) = %q", d)
	}
	for code, want := range map[int]string{0: "Under way using engine", 1: "At anchor", 5: "Moored", 7: "Engaged in Fishing"} {
		if got := c.NavStatus(code); got != want {
			t.Errorf("NavStatus(%d) = %q, want %q", code, got, want)
		}
	}
	if c.NavStatus(16) != "" || c.NavStatus(-1) != "" {
		t.Error("out-of-range nav status has a description")
	}
}

func BenchmarkNearestPort(b *testing.B) {
	c := Default()
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([][2]float64, 1<<16)
	for i := range pts {
		pts[i] = [2]float64{30 + rng.Float64()*20, 117 + rng.Float64()*25}
	}
	b.ResetTimer()
	for i := range b.N {
		p := pts[i&(len(pts)-1)]
		c.NearestPort(p[0], p[1], 20)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}
