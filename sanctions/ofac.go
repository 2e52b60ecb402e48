package sanctions

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// OFAC's sdn.csv has no header; these are its positional columns as OFAC
// documents them.
const (
	sdnEntNum = iota
	sdnName
	sdnType
	sdnProgram
	sdnTitle
	sdnCallSign
	sdnVessType
	sdnTonnage
	sdnGRT
	sdnVessFlag
	sdnVessOwner
	sdnRemarks
	sdnColumns
)

// ReadOFACSDN reads OFAC's raw sdn.csv (no header, Windows-1252, "-0- " for
// an empty field) and keeps the rows whose SDN_Type is "vessel". Aliases
// and former names come from the remarks (f.k.a./a.k.a./n.k.a.); OFAC's
// separate alt.csv is not read.
func ReadOFACSDN(r io.Reader, source string) (*List, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read OFAC SDN: %w", err)
	}
	l := &List{Name: "OFAC-SDN", Source: source}
	// OFAC ends the file with a DOS end-of-file byte (Ctrl-Z).
	data = bytes.TrimRight(data, "\x1a\r\n")
	cr := newCSVLines(bytes.NewReader(decodeLegacy(data)))
	err = eachRecord(cr, &l.Stats, "read OFAC SDN", func(rec []string) {
		if len(rec) != sdnColumns {
			l.Stats.reject(fmt.Sprintf("columns_%d_not_%d", len(rec), sdnColumns))
			return
		}
		for i := range rec {
			rec[i] = sdnField(rec[i])
		}
		if !strings.EqualFold(rec[sdnType], "vessel") {
			l.Stats.Skipped++
			return
		}
		e, ok := ofacEntry(&l.Stats, source, rec[sdnEntNum], rec[sdnName], splitSDNPrograms(rec[sdnProgram]),
			rec[sdnCallSign], rec[sdnVessType], rec[sdnVessFlag], rec[sdnRemarks])
		if ok {
			l.Entries = append(l.Entries, e)
		}
	})
	if err != nil {
		return l, err
	}
	l.Stats.Entries = len(l.Entries)
	return l, nil
}

// ReadOFACVessels reads the vessel extract of the SDN list kept next to it
// in shared/data (header ent_num,name,programs,imo,mmsi,call_sign,…,remarks).
// The remarks are parsed again rather than trusting the pre-split columns,
// because only the remarks tell a former name (f.k.a.) from an alias.
func ReadOFACVessels(r io.Reader, source string) (*List, error) {
	l := &List{Name: "OFAC-SDN", Source: source}
	cr := newCSVLines(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read OFAC vessel extract header: %w", err)
	}
	col := columnIndex(header)
	need := []string{"ent_num", "name", "programs", "call_sign", "vessel_type", "flag", "remarks"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("OFAC vessel extract: no %q column", n)
		}
	}
	err = eachRecord(cr, &l.Stats, "read OFAC vessel extract", func(rec []string) {
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e, ok := ofacEntry(&l.Stats, source, get("ent_num"), get("name"), splitMulti(get("programs")),
			get("call_sign"), get("vessel_type"), get("flag"), get("remarks"))
		if !ok {
			return
		}
		// The extract's own IMO and MMSI columns catch numbers the remark
		// parser does not know how to read.
		var imos, mmsis []uint32
		for _, s := range splitMulti(get("imo")) {
			if n, ok := parseIMO(s); ok {
				imos = append(imos, n)
			}
		}
		for _, s := range splitMulti(get("mmsi")) {
			if n, ok := parseMMSI(s); ok {
				mmsis = append(mmsis, n)
			}
		}
		e.IMOs, e.MMSIs = addUints(e.IMOs, imos...), addUints(e.MMSIs, mmsis...)
		l.Entries = append(l.Entries, e)
	})
	if err != nil {
		return l, err
	}
	l.Stats.Entries = len(l.Entries)
	return l, nil
}

func ofacEntry(st *Stats, source, entNum, name string, programs []string, callSign, vessType, flag, remarks string) (Entry, bool) {
	if entNum == "" {
		st.reject("no_id")
		return Entry{}, false
	}
	if name == "" {
		st.reject("no_name")
		return Entry{}, false
	}
	e := Entry{
		List:       "OFAC-SDN",
		ListID:     entNum,
		Name:       name,
		Programs:   programs,
		VesselType: vessType,
		Source:     source,
	}
	e.CallSigns = addUnique(e.CallSigns, callSign)
	e.Flags = addUnique(e.Flags, flag)
	parseOFACRemarks(st, &e, remarks)
	return e, true
}

