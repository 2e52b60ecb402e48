package sanctions

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Identity is one identity a vessel broadcast over a span of time: the
// static fields of AIS types 5 and 24 as they stood from First to Last.
// A vessel's history is a slice of them.
type Identity struct {
	MMSI     uint32    `json:"mmsi"`
	IMO      uint32    `json:"imo,omitempty"`
	Name     string    `json:"name,omitempty"`
	CallSign string    `json:"call_sign,omitempty"`
	Flag     string    `json:"flag,omitempty"`
	First    time.Time `json:"first,omitzero"`
	Last     time.Time `json:"last,omitzero"`
}

// FieldMatch is one piece of agreement between an identity and an entry.
type FieldMatch struct {
	// Field is imo, mmsi, call_sign, name, alias or former_name.
	Field    string  `json:"field"`
	Observed string  `json:"observed"`
	Listed   string  `json:"listed"`
	Strength float64 `json:"strength"`
	Reason   string  `json:"reason"`
}

// Match is an identity found on a list.
type Match struct {
	Identity Identity
	Entry    *Entry
	// Strength combines the field matches as independent evidence
	// (1 − Π(1 − s)), after any penalty for a conflicting IMO.
	Strength float64
	// Exact is true when a valid IMO or the MMSI is the same as listed.
	Exact  bool
	Fields []FieldMatch
	// Reason is one sentence an analyst can check.
	Reason string
}

// Strengths of each kind of agreement on its own. They are judgements,
// documented here so that a report can be argued with, and exported so that
// the report's methodology quotes these values rather than a copy:
//   - An IMO number stays with the hull for life; an exact one with a valid
//     check digit is near-proof. A failing check digit on the number means a
//     typo or a made-up number, so it proves much less.
//   - An MMSI follows the flag: listed ships reflag and their old MMSI may be
//     reissued, so an MMSI alone is strong but not proof.
//   - Call signs are reissued by flag states too.
//   - Names are reused across the world fleet; the same name is a lead, not
//     an identification. Sister ships differ only by their number, so a
//     different number means a different ship.
const (
	StrengthIMO          = 0.95
	StrengthIMOBadCheck  = 0.6
	StrengthMMSI         = 0.8
	StrengthCallSign     = 0.5
	StrengthNameSame     = 0.7
	StrengthNameNorm     = 0.65
	StrengthNameTrunc    = 0.6
	StrengthNameTranslit = 0.45
	StrengthNameOneEdit  = 0.35
	StrengthNameNoNumber = 0.35
	StrengthNameOtherNum = 0.15
	// OneWordFactor scales a name match when the listed name is one word
	// without a number ("GLORY", "PACIFIC"): many unrelated ships share it.
	// ShortNameFactor scales it again when that word has fewer than
	// ShortNameLetters letters ("SOL", "ARK").
	OneWordFactor    = 0.75
	ShortNameFactor  = 0.8
	ShortNameLetters = 5
	// IMOConflictFactor scales every non-IMO match when both sides carry a
	// valid IMO and the numbers differ: probably another hull.
	IMOConflictFactor = 0.3
	// DefaultMinStrength is the weakest match Match reports.
	DefaultMinStrength = 0.3
	// aisNameLen is the length of the AIS name field, which truncates
	// longer names.
	aisNameLen = 20
)

type nameKind uint8

const (
	kindPrimary nameKind = iota
	kindAlias
	kindFormer
)

func (k nameKind) field() string {
	switch k {
	case kindAlias:
		return "alias"
	case kindFormer:
		return "former_name"
	}
	return "name"
}

type nameRef struct {
	entry int32
	kind  nameKind
	n     name
	raw   string
}

// Index screens identities against entries. Build it once with NewIndex;
// it is safe for concurrent use.
type Index struct {
	entries []Entry
	byIMO   map[uint32][]int32
	byMMSI  map[uint32][]int32
	byCall  map[string][]int32
	names   []nameRef
	// Name blocking: each map goes from a key to positions in names.
	byKey     map[string][]int32 // Letters|Nums
	byLetters map[string][]int32 // Letters (number differs or missing)
	byFolded  map[string][]int32 // Folded letters
	byDelete  map[string][]int32 // Letters and its one-deletion variants
	byTrunc   map[string][]int32 // first 20 characters of long Plain names
	// MinStrength is the weakest match reported (DefaultMinStrength).
	MinStrength float64
}

// minFuzzyLetters: one-edit matching only for names this long, below which
// one letter is too large a share of the name.
const minFuzzyLetters = 7

