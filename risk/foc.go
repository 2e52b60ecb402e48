package risk

import "strings"

// ITFFlagsOfConvenience2013 is the International Transport Workers'
// Federation's list of flags of convenience as it stood on 30 January 2013
// (34 registers), as ISO 3166 alpha-2 codes. Source: the ITF Fair Practices
// Committee's list, quoted at
// https://shipinspection.eu/which-ship-registers-are-currently-considered-by-the-itf-to-be-flags-of-convenience/
// The ITF has revised the list since; pass a newer one in Config.FOC.
// Two registers cannot be told from an MMSI and are left out: the French
// and German international ship registers (FIS, GIS), whose ships use the
// ordinary French and German MIDs. "Netherlands Antilles" (AN) was
// dissolved in 2010; its MID 306 now serves Curaçao, Sint Maarten and the
// Caribbean Netherlands, which ref reports under their own names.
var ITFFlagsOfConvenience2013 = []string{
	"AG", // Antigua and Barbuda
	"BS", // Bahamas
	"BB", // Barbados
	"BZ", // Belize
	"BM", // Bermuda (UK)
	"BO", // Bolivia
	"MM", // Burma/Myanmar
	"KH", // Cambodia
	"KY", // Cayman Islands (UK)
	"KM", // Comoros
	"CY", // Cyprus
	"GQ", // Equatorial Guinea
	"FO", // Faroe Islands (FAS)
	"GE", // Georgia
	"GI", // Gibraltar (UK)
	"HN", // Honduras
	"JM", // Jamaica
	"LB", // Lebanon
	"LR", // Liberia
	"MT", // Malta
	"MH", // Marshall Islands (USA)
	"MU", // Mauritius
	"MD", // Moldova
	"MN", // Mongolia
	"AN", // Netherlands Antilles
	"KP", // North Korea
	"PA", // Panama
	"ST", // Sao Tome and Principe
	"LK", // Sri Lanka
	"VC", // St Vincent (and the Grenadines)
	"TO", // Tonga
	"VU", // Vanuatu
}

// flagNames maps country names of the FOC registers (common English and
// ITU forms, with ITU's parenthesised state titles and "Country - " prefixes
// of territories stripped by flagCode) to ISO alpha-2.
var flagNames = map[string]string{
	"ANTIGUA AND BARBUDA": "AG", "BAHAMAS": "BS", "BARBADOS": "BB", "BELIZE": "BZ", "BERMUDA": "BM",
	"BOLIVIA": "BO", "MYANMAR": "MM", "BURMA": "MM", "BURMA/MYANMAR": "MM", "CAMBODIA": "KH",
	"CAYMAN ISLANDS": "KY", "COMOROS": "KM", "CYPRUS": "CY", "EQUATORIAL GUINEA": "GQ",
	"FAROE ISLANDS": "FO", "FAEROE ISLANDS": "FO", "GEORGIA": "GE", "GIBRALTAR": "GI", "HONDURAS": "HN",
	"JAMAICA": "JM", "LEBANON": "LB", "LIBERIA": "LR", "MALTA": "MT", "MARSHALL ISLANDS": "MH",
	"MAURITIUS": "MU", "MOLDOVA": "MD", "MONGOLIA": "MN", "NETHERLANDS ANTILLES": "AN",
	"NORTH KOREA": "KP", "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA": "KP", "DPRK": "KP",
	"PANAMA": "PA", "SAO TOME AND PRINCIPE": "ST", "SRI LANKA": "LK",
	"SAINT VINCENT AND THE GRENADINES": "VC", "ST VINCENT": "VC", "ST VINCENT AND THE GRENADINES": "VC",
	"ST. VINCENT AND THE GRENADINES": "VC", "TONGA": "TO", "VANUATU": "VU",
}

// flagCode turns a flag given as ISO alpha-2 or as a name into alpha-2
// when it can; otherwise it returns the cleaned, upper-cased name.
func flagCode(f string) string {
	u := strings.ToUpper(strings.TrimSpace(f))
	if len(u) == 2 {
		return u
	}
	// "United Kingdom … - Gibraltar" is Gibraltar's register.
	if i := strings.LastIndex(u, " - "); i >= 0 {
		u = u[i+3:]
	}
	// "Korea (Democratic People's Republic of)", "Panama (Republic of)".
	if strings.HasPrefix(u, "KOREA (DEMOCRATIC") {
		return "KP"
	}
	if i := strings.Index(u, " ("); i >= 0 {
		u = u[:i]
	}
	if c, ok := flagNames[u]; ok {
		return c
	}
	return u
}
