package serve

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/report"
	"github.com/lookout-osint/lookout/trips"
)

// coverage answers /api/coverage: the 0.5° cells in which any position
// was received over the stored period, with their counts, so the map can
// show where a vessel could not have been seen. It scans every position
// once per store version (a second or two on the demo's 11M), so the
// page asks for it only when the layer is switched on.
func (s *Server) coverage(r *http.Request) (any, error) {
	q := &query{r: r}
	if q.only(); q.err != nil {
		return nil, q.err
	}
	var out *FeatureCollection
	err := s.withStore(func() error {
		d, err := s.derivedLocked(r.Context())
		if err != nil {
			return err
		}
		if d.coverage == nil {
			if d.coverage, err = s.cells(r.Context(), d); err != nil {
				return err
			}
		}
		out = d.coverage
		return nil
	})
	return out, err
}

// cells computes the coverage layer; s.mu must be held.
func (s *Server) cells(ctx context.Context, d *derived) (*FeatureCollection, error) {
	fc := newFC()
	if len(d.events) == 0 {
		return fc, nil
	}
	// The period is the events' (positions outside it are rare and the
	// store has no cheaper way to know its own span).
	lo, hi := d.events[0].Start, d.events[0].End
	for i := range d.events {
		if e := &d.events[i]; e.Start.Before(lo) {
			lo = e.Start
		}
		if e := &d.events[i]; e.End.After(hi) {
			hi = e.End
		}
	}
	c, err := report.StoreSource{Store: s.st}.Coverage(ctx, lo.Add(-24*time.Hour), hi.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	for _, cell := range c.Cells {
		ring := [][2]float64{{cell.Lon, cell.Lat}, {cell.Lon + 0.5, cell.Lat}, {cell.Lon + 0.5, cell.Lat + 0.5}, {cell.Lon, cell.Lat + 0.5}, {cell.Lon, cell.Lat}}
		fc.Features = append(fc.Features, Feature{Type: "Feature", Geometry: Geometry{"Polygon", [][][2]float64{ring}},
			// level is log10 of the count, for the map's shading.
			Properties: map[string]any{"positions": cell.Positions, "level": round2(math.Log10(float64(max(cell.Positions, 1))))}})
	}
	return fc, nil
}

// download is an answer that is a file rather than JSON.
type download struct {
	name, contentType string
	body              []byte
}

// maxReportVessels bounds the vessels a view's report may name: a URL
// holds them, and the report's table shows 60 at most anyway.
const maxReportVessels = 500

// viewReport answers /api/report: the HTML evidence report (as lookout
// report writes it) of what the map shows: its two groups and period,
// the vessels whose trips are in view (vessels=) or the selected vessel's
// dossier (mmsi=).
func (s *Server) viewReport(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only("from", "to", "since", "until", "mmsi", "vessels")
	from, to := q.str("from", 64), q.str("to", 64)
	since, until := q.span()
	m := q.mmsiParam("mmsi", q.str("mmsi", 12))
	var fleet map[uint32]bool
	if v := q.str("vessels", maxReportVessels*10); v != "" {
		fleet = map[uint32]bool{}
		for _, f := range strings.Split(v, ",") {
			if n := q.mmsiParam("vessels", strings.TrimSpace(f)); n != 0 {
				fleet[n] = true
			}
		}
		if len(fleet) > maxReportVessels {
			q.fail("vessels: at most %d", maxReportVessels)
		}
	}
	if from == "" {
		from = storyFrom
	}
	if to == "" {
		to = storyTo
	}
	for _, g := range []string{from, to} {
		if s.opt.Catalog.Group(g) == nil {
			q.fail("unknown port group %q (see /api/groups)", g)
		}
	}
	if from == to {
		q.fail("from and to are both %q: a trip goes between two groups", from)
	}
	if q.err != nil {
		return nil, q.err
	}
	opt := report.DefaultOptions()
	opt.Catalog = s.opt.Catalog
	opt.Trips.From, opt.Trips.To, opt.Trips.Since, opt.Trips.Until = from, to, since, until
	opt.MMSI = m
	if fleet != nil {
		opt.Fleet = trips.Fleet{MMSIs: fleet}
	}
	var buf bytes.Buffer
	err := s.withStore(func() error {
		rep, err := report.Build(r.Context(), report.StoreSource{Store: s.st}, opt)
		if err != nil {
			return err
		}
		return rep.WriteHTML(&buf)
	})
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("lookout-%s-%s.html", from, to)
	if m != 0 {
		name = fmt.Sprintf("lookout-%d.html", m)
	}
	return &download{name: name, contentType: "text/html; charset=utf-8", body: buf.Bytes()}, nil
}