// NewIndex indexes entries for screening. The entries are copied.
func NewIndex(entries []Entry) *Index {
	ix := &Index{
		entries:     append([]Entry(nil), entries...),
		byIMO:       map[uint32][]int32{},
		byMMSI:      map[uint32][]int32{},
		byCall:      map[string][]int32{},
		byKey:       map[string][]int32{},
		byLetters:   map[string][]int32{},
		byFolded:    map[string][]int32{},
		byDelete:    map[string][]int32{},
		byTrunc:     map[string][]int32{},
		MinStrength: DefaultMinStrength,
	}
	for i := range ix.entries {
		e := &ix.entries[i]
		id := int32(i)
		for _, n := range e.IMOs {
			ix.byIMO[n] = appendOnce(ix.byIMO[n], id)
		}
		for _, n := range e.MMSIs {
			ix.byMMSI[n] = appendOnce(ix.byMMSI[n], id)
		}
		for _, c := range e.CallSigns {
			if c = normCallSign(c); len(c) >= 4 {
				ix.byCall[c] = appendOnce(ix.byCall[c], id)
			}
		}
		ix.addName(id, kindPrimary, e.Name)
		for _, a := range e.Aliases {
			ix.addName(id, kindAlias, a)
		}
		for _, a := range e.FormerNames {
			ix.addName(id, kindFormer, a)
		}
	}
	return ix
}

func appendOnce(s []int32, v int32) []int32 {
	if len(s) > 0 && s[len(s)-1] == v {
		return s
	}
	return append(s, v)
}

func (ix *Index) addName(entry int32, kind nameKind, raw string) {
	n := parseName(raw)
	if n.Letters == "" {
		return // a bare number ("YARD NO. 1220" keeps its letters; "123" does not)
	}
	pos := int32(len(ix.names))
	ix.names = append(ix.names, nameRef{entry: entry, kind: kind, n: n, raw: raw})
	ix.byKey[n.key()] = append(ix.byKey[n.key()], pos)
	ix.byLetters[n.Letters] = append(ix.byLetters[n.Letters], pos)
	ix.byFolded[n.Folded] = append(ix.byFolded[n.Folded], pos)
	if len(n.Letters) >= minFuzzyLetters {
		for _, d := range deletions(n.Letters) {
			ix.byDelete[d] = appendOnce(ix.byDelete[d], pos)
		}
	}
	if len(n.Plain) > aisNameLen {
		t := strings.TrimSpace(n.Plain[:aisNameLen])
		ix.byTrunc[t] = append(ix.byTrunc[t], pos)
	}
}

// deletions returns s and every string made by deleting one letter of s.
// Two strings within one edit of each other share at least one of them
// (the symmetric-deletion trick), so a map lookup per deletion finds
// near-spellings without comparing against every listed name.
func deletions(s string) []string {
	out := make([]string, 0, len(s)+1)
	out = append(out, s)
	for i := 0; i < len(s); i++ {
		if i > 0 && s[i] == s[i-1] {
			continue
		}
		out = append(out, s[:i]+s[i+1:])
	}
	return out
}

// Listed reports whether an entry lists this MMSI or IMO number exactly
// (0 matches nothing). A simulator uses it to keep its unlisted fleet off
// the lists.
func (ix *Index) Listed(mmsi, imo uint32) bool {
	return (mmsi != 0 && len(ix.byMMSI[mmsi]) > 0) || (imo != 0 && len(ix.byIMO[imo]) > 0)
}

// Len is the number of indexed entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Entries returns the indexed entries (do not modify).
func (ix *Index) Entries() []Entry { return ix.entries }

// candidate gathers the field matches of one entry during a lookup.
type candidate struct {
	entry  int32
	fields []FieldMatch
}

func (c *candidate) add(f FieldMatch) {
	// Keep only the strongest name-type match: a name and its alias
	// agreeing is one piece of evidence, not two.
	if isNameField(f.Field) {
		for i := range c.fields {
			if isNameField(c.fields[i].Field) {
				if f.Strength > c.fields[i].Strength {
					c.fields[i] = f
				}
				return
			}
		}
	}
	for i := range c.fields {
		if c.fields[i].Field == f.Field {
			if f.Strength > c.fields[i].Strength {
				c.fields[i] = f
			}
			return
		}
	}
	c.fields = append(c.fields, f)
}

func isNameField(f string) bool { return f == "name" || f == "alias" || f == "former_name" }

