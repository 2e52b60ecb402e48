package ref

import (
	"fmt"
	"strconv"
)

func (c *Catalog) loadCodes() error {
	b, _ := dataFS.ReadFile("data/mid.csv")
	rows, err := readCSV(b, "mid", "allocated_to", "iso2")
	if err != nil {
		return fmt.Errorf("mid.csv: %w", err)
	}
	c.mids = make(map[uint32]midEntry, len(rows))
	for _, r := range rows {
		mid, err := strconv.ParseUint(r[0], 10, 32)
		if err != nil || mid < 200 || mid > 799 {
			return fmt.Errorf("mid.csv: bad MID %q", r[0])
		}
		// ITU allocates 306 to three Dutch Caribbean territories: the MID
		// alone cannot tell them apart, so name all and give no ISO code.
		if e, ok := c.mids[uint32(mid)]; ok {
			c.mids[uint32(mid)] = midEntry{name: e.name + " / " + r[1]}
			continue
		}
		c.mids[uint32(mid)] = midEntry{name: r[1], iso2: r[2]}
	}
	b, _ = dataFS.ReadFile("data/ais_ship_types.csv")
	rows, err = readCSV(b, "code", "description", "category")
	if err != nil {
		return fmt.Errorf("ais_ship_types.csv: %w", err)
	}
	seen := 0
	for _, r := range rows {
		code, err := strconv.Atoi(r[0])
		if err != nil || code < 0 || code >= len(c.shipTypes) {
			return fmt.Errorf("ais_ship_types.csv: bad code %q", r[0])
		}
		c.shipTypes[code] = shipType{desc: r[1], category: r[2]}
		seen++
	}
	if seen != len(c.shipTypes) {
		return fmt.Errorf("ais_ship_types.csv: %d codes, want %d", seen, len(c.shipTypes))
	}
	b, _ = dataFS.ReadFile("data/ais_nav_status.csv")
	rows, err = readCSV(b, "code", "description")
	if err != nil {
		return fmt.Errorf("ais_nav_status.csv: %w", err)
	}
	for _, r := range rows {
		code, err := strconv.Atoi(r[0])
		if err != nil || code < 0 || code >= len(c.navStatus) {
			return fmt.Errorf("ais_nav_status.csv: bad code %q", r[0])
		}
		c.navStatus[code] = r[1]
	}
	return nil
}

// ShipType is the ITU-R M.1371 description of an AIS "type of ship and
// cargo" code. Codes outside 0-99 are treated as 0 (not available), as gpsd
// advises, because real traffic carries them.
func (c *Catalog) ShipType(code int) string { return c.shipTypes[shipCode(code)].desc }

// ShipTypeCategory is the broad class of a ship type code: "tanker" (80-89),
// "cargo" (70-79), "fishing", "passenger", "tug_tow", "special", "military",
// "sailing", "pleasure", "high_speed_craft", "wig", "other", "reserved" or
// "not_available".
func (c *Catalog) ShipTypeCategory(code int) string { return c.shipTypes[shipCode(code)].category }

func shipCode(code int) int {
	if code < 0 || code > 99 {
		return 0
	}
	return code
}

// NavStatus describes an AIS navigational status code (0-15); "" for others.
func (c *Catalog) NavStatus(code int) string {
	if code < 0 || code >= len(c.navStatus) {
		return ""
	}
	return c.navStatus[code]
}

// MMSIKind says what sort of station an MMSI identifies (ITU-R M.585).
type MMSIKind string

