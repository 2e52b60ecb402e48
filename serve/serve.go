// Package serve is Lookout's HTTP API and web map: vessels and search,
// dossiers, tracks, events, trips, risk, sanctions matches and satellite
// detections over any store, GeoJSON wherever there is geometry, described
// by an OpenAPI document at /api/openapi.json.
//
// It is read-only for everyone; the one endpoint that changes data
// (uploading a sanctions list, whose matches are written to the store)
// needs the bearer token the server was started with. Every parameter is
// validated and answered with a JSON error when wrong, results are capped,
// and every page is served with a Content-Security-Policy that allows no
// origin but the server's own, so the map works with no internet and leaks
// nothing to third parties.
package serve

import (
	"cmp"
	"compress/gzip"
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"mime"
	"net"
	"net/http"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/paulmach/orb"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/risk"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/output"
	"github.com/lookout-osint/lookout/store/remote"
)

// Limits on what one request may ask for or send.
const (
	DefaultLimit     = 500
	MaxLimit         = 10000
	MaxMapLimit      = 200000 // events without evidence (fields=map): the demo's 66,000 and more
	MaxTrackPoints   = 50000
	DefaultMaxUpload = 32 << 20 // a sanctions list
	maxLandCache     = 32
)

// CSP allows only the server's own origin. MapLibre starts its workers from
// blob: URLs and sets element styles from script, hence blob: workers and
// inline styles; nothing else is relaxed.
const CSP = "default-src 'self'; script-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; " +
	"img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; font-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

//go:embed openapi.json
var openAPI []byte

// Options configure a Server.
type Options struct {
	// Token, when set, is the bearer token that mutating endpoints require.
	// Without it they are refused.
	Token string
	// Catalog supplies ports and groups (default ref.Default()).
	Catalog *ref.Catalog
	// Land draws the basemap (default geo.DefaultLand(), loaded on first
	// use).
	Land func() *geo.Land
	// Web is the built front end (index.html at its root). When it has no
	// index.html the page says how to build it.
	Web fs.FS
	// MaxUpload caps request bodies (default DefaultMaxUpload).
	MaxUpload int64
	// Log receives one line per failed request (default: log.Default()).
	Log *log.Logger
	// Refresh is how long the whole-store figures (vessel list, risk,
	// trips, dossiers) may stay as they were while other commands write
	// through the server (ServeStore): a live feed writes every few
	// seconds, and recomputing the figures for every request after each
	// write would keep the store busy for nothing. Zero recomputes after
	// every write. Writes by other processes to a PostgreSQL store are
	// always seen at once.
	Refresh time.Duration
	// AllowHosts are the host names (no port) requests may name in their
	// Host header besides IP addresses, localhost and the name the server
	// listens on: the names a reverse proxy in front of the server passes
	// on. "*" allows any, for a proxy that checks names itself.
	AllowHosts []string
}

// Server answers the API over one store. The store is used by one request
// at a time (the embedded DuckDB store is not safe for concurrent use);
// everything derived from all events (risk scores, trips, the vessel list)
// is computed once and recomputed after a write.
type Server struct {
	st  store.Store
	opt Options
	mux *http.ServeMux
	// boundHost is the host part of the address served (HTTPServer).
	boundHost string

	mu    sync.Mutex // serialises store access and guards cache
	cache *derived
	// cacheVersion is the store's DataVersion (store.Versioned) the cache
	// was computed at: another process writing a PostgreSQL store moves it.
	// Writes through the server (other commands on a DuckDB file the server
	// holds) set written instead; cacheTime is when the cache was computed.
	cacheVersion string
	cacheTime    time.Time
	// eventsWritten says events were written through the server since the
	// cache was computed; idsWritten are the vessels whose identities were.
	eventsWritten bool
	idsWritten    map[uint32]bool

	landMu    sync.Mutex // guards landCache
	landCache map[string]*landEntry
	landSem   chan struct{} // bounds the basemap computations at once
	// landPolys are the land polygons and landBounds their bounds, set
	// once by landOnce.
	landOnce   sync.Once
	landPolys  orb.MultiPolygon
	landBounds []orb.Bound

	assetsMu sync.Mutex        // guards assets
	assets   map[string][]byte // gzipped front-end files
}

// derived is what the server computes from the whole store.
type derived struct {
	events  []event.Event
	scores  []risk.Score
	byMMSI  map[uint32]*risk.Score
	vessels map[uint32]VesselSummary
	order   []uint32 // vessels by risk, then MMSI
	// ids and evs are each vessel's identity history and events (its own
	// and those naming it as the other vessel), so a dossier is answered
	// from memory.
	ids map[uint32][]store.Identity
	evs map[uint32][]int
	// stories are /api/story answers (JSON) by query: they read tracks,
	// so they are kept until the next write like the rest.
	stories map[string]*told
	// first is the first screen put into index.html (firstScreen).
	first []byte
	// coverage is /api/coverage's answer (a scan of every position).
	coverage *geojson.FeatureCollection
}

