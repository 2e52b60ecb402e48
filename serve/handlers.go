package serve

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geoenc"
	"github.com/lookout-osint/lookout/pipeline"
	"github.com/lookout-osint/lookout/risk"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/output"
	"github.com/lookout-osint/lookout/trips"
)

// newFC is an empty FeatureCollection: an empty list, never null.
func newFC() *geojson.FeatureCollection { return geojson.NewFeatureCollection() }

// truncated marks a collection the limit cut short (a foreign member,
// RFC 7946 §6.1).
func truncated(fc *geojson.FeatureCollection) {
	fc.ExtraMembers = geojson.Properties{"truncated": true}
}

func (s *Server) health(r *http.Request) (any, error) {
	q := &query{r: r}
	if q.only(); q.err != nil {
		return nil, q.err
	}
	var c store.Counts
	err := s.withStore(func() (err error) { c, err = s.st.Counts(r.Context()); return })
	return map[string]any{"ok": true, "web": webBuilt(s.opt.Web), "counts": map[string]int64{
		"positions": c.Positions, "identities": c.Identities, "events": c.Events, "files": c.Files}}, err
}

// vessels searches by MMSI, IMO or name, or lists vessels by risk.
func (s *Server) vessels(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only("q", "limit")
	term := q.str("q", 100)
	limit := q.limit(100, 1000)
	if q.err != nil {
		return nil, q.err
	}
	out := []VesselSummary{}
	err := s.withStore(func() error {
		d, err := s.derivedLocked(r.Context())
		if err != nil {
			return err
		}
		ms := d.order
		if term != "" {
			if ms, err = s.st.FindVessels(r.Context(), term); err != nil {
				return err
			}
			slices.SortStableFunc(ms, func(a, b uint32) int {
				ra, rb := d.vessels[a].Risk, d.vessels[b].Risk
				if ra > rb {
					return -1
				} else if ra < rb {
					return 1
				}
				return 0
			})
		}
		for _, m := range ms {
			if len(out) == limit {
				break
			}
			v, ok := d.vessels[m]
			if !ok {
				v = VesselSummary{MMSI: m, Flag: s.opt.Catalog.Flag(m)}
			}
			out = append(out, v)
		}
		return nil
	})
	return map[string]any{"query": term, "vessels": out}, err
}

// Dossier is everything known about one MMSI.
type Dossier struct {
	VesselSummary
	Identities []store.Identity `json:"identities"`
	PortCalls  []eventJSON      `json:"port_calls"`
	Events     []eventJSON      `json:"events"`
	Risk       *risk.Score      `json:"risk_score"`
	// Sanctions are the vessel's sanctions_match events.
	Sanctions []eventJSON `json:"sanctions_matches"`
	FirstSeen time.Time   `json:"first_seen,omitzero"`
	LastSeen  time.Time   `json:"last_seen,omitzero"`
}

// eventJSON is an event with its ID, as the API returns it.
type eventJSON struct {
	ID string `json:"id"`
	event.Event
}

func withID(e event.Event) eventJSON { return eventJSON{ID: e.ID(), Event: e} }

func (s *Server) dossier(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only()
	m := q.mmsiParam("mmsi", r.PathValue("mmsi"))
	if q.err != nil {
		return nil, q.err
	}
	var d Dossier
	err := s.withStore(func() error {
		c, err := s.derivedLocked(r.Context())
		if err != nil {
			return err
		}
		ids := c.ids[m]
		evs := make([]event.Event, 0, len(c.evs[m]))
		for _, i := range c.evs[m] {
			evs = append(evs, c.events[i])
		}
		n, first, last, err := output.Seen(r.Context(), s.st, m)
		if err != nil {
			return err
		}
		if len(ids) == 0 && len(evs) == 0 && n == 0 {
			return notFound("no vessel with MMSI %d in the store", m)
		}
		d.FirstSeen, d.LastSeen = first, last
		d.VesselSummary = c.vessels[m]
		d.MMSI, d.Flag = m, s.opt.Catalog.Flag(m)
		d.Identities = output.Changes(ids)
		d.PortCalls, d.Events, d.Sanctions = []eventJSON{}, []eventJSON{}, []eventJSON{}
		for _, e := range evs {
			switch e.Type {
			case event.PortVisit:
				d.PortCalls = append(d.PortCalls, withID(e))
			case event.SanctionsMatch:
				d.Sanctions = append(d.Sanctions, withID(e))
			default:
				d.Events = append(d.Events, withID(e))
			}
		}
		d.Risk = c.byMMSI[m]
		return nil
	})
	return d, err
}