const (
	Ship            MMSIKind = "ship"              // MIDxxxxxx
	CoastStation    MMSIKind = "coast_station"     // 00MIDxxxx
	GroupCall       MMSIKind = "group"             // 0MIDxxxxx
	SARAircraft     MMSIKind = "sar_aircraft"      // 111MIDxxx
	AtoN            MMSIKind = "aid_to_navigation" // 99MIDxxxx
	CraftAssociated MMSIKind = "craft_associated"  // 98MIDxxxx: a parent ship's boat, tender, ...
	Handheld        MMSIKind = "handheld"          // 8MIDxxxxx: handheld VHF with DSC/GNSS
	SART            MMSIKind = "sart"              // 970xxyyyy
	MOB             MMSIKind = "mob"               // 972xxyyyy: man overboard device
	EPIRB           MMSIKind = "epirb"             // 974xxyyyy
	InvalidMMSI     MMSIKind = "invalid"           // none of the above (e.g. 1xxxxxxxx, 10 digits)
)

// MMSIInfo is what the number itself says about a station.
type MMSIInfo struct {
	Kind MMSIKind
	MID  uint32 // 0 when the format carries no MID
	// Flag is the ITU name of the administration the MID is allocated to;
	// "" when there is no MID or it is not allocated.
	Flag string
	// ISO2 is the ISO 3166-1 alpha-2 code of that administration where the
	// embedded data gives one (see ref/data/README.md); often "".
	ISO2 string
}

// MMSI classifies an MMSI and resolves its MID.
func (c *Catalog) MMSI(mmsi uint32) MMSIInfo {
	info := classify(mmsi)
	if info.MID != 0 {
		if e, ok := c.mids[info.MID]; ok {
			info.Flag, info.ISO2 = e.name, e.iso2
		}
	}
	return info
}

// Flag is the ITU name of the flag state (MID administration) of the MMSI,
// or "" when the number carries no allocated MID. For coast stations, AtoN,
// SAR aircraft and the like it is the administration of the station.
func (c *Catalog) Flag(mmsi uint32) string { return c.MMSI(mmsi).Flag }

// FlagCode is the flag state of the MMSI as its ISO 3166-1 alpha-2 code
// where the data gives one, else its ITU name: the short form tables and
// risk factors use.
func (c *Catalog) FlagCode(mmsi uint32) string {
	info := c.MMSI(mmsi)
	if info.ISO2 != "" {
		return info.ISO2
	}
	return info.Flag
}

// FlagISO is the ISO 3166-1 alpha-2 code for the MMSI's MID, or "" when
// unknown.
func (c *Catalog) FlagISO(mmsi uint32) string { return c.MMSI(mmsi).ISO2 }

func classify(mmsi uint32) MMSIInfo {
	if mmsi > 999_999_999 {
		return MMSIInfo{Kind: InvalidMMSI}
	}
	d := func(from, n int) uint32 { // digits [from, from+n) of the 9-digit form
		v := mmsi
		for range 9 - from - n {
			v /= 10
		}
		m := uint32(1)
		for range n {
			m *= 10
		}
		return v % m
	}
	withMID := func(k MMSIKind, mid uint32) MMSIInfo {
		if mid < 200 || mid > 799 {
			return MMSIInfo{Kind: InvalidMMSI}
		}
		return MMSIInfo{Kind: k, MID: mid}
	}
	switch first := d(0, 1); {
	case d(0, 2) == 0:
		return withMID(CoastStation, d(2, 3))
	case first == 0:
		return withMID(GroupCall, d(1, 3))
	case first >= 2 && first <= 7:
		return withMID(Ship, d(0, 3))
	case first == 8:
		return withMID(Handheld, d(1, 3))
	case d(0, 3) == 111:
		return withMID(SARAircraft, d(3, 3))
	case d(0, 2) == 99:
		return withMID(AtoN, d(2, 3))
	case d(0, 2) == 98:
		return withMID(CraftAssociated, d(2, 3))
	case d(0, 3) == 970:
		return MMSIInfo{Kind: SART}
	case d(0, 3) == 972:
		return MMSIInfo{Kind: MOB}
	case d(0, 3) == 974:
		return MMSIInfo{Kind: EPIRB}
	}
	return MMSIInfo{Kind: InvalidMMSI}
}
