// Package sanctions reads public sanctions lists that name vessels and
// screens AIS identities (MMSI, IMO, name, call sign) against them. Every
// match carries a strength between 0 and 1 and the reason for it, so an
// analyst can check it; a match can become a sanctions_match event.
//
// Matching, strongest evidence first (each strength is the exported
// constant named, which the report's methodology quotes):
//   - IMO identical with a valid check digit ([StrengthIMO]); with an
//     invalid one ([StrengthIMOBadCheck]), flagged as a typo or a made-up
//     number;
//   - MMSI identical ([StrengthMMSI]), call sign identical ([StrengthCallSign]);
//   - names: identical ([StrengthNameSame]), identical after normalising
//     case, punctuation, spacing, "NO."/"NR", spelled and Roman numbers,
//     leading zeros and M/V prefixes ([StrengthNameNorm]), cut to AIS's 20
//     characters ([StrengthNameTrunc]), a Korean or Russian romanisation
//     variant ([StrengthNameTranslit]), one typing error
//     ([StrengthNameOneEdit]), the number missing on one side
//     ([StrengthNameNoNumber]), a different number ([StrengthNameOtherNum]:
//     sister ships are different hulls). One-word names without a number
//     are scaled by [OneWordFactor], and by [ShortNameFactor] again under
//     [ShortNameLetters] letters.
//
// Evidence on several fields adds up as independent (1 − Π(1 − s)); a
// valid IMO on both sides that differs scales every other field by
// [IMOConflictFactor].
// Exact means a valid IMO or the MMSI is the one listed.
//
// The lists Lookout ships (OFAC SDN vessels, the UK Sanctions List's ships)
// are embedded; see data/README.md for their source, date and licence.
package sanctions

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/track"
)

// Entry is one listed vessel.
type Entry struct {
	// List names the list (OFAC-SDN, UK, or the name given at import);
	// ListID is the list's own stable id for the entry (OFAC ent_num, UK
	// unique id).
	List   string `json:"list"`
	ListID string `json:"list_id"`
	Name   string `json:"name"`
	// Aliases are names the vessel is also known by (a.k.a.); FormerNames
	// are names it had before (f.k.a.). Both are matched, at lower strength
	// than the listed name only when the list says the name is historic.
	Aliases     []string `json:"aliases,omitempty"`
	FormerNames []string `json:"former_names,omitempty"`
	// IMOs are as listed, including numbers whose check digit fails (see
	// ValidIMO): a list can carry a typo, and the match says so.
	IMOs      []uint32 `json:"imos,omitempty"`
	MMSIs     []uint32 `json:"mmsis,omitempty"`
	CallSigns []string `json:"call_signs,omitempty"`
	// Flags holds the flag at listing first, then former or other flags.
	Flags      []string  `json:"flags,omitempty"`
	Programs   []string  `json:"programs,omitempty"`
	VesselType string    `json:"vessel_type,omitempty"`
	Designated time.Time `json:"designated,omitzero"`
	// Source says where the entry came from (file, list edition).
	Source string `json:"source,omitempty"`
}

// Key is the entry's identity across lists: "LIST:ID".
func (e *Entry) Key() string { return e.List + ":" + e.ListID }

// List is a sanctions list as imported.
type List struct {
	Name    string  `json:"name"`
	Source  string  `json:"source"`
	Entries []Entry `json:"entries"`
	Stats   Stats   `json:"stats"`
}

// Stats counts what an import did with its input. Rejected rows are counted
// by reason and never stop the import; Skipped rows are valid but not
// vessels (a full SDN file is mostly people and companies).
type Stats struct {
	Rows     int            `json:"rows"`
	Entries  int            `json:"entries"`
	Skipped  int            `json:"skipped"`
	Rejected map[string]int `json:"rejected,omitempty"`
	// RejectedLines are the line numbers of the first rejected rows (up
	// to maxRejectedLines), for the person who has to fix the file.
	RejectedLines []int `json:"rejected_lines,omitempty"`
	// Warnings counts accepted rows with a questionable field (an IMO whose
	// check digit fails, an MMSI that is not nine digits).
	Warnings map[string]int `json:"warnings,omitempty"`
	line     int            // the line being read, while it is
}

