package serve

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geoenc"
	"github.com/lookout-osint/lookout/oilcap"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/trips"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
)

// storyTolerance simplifies trip tracks for the overview: at the first
// screen's zoom a kilometre is under a pixel, and 300 vessels' months of
// positions would otherwise be tens of megabytes.
const storyTolerance = 1000.0 // metres

// storyFrom and storyTo are the groups of the default story, the page's
// first screen.
const storyFrom, storyTo = "RU-FE", "KP"

// Story is the first screen in one answer: the trips between two watched
// groups drawn as tracks, and the headline figures beside them, so the page
// tells who shuttles between the groups before anyone clicks.
type Story struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Trips int    `json:"trips"`
	// DarkTrips have a possible dark visit at one end (dashed on the map).
	DarkTrips int `json:"possible_dark_trips"`
	Vessels   int `json:"vessels"`
	// OilCap is the estimated share of the yearly refined-oil cap
	// delivered to oilcap.DefaultConfig().Group, per year.
	OilCap []capYear                  `json:"oil_cap"`
	Names  map[uint32]string          `json:"names"`
	Tracks *geojson.FeatureCollection `json:"tracks"`
	// Badges mark the vessels a sanctions list names, where their
	// identity matched, and the vessels that met one, where they met, so
	// the map shows who deals with listed hulls without a click.
	Badges *geojson.FeatureCollection `json:"badges"`
	// Groups outline the two groups (colour, port count) and GroupPorts
	// are their ports, for the labels.
	Groups     *geojson.FeatureCollection `json:"groups"`
	GroupPorts *geojson.FeatureCollection `json:"group_ports"`
	// Vessels are the trips' vessels, most trips first: the order of
	// their colours (each track's "color") and of the legend.
	VesselOrder []uint32 `json:"vessel_order"`
	// View is the first screen's box (west, south, east, north): the map
	// fits it exactly, as the page's drawing of the story does.
	View [4]float64 `json:"view"`
}

// told is a story with its JSON, as cached.
type told struct {
	*Story
	json json.RawMessage
}

// capYear is oilcap.Year without the deliveries: the header needs the
// share, the report has the detail.
type capYear struct {
	Year       int          `json:"year"`
	Deliveries int          `json:"deliveries"`
	Barrels    oilcap.Range `json:"barrels"`
	CapShare   oilcap.Range `json:"cap_share"`
}

// story answers /api/story: trips between from and to (both directions with
// both=true) over the whole stored period, each as the vessel's track
// between leaving one group and reaching the other.
func (s *Server) story(r *http.Request) (any, error) {
	q := &query{r: r}
	q.only("from", "to", "both")
	from, to, both := q.str("from", 64), q.str("to", 64), q.str("both", 5)
	if from == "" {
		from = storyFrom
	}
	if to == "" {
		to = storyTo
	}
	if from == to {
		q.fail("from and to are both %q: a trip goes between two groups", from)
	}
	for _, g := range []string{from, to} {
		if s.opt.Catalog.Group(g) == nil {
			q.fail("unknown port group %q (see /api/groups)", g)
		}
	}
	if both != "" && both != "true" && both != "false" {
		q.fail("both %q: want true or false", both)
	}
	if q.err != nil {
		return nil, q.err
	}
	var out json.RawMessage
	err := s.withStore(func() error {
		st, err := s.storyLocked(r.Context(), from, to, both == "true")
		if st != nil {
			out = st.json
		}
		return err
	})
	return out, err
}

// storyLocked returns the story's JSON, from the cache when the store has
// not changed since it was told: the first screen waits for it, and
// telling it reads every trip's track. s.mu must be held.
func (s *Server) storyLocked(ctx context.Context, from, to string, both bool) (*told, error) {
	d, err := s.derivedLocked(ctx)
	if err != nil {
		return nil, err
	}
	key := from + "\x00" + to + "\x00" + strconv.FormatBool(both)
	if t := d.stories[key]; t != nil {
		return t, nil
	}
	st, err := s.tell(ctx, d, from, to, both)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	if d.stories == nil {
		d.stories = map[string]*told{}
	}
	t := &told{st, b}
	d.stories[key] = t
	return t, nil
}

// tell computes a story; s.mu must be held.
func (s *Server) tell(ctx context.Context, d *derived, from, to string, both bool) (*Story, error) {
	out := &Story{From: from, To: to, Names: map[uint32]string{}, Tracks: newFC(), OilCap: []capYear{}, Badges: badges(d)}
	err := func() error {
		res := trips.Count(d.events, trips.Config{From: from, To: to, Both: both,
			GroupsOf: s.opt.Catalog.GroupsOf, FollowIdentity: true})
		years, _ := oilcap.Estimate(oilcap.DefaultConfig(), d.events)
		for _, y := range years {
			out.OilCap = append(out.OilCap, capYear{y.Year, len(y.Deliveries), y.Barrels, y.CapShare})
		}
		vessels := map[uint32]bool{}
		for i := range res.Trips {
			t := &res.Trips[i]
			vessels[t.MMSI] = true
			if t.Dark {
				out.DarkTrips++
			} else {
				out.Trips++
			}
			if v, ok := d.vessels[t.MMSI]; ok && v.Name != "" {
				out.Names[t.MMSI] = v.Name
			}
			f, err := s.tripFeature(ctx, t)
			if err != nil {
				return err
			}
			if f != nil {
				out.Tracks.Append(f)
			}
		}
		out.Vessels = len(vessels)
		out.VesselOrder = colorVessels(out.Tracks)
		out.Groups, out.GroupPorts = groupShapes(s.opt.Catalog, from, to)
		out.View = storyView(out.Tracks)
		return nil
	}()
	return out, err
}

