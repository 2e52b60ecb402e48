package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/lookout-osint/lookout/track"
)

// Identity is what a transponder broadcasts about its ship. Several hulls
// may broadcast one identity (a shared or cloned MMSI), and one hull may
// broadcast several identities over time (a flag or MMSI swap).
type Identity struct {
	MMSI     uint32 `json:"mmsi"`
	IMO      uint32 `json:"imo,omitempty"`
	Name     string `json:"name"`
	CallSign string `json:"call_sign"`
	ShipType int    `json:"ship_type"`
	// Flag is the flag state the MMSI's MID is allocated to (ITU name).
	Flag string `json:"flag"`
}

// flagInfo is a flag state the fleet may fly: its MIDs and the start of the
// ITU call-sign series allocated to it.
type flagInfo struct {
	mids   []uint32
	prefix []string
}

// The MIDs are ITU allocations; call-sign prefixes follow the ITU series
// (B China, D7–D9/DS–DT Korea, J Japan, U Russia, 3E/H3 Panama, VR Hong
// Kong, HM DPRK, 9L Sierra Leone, 5V Togo, JV Mongolia, V7 Marshall
// Islands, A8 Liberia, TJ Cameroon, D6 Comoros).
var flags = map[string]flagInfo{
	"CN": {[]uint32{412, 413, 414}, []string{"BO", "BP", "BQ", "BR"}},
	"KR": {[]uint32{440, 441}, []string{"D7", "D8", "DS"}},
	"JP": {[]uint32{431, 432}, []string{"JD", "JG", "JJ"}},
	"RU": {[]uint32{273}, []string{"UB", "UF", "UG"}},
	"PA": {[]uint32{352, 353, 355, 356, 357, 370, 371, 372}, []string{"3E", "H3", "HO"}},
	"HK": {[]uint32{477}, []string{"VR"}},
	"KP": {[]uint32{445}, []string{"HM"}},
	"SL": {[]uint32{667}, []string{"9L"}},
	"TG": {[]uint32{671}, []string{"5V"}},
	"MN": {[]uint32{457}, []string{"JV"}},
	"MH": {[]uint32{538}, []string{"V7"}},
	"LR": {[]uint32{636}, []string{"A8"}},
	"CM": {[]uint32{613}, []string{"TJ"}},
	"KM": {[]uint32{616}, []string{"D6"}},
}

// identities hands out unique synthetic MMSIs, IMO numbers and names.
type identities struct {
	rng   *rand.Rand
	mmsis map[uint32]bool
	imos  map[uint32]bool
	names map[string]bool
}

func newIdentities(rng *rand.Rand) *identities {
	return &identities{rng: rng, mmsis: map[uint32]bool{}, imos: map[uint32]bool{}, names: map[string]bool{}}
}

func (g *identities) mmsi(flag string) uint32 {
	f := flags[flag]
	for {
		m := f.mids[g.rng.IntN(len(f.mids))]*1000000 + uint32(g.rng.IntN(1000000))
		// Ship MMSIs ending in 0 are often group or special numbers; keep
		// to the ordinary shape.
		if m%10 == 0 || g.mmsis[m] {
			continue
		}
		g.mmsis[m] = true
		return m
	}
}

// imo returns a 7-digit IMO number with a valid check digit. Real ship IMO
// numbers start at 5 or above; these start with 1 so a synthetic hull can
// never be mistaken for a real one.
func (g *identities) imo() uint32 {
	for {
		n := 100000 + uint32(g.rng.IntN(100000))
		d := digits6(n)
		sum := 0
		for i, w := range []int{7, 6, 5, 4, 3, 2} {
			sum += d[i] * w
		}
		imo := n*10 + uint32(sum%10)
		if !g.imos[imo] {
			g.imos[imo] = true
			return imo
		}
	}
}

func digits6(n uint32) [6]int {
	var d [6]int
	for i := 5; i >= 0; i-- {
		d[i] = int(n % 10)
		n /= 10
	}
	return d
}

// ValidIMO checks an IMO number's check digit (track.ValidIMO).
func ValidIMO(imo uint32) bool { return track.ValidIMO(imo) }

var (
	nameFirst = []string{"HAI", "XIN", "JIN", "HUA", "DONG", "NAN", "SHUN", "FU", "YONG", "RONG",
		"DAE", "HAN", "SEO", "MIN", "KYUNG", "SHIN",
		"NIKKO", "KAIYO", "SEIWA", "TOKO", "HOKU",
		"AMUR", "PRIMOR", "VOSTOK", "ZARYA", "OKEAN",
		"ORIENT", "PACIFIC", "GOLDEN", "SILVER", "BRIGHT", "GRAND", "NOBLE", "CRYSTAL", "MORNING", "EASTERN"}
	nameSecond = []string{"STAR", "WAY", "GLORY", "SPRING", "PEARL", "WIND", "HARMONY", "FORTUNE", "BRIDGE",
		"LIGHT", "DAWN", "CREST", "HOPE", "RIVER", "CROWN", "LOTUS", "ORCHID", "TIDE", "HARBOUR", "VENTURE"}
	nameFishing = []string{"LU YU", "ZHE DAI YU", "LIAO DAN YU", "SU YU", "DAEJIN", "SAMHO", "KYOEI MARU", "SHINSEI MARU", "VOSTOK-FISH", "MORYAK"}
)

func (g *identities) name(kind string) string {
	for {
		var n string
		if kind == "fishing" {
			n = fmt.Sprintf("%s %d", nameFishing[g.rng.IntN(len(nameFishing))], 1+g.rng.IntN(9999))
		} else {
			n = nameFirst[g.rng.IntN(len(nameFirst))] + " " + nameSecond[g.rng.IntN(len(nameSecond))]
			if g.rng.IntN(2) == 0 {
				n += fmt.Sprintf(" %d", 1+g.rng.IntN(99))
			}
		}
		if len(n) <= 20 && !g.names[n] {
			g.names[n] = true
			return n
		}
	}
}

func (g *identities) callSign(flag string) string {
	p := flags[flag].prefix
	cs := p[g.rng.IntN(len(p))]
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for len(cs) < 6 {
		cs += string(letters[g.rng.IntN(26)])
	}
	return strings.ToUpper(cs)
}

// newIdentity makes a complete identity under a flag; imo 0 asks for a new
// IMO number when the ship is class A.
func (g *identities) newIdentity(flag, kind string, shipType int, imo uint32, classA bool) Identity {
	id := Identity{MMSI: g.mmsi(flag), Name: g.name(kind), CallSign: g.callSign(flag), ShipType: shipType, Flag: flag}
	if classA {
		if imo == 0 {
			imo = g.imo()
		}
		id.IMO = imo
	}
	return id
}
