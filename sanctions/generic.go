package sanctions

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Formats lists the import formats by name, as --format takes them.
var Formats = []string{"auto", "ofac-sdn", "ofac-vessels", "uk", "ftm", "csv"}

// Read imports a list in the named format ("auto" sniffs it). name labels
// the list's entries when the format has no list name of its own (csv,
// ftm); source is recorded on every entry.
func Read(r io.Reader, format, name, source string) (*List, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	if format == "" || format == "auto" {
		head, _ := br.Peek(4096)
		format = Detect(head)
	}
	var (
		l   *List
		err error
	)
	switch format {
	case "ofac-sdn":
		l, err = ReadOFACSDN(br, source)
	case "ofac-vessels":
		l, err = ReadOFACVessels(br, source)
	case "uk":
		l, err = ReadUK(br, source)
	case "ftm":
		l, err = ReadFtM(br, orDefault(name, "FTM"), source)
	case "csv":
		l, err = ReadCSV(br, orDefault(name, "CSV"), source)
	default:
		return nil, fmt.Errorf("unknown list format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return l, err
	}
	if name != "" && (format == "ofac-sdn" || format == "ofac-vessels" || format == "uk") {
		l.Name = name
		for i := range l.Entries {
			l.Entries[i].List = name
		}
	}
	return l, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Detect guesses a list's format from its first bytes.
func Detect(head []byte) string {
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	first := t
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	lower := strings.ToLower(string(first))
	switch {
	case len(t) > 0 && (t[0] == '{' || t[0] == '['):
		return "ftm"
	case strings.HasPrefix(lower, "unique_id,"):
		return "uk"
	case strings.HasPrefix(lower, "ent_num,name"):
		return "ofac-vessels"
	case isSDNRow(first):
		return "ofac-sdn"
	}
	return "csv"
}

// isSDNRow: a headerless SDN row starts with the entity number and a quoted name.
func isSDNRow(line []byte) bool {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	return i > 0 && i+1 < len(line) && line[i] == ',' && line[i+1] == '"'
}

// csvColumns maps the header names the generic CSV importer understands
// (compared lower-case, with spaces and dashes read as underscores) to the
// Entry field they fill.
var csvColumns = map[string]string{
	"id": "id", "list_id": "id", "unique_id": "id", "ent_num": "id", "entity_id": "id",
	"name": "name", "vessel_name": "name", "ship_name": "name", "vesselname": "name", "shipname": "name",
	"aliases": "aliases", "alias": "aliases", "aka": "aliases", "other_names": "aliases", "weak_alias": "aliases",
	"former_names": "former", "former_name": "former", "previous_name": "former", "previous_names": "former", "previousname": "former", "fka": "former",
	"imo": "imo", "imos": "imo", "imo_number": "imo", "imonumber": "imo",
	"mmsi": "mmsi", "mmsis": "mmsi", "mmsi_number": "mmsi", "mmsinumber": "mmsi",
	"call_sign": "callsign", "callsign": "callsign", "call_signs": "callsign",
	"flag": "flag", "flags": "flag", "vessel_flag": "flag", "former_flags": "flag", "past_flags": "flag",
	"program": "programs", "programs": "programs", "regime": "programs", "regime_name": "programs", "sanctions": "programs",
	"designated": "date", "date_designated": "date", "listing_date": "date", "listed": "date", "start_date": "date",
	"vessel_type": "vtype",
	"list":        "list", "dataset": "list",
	"type": "kind", "schema": "kind",
}

// ReadCSV imports a list from any CSV whose header names its columns (see
// csvColumns: name, imo, mmsi, call_sign, flag, aliases, former_names,
// programs, date_designated, …). Several values in one cell are separated
// by ";" or "|". When a type/schema column is present, rows whose type is
// not a ship or vessel are skipped.
func ReadCSV(r io.Reader, listName, source string) (*List, error) {
	return readCSV(r, listName, source, nil)
}

// ReadUK reads the UK Sanctions List summary export (header unique_id,
// ofsi_group_id, name, regime_name, type, designation_source,
// date_designated, sanctions_imposed) and keeps its ships. The summary has
// no IMO numbers, so UK entries match on names only. Rows designated by
// the UN (designation_source "UN", such as the DPRK regime's 1718
// Committee vessels) carry the program "UN:<regime>".
func ReadUK(r io.Reader, source string) (*List, error) {
	return readCSV(r, "UK", source, func(e *Entry, get func(string) string) {
		regime := get("regime_name")
		e.Programs = nil
		if regime != "" {
			if strings.EqualFold(get("designation_source"), "UN") {
				e.Programs = append(e.Programs, "UN:"+regime)
			} else {
				e.Programs = append(e.Programs, regime)
			}
		}
		// The ships extract in shared/data adds a heuristic OFAC name
		// match; it is a guess, not the UK's data, so it is not read.
	})
}

func readCSV(r io.Reader, listName, source string, fix func(*Entry, func(string) string)) (*List, error) {
	l := &List{Name: listName, Source: source}
	cr := newCSVLines(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read %s header: %w", listName, err)
	}
	raw := columnIndex(header)
	// Several columns can feed one field (flag and former_flags): their
	// values are joined, in header order.
	field := map[string][]int{}
	for i, h := range header {
		if f, ok := csvColumns[normHeader(h)]; ok {
			field[f] = append(field[f], i)
		}
	}
	if _, ok := field["name"]; !ok {
		return nil, fmt.Errorf("read %s: no name column in header %q", listName, strings.Join(header, ","))
	}
	err = eachRecord(cr, &l.Stats, "read "+listName, func(rec []string) {
		get := func(f string) string {
			var vs []string
			for _, i := range field[f] {
				if i < len(rec) && strings.TrimSpace(rec[i]) != "" {
					vs = append(vs, strings.TrimSpace(rec[i]))
				}
			}
			return strings.Join(vs, ";")
		}
		getRaw := func(h string) string {
			if i, ok := raw[h]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if k := strings.ToLower(get("kind")); k != "" && k != "ship" && k != "vessel" {
			l.Stats.Skipped++
			return
		}
		e := Entry{List: orDefault(get("list"), listName), ListID: get("id"), Name: get("name"), Source: source}
		if e.Name == "" {
			l.Stats.reject("no_name")
			return
		}
		if e.ListID == "" {
			// Rows already counts this record and the header is row 1.
			e.ListID = fmt.Sprintf("row%d", l.Stats.Rows+1)
		}
		e.Aliases = addUnique(nil, splitMulti(get("aliases"))...)
		e.FormerNames = addUnique(nil, splitMulti(get("former"))...)
		e.CallSigns = addUnique(nil, splitMulti(get("callsign"))...)
		e.Flags = addUnique(nil, splitMulti(get("flag"))...)
		e.Programs = addUnique(nil, splitMulti(get("programs"))...)
		e.VesselType = get("vtype")
		addIdentifiers(&l.Stats, &e, splitMulti(get("imo")), splitMulti(get("mmsi")))
		if d := get("date"); d != "" {
			if t, ok := parseDate(d); ok {
				e.Designated = t
			} else {
				l.Stats.warn("date_unreadable")
			}
		}
		if fix != nil {
			fix(&e, getRaw)
		}
		l.Entries = append(l.Entries, e)
	})
	if err != nil {
		return l, err
	}
	l.Stats.Entries = len(l.Entries)
	return l, nil
}

// eachRecord hands every record of cr to use, counting it in st.Rows
// first so that Rows always equals entries + skipped + rejected. A line
// that is not valid CSV is rejected as csv_syntax and reading goes on at
// the next line; any other read error ends the import, wrapped with what.
// Every rejection, there or in use, names its line in st.RejectedLines.
func eachRecord(cr *csvLines, st *Stats, what string, use func(rec []string)) error {
	defer func() { st.line = 0 }()
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		st.Rows++
		st.line = cr.line
		if err != nil {
			if _, ok := err.(*errCSVLine); ok {
				st.reject("csv_syntax")
				continue
			}
			return fmt.Errorf("%s: %w", what, err)
		}
		use(rec)
	}
}

// addIdentifiers parses IMO and MMSI strings into e, warning on the ones
// it cannot read rather than dropping the entry.
func addIdentifiers(st *Stats, e *Entry, imos, mmsis []string) {
	var imoN, mmsiN []uint32
	defer func() {
		e.IMOs = addUints(e.IMOs, imoN...)
		e.MMSIs = addUints(e.MMSIs, mmsiN...)
	}()
	for _, s := range imos {
		n, ok := parseIMO(s)
		if !ok {
			st.warn("imo_malformed")
			continue
		}
		if !ValidIMO(n) {
			st.warn("imo_check_digit")
		}
		imoN = append(imoN, n)
	}
	for _, s := range mmsis {
		n, ok := parseMMSI(s)
		if !ok {
			st.warn("mmsi_malformed")
			continue
		}
		mmsiN = append(mmsiN, n)
	}
}

func columnIndex(header []string) map[string]int {
	m := map[string]int{}
	for i, h := range header {
		h = normHeader(h)
		if _, dup := m[h]; !dup {
			m[h] = i
		}
	}
	return m
}

func normHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}

func splitMulti(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var dateLayouts = []string{"2006-01-02", "02-01-2006", "02/01/2006", "2006-01", "2006", time.RFC3339, "2006-01-02T15:04:05"}

func parseDate(s string) (time.Time, bool) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ftmEntity is a FollowTheMoney entity as OpenSanctions and Aleph export
// it, one JSON object per line. Properties are lists of strings; nested
// entities (a Sanction under "sanctions" in OpenSanctions' nested export)
// appear as objects.
type ftmEntity struct {
	ID         string                       `json:"id"`
	Schema     string                       `json:"schema"`
	Caption    string                       `json:"caption"`
	Properties map[string][]json.RawMessage `json:"properties"`
	Datasets   []string                     `json:"datasets"`
}

func (f *ftmEntity) strings(prop string) []string {
	var out []string
	for _, raw := range f.Properties[prop] {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out = append(out, s)
		}
	}
	return out
}

func (f *ftmEntity) nested(prop string) []ftmEntity {
	var out []ftmEntity
	for _, raw := range f.Properties[prop] {
		var n ftmEntity
		if json.Unmarshal(raw, &n) == nil && n.Schema != "" {
			out = append(out, n)
		}
	}
	return out
}

// ReadFtM imports FollowTheMoney entities (JSON lines, or one JSON array)
// and keeps those of schema Vessel, reading the schema's properties name,
// alias, weakAlias, previousName, imoNumber, mmsi, callSign, flag,
// pastFlags, program and, from nested Sanction entities, program and
// startDate/listingDate. OpenSanctions data has its own licence
// (CC BY-NC 4.0 at the time of writing), which its users handle.
func ReadFtM(r io.Reader, listName, source string) (*List, error) {
	l := &List{Name: listName, Source: source}
	br := bufio.NewReaderSize(r, 64*1024)
	head, _ := br.Peek(64)
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		dec := json.NewDecoder(br)
		var all []json.RawMessage
		if err := dec.Decode(&all); err != nil {
			return nil, fmt.Errorf("read %s JSON array: %w", listName, err)
		}
		for _, raw := range all {
			l.Stats.Rows++
			ftmLine(l, raw, listName, source)
		}
		l.Stats.Entries = len(l.Entries)
		return l, nil
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		l.Stats.Rows++
		ftmLine(l, line, listName, source)
	}
	l.Stats.Entries = len(l.Entries)
	if err := sc.Err(); err != nil {
		return l, fmt.Errorf("read %s: %w", listName, err)
	}
	return l, nil
}