// parseOFACRemarks pulls vessel identifiers and names out of the SDN
// remarks, which are ";"-separated clauses such as "Vessel Registration
// Identification IMO 7406784", "MMSI 273385420", "f.k.a. 'ANA I'",
// "alt. Former Vessel Flag Tanzania".
func parseOFACRemarks(st *Stats, e *Entry, remarks string) {
	// Names are collected and added once: one at a time is quadratic.
	var former, aliases, flags, callSigns []string
	var imos, mmsis []uint32
	defer func() {
		e.IMOs = addUints(e.IMOs, imos...)
		e.MMSIs = addUints(e.MMSIs, mmsis...)
		e.FormerNames = addUnique(e.FormerNames, former...)
		e.Aliases = addUnique(e.Aliases, aliases...)
		e.Flags = addUnique(e.Flags, flags...)
		e.CallSigns = addUnique(e.CallSigns, callSigns...)
	}()
	for _, clause := range strings.Split(remarks, ";") {
		c := strings.TrimSpace(clause)
		c = strings.TrimSuffix(c, ".")
		c = strings.TrimSpace(strings.TrimPrefix(c, "alt. "))
		switch {
		case strings.HasPrefix(c, "Vessel Registration Identification"), strings.HasPrefix(c, "Identification Number"):
			// "… IMO 9256860 (Russia)", "Identification Number IMO 9339301",
			// "… 8606173" (no prefix), "… RS 150443 (Russia)" (national).
			if m := imoRe.FindStringSubmatch(c); m != nil {
				n, _ := parseIMO(m[1])
				if !ValidIMO(n) {
					st.warn("imo_check_digit")
				}
				imos = append(imos, n)
			} else if m := bareNumRe.FindStringSubmatch(c); m != nil && ValidIMO(mustIMO(m[1])) {
				// Seven digits with a valid check digit but no "IMO"
				// prefix: taken as an IMO number, which the check digit
				// makes very likely.
				st.warn("imo_without_prefix")
				imos = append(imos, mustIMO(m[1]))
			} else {
				st.warn("registration_not_imo")
			}
		case strings.HasPrefix(c, "MMSI "):
			if n, ok := parseMMSI(strings.TrimPrefix(c, "MMSI ")); ok {
				mmsis = append(mmsis, n)
			} else {
				st.warn("mmsi_malformed")
			}
		case strings.HasPrefix(c, "f.k.a. "):
			former = append(former, unquote(strings.TrimPrefix(c, "f.k.a. ")))
		case strings.HasPrefix(c, "a.k.a. "), strings.HasPrefix(c, "n.k.a. "):
			aliases = append(aliases, unquote(c[len("a.k.a. "):]))
		case strings.HasPrefix(c, "Former Vessel Flag "):
			flags = append(flags, strings.TrimPrefix(c, "Former Vessel Flag "))
		case strings.HasPrefix(c, "Other Vessel Flag "):
			flags = append(flags, strings.TrimPrefix(c, "Other Vessel Flag "))
		case strings.HasPrefix(c, "Other Vessel Call Sign "):
			callSigns = append(callSigns, strings.TrimPrefix(c, "Other Vessel Call Sign "))
		}
	}
}

var (
	imoRe     = regexp.MustCompile(`\bIMO\s*(\d{7})\b`)
	bareNumRe = regexp.MustCompile(`^(?:Vessel Registration Identification|Identification Number)\s+(\d{7})$`)
)

func mustIMO(s string) uint32 {
	n, _ := parseIMO(s)
	return n
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ".")
	return strings.TrimSpace(strings.Trim(s, "'\""))
}

// sdnField turns OFAC's "-0- " empty marker into "".
func sdnField(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}

// splitSDNPrograms reads "DPRK4] [RUSSIA-EO14024" (the bracketed program
// list with its outer brackets stripped by the CSV).
func splitSDNPrograms(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "] [") {
		out = append(out, strings.Trim(p, "[] "))
	}
	return addUnique(nil, out...)
}

// cp1252 maps bytes 0x80–0x9F of Windows-1252 to Unicode; the other bytes
// are Latin-1 and map to themselves. Zero marks the five unassigned bytes.
var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// decodeLegacy returns data as UTF-8: unchanged when it already is valid
// UTF-8, otherwise decoded from Windows-1252 (what OFAC publishes).
func decodeLegacy(data []byte) []byte {
	if utf8.Valid(data) {
		return data
	}
	out := make([]byte, 0, len(data)+len(data)/16)
	for _, b := range data {
		switch {
		case b < 0x80:
			out = append(out, b)
		case b < 0xA0:
			r := cp1252[b-0x80]
			if r == 0 {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			out = utf8.AppendRune(out, rune(b))
		}
	}
	return out
}

// MergeOFACAlt adds the names of OFAC's alt.csv (no header, Windows-1252;
// columns ent_num, alt_num, alt_type, alt_name, alt_remarks) to the
// entries of l read from sdn.csv: "aka" and "nka" become aliases, "fka"
// former names. Rows for entities that are not vessels of l are skipped;
// malformed rows are counted in l.Stats.Rejected under "alt_…" reasons.
func MergeOFACAlt(l *List, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read OFAC alt.csv: %w", err)
	}
	data = bytes.TrimRight(data, "\x1a\r\n")
	byID := map[string]*Entry{}
	for i := range l.Entries {
		byID[l.Entries[i].ListID] = &l.Entries[i]
	}
	cr := newCSVLines(bytes.NewReader(decodeLegacy(data)))
	// Names are collected per entry and added once: one at a time is
	// quadratic in an entity's names.
	type names struct{ former, aliases []string }
	add := map[*Entry]*names{}
	defer func() {
		for e, n := range add {
			e.FormerNames = addUnique(e.FormerNames, n.former...)
			e.Aliases = addUnique(e.Aliases, n.aliases...)
		}
		l.Stats.line = 0
	}()
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		l.Stats.line = cr.line
		if err != nil {
			if _, ok := err.(*errCSVLine); ok {
				l.Stats.reject("alt_csv_syntax")
				continue
			}
			return fmt.Errorf("read OFAC alt.csv: %w", err)
		}
		if len(rec) < 4 {
			l.Stats.reject("alt_columns")
			continue
		}
		e := byID[sdnField(rec[0])]
		if e == nil {
			continue // not a vessel of this list
		}
		name := sdnField(rec[3])
		if name == "" {
			l.Stats.reject("alt_no_name")
			continue
		}
		n := add[e]
		if n == nil {
			n = &names{}
			add[e] = n
		}
		switch strings.ToLower(sdnField(rec[2])) {
		case "fka":
			n.former = append(n.former, name)
		case "aka", "nka":
			n.aliases = append(n.aliases, name)
		default:
			l.Stats.reject("alt_type")
		}
	}
}
