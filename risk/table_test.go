package risk

import (
	"strings"
	"testing"
)

func TestTableNamesVessels(t *testing.T) {
	var b strings.Builder
	err := WriteTable(&b, []Score{
		{MMSI: 616171143, Name: "SHUN LIGHT 51", Total: 50, Factors: []Factor{{Name: "listed", Points: 50, Detail: "UN", EventIDs: []string{"a", "b", "c", "d"}}}},
		{MMSI: 273000001, Total: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if !strings.Contains(lines[0], "NAME") || !strings.Contains(lines[1], "616171143  SHUN LIGHT 51") || !strings.Contains(lines[1], "a,b,c,… (+1)") {
		t.Errorf("table:\n%s", b.String())
	}
}