// New returns a server over st.
func New(st store.Store, opt Options) *Server {
	if opt.Catalog == nil {
		opt.Catalog = ref.Default()
	}
	if opt.Land == nil {
		opt.Land = geo.DefaultLand
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = DefaultMaxUpload
	}
	if opt.Log == nil {
		opt.Log = log.Default()
	}
	s := &Server{st: st, opt: opt, mux: http.NewServeMux(), landCache: map[string]*landEntry{}, idsWritten: map[uint32]bool{},
		landSem: make(chan struct{}, max(2, runtime.GOMAXPROCS(0))), assets: map[string][]byte{}}
	s.routes()
	return s
}

func (s *Server) routes() {
	type route struct {
		method string
		h      func(*http.Request) (any, error)
	}
	api := map[string]route{
		"/api/health":               {"GET", s.health},
		"/api/vessels":              {"GET", s.vessels},
		"/api/vessels/{mmsi}":       {"GET", s.dossier},
		"/api/vessels/{mmsi}/track": {"GET", s.track},
		"/api/events":               {"GET", s.events},
		"/api/trips":                {"GET", s.trips},
		"/api/story":                {"GET", s.story},
		"/api/risk":                 {"GET", s.risk},
		"/api/sanctions/matches":    {"GET", s.sanctionsMatches},
		"/api/sanctions/lists":      {"POST", s.auth(s.uploadList)},
		"/api/sar/detections":       {"GET", s.sarDetections},
		"/api/ports":                {"GET", s.ports},
		"/api/groups":               {"GET", s.groups},
		"/api/coverage":             {"GET", s.coverage},
		"/api/report":               {"GET", s.viewReport},
		"/api/openapi.json":         {"GET", func(*http.Request) (any, error) { return json.RawMessage(openAPI), nil }},
	}
	for pattern, rt := range api {
		h := s.jsonHandler(rt.h)
		s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != rt.method && !(rt.method == "GET" && r.Method == "HEAD") {
				w.Header().Set("Allow", rt.method)
				writeError(w, http.StatusMethodNotAllowed, "%s %s: method not allowed (use %s)", r.Method, r.URL.Path, rt.method)
				return
			}
			h.ServeHTTP(w, r)
		}))
	}
	s.mux.HandleFunc("/api/basemap/land", s.land)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: %s %s (see /api/openapi.json)", r.Method, r.URL.Path)
	})
	s.mux.HandleFunc("/", s.page)
}

// ServeHTTP adds the security headers and caps request bodies.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if !s.hostAllowed(r.Host) {
		// DNS rebinding: a page from evil.example whose name was re-pointed
		// at this machine could otherwise read the API from the analyst's
		// browser. Its requests carry its own name.
		writeError(w, http.StatusMisdirectedRequest, "host %q is not served here: use the server's address, or start it with --allow-host %s when it runs behind a proxy under that name",
			r.Host, hostOnly(r.Host))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxUpload)
	s.mux.ServeHTTP(w, r)
}

// hostAllowed reports whether a request's Host header names this server.
// IP addresses are always allowed: DNS rebinding needs a name.
func (s *Server) hostAllowed(host string) bool {
	if host == "" {
		return true // HTTP/1.0 without a Host: no browser sends that
	}
	h := strings.ToLower(hostOnly(host))
	if net.ParseIP(h) != nil || h == "localhost" || strings.HasSuffix(h, ".localhost") || (s.boundHost != "" && h == strings.ToLower(s.boundHost)) {
		return true
	}
	for _, a := range s.opt.AllowHosts {
		if a == "*" || strings.EqualFold(a, h) {
			return true
		}
	}
	return false
}

// hostOnly is the host of a Host header without its port or IPv6 brackets.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
}

// Handler wraps the server in the timeouts a public listener needs.
func (s *Server) HTTPServer(addr string) *http.Server {
	s.boundHost = hostOnly(addr)
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// apiError is an error with the status it should be answered with.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": fmt.Sprintf(format, args...), "status": status})
}

