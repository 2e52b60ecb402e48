package event

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Placed reports whether the event has a place. A sanctions match is about
// an identity, not a place, and is stored at 0, 0: printed as a position
// it would put a listed tanker in the Gulf of Guinea.
func (e Event) Placed() bool { return e.Lat != 0 || e.Lon != 0 }

// PlaceText is the event's position as "lat, lon" to four decimals (about
// 10 m), or "" when it has none.
func (e Event) PlaceText() string {
	if !e.Placed() {
		return ""
	}
	return fmt.Sprintf("%.4f, %.4f", e.Lat, e.Lon)
}

// FormatValue formats one evidence value for people. Numbers read back
// from JSON are all float64, and %v prints an IMO number as 1.28715e+06:
// whole numbers are printed in full, others to six significant digits
// (no exponent below a billion). Nested values (a sanctions match's
// fields) are shown as JSON.
func FormatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return formatFloat(x, 64)
	case float32:
		return formatFloat(float64(x), 32)
	case bool, int, int64, int32, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case nil:
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func formatFloat(x float64, bits int) string {
	switch a := math.Abs(x); {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return strconv.FormatFloat(x, 'g', -1, bits)
	case x == math.Trunc(x) && a < 1e15:
		return strconv.FormatFloat(x, 'f', 0, bits)
	case a >= 1e5 && a < 1e9:
		return strconv.FormatFloat(x, 'f', 1, bits)
	}
	return strconv.FormatFloat(x, 'g', 6, bits)
}

// EvidenceText is an evidence map as "key=value" pairs in key order,
// values as FormatValue writes them.
func EvidenceText(m map[string]any) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(FormatValue(m[k]))
	}
	return b.String()
}

// ShortIDs lists the first three event IDs and how many more there are:
// a table cell, where the full list would drown the row.
func ShortIDs(ids []string) string {
	const show = 3
	if len(ids) <= show {
		return strings.Join(ids, ",")
	}
	return strings.Join(ids[:show], ",") + fmt.Sprintf(",… (+%d)", len(ids)-show)
}