// Match screens one identity and returns its matches of at least
// MinStrength, strongest first (ties by list and id, so output is
// deterministic).
func (ix *Index) Match(id Identity) []Match {
	// Few entries match any one identity: a slice beats a map.
	var cands []candidate
	get := func(e int32) *candidate {
		for i := range cands {
			if cands[i].entry == e {
				return &cands[i]
			}
		}
		cands = append(cands, candidate{entry: e})
		return &cands[len(cands)-1]
	}
	imoValid := ValidIMO(id.IMO)
	if id.IMO != 0 {
		for _, e := range ix.byIMO[id.IMO] {
			f := FieldMatch{Field: "imo", Observed: itoa(id.IMO), Listed: itoa(id.IMO), Strength: StrengthIMO,
				Reason: "IMO number identical (check digit valid)"}
			if !imoValid {
				f.Strength = StrengthIMOBadCheck
				f.Reason = "IMO number identical but its check digit is invalid (typo or made-up number)"
			}
			get(e).add(f)
		}
	}
	if id.MMSI != 0 {
		for _, e := range ix.byMMSI[id.MMSI] {
			get(e).add(FieldMatch{Field: "mmsi", Observed: itoa(id.MMSI), Listed: itoa(id.MMSI), Strength: StrengthMMSI,
				Reason: "MMSI identical (MMSIs change with the flag and can be reissued)"})
		}
	}
	if cs := normCallSign(id.CallSign); len(cs) >= 4 {
		for _, e := range ix.byCall[cs] {
			get(e).add(FieldMatch{Field: "call_sign", Observed: id.CallSign, Listed: cs, Strength: StrengthCallSign,
				Reason: "call sign identical (call signs are reissued)"})
		}
	}
	if strings.TrimSpace(id.Name) != "" {
		ix.matchName(id.Name, get)
	}
	if len(cands) == 0 {
		return nil
	}
	out := make([]Match, 0, len(cands))
	for _, c := range cands {
		m := ix.finish(id, &ix.entries[c.entry], c.fields, imoValid)
		if m.Strength >= ix.MinStrength {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Strength != out[j].Strength {
			return out[i].Strength > out[j].Strength
		}
		return out[i].Entry.Key() < out[j].Entry.Key()
	})
	return out
}

func (ix *Index) matchName(raw string, get func(int32) *candidate) {
	q := parseName(raw)
	if q.Letters == "" {
		return
	}
	qPlain := strings.TrimSpace(strings.ToUpper(raw))
	emit := func(pos int32, s float64, why string) {
		r := &ix.names[pos]
		if r.n.Words == 1 && (r.n.Nums == "" || q.Nums == "") {
			s *= OneWordFactor
			if len(r.n.Letters) < ShortNameLetters {
				s *= ShortNameFactor
			}
			why += "; a one-word name, shared by many ships"
		}
		get(r.entry).add(FieldMatch{Field: r.kind.field(), Observed: raw, Listed: r.raw, Strength: round3(s), Reason: why})
	}
	for _, pos := range ix.byKey[q.key()] {
		r := &ix.names[pos]
		if r.n.Plain == q.Plain || strings.EqualFold(strings.TrimSpace(r.raw), qPlain) {
			emit(pos, StrengthNameSame, "name identical")
		} else {
			emit(pos, StrengthNameNorm, "same name after normalising case, punctuation, spacing and numbers")
		}
	}
	// Same letters, different or missing number.
	for _, pos := range ix.byLetters[q.Letters] {
		r := &ix.names[pos]
		if r.n.Nums == q.Nums {
			continue // handled above
		}
		if r.n.Nums == "" || q.Nums == "" {
			emit(pos, StrengthNameNoNumber, fmt.Sprintf("same name but the number is missing on one side (%q vs %q)", raw, r.raw))
		} else {
			emit(pos, StrengthNameOtherNum, fmt.Sprintf("same name, different number (%s vs %s): likely a sister ship", q.Nums, r.n.Nums))
		}
	}
	// Transliteration variants: folded letters equal, letters not.
	for _, pos := range ix.byFolded[q.Folded] {
		r := &ix.names[pos]
		if r.n.Letters == q.Letters {
			continue
		}
		switch {
		case r.n.Nums == q.Nums:
			emit(pos, StrengthNameTranslit, fmt.Sprintf("transliteration variant (%s ~ %s)", q.Letters, r.n.Letters))
		case r.n.Nums == "" || q.Nums == "":
			emit(pos, StrengthNameNoNumber*StrengthNameTranslit/StrengthNameNorm, "transliteration variant with the number missing on one side")
		default:
			emit(pos, StrengthNameOtherNum, "transliteration variant with a different number: likely a sister ship")
		}
	}
	// One edit apart: a typo. On the letters as written, not folded:
	// folded Korean names are short and alike, and one edit between them
	// crosses from one name to another.
	if len(q.Letters) >= minFuzzyLetters {
		var seen []int32
		buf := make([]byte, 0, len(q.Letters))
		for i := -1; i < len(q.Letters); i++ {
			if i > 0 && q.Letters[i] == q.Letters[i-1] {
				continue
			}
			buf = buf[:0]
			if i < 0 {
				buf = append(buf, q.Letters...)
			} else {
				buf = append(append(buf, q.Letters[:i]...), q.Letters[i+1:]...)
			}
			for _, pos := range ix.byDelete[string(buf)] {
				r := &ix.names[pos]
				if slices.Contains(seen, pos) || r.n.Folded == q.Folded || !withinOneEdit(r.n.Letters, q.Letters) {
					continue
				}
				seen = append(seen, pos)
				if r.n.Nums == q.Nums {
					emit(pos, StrengthNameOneEdit, fmt.Sprintf("name one letter apart (%s ~ %s)", q.Letters, r.n.Letters))
				} else {
					emit(pos, StrengthNameOtherNum, "name one letter apart and a different number")
				}
			}
		}
	}
	// AIS cuts names at 20 characters.
	if len(q.Plain) >= aisNameLen-2 && len(q.Plain) <= aisNameLen {
		for _, pos := range ix.byTrunc[q.Plain] {
			emit(pos, StrengthNameTrunc, "listed name cut to the 20 characters of the AIS name field")
		}
	}
}

