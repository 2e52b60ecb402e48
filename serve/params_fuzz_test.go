package serve

import (
	"math"
	"net/http"
	"net/url"
	"testing"
)

// FuzzParams: no query string panics the parameter parsers, and what they
// accept is within the bounds they promise (the handlers trust it).
func FuzzParams(f *testing.F) {
	for _, s := range []string{"", "since=2026-03-01&until=2026-03-02", "bbox=170,-10,-170,10", "bbox=1,2,3", "limit=0",
		"limit=99999999999999999999", "near_km=NaN", "type=gap,encounter", "type=,", "since=1700000000", "mmsi=000000000",
		"bbox=1e309,0,0,0", "since=2026-03-01T12:00", "x=%zz", "bbox=%2C%2C%2C", "until=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{URL: &url.URL{RawQuery: raw}}
		q := &query{r: r}
		since, until := q.span()
		b := q.bbox("bbox")
		n := q.limit(100, 1000)
		km := q.float("near_km", 5, 0, 500)
		m := q.mmsiParam("mmsi", q.str("mmsi", 20))
		types := q.types()
		q.only("since", "until", "bbox", "limit", "near_km", "mmsi", "type")
		if q.err != nil {
			return
		}
		if !since.IsZero() && !until.IsZero() && !since.Before(until) {
			t.Fatalf("since %v not before until %v accepted", since, until)
		}
		if b != nil && (b.MinLat > b.MaxLat || math.Abs(b.MinLat) > 90 || math.Abs(b.MaxLat) > 90 || math.Abs(b.MinLon) > 180 || math.Abs(b.MaxLon) > 180) {
			t.Fatalf("bbox %+v accepted", *b)
		}
		if n < 1 || n > 1000 || math.IsNaN(km) || km < 0 || km > 500 || m > 999999999 {
			t.Fatalf("limit %d, near_km %g, mmsi %d accepted", n, km, m)
		}
		for _, ty := range types {
			if ty == "" {
				t.Fatalf("empty type accepted from %q", raw)
			}
		}
	})
}