// track is one vessel's positions as a GeoJSON LineString whose
// properties carry each vertex's time, simplified with Douglas-Peucker at
// the given tolerance in metres (0 keeps every position).
func (s *Server) track(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only("since", "until", "tolerance_m", "points")
	m := q.mmsiParam("mmsi", r.PathValue("mmsi"))
	since, until := q.span()
	tol := q.float("tolerance_m", 50, 0, 100000)
	points := q.str("points", 5)
	if points != "" && points != "true" && points != "false" {
		q.fail("points %q: want true or false", points)
	}
	if q.err != nil {
		return nil, q.err
	}
	var ps []store.Position
	if err := s.withStore(func() (err error) { ps, err = s.st.Track(r.Context(), m, since, until); return }); err != nil {
		return nil, err
	}
	fc := newFC()
	if len(ps) == 0 {
		return fc, nil
	}
	ls := make(orb.LineString, len(ps))
	for i, p := range ps {
		ls[i] = orb.Point{p.Lon, p.Lat}
	}
	keep := make([]int, 0, len(ps))
	if tol > 0 && len(ls) > 2 {
		// Degrees of latitude; longitudes shrink with latitude, so this
		// keeps a little more than needed east-west, never less.
		simple := simplify.DouglasPeucker(tol / 111320).LineString(ls.Clone())
		j := 0
		for i := range ls {
			if j < len(simple) && ls[i] == simple[j] {
				keep = append(keep, i)
				j++
			}
		}
		// Douglas-Peucker keeps both ends; a vessel that lay still may have
		// matched its last point to an earlier identical one.
		keep[len(keep)-1] = len(ls) - 1
	} else {
		for i := range ls {
			keep = append(keep, i)
		}
	}
	cut := len(keep) > MaxTrackPoints
	if cut {
		keep = keep[:MaxTrackPoints]
	}
	kept := make([]store.Position, len(keep))
	times := make([]int64, len(keep))
	for k, i := range keep {
		kept[k], times[k] = ps[i], ps[i].Time.Unix()
	}
	fs := output.TrackFeatures(m, kept, points == "true")
	// The line stands for every position of the span, not only its vertices.
	line := fs[0].Properties
	line["start"], line["end"], line["positions"] = ps[0].Time, ps[len(ps)-1].Time, len(ps)
	line["vertices"], line["times"], line["tolerance_m"] = len(keep), times, tol
	fc.Features = fs
	if cut {
		truncated(fc)
	}
	return fc, nil
}

func round4(x float64) float64 { return geoenc.Round(x, 4) }

