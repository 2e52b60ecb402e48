// Command genref builds ref/data from the shared reference data: a compact
// port table from the NGA World Port Index, the built-in port groups chosen
// by rule from that table, and the ITU MID / AIS code tables. Run it with
// go generate in package ref; it needs ../shared/data.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

func main() {
	shared := flag.String("shared", "", "path to shared/data")
	out := flag.String("out", "data", "output directory")
	flag.Parse()
	if *shared == "" {
		log.Fatal("usage: genref -shared ../../shared/data -out data")
	}
	if err := run(*shared, *out); err != nil {
		log.Fatal(err)
	}
}

type port struct {
	id                                      int
	name, alt, locode, country, size, htype string
	lat, lon, draft                         float64
	oil, region, water                      string
}

func run(shared, out string) error {
	ports, err := readWPI(filepath.Join(shared, "ports", "nga_wpi_pub150_2025-03.csv"))
	if err != nil {
		return err
	}
	if err := writePorts(filepath.Join(out, "ports.csv"), ports); err != nil {
		return err
	}
	if err := writeGroups(filepath.Join(out, "groups.yaml"), ports); err != nil {
		return err
	}
	if err := writeMID(filepath.Join(shared, "ais_codes", "itu_mid.csv"), filepath.Join(out, "mid.csv"), ports); err != nil {
		return err
	}
	for _, f := range []string{"ais_ship_types.csv", "ais_nav_status.csv"} {
		b, err := os.ReadFile(filepath.Join(shared, "ais_codes", f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, f), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func readCSV(path string) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	hdr, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	hdr[0] = strings.TrimPrefix(hdr[0], "\ufeff")
	var rows [][]string
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, row)
	}
	return hdr, rows, nil
}

var locodeRE = regexp.MustCompile(`^[A-Z]{2}[A-Z2-9]{3}$`)

func readWPI(path string) ([]port, error) {
	hdr, rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range hdr {
		col[h] = i
	}
	need := []string{"World Port Index Number", "Main Port Name", "Alternate Port Name", "UN/LOCODE", "Country Code",
		"Harbor Size", "Harbor Type", "Latitude", "Longitude", "Maximum Vessel Draft (m)", "Facilities - Oil Terminal",
		"Region Name", "World Water Body"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("%s: no column %q", path, n)
		}
	}
	get := func(row []string, n string) string { return strings.TrimSpace(row[col[n]]) }
	num := func(row []string, n string) (float64, error) {
		v := get(row, n)
		if v == "" {
			return 0, nil
		}
		return strconv.ParseFloat(v, 64)
	}
	var ports []port
	dropped := 0
	for i, row := range rows {
		var p port
		id, err := num(row, "World Port Index Number")
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%s row %d: bad port number %q", path, i+2, get(row, "World Port Index Number"))
		}
		p.id = int(math.Round(id))
		if p.lat, err = num(row, "Latitude"); err != nil {
			return nil, fmt.Errorf("%s row %d: %w", path, i+2, err)
		}
		if p.lon, err = num(row, "Longitude"); err != nil {
			return nil, fmt.Errorf("%s row %d: %w", path, i+2, err)
		}
		if p.draft, err = num(row, "Maximum Vessel Draft (m)"); err != nil {
			return nil, fmt.Errorf("%s row %d: %w", path, i+2, err)
		}
		p.name = get(row, "Main Port Name")
		var alts []string
		for a := range strings.SplitSeq(get(row, "Alternate Port Name"), ";") {
			if a = strings.TrimSpace(a); a != "" {
				alts = append(alts, a)
			}
		}
		p.alt = strings.Join(alts, ";")
		p.locode = strings.ToUpper(strings.ReplaceAll(get(row, "UN/LOCODE"), " ", ""))
		if p.locode != "" && !locodeRE.MatchString(p.locode) {
			log.Printf("WPI %d %s: dropping malformed UN/LOCODE %q", p.id, p.name, get(row, "UN/LOCODE"))
			p.locode = ""
			dropped++
		}
		p.country = get(row, "Country Code")
		p.size = get(row, "Harbor Size")
		p.htype = get(row, "Harbor Type")
		switch get(row, "Facilities - Oil Terminal") {
		case "Yes":
			p.oil = "Y"
		case "No":
			p.oil = "N"
		}
		p.region = get(row, "Region Name")
		p.water = get(row, "World Water Body")
		ports = append(ports, p)
	}
	// The WPI repeats four numbers. The ID must stay a unique key, so keep
	// the first row in file order. A repeat within 20 km is the same port
	// spelled differently (Seydisfjordur, Puerto Progreso, Machilipatnam): keep
	// its name as an alternate. A repeat further away (49455 Kattupalli Port,
	// 105 km from Krishnapatnam) is another port with no number of its own:
	// it is left out rather than given an invented ID.
	sort.SliceStable(ports, func(i, j int) bool { return ports[i].id < ports[j].id })
	uniq := ports[:0]
	for _, p := range ports {
		if n := len(uniq); n > 0 && uniq[n-1].id == p.id {
			q := &uniq[n-1]
			if km := roughKm(p.lat, p.lon, q.lat, q.lon); km > 20 {
				log.Printf("WPI %d: duplicate row %q is %.0f km from %q: left out", p.id, p.name, km, q.name)
				continue
			}
			log.Printf("WPI %d: duplicate row %q (%v,%v) merged into %q (%v,%v)", p.id, p.name, p.lat, p.lon, q.name, q.lat, q.lon)
			if p.name != q.name && !slices.Contains(strings.Split(q.alt, ";"), p.name) {
				q.alt = strings.TrimPrefix(q.alt+";"+p.name, ";")
			}
			continue
		}
		uniq = append(uniq, p)
	}
	log.Printf("%d ports, %d malformed LOCODEs dropped", len(uniq), dropped)
	return uniq, nil
}

