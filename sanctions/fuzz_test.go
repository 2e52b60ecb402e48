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

// FuzzRead: no input makes an importer panic or lose count of its rows:
// every row is an entry, skipped or rejected, and a rejected row of a CSV
// names its line.
func FuzzRead(f *testing.F) {
	f.Add([]byte("name,imo\nA,9187629\n"))
	f.Add([]byte("1,\"X\",\"vessel\",-0- \r\n"))
	f.Add([]byte("{\"schema\":\"Vessel\"}\n{"))
	f.Add([]byte("unique_id,name,type\nX,,Ship\n"))
	f.Add([]byte("name,imo\nSHIP ONE,9187629\n\"SHIP TWO,9074729\nSHIP THREE,9305609\n"))
	f.Add([]byte("ent_num,name,programs,imo,mmsi,call_sign,vessel_type,flag,remarks\n1,A,DPRK,,,,,,\"a.k.a. 'B'; f.k.a. 'C'\"\n"))
	f.Add([]byte("name,aliases,imo\nA,x;X;y|Y,1;1;9187629\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, format := range []string{"auto", "csv", "ofac-sdn", "ofac-vessels", "ftm", "uk"} {
			l, err := Read(strings.NewReader(string(in)), format, "", "fuzz")
			if err != nil || l == nil {
				continue
			}
			if format == "auto" {
				format = Detect(in[:min(len(in), 4096)])
			}
			rejected := 0
			for _, n := range l.Stats.Rejected {
				rejected += n
			}
			if l.Stats.Entries != len(l.Entries) || l.Stats.Entries+l.Stats.Skipped+rejected > l.Stats.Rows {
				t.Fatalf("%s: stats %s with %d entries", format, l.Stats, len(l.Entries))
			}
			if format != "ftm" && l.Stats.Entries+l.Stats.Skipped+rejected != l.Stats.Rows {
				t.Fatalf("%s: %d rows but %d entries, %d skipped, %d rejected", format, l.Stats.Rows, l.Stats.Entries, l.Stats.Skipped, rejected)
			}
			if format != "ftm" && len(l.Stats.RejectedLines) != min(rejected, maxRejectedLines) {
				t.Fatalf("%s: %d rejected, lines %v", format, rejected, l.Stats.RejectedLines)
			}
			for _, e := range l.Entries {
				seen := map[string]bool{}
				for _, a := range e.Aliases {
					if seen[foldKey(a)] {
						t.Fatalf("%s: alias %q twice in %q", format, a, e.Aliases)
					}
					seen[foldKey(a)] = true
				}
			}
			// OFAC's alt.csv merged into what was read.
			if err := MergeOFACAlt(l, strings.NewReader(string(in))); err != nil {
				t.Fatalf("alt.csv: %v", err)
			}
		}
	})
}
