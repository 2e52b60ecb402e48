package sanctions

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// name is a vessel name prepared for matching at three levels of
// looseness. Letters and Nums are split because a number is what tells
// sister ships apart ("PETREL 7" and "PETREL 8" are two hulls), while
// spacing and punctuation between letters carry no meaning ("CHON MYONG"
// and "CHONMYONG" are the same name).
type name struct {
	// Plain is the name upper-cased with runs of non-alphanumerics as one
	// space: what an AIS receiver would show.
	Plain string
	// Letters is every letter token joined without spaces, after dropping
	// "NO."/"NR" and leading "MV"/"MT" and transliterating to Latin.
	Letters string
	// Nums is the number tokens (spelled and Roman numbers as digits,
	// leading zeros dropped), space-separated, in order.
	Nums string
	// Folded is Letters with romanisation variants folded (see fold).
	Folded string
	// Words counts the letter tokens.
	Words int
}

func (n name) key() string { return n.Letters + "|" + n.Nums }

// parseName prepares s for matching. It runs once per screened identity,
// so it works on bytes and allocates only the strings it returns.
func parseName(s string) name {
	buf := make([]byte, 0, len(s)+8)
	prev := byte(' ')
	put := func(c byte) {
		cls := charClass(c)
		if cls == ' ' {
			if prev != ' ' {
				buf = append(buf, ' ')
				prev = ' '
			}
			return
		}
		// Letter–digit boundaries split tokens: "NO.18" and "PETREL8".
		if prev != ' ' && cls != charClass(prev) {
			buf = append(buf, ' ')
		}
		buf = append(buf, c)
		prev = c
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			put(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		t := translit(unicode.ToUpper(r))
		for j := 0; j < len(t); j++ {
			put(t[j])
		}
	}
	for len(buf) > 0 && buf[len(buf)-1] == ' ' {
		buf = buf[:len(buf)-1]
	}
	plain := string(buf)
	toks := tokens(plain)
	// Leading vessel prefixes: "M/V", "MV", "MT", "M T".
	if len(toks) > 2 && toks[0] == "M" && (toks[1] == "V" || toks[1] == "T") {
		toks = toks[2:]
	} else if len(toks) > 1 && (toks[0] == "MV" || toks[0] == "MT") {
		toks = toks[1:]
	}
	letters := make([]byte, 0, len(plain))
	var nums []byte
	words := 0
	for i, t := range toks {
		if isNumberWord(t) && i+1 < len(toks) && isDigits(toks[i+1]) {
			continue // "NO. 8", "NR 8", "NUMBER 8"
		}
		if d, ok := numberToken(t, i); ok {
			if len(nums) > 0 {
				nums = append(nums, ' ')
			}
			nums = append(nums, d...)
			continue
		}
		letters = append(letters, t...)
		words++
	}
	n := name{Plain: plain, Letters: string(letters), Nums: string(nums), Words: words}
	n.Folded = fold(n.Letters)
	return n
}

// tokens splits a Plain name (single spaces, no padding) into its words,
// sharing its memory. Names have few words; a small array avoids a heap
// slice for most.
func tokens(plain string) []string {
	var arr [8]string
	out := arr[:0]
	for len(plain) > 0 {
		i := strings.IndexByte(plain, ' ')
		if i < 0 {
			out = append(out, plain)
			break
		}
		out = append(out, plain[:i])
		plain = plain[i+1:]
	}
	return out
}

func charClass(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return 'A'
	case c >= '0' && c <= '9':
		return '0'
	}
	return ' '
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isNumberWord(t string) bool {
	return t == "NO" || t == "NR" || t == "NUMBER" || t == "NUM"
}

var spelled = map[string]string{
	"ONE": "1", "TWO": "2", "THREE": "3", "FOUR": "4", "FIVE": "5", "SIX": "6", "SEVEN": "7",
	"EIGHT": "8", "NINE": "9", "TEN": "10", "ELEVEN": "11", "TWELVE": "12",
}

var roman = map[string]string{
	"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7", "VIII": "8",
	"IX": "9", "X": "10", "XI": "11", "XII": "12",
}

// numberToken reports whether token t (at position i) is a number and
// returns it as digits. Spelled and Roman numbers count only after the
// first word, so that "ONE OCEAN" or "VI ENERGY" keep their first word.
func numberToken(t string, i int) (string, bool) {
	if isDigits(t) {
		t = strings.TrimLeft(t, "0")
		if t == "" {
			t = "0"
		}
		return t, true
	}
	if i == 0 {
		return "", false
	}
	if d, ok := spelled[t]; ok {
		return d, true
	}
	if d, ok := roman[t]; ok {
		return d, true
	}
	return "", false
}

// translit maps one upper-case rune to ASCII: Latin letters with
// diacritics to their base letter, Cyrillic by a plain BGN-like scheme,
// anything else to a space. AIS names are 6-bit ASCII, so list names in
// other scripts are only useful transliterated.
func translit(r rune) string {
	if r < 0x80 {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return string(r)
		}
		return " "
	}
	if s, ok := cyrillic[r]; ok {
		return s
	}
	if s, ok := latinFold[r]; ok {
		return s
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return "" // a letter we cannot write in ASCII: drop, do not split
	}
	return " "
}

