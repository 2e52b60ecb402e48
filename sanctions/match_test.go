package sanctions

import (
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

func TestParseName(t *testing.T) {
	for _, c := range []struct{ in, letters, nums string }{
		{"Billions No.18", "BILLIONS", "18"},
		{"BILLIONS NO 18", "BILLIONS", "18"},
		{"billions18", "BILLIONS", "18"},
		{"PETREL EIGHT", "PETREL", "8"},
		{"SEASTAR III", "SEASTAR", "3"},
		{"M/V Chon Myong 1", "CHONMYONG", "1"},
		{"Min Ning De You 078", "MINNINGDEYOU", "78"},
		{"ONE OCEAN", "ONEOCEAN", ""},
		{"Балтийский", "BALTIYSKIY", ""},
		{"KUM@UN SAN 3@@@@", "KUMUNSAN", "3"},
	} {
		n := parseName(c.in)
		if n.Letters != c.letters || n.Nums != c.nums {
			t.Errorf("parseName(%q) = %q|%q, want %q|%q", c.in, n.Letters, n.Nums, c.letters, c.nums)
		}
	}
	// Romanisation variants fold together; different names do not.
	same := [][2]string{
		{"RYONG", "LYONG"}, {"RYONG", "RYUNG"}, {"CHON", "CHEON"}, {"CHON", "CHUN"}, {"CHON", "JON"},
		{"SONG", "SUNG"}, {"KANG", "GANG"}, {"PHYONG", "PYEONG"}, {"PAEK", "BAEK"},
		{"BALTIYSKIY", "BALTIYSKY"}, {"BALTIYSKIY", "BALTIISKII"}, {"KHASAN", "HASAN"},
		{"PETROPAVLOVSK", "PETROPAVLOVSKIY"}, {"VOSTOCHNYY", "VOSTOCHNY"}, {"VOSTOCHNYY", "VOSTOCHNIY"},
	}
	for _, p := range same {
		if a, b := fold(p[0]), fold(p[1]); a != b {
			t.Errorf("fold(%s) = %s, fold(%s) = %s: want equal", p[0], a, p[1], b)
		}
	}
	for _, p := range [][2]string{{"PETREL", "PEARL"}, {"SONG", "SANG"}, {"MARIA", "MARINA"}} {
		if fold(p[0]) == fold(p[1]) {
			t.Errorf("fold(%s) == fold(%s)", p[0], p[1])
		}
	}
}

func TestWithinOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"PETREL", "PETREL", true}, {"PETREL", "PETRAL", true}, {"PETREL", "PETRL", true},
		{"PETREL", "PETERL", true}, {"PETREL", "PETRELS", true}, {"PETREL", "PEARL", false},
		{"ABCDEF", "BACDEG", false},
	} {
		if got := withinOneEdit(c.a, c.b); got != c.want {
			t.Errorf("withinOneEdit(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

func best(ms []Match) (Match, bool) {
	if len(ms) == 0 {
		return Match{}, false
	}
	return ms[0], true
}

func TestMatchListedVessels(t *testing.T) {
	ix := Default()
	// CHON MYONG 1: OFAC lists IMO 8712362; the UK lists "Chon Myong 1"
	// (UN designation) without an IMO.
	ms := ix.Match(Identity{MMSI: 445123000, IMO: 8712362, Name: "CHONMYONG 1"})
	m, ok := best(ms)
	if !ok || !m.Exact || m.Strength < 0.95 || m.Entry.List != "OFAC-SDN" {
		t.Fatalf("by IMO: %+v", ms)
	}
	if m.Fields[0].Field != "imo" || !strings.Contains(m.Reason, "IMO") {
		t.Errorf("by IMO: reason %q", m.Reason)
	}
	uk := false
	for _, m := range ms {
		if m.Entry.ListID == "DPR0096" && !m.Exact && m.Strength >= 0.6 {
			uk = true
		}
	}
	if !uk {
		t.Errorf("UK entry DPR0096 not matched by name: %+v", ms)
	}

	// A renamed vessel still matches by IMO, and the name mismatch is no
	// reason to doubt it.
	if m, ok := best(ix.Match(Identity{IMO: 7406784, Name: "SOMETHING ELSE"})); !ok || m.Entry.ListID != "4243" || m.Strength < 0.9 {
		t.Errorf("renamed EBANO: %+v", m)
	}

	// By a former name (f.k.a.) alone: a lead, not an identification.
	m, ok = best(ix.Match(Identity{MMSI: 352000001, Name: "SAND SWAN"}))
	if !ok || m.Entry.ListID != "4243" || m.Exact || m.Fields[0].Field != "former_name" || m.Strength > 0.8 {
		t.Errorf("by former name: %+v", m)
	}
	// By alias with spelling noise.
	m, ok = best(ix.Match(Identity{Name: "BALT-ISSLEDOVATEL"}))
	if !ok || m.Fields[0].Field != "alias" || m.Fields[0].Listed != "BALT. ISSLEDOVATEL" {
		t.Errorf("by alias: %+v", m)
	}
	// By MMSI.
	if m, ok := best(ix.Match(Identity{MMSI: 636013272, Name: "X"})); !ok || !m.Exact || m.Entry.Name != "NS LEADER" {
		t.Errorf("by MMSI: %+v", m)
	}
	// Transliteration: "Ryong Gun Bong" written the South Korean way.
	m, ok = best(ix.Match(Identity{Name: "RYUNG GUN PONG"}))
	if !ok || m.Entry.Name != "RYONG GUN BONG" || !strings.Contains(m.Reason, "transliteration") || m.Strength > 0.6 {
		t.Errorf("transliteration: %+v", m)
	}
	// "Billions No.18" as AIS would show it.
	if m, ok := best(ix.Match(Identity{Name: "BILLIONS 18"})); !ok || m.Entry.ListID != "DPR0092" {
		t.Errorf("NO. dropped: %+v", m)
	}
}

func TestNearMissesAreWeak(t *testing.T) {
	ix := Default()
	for _, c := range []struct {
		name string
		max  float64
	}{
		{"PETREL 7", 0.3},      // listed: Petrel 8 (sister-ship numbering)
		{"KUM UN SAN 2", 0.4},  // listed: Kum Un San 3, and Kum Un San (another hull) without number
		{"PETREL", 0.5},        // number missing
		{"PEARL 8", 0.3},       // different word
		{"HAO FAN 66", 0.3},    // listed: Hao Fan 6 and Hao Fan 2
		{"CHON MYONG 11", 0.3}, // listed: Chon Myong 1
	} {
		for _, m := range ix.Match(Identity{MMSI: 412000000, Name: c.name}) {
			if m.Strength > c.max || m.Exact {
				t.Errorf("%q matched %s %q at %.2f (max %.2f): %s", c.name, m.Entry.Key(), m.Entry.Name, m.Strength, c.max, m.Reason)
			}
		}
	}
	// Same name, different valid IMO: another hull.
	for _, m := range Default().Match(Identity{IMO: 9074729, Name: "CHON MYONG 1"}) {
		if m.Entry.List == "OFAC-SDN" && m.Strength >= DefaultMinStrength {
			t.Errorf("name match survives a conflicting IMO: %+v", m)
		}
	}
}

func TestListed(t *testing.T) {
	ix := Default()
	if !ix.Listed(0, 8712362) || !ix.Listed(636013272, 0) || ix.Listed(0, 0) || ix.Listed(412000001, 1000007) {
		t.Error("Listed disagrees with the lists")
	}
}

func TestInvalidIMOCheckDigit(t *testing.T) {
	ix := NewIndex([]Entry{{List: "T", ListID: "1", Name: "TYPO STAR", IMOs: []uint32{9074728}}})
	m, ok := best(ix.Match(Identity{IMO: 9074728}))
	if !ok {
		t.Fatal("no match")
	}
	if m.Exact || m.Strength >= StrengthIMO || !strings.Contains(m.Reason, "check digit is invalid") {
		t.Errorf("invalid IMO not flagged: %+v", m)
	}
}

func TestTruncatedName(t *testing.T) {
	ix := NewIndex([]Entry{{List: "T", ListID: "1", Name: "JANG JA SAN CHONG NYON HO"}})
	m, ok := best(ix.Match(Identity{Name: "JANG JA SAN CHONG NY"}))
	if !ok || !strings.Contains(m.Reason, "20 characters") {
		t.Errorf("truncated name: %+v", m)
	}
}

func TestMatchDeterministicAndEvent(t *testing.T) {
	id := Identity{MMSI: 445123000, IMO: 8712362, Name: "CHON MYONG 1", First: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), Last: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)}
	a, b := Default().Match(id), Default().Match(id)
	if len(a) != len(b) || len(a) < 2 {
		t.Fatalf("matches %d / %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Entry.Key() != b[i].Entry.Key() || a[i].Strength != b[i].Strength {
			t.Errorf("order differs at %d", i)
		}
	}
	ev, ok := Event(id, a)
	if !ok || ev.Type != event.SanctionsMatch || ev.MMSI != id.MMSI || ev.Confidence != a[0].Strength || !ev.Start.Equal(id.First) {
		t.Fatalf("event %+v", ev)
	}
	if ev.Evidence["entry_id"] != a[0].Entry.ListID || ev.Evidence["matched_field"] != "imo" || len(ev.Evidence["matches"].([]map[string]any)) != len(a) {
		t.Errorf("evidence %+v", ev.Evidence)
	}
}

func TestMatchAllOrder(t *testing.T) {
	ids := make([]Identity, 10000)
	for i := range ids {
		ids[i] = Identity{MMSI: uint32(200000000 + i), Name: "NOBODY"}
	}
	ids[7] = Identity{IMO: 7406784}
	ids[9001] = Identity{Name: "PETREL 8"}
	var got []int
	Default().MatchAll(ids, func(i int, ms []Match) { got = append(got, i) })
	if len(got) != 2 || got[0] != 7 || got[1] != 9001 {
		t.Errorf("MatchAll reported %v", got)
	}
}

// Every listed name finds its own entry, and a listed sister ship (same
// name, other number) never reaches the reporting threshold through the
// name alone.
func TestListAgainstItself(t *testing.T) {
	ix := Default()
	for i := range ix.Entries() {
		e := &ix.Entries()[i]
		found := false
		for _, m := range ix.Match(Identity{Name: e.Name}) {
			if m.Entry.Key() == e.Key() {
				found = m.Strength >= 0.4
				continue
			}
			if m.Entry.List != e.List {
				continue // the same ship on the other list
			}
			a, b := parseName(e.Name), parseName(m.Entry.Name)
			if a.Letters == b.Letters && a.Nums != "" && b.Nums != "" && a.Nums != b.Nums {
				t.Errorf("%q matches sister ship %q at %.2f", e.Name, m.Entry.Name, m.Strength)
			}
		}
		if !found && parseName(e.Name).Letters != "" {
			t.Errorf("%s %q does not find itself", e.Key(), e.Name)
		}
	}
}

// foldReference is fold as first written with strings.Replacer; the
// byte-level fold must agree with it.
func foldReference(letters string) string {
	if letters == "" {
		return ""
	}
	s := letters
	for _, suf := range []string{"SKIY", "SKIJ", "SKII", "SKYI", "SKYY", "SKY", "SKI"} {
		if strings.HasSuffix(s, suf) {
			s = s[:len(s)-len(suf)] + "SK"
			break
		}
	}
	for _, suf := range []string{"YY", "IY", "II", "Y"} {
		if strings.HasSuffix(s, suf) {
			s = s[:len(s)-len(suf)] + "I"
			break
		}
	}
	s = strings.NewReplacer(
		"SHCH", "S", "YY", "I",
		"TCH", "J", "SCH", "S", "SH", "S", "ZH", "J", "CH", "J", "TS", "S", "TZ", "S",
		"KH", "H", "PH", "P", "TH", "T", "X", "KS",
		"YEO", "YO", "EO", "O", "EU", "U", "OO", "U", "OU", "U", "AE", "E", "AI", "E",
		"IY", "I", "YI", "I",
	).Replace(s)
	s = strings.NewReplacer("G", "K", "B", "P", "D", "T", "C", "K", "Q", "K", "W", "V", "L", "R", "U", "O").Replace(s)
	s = strings.NewReplacer("RY", "Y", "NY", "Y").Replace(s)
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if i > 0 && s[i] == s[i-1] {
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func TestFoldAgreesWithReference(t *testing.T) {
	var in []string
	for _, e := range Default().Entries() {
		for _, n := range append(append([]string{e.Name}, e.Aliases...), e.FormerNames...) {
			in = append(in, parseName(n).Letters)
		}
	}
	for _, n := range syntheticIdentities(5000, 7) {
		in = append(in, parseName(n.Name).Letters)
	}
	// Letter soup rich in the digraphs' letters.
	const soup = "ABCDEGHIJKLNOPRSTUWXYZ"
	for i := 0; i < 10000; i++ {
		b := make([]byte, 1+i%13)
		for j := range b {
			b[j] = soup[(i*7+j*13+j*j*i)%len(soup)]
		}
		in = append(in, string(b))
	}
	for _, s := range in {
		if got, want := fold(s), foldReference(s); got != want {
			t.Fatalf("fold(%q) = %q, reference %q", s, got, want)
		}
	}
}