func (ix *Index) finish(id Identity, e *Entry, fields []FieldMatch, imoValid bool) Match {
	m := Match{Identity: id, Entry: e, Fields: fields}
	// A different valid IMO on both sides points to another hull.
	conflict := false
	if imoValid {
		var validListed []uint32
		for _, n := range e.IMOs {
			if ValidIMO(n) {
				validListed = append(validListed, n)
			}
		}
		conflict = len(validListed) > 0
		for _, n := range validListed {
			if n == id.IMO {
				conflict = false
			}
		}
		if conflict {
			for i := range m.Fields {
				f := &m.Fields[i]
				f.Strength = round3(f.Strength * IMOConflictFactor)
				f.Reason += fmt.Sprintf("; but the vessel's IMO %d is not the listed %s: probably another hull", id.IMO, joinUint(validListed))
			}
		}
	}
	sort.Slice(m.Fields, func(i, j int) bool {
		if m.Fields[i].Strength != m.Fields[j].Strength {
			return m.Fields[i].Strength > m.Fields[j].Strength
		}
		return m.Fields[i].Field < m.Fields[j].Field
	})
	miss := 1.0
	var reasons []string
	for _, f := range m.Fields {
		miss *= 1 - f.Strength
		if f.Field == "imo" && f.Strength == StrengthIMO || f.Field == "mmsi" && !conflict {
			m.Exact = true
		}
		reasons = append(reasons, fmt.Sprintf("%s: %s", f.Field, f.Reason))
	}
	m.Strength = round3(1 - miss)
	m.Reason = strings.Join(reasons, "; ")
	return m
}

// MatchAll screens identities on all CPUs and calls fn with each
// identity's matches (only identities with at least one), in input order.
func (ix *Index) MatchAll(ids []Identity, fn func(i int, ms []Match)) {
	workers := runtime.GOMAXPROCS(0)
	const chunk = 4096
	type result struct {
		i  int
		ms []Match
	}
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	results := make([][]result, (len(ids)+chunk-1)/chunk)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				c := next
				next++
				mu.Unlock()
				if c*chunk >= len(ids) {
					return
				}
				end := min((c+1)*chunk, len(ids))
				var rs []result
				for i := c * chunk; i < end; i++ {
					if ms := ix.Match(ids[i]); len(ms) > 0 {
						rs = append(rs, result{i, ms})
					}
				}
				results[c] = rs
			}
		}()
	}
	wg.Wait()
	for _, rs := range results {
		for _, r := range rs {
			fn(r.i, r.ms)
		}
	}
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

func joinUint(ns []uint32) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = itoa(n)
	}
	return strings.Join(s, "/")
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