func (s *Server) jsonHandler(h func(*http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := h(r)
		if err != nil {
			var ae *apiError
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &ae):
				if ae.status == http.StatusUnauthorized {
					// RFC 6750: say which scheme is wanted, and whether the
					// token sent was wrong or missing.
					challenge := `Bearer realm="lookout"`
					if r.Header.Get("Authorization") != "" {
						challenge += `, error="invalid_token"`
					}
					w.Header().Set("WWW-Authenticate", challenge)
				}
				writeError(w, ae.status, "%s", ae.msg)
			case errors.As(err, &mbe):
				writeError(w, http.StatusRequestEntityTooLarge, "request body larger than %d bytes", mbe.Limit)
			case errors.Is(err, context.Canceled):
				// the client went away
			default:
				s.opt.Log.Printf("serve: %s %s: %v", r.Method, r.URL.Path, err)
				writeError(w, http.StatusInternalServerError, "internal error (logged on the server)")
			}
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if d, ok := v.(*download); ok {
			w.Header().Set("Content-Type", d.contentType)
			w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.name}))
			w.Write(d.body)
			return
		}
		w.Header().Set("Content-Type", contentType(r))
		if es, ok := v.(*eventStream); ok {
			// The map asks for every event (17 MB of JSON on the demo):
			// compressed fast, it is a sixth of that.
			var out io.Writer = w
			w.Header().Add("Vary", "Accept-Encoding")
			if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				w.Header().Set("Content-Encoding", "gzip")
				zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
				defer zw.Close()
				out = zw
			}
			if err := es.writeJSON(out); err != nil {
				s.opt.Log.Printf("serve: %s %s: write: %v", r.Method, r.URL.Path, err)
			}
			return
		}
		enc := json.NewEncoder(w)
		if err := enc.Encode(v); err != nil {
			s.opt.Log.Printf("serve: %s %s: encode: %v", r.Method, r.URL.Path, err)
		}
	})
}

func contentType(r *http.Request) string {
	p := r.URL.Path
	if strings.HasSuffix(p, "/track") || p == "/api/events" || p == "/api/sar/detections" || p == "/api/ports" {
		return "application/geo+json"
	}
	return "application/json"
}

// auth lets a request through only with the configured bearer token.
func (s *Server) auth(h func(*http.Request) (any, error)) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		if s.opt.Token == "" {
			return nil, &apiError{http.StatusForbidden, "this server is read-only: start it with --token or LOOKOUT_TOKEN to allow changes"}
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.opt.Token)) != 1 {
			return nil, &apiError{http.StatusUnauthorized, "this endpoint changes data: send Authorization: Bearer <token>"}
		}
		return h(r)
	}
}

// withStore runs fn with exclusive use of the store.
func (s *Server) withStore(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn()
}