// eventsFC answers an event query as GeoJSON.
func (s *Server) eventsFC(r *http.Request, fixed []event.Type) (any, error) {
	q := &query{r: r}
	var eq store.EventQuery
	if fixed == nil {
		q.only("type", "since", "until", "bbox", "mmsi", "limit", "fields")
		eq.Types = q.types()
	} else {
		q.only("since", "until", "bbox", "mmsi", "limit")
		eq.Types = fixed
	}
	eq.Since, eq.Until = q.span()
	eq.BBox = q.bbox("bbox")
	eq.MMSI = q.mmsiParam("mmsi", q.str("mmsi", 12))
	// fields=map leaves the evidence out (a tenth of the size), so the map
	// can hold every event of a store and cluster them; a popup asks for
	// the one it shows in full.
	light := false
	switch f := q.str("fields", 8); f {
	case "", "all":
	case "map":
		light = true
	default:
		q.fail("fields %q: want all or map", f)
	}
	max := MaxLimit
	if light {
		max = MaxMapLimit
	}
	limit := q.limit(DefaultLimit, max)
	if q.err != nil {
		return nil, q.err
	}
	eq.Limit = limit + 1
	var evs []event.Event
	err := s.withStore(func() error {
		d, err := s.derivedLocked(r.Context())
		if err != nil {
			return err
		}
		if s.eventsWritten {
			// Events newer than the figures: the store has them.
			evs, err = s.st.Events(r.Context(), eq)
			return err
		}
		// The figures hold every event in the store's order: filtering
		// them holds the store for a millisecond where the query held it
		// for seconds (10,000 events with their evidence).
		for i := range d.events {
			if e := &d.events[i]; eq.Matches(e) {
				if evs = append(evs, *e); len(evs) == eq.Limit {
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &eventStream{evs: evs, light: light}
	if len(evs) > limit {
		out.evs, out.truncated = evs[:limit], true
	}
	return out, nil
}

// eventStream is an events answer written feature by feature (5 MB for
// 10,000 events), without building it whole in memory first.
type eventStream struct {
	evs       []event.Event
	truncated bool
	light     bool // fields=map: no evidence, no port IDs or origin
}

// mapEvent is an event as the map holds it (fields=map): what it draws,
// lists and filters by, and the ID to ask for the rest.
type mapEvent struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	MMSI       uint32    `json:"mmsi"`
	OtherMMSI  uint32    `json:"other_mmsi,omitempty"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Confidence float64   `json:"confidence"`
	Port       string    `json:"port,omitempty"`
	PortGroup  string    `json:"port_group,omitempty"`
}

func (es *eventStream) writeJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range es.evs {
		if i > 0 {
			bw.WriteByte(',')
		}
		var b []byte
		var err error
		if e := &es.evs[i]; es.light {
			b, err = json.Marshal(struct {
				Type       string            `json:"type"`
				Geometry   *geojson.Geometry `json:"geometry"`
				Properties mapEvent          `json:"properties"`
			}{"Feature", geojson.NewGeometry(geoenc.Point(e.Lon, e.Lat)), mapEvent{e.ID(), string(e.Type), e.MMSI, e.OtherMMSI,
				e.Start, e.End, e.Confidence, e.Port, e.PortGroup}})
		} else {
			b, err = json.Marshal(geoenc.Event(e))
		}
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	bw.WriteString("]")
	if es.truncated {
		bw.WriteString(`,"truncated":true`)
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func (s *Server) events(r *http.Request) (any, error) { return s.eventsFC(r, nil) }

// sarDetections answers /api/sar/detections: every satellite detection,
// matched to a vessel's AIS (sar_match) or dark (dark_detection).
func (s *Server) sarDetections(r *http.Request) (any, error) {
	return s.eventsFC(r, []event.Type{event.DarkDetection, event.SARMatch})
}

// trips counts trips between two port groups, per month and vessel.
func (s *Server) trips(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only("from", "to", "since", "until", "both")
	from, to := q.str("from", 64), q.str("to", 64)
	since, until := q.span()
	both := q.str("both", 5)
	if from == "" || to == "" {
		q.fail("from and to are required: port group names (see /api/groups)")
	} else if from == to {
		q.fail("from and to are both %q: a trip goes between two groups", from)
	}
	for _, g := range []string{from, to} {
		if g != "" && s.opt.Catalog.Group(g) == nil {
			q.fail("unknown port group %q (known: %s)", g, strings.Join(s.opt.Catalog.Groups(), ", "))
		}
	}
	if both != "" && both != "true" && both != "false" {
		q.fail("both %q: want true or false", both)
	}
	if q.err != nil {
		return nil, q.err
	}
	cfg := trips.Config{From: from, To: to, Since: since, Until: until, Both: both == "true",
		GroupsOf: s.opt.Catalog.GroupsOf, FollowIdentity: true}
	var res trips.Result
	err := s.withStore(func() error {
		d, err := s.derivedLocked(r.Context())
		if err != nil {
			return err
		}
		res = trips.Count(d.events, cfg)
		return nil
	})
	if res.Trips == nil {
		res.Trips = []trips.Trip{}
	}
	return res, err
}

func (s *Server) risk(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only("limit", "min")
	limit := q.limit(50, MaxLimit)
	min := q.float("min", 0, 0, 1000)
	if q.err != nil {
		return nil, q.err
	}
	out := []scored{}
	err := s.withStore(func() error {
		d, err := s.derivedLocked(r.Context())
		if err != nil {
			return err
		}
		for _, sc := range d.scores {
			if len(out) == limit || sc.Total < min {
				break
			}
			out = append(out, scored{Score: sc, Vessel: d.vessels[sc.MMSI]})
		}
		return nil
	})
	return map[string]any{"config": risk.DefaultConfig().Rules, "scores": out}, err
}

type scored struct {
	risk.Score
	Vessel VesselSummary `json:"vessel"`
}

func (s *Server) sanctionsMatches(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only("limit", "min")
	limit := q.limit(DefaultLimit, MaxLimit)
	min := q.float("min", 0, 0, 1)
	if q.err != nil {
		return nil, q.err
	}
	var evs []event.Event
	err := s.withStore(func() (err error) {
		evs, err = s.st.Events(r.Context(), store.EventQuery{Types: []event.Type{event.SanctionsMatch}})
		return
	})
	slices.SortStableFunc(evs, func(a, b event.Event) int {
		if a.Confidence > b.Confidence {
			return -1
		} else if a.Confidence < b.Confidence {
			return 1
		}
		return 0
	})
	out := []eventJSON{}
	for _, e := range evs {
		if len(out) == limit || e.Confidence < min {
			break
		}
		out = append(out, withID(e))
	}
	return map[string]any{"matches": out}, err
}

// uploadList stores a sanctions list in the store (pipeline.ImportList):
// every identity stored is screened against the lists now kept, and the
// matches stored with the list.
func (s *Server) uploadList(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only("format", "name")
	format := q.str("format", 20)
	name := q.str("name", 64)
	if format != "" && !slices.Contains(sanctions.Formats, format) {
		q.fail("format %q: want one of %s", format, strings.Join(sanctions.Formats, ", "))
	}
	if q.err != nil {
		return nil, q.err
	}
	l, err := sanctions.Read(r.Body, format, name, "upload")
	if err != nil {
		var ae *apiError
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the list is larger than %d bytes", mbe.Limit)}
		}
		if !errors.As(err, &ae) {
			return nil, badRequest("reading the list: %v", err)
		}
		return nil, err
	}
	if len(l.Entries) == 0 {
		return nil, badRequest("the list has no usable entries (%s)", l.Stats)
	}
	var res pipeline.ImportResult
	err = s.withStore(func() (err error) {
		res, err = pipeline.ImportList(r.Context(), s.st, l)
		s.cache = nil // the uploader expects to see its matches at once
		return err
	})
	n := res.Matches
	return map[string]any{"list": l.Name, "entries": len(l.Entries), "stats": l.Stats.String(), "new_match_events": n}, err
}

func (s *Server) ports(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only("bbox", "group", "kind")
	b := q.bbox("bbox")
	group := q.str("group", 64)
	if group != "" && s.opt.Catalog.Group(group) == nil {
		q.fail("unknown port group %q", group)
	}
	kind := q.str("kind", 16)
	if kind != "" && kind != "wpi" && kind != "learned" {
		q.fail("kind: want wpi or learned, not %q", kind)
	}
	if q.err != nil {
		return nil, q.err
	}
	fc := newFC()
	for _, p := range s.opt.Catalog.Ports {
		if kind == "learned" || b != nil && !b.Contains(p.Lat, p.Lon) {
			continue
		}
		// An empty list, not null: the map's styles test its length.
		gs := append([]string{}, s.opt.Catalog.GroupsOf(p.ID)...)
		if group != "" && !slices.Contains(gs, group) {
			continue
		}
		f := geojson.NewFeature(geoenc.Point(p.Lon, p.Lat))
		f.ID = p.ID
		f.Properties = geojson.Properties{"id": p.ID, "kind": "wpi", "name": p.Name, "country": p.Country, "locode": p.LOCODE, "size": p.Size, "groups": gs}
		fc.Features = append(fc.Features, f)
	}
	// Port areas learned from where vessels stopped belong to no group.
	pa, ok := s.st.(store.PortAreas)
	if kind == "wpi" || group != "" || !ok {
		return fc, nil
	}
	var learned []store.LearnedPort
	if err := s.withStore(func() (err error) {
		learned, err = pa.LearnedPorts(r.Context())
		return err
	}); err != nil {
		return nil, err
	}
	for _, p := range learned {
		if b != nil && !b.Contains(p.Lat, p.Lon) {
			continue
		}
		fc.Features = append(fc.Features, learnedFeature(&p))
	}
	return fc, nil
}

// learnedFeature draws a learned port area as its cells, squares CellKm
// wide, for the map to shade.
func learnedFeature(p *store.LearnedPort) *geojson.Feature {
	half := p.CellKm / 2 / 111.195
	var polys orb.MultiPolygon
	for _, c := range p.Cells {
		dlon := half / math.Max(math.Cos(c.Lat*math.Pi/180), 0.05)
		polys = append(polys, orb.Polygon{{
			{c.Lon - dlon, c.Lat - half}, {c.Lon + dlon, c.Lat - half}, {c.Lon + dlon, c.Lat + half},
			{c.Lon - dlon, c.Lat + half}, {c.Lon - dlon, c.Lat - half}}})
	}
	f := geojson.NewFeature(polys)
	f.ID = p.ID
	f.Properties = geojson.Properties{"id": p.ID, "kind": "learned", "name": "", "lat": p.Lat, "lon": p.Lon,
		"vessels": p.Vessels, "cells": len(p.Cells), "cell_km": p.CellKm,
		"first_seen": p.First.Format(time.RFC3339), "last_seen": p.Last.Format(time.RFC3339)}
	return f
}

func (s *Server) groups(r *http.Request) (any, error) {
	q := &query{r: r}
	if q.only(); q.err != nil {
		return nil, q.err
	}
	type group struct {
		Name  string   `json:"name"`
		Ports []string `json:"ports"`
	}
	out := []group{}
	for _, name := range s.opt.Catalog.Groups() {
		g := s.opt.Catalog.Group(name)
		var names []string
		for _, id := range g.PortIDs {
			if p, ok := s.opt.Catalog.Port(id); ok {
				names = append(names, p.Name)
			}
		}
		out = append(out, group{Name: name, Ports: names})
	}
	return map[string]any{"groups": out}, nil
}

// land serves the bundled Natural Earth land inside a box, clipped and
// simplified, gzipped when the client accepts it. Answers are cached by
// parameters.
func (s *Server) land(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		writeError(w, http.StatusMethodNotAllowed, "%s %s: method not allowed (use GET)", r.Method, r.URL.Path)
		return
	}
	q := &query{r: r}
	q.only("bbox", "tolerance")
	b := q.bbox("bbox")
	tol := q.float("tolerance", defaultTolerance, 0.001, 1)
	if q.err != nil {
		writeError(w, http.StatusBadRequest, "%s", q.err)
		return
	}
	if b == nil {
		b = &defaultRegion
	}
	if b.MinLon > b.MaxLon {
		writeError(w, http.StatusBadRequest, "bbox: the basemap does not cross the antimeridian; give minLon <= maxLon")
		return
	}
	if (b.MaxLon-b.MinLon)*(b.MaxLat-b.MinLat) > 180*90 {
		writeError(w, http.StatusBadRequest, "bbox: at most a quarter of the globe at a time")
		return
	}
	gz := s.landJSON(*b, tol)
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "basemap: %v", err)
		return
	}
	var plain bytes.Buffer
	plain.ReadFrom(zr)
	w.Write(plain.Bytes())
}

// The map's default region: the seas around Korea, Japan and Primorye.
var defaultRegion = store.BBox{MinLon: 110, MinLat: 20, MaxLon: 160, MaxLat: 60}

const defaultTolerance = 0.02

// landJSON returns the gzipped GeoJSON of the land in b simplified at tol
// degrees, from the cache when it can. Different boxes are computed at
// the same time (up to one per CPU); requests for a box being computed
// wait for that computation instead of repeating it.
func (s *Server) landJSON(b store.BBox, tol float64) []byte {
	key := fmt.Sprintf("%g,%g,%g,%g,%g", b.MinLon, b.MinLat, b.MaxLon, b.MaxLat, tol)
	s.landMu.Lock()
	if e, ok := s.landCache[key]; ok {
		s.landMu.Unlock()
		<-e.done
		return e.gz
	}
	e := &landEntry{done: make(chan struct{})}
	if len(s.landCache) < maxLandCache {
		s.landCache[key] = e
	}
	s.landMu.Unlock()
	s.landSem <- struct{}{}
	e.gz = s.computeLand(b, tol)
	<-s.landSem
	close(e.done)
	return e.gz
}

// landEntry is one box's basemap; gz is set when done is closed.
type landEntry struct {
	done chan struct{}
	gz   []byte
}

// landHook runs at the start of every basemap computation (tests count
// how many run at once).
var landHook = func() {}

func (s *Server) computeLand(b store.BBox, tol float64) []byte {
	landHook()
	fc := newFC()
	for _, p := range s.landIn([4]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat}, tol) {
		rings := make(orb.Polygon, 0, len(p))
		for _, ring := range p {
			if len(ring) < 4 {
				continue
			}
			rr := make(orb.Ring, len(ring))
			for i, pt := range ring {
				rr[i] = orb.Point{round4(pt[0]), round4(pt[1])}
			}
			rings = append(rings, rr)
		}
		if len(rings) == 0 || len(p[0]) < 4 {
			continue
		}
		fc.Append(geojson.NewFeature(rings))
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	json.NewEncoder(zw).Encode(fc)
	zw.Close()
	return buf.Bytes()
}

// landIn is the land inside the box (west, south, east, north), clipped
// to it and simplified at tol degrees.
func (s *Server) landIn(box [4]float64, tol float64) orb.MultiPolygon {
	bound := orb.Bound{Min: orb.Point{box[0], box[1]}, Max: orb.Point{box[2], box[3]}}
	s.landOnce.Do(func() {
		s.landPolys = s.opt.Land().Polygons()
		s.landBounds = make([]orb.Bound, len(s.landPolys))
		for i, p := range s.landPolys {
			s.landBounds[i] = p.Bound()
		}
	})
	// Clipping changes its input: copy only the polygons that reach the box,
	// not the whole world's land.
	var in orb.MultiPolygon
	for i, pb := range s.landBounds {
		if pb.Intersects(bound) {
			in = append(in, s.landPolys[i].Clone())
		}
	}
	mp := clip.MultiPolygon(bound, in)
	return simplify.DouglasPeucker(tol).MultiPolygon(mp)
}

// webBuilt reports whether the front end was built into the binary.
func webBuilt(web fs.FS) bool {
	if web == nil {
		return false
	}
	_, err := fs.Stat(web, "index.html")
	return err == nil
}

const missingPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lookout: web map not built</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Lookout</h1>
<p><strong>The web map was not built into this binary.</strong> The API works: see
<a href="/api/openapi.json">/api/openapi.json</a>, e.g. <a href="/api/vessels">/api/vessels</a>.</p>
<p>To get the map, build the front end and then the binary (needs Node.js and npm):</p>
<pre>scripts/build-web
go build ./cmd/lookout</pre>
</body></html>`

// page serves the front end, or a page explaining how to build it.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		writeError(w, http.StatusMethodNotAllowed, "%s %s: method not allowed", r.Method, r.URL.Path)
		return
	}
	if !webBuilt(s.opt.Web) {
		if r.URL.Path != "/" && r.URL.Path != "/index.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Lookout-Web", "missing")
		w.Write([]byte(missingPage))
		return
	}
	if r.URL.Path == "/" || r.URL.Path == "/index.html" {
		page, err := s.index(r.Context())
		if err != nil {
			s.opt.Log.Printf("serve: %s: %v", r.URL.Path, err)
			writeError(w, http.StatusInternalServerError, "internal error (logged on the server)")
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Vary", "Accept-Encoding")
			zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
			zw.Write(page)
			zw.Close()
			return
		}
		w.Write(page)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	if ext := path.Ext(name); (ext == ".js" || ext == ".css") && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		if gz, ok := s.gzipAsset(name); ok {
			w.Header().Set("Content-Type", mime.TypeByExtension(ext))
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Vary", "Accept-Encoding")
			w.Write(gz)
			return
		}
	}
	http.FileServerFS(s.opt.Web).ServeHTTP(w, r)
}

// gzipAsset returns a front-end file gzipped, compressing it once: the
// bundle is a few megabytes and never changes while the binary runs.
func (s *Server) gzipAsset(name string) ([]byte, bool) {
	s.assetsMu.Lock()
	defer s.assetsMu.Unlock()
	if gz, ok := s.assets[name]; ok {
		return gz, true
	}
	b, err := fs.ReadFile(s.opt.Web, name)
	if err != nil {
		return nil, false
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	s.assets[name] = buf.Bytes()
	return buf.Bytes(), true
}
