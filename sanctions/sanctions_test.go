package sanctions

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func sharedFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "data", "sanctions", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data not here: %v", err)
	}
	return p
}

func readFile(t *testing.T, path, format string) *List {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := Read(f, format, "", path)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func findEntry(t *testing.T, l *List, id string) *Entry {
	t.Helper()
	for i := range l.Entries {
		if l.Entries[i].ListID == id {
			return &l.Entries[i]
		}
	}
	t.Fatalf("%s: no entry %s", l.Name, id)
	return nil
}

func TestReadOFACSDNRaw(t *testing.T) {
	l := readFile(t, sharedFile(t, "ofac_sdn_2024-05-03.csv"), "auto")
	if l.Stats.Entries != 851 {
		t.Errorf("entries = %d, want the 851 vessel rows; stats %s", l.Stats.Entries, l.Stats)
	}
	// 14,965 rows and OFAC's trailing Ctrl-Z, which is not a row.
	if l.Stats.Rows != 14965 || len(l.Stats.Rejected) != 0 {
		t.Errorf("stats %s", l.Stats)
	}
	if l.Stats.Entries+l.Stats.Skipped+sum(l.Stats.Rejected) != l.Stats.Rows {
		t.Errorf("rows do not add up: %s", l.Stats)
	}
	e := findEntry(t, l, "4243") // EBANO, f.k.a. ANA I and SAND SWAN
	if e.Name != "EBANO" || len(e.IMOs) != 1 || e.IMOs[0] != 7406784 {
		t.Errorf("EBANO = %+v", e)
	}
	if strings.Join(e.FormerNames, ",") != "ANA I,SAND SWAN" {
		t.Errorf("EBANO former names = %q", e.FormerNames)
	}
	// IMO written without its prefix, taken because the check digit holds.
	if e := findEntry(t, l, "17104"); len(e.IMOs) != 1 || e.IMOs[0] != 8606173 {
		t.Errorf("RYONG GUN BONG IMOs = %v", e.IMOs)
	}
	// A national registry number is not an IMO.
	if e := findEntry(t, l, "37479"); len(e.IMOs) != 0 || len(e.MMSIs) != 1 || e.MMSIs[0] != 273385420 {
		t.Errorf("SHELLEST = IMO %v MMSI %v", e.IMOs, e.MMSIs)
	}
	withIMO, withMMSI := 0, 0
	for _, e := range l.Entries {
		if len(e.IMOs) > 0 {
			withIMO++
		}
		if len(e.MMSIs) > 0 {
			withMMSI++
		}
	}
	// The README counts 842 rows with an IMO and 154 with an MMSI.
	if withIMO < 842 || withMMSI != 154 {
		t.Errorf("with IMO %d, with MMSI %d", withIMO, withMMSI)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestWindows1252(t *testing.T) {
	// 0xE9 is é in Windows-1252 and 0x92 a right single quote; neither is
	// valid UTF-8 on its own.
	row := "1,\"CAF\xc9 \x92S\",\"vessel\",\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,\"Panama\",-0- ,\"Vessel Registration Identification IMO 9187629.\"\r\n"
	l, err := ReadOFACSDN(strings.NewReader(row), "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entries) != 1 || l.Entries[0].Name != "CAFÉ ’S" {
		t.Fatalf("entries = %+v", l.Entries)
	}
}

func TestReadOFACVesselsExtract(t *testing.T) {
	l := readFile(t, sharedFile(t, "ofac_sdn_vessels_2024-05-03.csv"), "auto")
	if l.Stats.Entries != 851 || len(l.Stats.Rejected) != 0 {
		t.Errorf("stats %s", l.Stats)
	}
	raw := readFile(t, sharedFile(t, "ofac_sdn_2024-05-03.csv"), "ofac-sdn")
	// Both readings of the same list agree on the identifiers.
	for i := range raw.Entries {
		a := &raw.Entries[i]
		b := findEntry(t, l, a.ListID)
		if a.Name != b.Name || joinUint(a.IMOs) != joinUint(b.IMOs) || joinUint(a.MMSIs) != joinUint(b.MMSIs) {
			t.Errorf("%s: raw %s %v %v, extract %s %v %v", a.ListID, a.Name, a.IMOs, a.MMSIs, b.Name, b.IMOs, b.MMSIs)
		}
	}
}

func TestReadUK(t *testing.T) {
	full := readFile(t, sharedFile(t, "uk_sanctions_list_2025-08-11.csv"), "auto")
	ships := readFile(t, sharedFile(t, "uk_sanctions_ships_2025-08-11.csv"), "auto")
	for _, l := range []*List{full, ships} {
		if l.Stats.Entries != 461 {
			t.Errorf("%s: %s, want 461 ships", l.Source, l.Stats)
		}
	}
	if full.Stats.Skipped != 5302-461 {
		t.Errorf("full list skipped %d", full.Stats.Skipped)
	}
	un := 0
	for _, e := range ships.Entries {
		for _, p := range e.Programs {
			if p == "UN:Democratic People's Republic of Korea" {
				un++
			}
		}
		if len(e.IMOs) != 0 {
			t.Errorf("%s has IMO %v: the summary has none", e.ListID, e.IMOs)
		}
	}
	if un != 37 {
		t.Errorf("UN DPRK ships = %d, want 37", un)
	}
	e := findEntry(t, ships, "DPR0123")
	if e.Name != "Kum Un San 3" || e.Designated.Format("2006-01-02") != "2018-03-30" {
		t.Errorf("DPR0123 = %+v", e)
	}
}

func TestBuiltin(t *testing.T) {
	ls := Builtin()
	if len(ls) != 2 || ls[0].Stats.Entries != 851 || ls[1].Stats.Entries != 461 {
		for _, l := range ls {
			t.Logf("%s: %s", l.Name, l.Stats)
		}
		t.Fatal("builtin lists are not the 851 OFAC vessels and 461 UK ships")
	}
	if Default().Len() != 851+461 {
		t.Errorf("default index has %d entries", Default().Len())
	}
}

func TestBadRowsCounted(t *testing.T) {
	in := "name,imo,mmsi,type\n" +
		"GOOD ONE,9187629,123456789,Ship\n" +
		",9187629,,Ship\n" + // no name
		"BAD IMO,9187628,12345,Ship\n" + // check digit, short MMSI: kept, warned
		"\"broken,1,2\n" + // unterminated quote (lazy quotes read it as a field)
		"PERSON,,,Individual\n"
	l, err := ReadCSV(strings.NewReader(in), "T", "test")
	if err != nil {
		t.Fatal(err)
	}
	if l.Stats.Rejected["no_name"] != 1 || l.Stats.Warnings["imo_check_digit"] != 1 || l.Stats.Warnings["mmsi_malformed"] != 1 {
		t.Errorf("stats %s", l.Stats)
	}
	if len(l.Entries) < 2 || l.Entries[0].Name != "GOOD ONE" || l.Entries[1].Name != "BAD IMO" || l.Entries[1].IMOs[0] != 9187628 {
		t.Errorf("entries %+v", l.Entries)
	}
	ftm := `{"id":"v1","schema":"Vessel","properties":{"name":["SEA STAR"],"imoNumber":["IMO9187629"],"mmsi":["273385420"],"previousName":["OLD STAR"],"alias":["STAR"],"callSign":["UBAO8"],"flag":["ru"],"sanctions":[{"id":"s1","schema":"Sanction","properties":{"program":["EU"],"startDate":["2022-03-01"]}}]}}
not json
{"id":"p1","schema":"Person","properties":{"name":["X"]}}
{"id":"v2","schema":"Vessel","properties":{}}
`
	l, err = ReadFtM(strings.NewReader(ftm), "OS", "test")
	if err != nil {
		t.Fatal(err)
	}
	if l.Stats.Rows != 4 || l.Stats.Rejected["json_syntax"] != 1 || l.Stats.Rejected["no_name"] != 1 || l.Stats.Skipped != 1 || len(l.Entries) != 1 {
		t.Fatalf("stats %s", l.Stats)
	}
	e := l.Entries[0]
	if e.IMOs[0] != 9187629 || e.MMSIs[0] != 273385420 || e.FormerNames[0] != "OLD STAR" || e.Programs[0] != "EU" || e.Designated.Year() != 2022 {
		t.Errorf("FtM entry %+v", e)
	}
}

func TestValidIMO(t *testing.T) {
	for n, want := range map[uint32]bool{
		9074729: true,  // the worked example in IMO's own description of the check digit
		7406784: true,  // EBANO
		8606173: true,  // RYONG GUN BONG
		9074728: false, // last digit changed
		123456:  false, // six digits
		0:       false,
	} {
		if got := ValidIMO(n); got != want {
			t.Errorf("ValidIMO(%d) = %v", n, got)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	l, err := ReadCSV(strings.NewReader("name,imo\nSEA STAR,9187629\n"), "My List", "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SaveList(dir, l); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadDir(dir)
	if err == nil {
		t.Error("broken file not reported")
	}
	if len(got) != 1 || got[0].Name != "My List" || got[0].Entries[0].IMOs[0] != 9187629 {
		t.Errorf("loaded %+v", got)
	}
}

func TestOFACBadRowsCounted(t *testing.T) {
	in := "1,\"SHORT ROW\",\"vessel\"\r\n" +
		"2,\"GOOD\",\"vessel\",\"DPRK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Vessel Registration Identification IMO 9187629.\"\r\n" +
		"3,\"\",\"vessel\",\"DPRK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n" +
		"4,\"ACME LTD\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a"
	l, err := ReadOFACSDN(strings.NewReader(in), "test")
	if err != nil {
		t.Fatal(err)
	}
	if l.Stats.Rows != 4 || l.Stats.Rejected["columns_3_not_12"] != 1 || l.Stats.Rejected["no_name"] != 1 || l.Stats.Skipped != 1 {
		t.Errorf("stats %s", l.Stats)
	}
	if len(l.Entries) != 1 || l.Entries[0].Name != "GOOD" || l.Entries[0].Programs[0] != "DPRK" || len(l.Entries[0].Flags) != 0 {
		t.Errorf("entries %+v", l.Entries)
	}
}

func TestReadIdentities(t *testing.T) {
	vessels := `[{"vessel":1,"role":"covert","identities":[
	  {"from":"2024-01-01T00:00:00Z","mmsi":445000001,"imo":1234567,"name":"HAI STAR","call_sign":"HMAB","flag":"KP"},
	  {"from":"2024-02-01T00:00:00Z","mmsi":352000001,"imo":1234567,"name":"OCEAN PEARL","call_sign":"3EAB","flag":"PA"}]},
	 {"vessel":2,"identities":[]}, 7]`
	ids, rej, err := ReadIdentities(strings.NewReader(vessels))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0].Last.Month() != 2 || ids[1].First.Month() != 2 || !ids[1].Last.IsZero() || ids[1].Name != "OCEAN PEARL" {
		t.Errorf("vessels.json identities %+v", ids)
	}
	if rej["no_identity"] != 1 || rej["json_shape"] != 1 {
		t.Errorf("rejected %v", rej)
	}
	csvIn := "mmsi,imo,name,call_sign,first\n445000001,1234567,HAI STAR,HMAB,2024-01-01T00:00:00Z\nx,1,2\n445000002,IMO1234567,,,\n"
	ids, rej, err = ReadIdentities(strings.NewReader(csvIn))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[1].IMO != 1234567 || rej["mmsi"] != 1 {
		t.Errorf("csv identities %+v, rejected %v", ids, rej)
	}
}

func TestMergeOFACAlt(t *testing.T) {
	l := readFile(t, sharedFile(t, "ofac_sdn_2024-05-03.csv"), "ofac-sdn")
	alt := "4243,101,\"fka\",\"OLD EBANO\",-0- \r\n" +
		"4243,102,\"aka\",\"EBANO II\",-0- \r\n" +
		"4243,103,\"aka\",\"ANA I\",-0- \r\n" + // the remarks say f.k.a.: both words are kept
		"36,104,\"aka\",\"AERO CARIBBEAN\",-0- \r\n" + // not a vessel
		"4243,105,\"xyz\",\"WHAT\",-0- \r\n" +
		"4243\r\n\x1a"
	if err := MergeOFACAlt(l, strings.NewReader(alt)); err != nil {
		t.Fatal(err)
	}
	e := findEntry(t, l, "4243")
	if strings.Join(e.FormerNames, ",") != "ANA I,SAND SWAN,OLD EBANO" || strings.Join(e.Aliases, ",") != "EBANO II,ANA I" {
		t.Errorf("EBANO former %q aliases %q", e.FormerNames, e.Aliases)
	}
	if l.Stats.Rejected["alt_type"] != 1 || l.Stats.Rejected["alt_columns"] != 1 {
		t.Errorf("stats %s", l.Stats)
	}
}

// TestMalformedRowEachImporter feeds each CSV importer a good row, a row
// its CSV reader cannot use and another good row: the bad row is counted
// with its reason and line, and the rows after it are still read. An
// unclosed quote used to run to the end of the file (encoding/csv with
// lazy quotes), so every ship after it was never screened.
func TestMalformedRowEachImporter(t *testing.T) {
	const sdnGood = ",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"IMO 9187629.\"\r\n"
	cases := []struct {
		name   string
		read   func(io.Reader) (*List, error)
		in     string
		reason string
		ids    [2]string // the CSV's rows have no id: they are named by row, the header being row 1
	}{
		{"ofac-vessels",
			func(r io.Reader) (*List, error) { return ReadOFACVessels(r, "test") },
			"ent_num,name,programs,imo,mmsi,call_sign,vessel_type,flag,remarks\n" +
				"1,ALPHA,DPRK,9187629,,,,,\n" +
				"2,BRO\"KEN,DPRK,,,,,,\n" +
				"3,GAMMA,DPRK,9074729,,,,,\n",
			"csv_syntax", [2]string{"1", "3"}},
		{"ofac-sdn",
			func(r io.Reader) (*List, error) { return ReadOFACSDN(r, "test") },
			"1,\"ALPHA\",\"vessel\",\"DPRK\"" + sdnGood +
				"3,\"UNCLOSED,vessel,DPRK\r\n" +
				"2,\"GAMMA\",\"vessel\",\"DPRK\"" + sdnGood,
			"csv_syntax", [2]string{"1", "2"}},
		{"csv",
			func(r io.Reader) (*List, error) { return ReadCSV(r, "T", "test") },
			"imo,name\n" +
				"9187629,ALPHA\n" +
				"\"1234567,UNCLOSED\n" +
				"9074729,GAMMA\n",
			"csv_syntax", [2]string{"row2", "row4"}},
	}
	for _, c := range cases {
		l, err := c.read(strings.NewReader(c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		st := l.Stats
		if st.Rows != 3 || st.Entries != 2 || st.Rejected[c.reason] != 1 || sum(st.Rejected) != 1 {
			t.Errorf("%s: stats %s, want 3 rows, 2 entries, 1 rejected as %s", c.name, st, c.reason)
		}
		if len(l.Entries) != 2 || l.Entries[0].Name != "ALPHA" || l.Entries[1].Name != "GAMMA" ||
			l.Entries[0].ListID != c.ids[0] || l.Entries[1].ListID != c.ids[1] {
			t.Errorf("%s: entries %+v", c.name, l.Entries)
		}
		// The SDN file has no header line.
		if want := map[bool]int{true: 2, false: 3}[c.name == "ofac-sdn"]; !slices.Equal(st.RejectedLines, []int{want}) {
			t.Errorf("%s: rejected lines %v, want [%d]", c.name, st.RejectedLines, want)
		}
	}
}

// The file: an unclosed quote in the second of four ships. Every
// other ship is read (and so screened), and the bad line is named.
func TestUnclosedQuoteLosesOneLine(t *testing.T) {
	in := "name,imo\nSHIP ONE,9187629\n\"SHIP TWO,9074729\nSHIP THREE,9305609\nSHIP FOUR,9314428\n"
	l, err := Read(strings.NewReader(in), "auto", "T", "test")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range l.Entries {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"SHIP ONE", "SHIP THREE", "SHIP FOUR"}) || l.Stats.Rejected["csv_syntax"] != 1 {
		t.Fatalf("entries %q, stats %s", names, l.Stats)
	}
	if s := l.Stats.String(); !strings.Contains(s, "csv_syntax=1 (line 3)") {
		t.Errorf("stats %q do not name line 3", s)
	}
}

// TestImporterReadErrorWrapped: an error of the underlying reader is not a
// bad row; it ends the import and says which list it was reading.
func TestImporterReadErrorWrapped(t *testing.T) {
	boom := errors.New("disk gone")
	failAfter := func(s string) io.Reader { return io.MultiReader(strings.NewReader(s), iotest.ErrReader(boom)) }
	cases := []struct {
		name, prefix string
		read         func(io.Reader) (*List, error)
		in           string
	}{
		{"ofac-sdn", "read OFAC SDN: ", func(r io.Reader) (*List, error) { return ReadOFACSDN(r, "test") }, "1,\"ALPHA\",\"vessel\"\r\n"},
		{"ofac-vessels", "read OFAC vessel extract: ", func(r io.Reader) (*List, error) { return ReadOFACVessels(r, "test") },
			"ent_num,name,programs,imo,mmsi,call_sign,vessel_type,flag,remarks\n1,ALPHA,DPRK,9187629,,,,,\n"},
		{"csv", "read T: ", func(r io.Reader) (*List, error) { return ReadCSV(r, "T", "test") }, "name,imo\nALPHA,9187629\n"},
	}
	for _, c := range cases {
		_, err := c.read(failAfter(c.in))
		if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), c.prefix) {
			t.Errorf("%s: error %v, want %q wrapping %v", c.name, err, c.prefix, boom)
		}
	}
}