func writePorts(path string, ports []port) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"id", "name", "alt_names", "locode", "country", "size", "type", "lat", "lon", "max_draft_m", "oil_terminal", "region", "water_body"})
	ff := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, p := range ports {
		w.Write([]string{strconv.Itoa(p.id), p.name, p.alt, p.locode, p.country, p.size, p.htype,
			// Six decimals (0.1 m) keep all the information of arc-minute positions.
			ff(math.Round(p.lat*1e6) / 1e6), ff(math.Round(p.lon*1e6) / 1e6),
			ff(p.draft), p.oil, p.region, p.water})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

// groupRule selects built-in group members from the WPI table. Rules use
// only the WPI's own country, water-body and position fields.
type groupRule struct {
	name, desc, rule string
	match            func(p port) bool
}

var rules = []groupRule{
	{"RU-FE", "Russia's Pacific ports in Primorye (Peter the Great Gulf to Nakhodka and Vostochnyy)",
		`country "Russia", water body includes "Sea of Japan", 42-48.4N 130-139.5E (Primorsky Krai)`,
		func(p port) bool {
			return p.country == "Russia" && strings.Contains(p.water, "Sea of Japan") &&
				p.lat >= 42 && p.lat <= 48.4 && p.lon >= 130 && p.lon <= 139.5
		}},
	{"KP", "every North Korean (DPRK) port", `country "North Korea"`,
		func(p port) bool { return p.country == "North Korea" }},
	{"RU-PAC", "every Russian port on the Pacific (Sea of Japan, Tatar Strait, Sakhalin, Kurils, Sea of Okhotsk, Kamchatka, Bering Sea)",
		`country "Russia", water body includes "North Pacific Ocean"`,
		func(p port) bool { return p.country == "Russia" && strings.Contains(p.water, "North Pacific Ocean") }},
	{"CN-NE", "Chinese ports on the Yellow Sea, Bohai and Korea Bay",
		`country "China", water body includes "Yellow Sea"`,
		func(p port) bool { return p.country == "China" && strings.Contains(p.water, "Yellow Sea") }},
}

func writeGroups(path string, ports []port) error {
	var b strings.Builder
	b.WriteString("# Built-in port groups, generated by ref/internal/genref from the NGA World Port Index.\n")
	b.WriteString("# Each group lists WPI port numbers chosen by the rule in its comment. Do not edit: change\n")
	b.WriteString("# the rule in genref and run `go generate ./ref`. Users override groups in their own file.\n")
	b.WriteString("groups:\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "  # rule: %s\n", r.rule)
		fmt.Fprintf(&b, "  - name: %s\n    description: %q\n    ports:\n", r.name, r.desc)
		n := 0
		for _, p := range ports {
			if r.match(p) {
				fmt.Fprintf(&b, "      - \"%d\" # %s\n", p.id, p.name)
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("group %s: rule matches no port", r.name)
		}
		log.Printf("group %s: %d ports", r.name, n)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// itu2wpi maps ITU administration names (after stripping "(Republic of)"
// style suffixes and taking the territory after " - ") to the WPI's country
// names where the two spell the same country differently.
var itu2wpi = map[string]string{
	"Russian Federation":                    "Russia",
	"Democratic People's Republic of Korea": "North Korea",
	"Korea":                                 "South Korea",
	"United Kingdom of Great Britain and Northern Ireland": "United Kingdom",
	"United States of America":                             "United States",
	"Viet Nam":                                             "Vietnam",
	"Argentine Republic":                                   "Argentina",
	"Gabonese Republic":                                    "Gabon",
	"Togolese Republic":                                    "Togo",
	"Republic of Türkiye":                                  "Turkey",
	"Syrian Arab Republic":                                 "Syria",
	"Brunei Darussalam":                                    "Brunei",
	"Myanmar":                                              "Burma",
	"Côte d'Ivoire":                                        "Cote D'Ivoire",
	"Bahamas":                                              "The Bahamas",
	"Gambia":                                               "The Gambia",
	"Congo":                                                "Congo (Brazzaville)",
	"Democratic Republic of the Congo":                     "Congo (Kinshasa)",
	"Micronesia":                                           "Federated States of Micronesia",
	"Macao":                                                "Macau",
	"Guiana":                                               "French Guiana",
	"Curaçao":                                              "Curacao",
	"Sint Maarten":                                         "Sint Maarten",
	"Falkland Islands":                                     "Falkland Islands (Islas Malvinas)",
	"Saint Vincent and the Grenadines":                     "Saint Vincent and the Grenadines (Windward Islands)",
	"Wallis and Futuna Islands":                            "Wallis and Futuna",
	"United States Virgin Islands":                         "U.S. Virgin Islands",
	"Bonaire, Sint Eustatius and Saba":                     "Caribbean Netherlands",
	"Alaska":                                               "United States",
	"Cocos (Keeling) Islands":                              "",
	"Christmas Island":                                     "Christmas Island",
	"Azores":                                               "Portugal",
	"Madeira":                                              "Portugal",
}

var parenRE = regexp.MustCompile(`\s*\([^)]*\)\s*$`)

// ituCountry turns an ITU administration name into a WPI country name.
func ituCountry(itu string) string {
	name := itu
	if i := strings.Index(name, " - "); i >= 0 {
		name = name[i+3:]
	}
	if v, ok := itu2wpi[name]; ok {
		return v
	}
	name = parenRE.ReplaceAllString(name, "")
	if v, ok := itu2wpi[name]; ok {
		return v
	}
	return name
}

// writeMID copies the ITU MID table and adds an ISO 3166-1 alpha-2 code
// where the WPI gives one: the first two letters of the UN/LOCODEs of that
// country's ports (the most common prefix; ties and absent countries get none).
func writeMID(in, out string, ports []port) error {
	hdr, rows, err := readCSV(in)
	if err != nil {
		return err
	}
	if len(hdr) < 2 || hdr[0] != "mid" || hdr[1] != "allocated_to" {
		return fmt.Errorf("%s: unexpected header %v", in, hdr)
	}
	prefixes := map[string]map[string]int{}
	for _, p := range ports {
		if p.locode == "" {
			continue
		}
		if prefixes[p.country] == nil {
			prefixes[p.country] = map[string]int{}
		}
		prefixes[p.country][p.locode[:2]]++
	}
	iso := func(country string) string {
		best, n, tie := "", 0, false
		for pre, c := range prefixes[country] {
			switch {
			case c > n:
				best, n, tie = pre, c, false
			case c == n:
				tie = true
			}
		}
		if tie {
			return ""
		}
		return best
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"mid", "allocated_to", "iso2"})
	missing := 0
	for _, row := range rows {
		code := iso(ituCountry(row[1]))
		if code == "" {
			missing++
		}
		w.Write([]string{row[0], row[1], code})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	log.Printf("%d MIDs, %d without an ISO code derivable from the WPI", len(rows), missing)
	return f.Close()
}

// roughKm is an equirectangular distance, enough to tell 7 km from 100 km.
func roughKm(lat1, lon1, lat2, lon2 float64) float64 {
	x := (lon2 - lon1) * math.Cos((lat1+lat2)/2*math.Pi/180)
	return 111.2 * math.Hypot(x, lat2-lat1)
}