// ServeStore answers other lookout commands' store calls on ln (see
// store/remote) until ln is closed: the server holds the DuckDB file db,
// so they read and write it through the server, one call at a time with
// the API's own requests. A write drops the cached figures, so the API
// answers from the new data at once.
//
// url is where s answers HTTP, for other commands to name.
func (s *Server) ServeStore(ln net.Listener, db, url string) error {
	concurrent := false
	if c, ok := s.st.(store.ConcurrentReads); ok {
		concurrent = c.ConcurrentReads()
	}
	return remote.Serve(ln, db, url, func(ctx context.Context, change *remote.Change, fn func(store.Store) error) error {
		if change == nil && concurrent {
			// A report scanning every position would otherwise hold the map
			// up for as long as it reads.
			return fn(s.st)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if change != nil {
			defer func() {
				s.eventsWritten = s.eventsWritten || change.Events
				for _, m := range change.Identities {
					s.idsWritten[m] = true
				}
			}()
		}
		return fn(s.st)
	})
}

// derivedLocked returns the cached whole-store figures, computing them if
// needed. s.mu must be held.
func (s *Server) derivedLocked(ctx context.Context) (*derived, error) {
	var version string
	if v, ok := s.st.(store.Versioned); ok {
		// Read before the data, so that a write committed while the figures
		// are computed leaves them marked as older than it.
		var err error
		if version, err = v.DataVersion(ctx); err != nil {
			return nil, err
		}
	}
	if s.cache != nil && s.cacheVersion == version &&
		(!s.eventsWritten || time.Since(s.cacheTime) < s.opt.Refresh) {
		// New identities change only their vessels' entries: cheap enough
		// to bring in at once, where events need everything recomputed.
		if err := s.refreshIdentities(ctx, s.cache); err != nil {
			return nil, err
		}
		return s.cache, nil
	}
	evs, err := s.st.Events(ctx, store.EventQuery{})
	if err != nil {
		return nil, err
	}
	d := &derived{events: evs, byMMSI: map[uint32]*risk.Score{}, vessels: map[uint32]VesselSummary{},
		ids: map[uint32][]store.Identity{}, evs: map[uint32][]int{}}
	ms, err := s.st.FindVessels(ctx, "")
	if err != nil {
		return nil, err
	}
	counts := map[uint32]int{}
	for i, e := range evs {
		counts[e.MMSI]++
		d.evs[e.MMSI] = append(d.evs[e.MMSI], i)
		if e.OtherMMSI != 0 && e.OtherMMSI != e.MMSI {
			counts[e.OtherMMSI]++
			d.evs[e.OtherMMSI] = append(d.evs[e.OtherMMSI], i)
		}
	}
	all := slices.Clone(ms)
	for m := range counts {
		all = append(all, m)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	var rv []risk.Vessel
	for _, m := range all {
		if m == 0 {
			continue
		}
		rv = append(rv, risk.Vessel{MMSI: m, Flag: s.opt.Catalog.FlagCode(m)})
	}
	d.scores = risk.Scores(risk.DefaultConfig(), evs, rv)
	for i := range d.scores {
		d.byMMSI[d.scores[i].MMSI] = &d.scores[i]
	}
	for _, m := range all {
		if m == 0 {
			continue
		}
		v := VesselSummary{MMSI: m, Flag: s.opt.Catalog.Flag(m), Events: counts[m]}
		ids, err := s.st.Identities(ctx, m)
		if err != nil {
			return nil, err
		}
		v.fill(ids)
		d.ids[m] = ids
		if sc := d.byMMSI[m]; sc != nil {
			v.Risk = sc.Total
		}
		d.vessels[m] = v
		d.order = append(d.order, m)
	}
	sortByRisk(d.order, d.vessels)
	s.cache, s.cacheVersion, s.cacheTime, s.eventsWritten = d, version, time.Now(), false
	clear(s.idsWritten)
	return d, nil
}

// refreshIdentities re-reads the identity histories written through the
// server since d was computed and updates those vessels' entries. s.mu
// must be held.
func (s *Server) refreshIdentities(ctx context.Context, d *derived) error {
	if len(s.idsWritten) == 0 {
		return nil
	}
	added := false
	for m := range s.idsWritten {
		ids, err := s.st.Identities(ctx, m)
		if err != nil {
			return err
		}
		old, known := d.vessels[m]
		v := VesselSummary{MMSI: m, Flag: s.opt.Catalog.Flag(m), Events: old.Events, Risk: old.Risk}
		v.fill(ids)
		d.ids[m], d.vessels[m] = ids, v
		if !known {
			d.order = append(d.order, m)
			added = true
		}
	}
	clear(s.idsWritten)
	if added {
		sortByRisk(d.order, d.vessels)
	}
	return nil
}

// sortByRisk orders vessels by risk, highest first, then by MMSI.
func sortByRisk(order []uint32, vessels map[uint32]VesselSummary) {
	slices.SortFunc(order, func(a, b uint32) int {
		if ra, rb := vessels[a].Risk, vessels[b].Risk; ra != rb {
			if ra > rb {
				return -1
			}
			return 1
		}
		return cmp.Compare(a, b)
	})
}

// Warm computes the whole-store figures and loads the land so that the
// first requests are as fast as the rest.
func (s *Server) Warm(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.landJSON(defaultRegion, defaultTolerance)
		// The scripts and styles gzipped, so the page's first requests do
		// not wait for a megabyte to be compressed.
		if webBuilt(s.opt.Web) {
			names, _ := fs.Glob(s.opt.Web, "*.[jc]s*")
			for _, n := range names {
				if ext := path.Ext(n); ext == ".js" || ext == ".css" {
					s.gzipAsset(n)
				}
			}
		}
		close(done)
	}()
	// The first screen too (the page's default groups): its story reads
	// every trip's track, the slowest answer the page waits for.
	err := s.withStore(func() error {
		if s.opt.Catalog.Group(storyFrom) == nil || s.opt.Catalog.Group(storyTo) == nil {
			_, err := s.derivedLocked(ctx)
			return err
		}
		_, err := s.firstScreen(ctx)
		return err
	})
	<-done
	return err
}

// VesselSummary is a vessel as lists show it: its latest identity.
type VesselSummary struct {
	MMSI     uint32  `json:"mmsi"`
	IMO      uint32  `json:"imo,omitempty"`
	Name     string  `json:"name,omitempty"`
	CallSign string  `json:"call_sign,omitempty"`
	ShipType uint8   `json:"ship_type,omitempty"`
	Flag     string  `json:"flag,omitempty"`
	Risk     float64 `json:"risk"`
	Events   int     `json:"events"`
	// Names are every name the MMSI broadcast, oldest first.
	Names []string `json:"names,omitempty"`
}

func (v *VesselSummary) fill(ids []store.Identity) {
	last := output.Latest(ids)
	v.IMO, v.Name, v.CallSign, v.ShipType = last.IMO, last.Name, last.CallSign, last.ShipType
	for _, id := range ids {
		if id.Name != "" && !slices.Contains(v.Names, id.Name) {
			v.Names = append(v.Names, id.Name)
		}
	}
}
