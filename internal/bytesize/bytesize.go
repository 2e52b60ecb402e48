// Package bytesize reads sizes written for people ("128MB", "1.5 GiB"), as
// users set Lookout's memory budgets and as DuckDB reports its own limit.
package bytesize

import (
	"math"
	"strconv"
	"strings"
)

var units = map[string]float64{"": 1, "b": 1, "bytes": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}

// Parse returns the bytes v names: a positive number and an optional
// decimal (kB, MB, GB, TB) or binary (KiB, MiB, GiB, TiB) unit, any case,
// spaces allowed between. ok is false for anything else.
func Parse(v string) (n int64, ok bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	i := strings.IndexFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := v, ""
	if i >= 0 {
		num, unit = v[:i], strings.TrimSpace(v[i:])
	}
	f, err := strconv.ParseFloat(num, 64)
	mult, known := units[unit]
	if err != nil || !known || f <= 0 || f*mult > math.MaxInt64/2 {
		return 0, false
	}
	return int64(f * mult), true
}