const maxRejectedLines = 20

func (s *Stats) reject(reason string) {
	if s.Rejected == nil {
		s.Rejected = map[string]int{}
	}
	s.Rejected[reason]++
	if s.line > 0 && len(s.RejectedLines) < maxRejectedLines {
		s.RejectedLines = append(s.RejectedLines, s.line)
	}
}

func (s *Stats) warn(reason string) {
	if s.Warnings == nil {
		s.Warnings = map[string]int{}
	}
	s.Warnings[reason]++
}

func (s Stats) rejectedTotal() int {
	n := 0
	for _, v := range s.Rejected {
		n += v
	}
	return n
}

// String summarises the stats on one line, reasons in a stable order.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows, %d entries, %d skipped (not vessels)", s.Rows, s.Entries, s.Skipped)
	for _, part := range []struct {
		label string
		m     map[string]int
	}{{"rejected", s.Rejected}, {"warnings", s.Warnings}} {
		if len(part.m) == 0 {
			continue
		}
		keys := make([]string, 0, len(part.m))
		for k := range part.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&b, "; %s:", part.label)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%d", k, part.m[k])
		}
		if part.label == "rejected" && len(s.RejectedLines) > 0 {
			fmt.Fprintf(&b, " (line %s", strings.Trim(fmt.Sprint(s.RejectedLines), "[]"))
			if n := s.rejectedTotal(); n > len(s.RejectedLines) {
				fmt.Fprintf(&b, ", …")
			}
			b.WriteString(")")
		}
	}
	return b.String()
}

// ValidIMO reports whether n is a seven-digit IMO ship number whose check
// digit is right (track.ValidIMO).
func ValidIMO(n uint32) bool { return track.ValidIMO(n) }

// parseIMO reads an IMO number written as "9123456" or "IMO 9123456".
func parseIMO(s string) (uint32, bool) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimSpace(strings.TrimPrefix(s, "IMO"))
	s = strings.TrimPrefix(s, ":")
	s = strings.TrimSpace(s)
	if len(s) != 7 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// parseMMSI reads a nine-digit MMSI.
func parseMMSI(s string) (uint32, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 9 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// addUnique appends the non-empty values of vs to dst, skipping ones
// already there (case-insensitively). Its work is linear in len(dst) +
// len(vs): a list is uploaded by anyone with a token, and a cell of 100,000
// aliases compared pairwise held a core for 31 s. Callers that add one
// value at a time collect them and call it once.
func addUnique(dst []string, vs ...string) []string {
	if len(dst)+len(vs) <= 8 {
	next:
		for _, v := range vs {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			for _, d := range dst {
				if strings.EqualFold(d, v) {
					continue next
				}
			}
			dst = append(dst, v)
		}
		return dst
	}
	seen := make(map[string]struct{}, len(dst)+len(vs))
	for _, d := range dst {
		seen[foldKey(d)] = struct{}{}
	}
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		k := foldKey(v)
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		dst = append(dst, v)
	}
	return dst
}

// foldKey is equal for strings strings.EqualFold calls equal (the upper
// then lower case map folds the special cases such as the long s).
func foldKey(s string) string { return strings.ToLower(strings.ToUpper(s)) }

// addUints appends the values of vs not already in dst, in linear work
// like addUnique.
func addUints(dst []uint32, vs ...uint32) []uint32 {
	seen := make(map[uint32]struct{}, len(dst)+len(vs))
	for _, d := range dst {
		seen[d] = struct{}{}
	}
	for _, v := range vs {
		if _, ok := seen[v]; !ok {
			seen[v] = struct{}{}
			dst = append(dst, v)
		}
	}
	return dst
}
