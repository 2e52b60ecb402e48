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
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
	"github.com/lookout-osint/lookout/risk"
	"github.com/lookout-osint/lookout/sanctions"
	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/output"
)

// Limits on what one request may ask for or send.
const (
	DefaultLimit     = 500
	MaxLimit         = 10000
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
	// Sanctions is the index uploads are added to (default the built-in
	// lists).
	Sanctions []sanctions.Entry
	// MaxUpload caps request bodies (default DefaultMaxUpload).
	MaxUpload int64
	// Log receives one line per failed request (default: log.Default()).
	Log *log.Logger
}

// Server answers the API over one store. The store is used by one request
// at a time (the embedded DuckDB store is not safe for concurrent use);
// everything derived from all events (risk scores, trips, the vessel list)
// is computed once and recomputed after a write.
type Server struct {
	st  store.Store
	opt Options
	mux *http.ServeMux

	mu    sync.Mutex // serialises store access and guards cache
	cache *derived

	landMu    sync.Mutex // guards landCache and assets
	landCache map[string][]byte
	assets    map[string][]byte // gzipped front-end files
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
	// stories are /api/story answers by query: they read tracks, so they
	// are kept until the next write like the rest.
	stories map[string]*Story
}

// New returns a server over st.
func New(st store.Store, opt Options) *Server {
	if opt.Catalog == nil {
		opt.Catalog = ref.Default()
	}
	if opt.Land == nil {
		opt.Land = geo.DefaultLand
	}
	if opt.Sanctions == nil {
		opt.Sanctions = sanctions.Concat(sanctions.Builtin()...)
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = DefaultMaxUpload
	}
	if opt.Log == nil {
		opt.Log = log.Default()
	}
	s := &Server{st: st, opt: opt, mux: http.NewServeMux(), landCache: map[string][]byte{}, assets: map[string][]byte{}}
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
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxUpload)
	s.mux.ServeHTTP(w, r)
}

// Handler wraps the server in the timeouts a public listener needs.
func (s *Server) HTTPServer(addr string) *http.Server {
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
		w.Header().Set("Content-Type", contentType(r))
		w.Header().Set("Cache-Control", "no-store")
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

// derivedLocked returns the cached whole-store figures, computing them if
// needed. s.mu must be held.
func (s *Server) derivedLocked(ctx context.Context) (*derived, error) {
	if s.cache != nil {
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
	slices.SortStableFunc(d.order, func(a, b uint32) int {
		ra, rb := d.vessels[a].Risk, d.vessels[b].Risk
		if ra != rb {
			if ra > rb {
				return -1
			}
			return 1
		}
		return 0
	})
	s.cache = d
	return d, nil
}

// Warm computes the whole-store figures and loads the land so that the
// first requests are as fast as the rest.
func (s *Server) Warm(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.landJSON(defaultRegion, defaultTolerance); close(done) }()
	err := s.withStore(func() error {
		_, err := s.derivedLocked(ctx)
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
