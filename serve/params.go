package serve

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// knownTypes are the event types the API filters by.
var knownTypes = append(slices.Clone(event.Types), event.SanctionsMatch, event.DarkDetection, event.SARMatch)

// query reads and validates one request's parameters, keeping the first
// error so handlers read every parameter and check once.
type query struct {
	r   *http.Request
	err error
}

func (q *query) fail(format string, args ...any) {
	if q.err == nil {
		q.err = badRequest(format, args...)
	}
}

func (q *query) str(name string, maxLen int) string {
	v := strings.TrimSpace(q.r.URL.Query().Get(name))
	if len(v) > maxLen {
		q.fail("%s: longer than %d characters", name, maxLen)
		return ""
	}
	return v
}

// when reads a time: RFC 3339, a date, or Unix seconds.
func (q *query) when(name string) time.Time {
	v := q.str(name, 40)
	if v == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && len(v) >= 9 {
		if n < 0 || n > 1<<35 {
			q.fail("%s %q: Unix seconds out of range", name, v)
			return time.Time{}
		}
		return time.Unix(n, 0).UTC()
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	q.fail("%s %q: want a date (2026-03-01), an RFC 3339 time (2026-03-01T12:00:00Z) or Unix seconds", name, v)
	return time.Time{}
}

// span reads since and until and checks their order.
func (q *query) span() (since, until time.Time) {
	since, until = q.when("since"), q.when("until")
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		q.fail("since (%s) must be before until (%s)", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	return since, until
}

// bbox reads minLon,minLat,maxLon,maxLat; min > max in longitude crosses
// the antimeridian.
func (q *query) bbox(name string) *store.BBox {
	v := q.str(name, 200)
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		q.fail("%s %q: want minLon,minLat,maxLon,maxLat", name, v)
		return nil
	}
	var f [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			q.fail("%s %q: %q is not a number", name, v, p)
			return nil
		}
		f[i] = x
	}
	b := &store.BBox{MinLon: f[0], MinLat: f[1], MaxLon: f[2], MaxLat: f[3]}
	if b.MinLat > b.MaxLat || b.MinLat < -90 || b.MaxLat > 90 || b.MinLon < -180 || b.MinLon > 180 || b.MaxLon < -180 || b.MaxLon > 180 {
		q.fail("%s %q: latitudes must be within -90..90 with min <= max, longitudes within -180..180", name, v)
		return nil
	}
	return b
}

func (q *query) limit(def, max int) int {
	v := q.str("limit", 12)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		q.fail("limit %q: want a whole number from 1 to %d", v, max)
		return def
	}
	return n
}

func (q *query) float(name string, def, min, max float64) float64 {
	v := q.str(name, 30)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < min || f > max {
		q.fail("%s %q: want a number from %g to %g", name, v, min, max)
		return def
	}
	return f
}

func (q *query) mmsiParam(name, v string) uint32 {
	if v == "" {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n == 0 || n > 999999999 {
		q.fail("%s %q: want an MMSI (1 to 9 digits)", name, v)
		return 0
	}
	return uint32(n)
}

func (q *query) types() []event.Type {
	v := q.str("type", 500)
	if v == "" {
		return nil
	}
	var out []event.Type
	for _, t := range strings.Split(v, ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains(knownTypes, event.Type(t)) {
			q.fail("type %q: unknown event type (known: %v)", t, knownTypes)
			return nil
		}
		out = append(out, event.Type(t))
	}
	return out
}

// only rejects parameters the endpoint does not know, so a typo
// (?bbbox=) is an error rather than a silently ignored filter.
func (q *query) only(names ...string) {
	for k := range q.r.URL.Query() {
		if !slices.Contains(names, k) {
			q.fail("unknown parameter %q (this endpoint takes: %s)", k, strings.Join(names, ", "))
		}
	}
}
