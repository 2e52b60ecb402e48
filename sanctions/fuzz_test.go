package sanctions

import (
	"strings"
	"testing"
)

// FuzzMatch: no name, however malformed, panics the screener, and a
// reported match always has a strength in (0, 1] and a reason.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"", "PETREL 8", "NO.", "M/V", "ÀÉÎ ÕÜ", "Балтийский 3", "@@@@", "A1B2C3", "XIIII", "\xff\xfe", "NO 0 0 0", "JANG JA SAN CHONG NY"} {
		f.Add(s, uint32(0), "")
	}
	f.Add("CHON MYONG 1", uint32(8712362), "HMXX")
	f.Fuzz(func(t *testing.T, name string, imo uint32, callSign string) {
		for _, m := range Default().Match(Identity{MMSI: 1, IMO: imo, Name: name, CallSign: callSign}) {
			if m.Strength <= 0 || m.Strength > 1 || strings.TrimSpace(m.Reason) == "" || len(m.Fields) == 0 {
				t.Fatalf("match %+v", m)
			}
		}
	})
}

// FuzzRead: no input makes an importer panic or lose count of its rows.
func FuzzRead(f *testing.F) {
	f.Add([]byte("name,imo\nA,9187629\n"))
	f.Add([]byte("1,\"X\",\"vessel\",-0- \r\n"))
	f.Add([]byte("{\"schema\":\"Vessel\"}\n{"))
	f.Add([]byte("unique_id,name,type\nX,,Ship\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, format := range []string{"auto", "csv", "ofac-sdn", "ftm", "uk"} {
			l, err := Read(strings.NewReader(string(in)), format, "", "fuzz")
			if err != nil || l == nil {
				continue
			}
			rejected := 0
			for _, n := range l.Stats.Rejected {
				rejected += n
			}
			if l.Stats.Entries != len(l.Entries) || l.Stats.Entries+l.Stats.Skipped+rejected > l.Stats.Rows {
				t.Fatalf("%s: stats %s with %d entries", format, l.Stats, len(l.Entries))
			}
		}
	})
}