// tripFeature draws one trip: the positions of every number the hull used
// between leaving and arriving, simplified. A trip with too few positions
// (a dark end, a reception gap) is drawn straight between its calls'
// events, marked so the page says it is not a track.
func (s *Server) tripFeature(ctx context.Context, t *trips.Trip) (*geojson.Feature, error) {
	mmsis := []uint32{t.Depart.MMSI, t.Arrive.MMSI}
	mmsis = append(mmsis, t.MMSIs...)
	slices.Sort(mmsis)
	mmsis = slices.Compact(mmsis)
	var ps []store.Position
	for _, m := range mmsis {
		if m == 0 {
			continue
		}
		got, err := s.st.Track(ctx, m, t.Depart.Start, t.Arrive.End)
		if err != nil {
			return nil, err
		}
		ps = append(ps, got...)
	}
	slices.SortFunc(ps, func(a, b store.Position) int { return a.Time.Compare(b.Time) })
	props := map[string]any{"mmsi": t.MMSI, "from": t.From, "to": t.To, "month": t.Month,
		"possible_dark": t.Dark, "depart": firstOr(t.Depart.Ports), "arrive": firstOr(t.Arrive.Ports),
		"start": t.Depart.End.Format(time.RFC3339), "end": t.Arrive.Start.Format(time.RFC3339), "positions": len(ps)}
	if len(ps) < 2 {
		// Port positions come from the catalogue, never guessed.
		a, okA := s.opt.Catalog.Port(firstOr(t.Depart.PortIDs))
		b, okB := s.opt.Catalog.Port(firstOr(t.Arrive.PortIDs))
		if !okA || !okB {
			return nil, nil
		}
		props["straight"] = true
		props["times"] = []int64{t.Depart.End.Unix(), t.Arrive.Start.Unix()}
		return &geojson.Feature{Type: "Feature", Geometry: orb.LineString{{a.Lon, a.Lat}, {b.Lon, b.Lat}}, Properties: props}, nil
	}
	ls := make(orb.LineString, len(ps))
	for i, p := range ps {
		ls[i] = orb.Point{p.Lon, p.Lat}
	}
	simple := simplify.DouglasPeucker(storyTolerance / 111320).LineString(ls.Clone())
	coords := make(orb.LineString, 0, len(simple))
	times := make([]int64, 0, len(simple))
	j := 0
	for i := range ls {
		if j < len(simple) && ls[i] == simple[j] {
			coords = append(coords, orb.Point{round4(ls[i][0]), round4(ls[i][1])})
			times = append(times, ps[i].Time.Unix())
			j++
		}
	}
	props["times"] = times
	return &geojson.Feature{Type: "Feature", Geometry: coords, Properties: props}, nil
}

// badges places a badge on every vessel a sanctions list names (at its
// latest match) and on every vessel that met one (at each meeting), with
// the names beside them.
func badges(d *derived) *geojson.FeatureCollection {
	fc := newFC()
	listed := map[uint32]*event.Event{}
	for i := range d.events {
		if e := &d.events[i]; e.Type == event.SanctionsMatch {
			if old := listed[e.MMSI]; old == nil || e.Start.After(old.Start) {
				listed[e.MMSI] = e
			}
		}
	}
	name := func(m uint32) string { return d.vessels[m].Name }
	for _, m := range slices.Sorted(maps.Keys(listed)) {
		e := listed[m]
		props := map[string]any{"badge": "listed", "mmsi": m, "name": name(m), "time": e.Start.Format(time.RFC3339), "confidence": geoenc.Round(e.Confidence, 2)}
		for _, k := range []string{"list", "entry_name", "reason"} {
			if v, ok := e.Evidence[k]; ok {
				props[k] = v
			}
		}
		fc.Append(&geojson.Feature{Type: "Feature", Geometry: orb.Point{geoenc.Round(e.Lon, 6), geoenc.Round(e.Lat, 6)}, Properties: props})
	}
	for i := range d.events {
		e := &d.events[i]
		if e.Type != event.Encounter {
			continue
		}
		// Either side of a meeting may be the listed one; a meeting of two
		// listed vessels badges neither as "met" (both carry their own).
		for _, pair := range [2][2]uint32{{e.MMSI, e.OtherMMSI}, {e.OtherMMSI, e.MMSI}} {
			m, other := pair[0], pair[1]
			if listed[other] == nil || listed[m] != nil || m == 0 {
				continue
			}
			fc.Append(&geojson.Feature{Type: "Feature", Geometry: orb.Point{geoenc.Round(e.Lon, 6), geoenc.Round(e.Lat, 6)},
				Properties: map[string]any{"badge": "met_listed", "mmsi": m, "name": name(m), "other_mmsi": other, "other_name": name(other),
					"time": e.Start.Format(time.RFC3339), "hours": geoenc.Round(e.Duration().Hours(), 2), "event_id": e.ID()}})
		}
	}
	return fc
}

func firstOr(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}