var cyrillic = map[rune]string{
	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Д': "D", 'Е': "E", 'Ё': "E", 'Ж': "ZH", 'З': "Z",
	'И': "I", 'Й': "Y", 'К': "K", 'Л': "L", 'М': "M", 'Н': "N", 'О': "O", 'П': "P", 'Р': "R",
	'С': "S", 'Т': "T", 'У': "U", 'Ф': "F", 'Х': "KH", 'Ц': "TS", 'Ч': "CH", 'Ш': "SH",
	'Щ': "SHCH", 'Ъ': "", 'Ы': "Y", 'Ь': "", 'Э': "E", 'Ю': "YU", 'Я': "YA",
}

var latinFold = map[rune]string{
	'À': "A", 'Á': "A", 'Â': "A", 'Ã': "A", 'Ä': "A", 'Å': "A", 'Æ': "AE", 'Ç': "C",
	'È': "E", 'É': "E", 'Ê': "E", 'Ë': "E", 'Ì': "I", 'Í': "I", 'Î': "I", 'Ï': "I",
	'Ð': "D", 'Ñ': "N", 'Ò': "O", 'Ó': "O", 'Ô': "O", 'Õ': "O", 'Ö': "O", 'Ø': "O",
	'Ù': "U", 'Ú': "U", 'Û': "U", 'Ü': "U", 'Ý': "Y", 'Þ': "TH", 'ß': "SS", 'Ÿ': "Y",
	'Š': "S", 'Ž': "Z", 'Œ': "OE", 'Č': "C", 'Ć': "C", 'Ğ': "G", 'İ': "I", 'Ş': "S",
	'Ł': "L", 'Ń': "N", 'Ś': "S", 'Ź': "Z", 'Ż': "Z", 'Ě': "E", 'Ř': "R", 'Ů': "U",
}

// Romanisation folding. Korean names reach lists and AIS in McCune–
// Reischauer, Revised Romanisation and ad-hoc spellings (Ryong/Ryung/Lyong/
// Yong, Chon/Cheon/Jon, Song/Sung, Kang/Gang, Phyong/Pyeong, Paek/Baek);
// Russian ones in several schemes (-skiy/-skii/-sky, Kh/H, Ts/Tz). Folding
// maps each family of variants to one spelling. It is lossy on purpose, so
// a folded-only match is reported as a transliteration variant at lower
// strength, never as the same name.
// foldDigraphs are tried at each position in this order (the first that
// matches wins, as with strings.Replacer); foldSingle maps the remaining
// letters; then RY and NY become Y.
var foldDigraphs = [...][2]string{
	{"SHCH", "S"}, {"YY", "I"}, {"TCH", "J"}, {"SCH", "S"}, {"SH", "S"}, {"ZH", "J"}, {"CH", "J"},
	{"TS", "S"}, {"TZ", "S"}, {"KH", "H"}, {"PH", "P"}, {"TH", "T"}, {"X", "KS"},
	{"YEO", "YO"}, {"EO", "O"}, {"EU", "U"}, {"OO", "U"}, {"OU", "U"}, {"AE", "E"}, {"AI", "E"},
	{"IY", "I"}, {"YI", "I"},
}

// foldByFirst lists, for each first letter, the digraphs starting with it,
// in foldDigraphs order, so that each position tries only those.
var foldByFirst = func() (t [256][]uint8) {
	for i, d := range foldDigraphs {
		t[d[0][0]] = append(t[d[0][0]], uint8(i))
	}
	return t
}()

var foldSingle = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	for _, p := range []string{"GK", "BP", "DT", "CK", "QK", "WV", "LR", "UO"} {
		t[p[0]] = p[1]
	}
	return t
}()

func fold(letters string) string {
	if letters == "" {
		return ""
	}
	s := letters
	// Russian adjective endings: -skiy/-skii/-sky/-ski and the town's -sk
	// are one name in practice (PETROPAVLOVSK / PETROPAVLOVSKIY).
	for _, suf := range []string{"SKIY", "SKIJ", "SKII", "SKYI", "SKYY", "SKY", "SKI"} {
		if strings.HasSuffix(s, suf) {
			s = s[:len(s)-len(suf)] + "SK"
			break
		}
	}
	// -yy/-iy/-y endings (VOSTOCHNYY / VOSTOCHNIY / VOSTOCHNY).
	for _, suf := range []string{"YY", "IY", "II", "Y"} {
		if strings.HasSuffix(s, suf) {
			s = s[:len(s)-len(suf)] + "I"
			break
		}
	}
	// Digraphs, then single letters, in one pass.
	var arr [64]byte
	a := arr[:0]
next:
	for i := 0; i < len(s); {
		for _, k := range foldByFirst[s[i]] {
			d := &foldDigraphs[k]
			if strings.HasPrefix(s[i:], d[0]) {
				for j := 0; j < len(d[1]); j++ {
					a = append(a, foldSingle[d[1][j]])
				}
				i += len(d[0])
				continue next
			}
		}
		a = append(a, foldSingle[s[i]])
		i++
	}
	// RY and NY become Y; doubled letters carry no meaning across
	// spellings (ANNA/ANA).
	b := a[:0]
	for i := 0; i < len(a); i++ {
		c := a[i]
		if (c == 'R' || c == 'N') && i+1 < len(a) && a[i+1] == 'Y' {
			continue
		}
		if len(b) > 0 && b[len(b)-1] == c {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// normCallSign keeps a call sign's letters and digits, upper-cased.
func normCallSign(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or transposition of adjacent letters.
func withinOneEdit(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}