func ftmLine(l *List, raw []byte, listName, source string) {
	var f ftmEntity
	if err := json.Unmarshal(raw, &f); err != nil {
		l.Stats.reject("json_syntax")
		return
	}
	if f.Schema != "Vessel" {
		l.Stats.Skipped++
		return
	}
	names := f.strings("name")
	if len(names) == 0 && f.Caption != "" {
		names = []string{f.Caption}
	}
	if len(names) == 0 {
		l.Stats.reject("no_name")
		return
	}
	if f.ID == "" {
		l.Stats.reject("no_id")
		return
	}
	e := Entry{List: listName, ListID: f.ID, Name: names[0], Source: source}
	e.Aliases = addUnique(nil, names[1:]...)
	e.Aliases = addUnique(e.Aliases, f.strings("alias")...)
	e.Aliases = addUnique(e.Aliases, f.strings("weakAlias")...)
	e.FormerNames = addUnique(nil, f.strings("previousName")...)
	e.CallSigns = addUnique(nil, f.strings("callSign")...)
	e.Flags = addUnique(nil, f.strings("flag")...)
	e.Flags = addUnique(e.Flags, f.strings("pastFlags")...)
	e.Programs = addUnique(nil, f.strings("program")...)
	if t := f.strings("type"); len(t) > 0 {
		e.VesselType = t[0]
	}
	addIdentifiers(&l.Stats, &e, f.strings("imoNumber"), f.strings("mmsi"))
	for _, s := range f.nested("sanctions") {
		e.Programs = addUnique(e.Programs, s.strings("program")...)
		for _, p := range []string{"startDate", "listingDate"} {
			for _, d := range s.strings(p) {
				if t, ok := parseDate(d); ok && (e.Designated.IsZero() || t.Before(e.Designated)) {
					e.Designated = t
				}
			}
		}
	}
	if len(e.Programs) == 0 {
		e.Programs = addUnique(nil, f.Datasets...)
	}
	l.Entries = append(l.Entries, e)
}
