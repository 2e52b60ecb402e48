package report

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lookout-osint/lookout/sanctions"
)

// TestMethodologyQuotesMatcherStrengths screens identities that agree with
// a listed entry in one way each and checks that the methodology quotes
// the strength the matcher gave that agreement, so the report cannot claim
// other weights than were applied.
func TestMethodologyQuotesMatcherStrengths(t *testing.T) {
	var text string
	for _, s := range methodology(&Options{}) {
		if strings.HasPrefix(s.Title, "Sanctions matching") {
			text = s.Text
		}
	}
	if text == "" {
		t.Fatal("no sanctions section in the methodology")
	}
	ix := sanctions.NewIndex([]sanctions.Entry{
		{List: "T", ListID: "1", Name: "OCEAN GLORY 7", IMOs: []uint32{9187629, 9187628}, MMSIs: []uint32{273385420}, CallSigns: []string{"UBAO8"}},
		{List: "T", ListID: "2", Name: "PACIFIC"},
		{List: "T", ListID: "3", Name: "ARK"},
		{List: "T", ListID: "4", Name: "SEVASTOPOL STAR"},
		{List: "T", ListID: "5", Name: "SEVASTOPOL STAR OF THE NORTH"},
	})
	ix.MinStrength = 0
	// field returns the strength of the named field of the match with
	// entry id, or NaN when there is none.
	field := func(id sanctions.Identity, listID, name string) float64 {
		for _, m := range ix.Match(id) {
			if m.Entry.ListID != listID {
				continue
			}
			for _, f := range m.Fields {
				if f.Field == name {
					return f.Strength
				}
			}
		}
		return math.NaN()
	}
	round := func(x float64) float64 { return math.Round(x*1000) / 1000 }
	same := field(sanctions.Identity{Name: "PACIFIC"}, "2", "name") / field(sanctions.Identity{Name: "OCEAN GLORY 7"}, "1", "name")
	cases := []struct {
		phrase string
		got    float64
	}{
		{"valid check digit ", field(sanctions.Identity{IMO: 9187629}, "1", "imo")},
		{"failing check digit ", field(sanctions.Identity{IMO: 9187628}, "1", "imo")},
		{"MMSI ", field(sanctions.Identity{MMSI: 273385420}, "1", "mmsi")},
		{"call sign ", field(sanctions.Identity{CallSign: "UBAO8"}, "1", "call_sign")},
		{"the same name ", field(sanctions.Identity{Name: "OCEAN GLORY 7"}, "1", "name")},
		{"normalised ", field(sanctions.Identity{Name: "OceanGlory 7"}, "1", "name")},
		{"truncated to the 20 AIS characters ", field(sanctions.Identity{Name: "SEVASTOPOL STAR OF T"}, "5", "name")},
		{"transliterated ", field(sanctions.Identity{Name: "SEWASTOPOL STAR"}, "4", "name")},
		{"one edit apart ", field(sanctions.Identity{Name: "SEVASTOPOL STAT"}, "4", "name")},
		{"number missing ", field(sanctions.Identity{Name: "OCEAN GLORY"}, "1", "name")},
		{"a different number ", field(sanctions.Identity{Name: "OCEAN GLORY 8"}, "1", "name")},
		{"one-word names × ", round(same)},
		{"and × ", round(field(sanctions.Identity{Name: "ARK"}, "3", "name") / field(sanctions.Identity{Name: "PACIFIC"}, "2", "name"))},
		{"every non-IMO match × ", round(field(sanctions.Identity{IMO: 9074729, MMSI: 273385420}, "1", "mmsi") /
			field(sanctions.Identity{MMSI: 273385420}, "1", "mmsi"))},
	}
	for _, c := range cases {
		if math.IsNaN(c.got) {
			t.Errorf("%q: the matcher found no such agreement", c.phrase)
			continue
		}
		want := c.phrase + strconv.FormatFloat(c.got, 'g', -1, 64)
		// The figure must end there: "× 0.7" is not said by "× 0.75".
		if !regexp.MustCompile(regexp.QuoteMeta(want) + `[^0-9.]`).MatchString(text) {
			t.Errorf("methodology does not say %q (the matcher's figure): %s", want, text)
		}
	}
}
