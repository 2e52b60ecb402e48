package hostile

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/sanctions"
)

// The list: an unclosed quote in the second of four ships used to
// swallow the rest of the file (2 rows, 0 rejected). Every other ship is
// read, so screened, and the bad line is rejected by number.
func TestSanctionsUnclosedQuote(t *testing.T) {
	in := "name,imo\nSHIP ONE,9187629\n\"SHIP TWO,9074729\nSHIP THREE,9305609\nSHIP FOUR,9314428\n"
	for _, format := range []string{"auto", "csv"} {
		l, err := sanctions.Read(strings.NewReader(in), format, "T", "hostile")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range l.Entries {
			names = append(names, e.Name)
		}
		if !slices.Equal(names, []string{"SHIP ONE", "SHIP THREE", "SHIP FOUR"}) || !slices.Equal(l.Stats.RejectedLines, []int{3}) {
			t.Errorf("%s: entries %q, stats %s", format, names, l.Stats)
		}
	}
}

// 200,000 aliases in one cell (2.4 MB; a list upload through the API takes
// 32 MB). Deduplicated pairwise, 100,000 took 31 s on an idle machine and
// 200,000 would take four times that; in linear work it is a second or
// two. The guard is generous: it only catches the quadratic.
func TestSanctionsManyAliasesLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,imo,aliases\nBIG SHIP,9187629,")
	for i := range 200_000 {
		fmt.Fprintf(&b, "ALIAS %d;alias %d;", i, i) // each twice, differing in case
	}
	b.WriteString("\n")
	done := make(chan *sanctions.List, 1)
	go func() {
		l, err := sanctions.Read(strings.NewReader(b.String()), "csv", "T", "hostile")
		if err != nil {
			t.Error(err)
		}
		done <- l
	}()
	select {
	case l := <-done:
		if l == nil || len(l.Entries) != 1 || len(l.Entries[0].Aliases) != 200_000 {
			t.Fatalf("aliases not deduplicated: %v", l.Stats)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("200,000 aliases still being deduplicated after 90 s: quadratic")
	}
}
