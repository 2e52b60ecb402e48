package sim

import (
	"math"
	"sort"

	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
)

// wp is a waypoint of a true trajectory: the ship moves in a straight line
// (linear in latitude and longitude) between consecutive waypoints.
type wp struct {
	t        int64
	lat, lon float64
}

type span struct{ from, to int64 }

func (s span) has(t int64) bool { return t >= s.from && t < s.to }

// identStep says which identity a hull broadcasts from a time on.
type identStep struct {
	from int64
	id   *Identity
}

type stepF struct {
	from int64
	v    float64
}

type statusStep struct {
	from   int64
	status int
	dest   string
}

// Spoofing kinds, also written in truth evidence.
const (
	spoofCircle = "circle"
	spoofLand   = "land"
	spoofJump   = "jump"
	spoofShared = "shared_mmsi"
)

// circleKn is the speed a spoofed circle is drawn at.
const circleKn = 6.0

type spoofSpan struct {
	span
	kind string
	// circle and land: centre; jump: offset added to the true position.
	lat, lon float64
	radiusKm float64
}

// draughtChange is a planned change of loaded draught and where it happens.
type draughtChange struct {
	t        int64
	from, to float64
	port     *simPort // nil for an encounter
	sts      *stsPlan
}

// stsPlan is a ship-to-ship transfer: both hulls drift together.
type stsPlan struct {
	a, b     *Hull
	meet     span
	lat, lon float64
	gapM     float64
	speedKn  float64
}

// Hull is one physical ship and everything planned for it.
type Hull struct {
	Index                     int
	Role                      string
	Kind                      string
	ClassA                    bool
	Length                    float64
	Beam                      float64
	bow, stern, port, starbrd int
	home                      *simPort

	path    []wp
	idents  []identStep
	off     []span
	spoofs  []spoofSpan
	draught []stepF
	status  []statusStep
	changes []draughtChange
	renames []int64 // times of identity changes
	log     []rx    // received messages, by receive time
}

func (h *Hull) identAt(t int64) *Identity {
	i := sort.Search(len(h.idents), func(i int) bool { return h.idents[i].from > t }) - 1
	if i < 0 {
		i = 0
	}
	return h.idents[i].id
}

func (h *Hull) draughtAt(t int64) float64 {
	i := sort.Search(len(h.draught), func(i int) bool { return h.draught[i].from > t }) - 1
	if i < 0 {
		i = 0
	}
	return h.draught[i].v
}

func (h *Hull) statusAt(t int64) statusStep {
	i := sort.Search(len(h.status), func(i int) bool { return h.status[i].from > t }) - 1
	if i < 0 {
		i = 0
	}
	return h.status[i]
}

func (h *Hull) isOff(t int64) bool {
	for _, s := range h.off {
		if s.has(t) {
			return true
		}
	}
	return false
}

func (h *Hull) spoofAt(t int64) *spoofSpan {
	for i := range h.spoofs {
		if h.spoofs[i].has(t) {
			return &h.spoofs[i]
		}
	}
	return nil
}

// at returns the true position, speed over ground (kn) and course at t.
func (h *Hull) at(t int64) (lat, lon, sog, cog float64) {
	p := h.path
	i := sort.Search(len(p), func(i int) bool { return p[i].t > t })
	if i == 0 {
		return p[0].lat, p[0].lon, 0, 0
	}
	if i == len(p) {
		q := p[len(p)-1]
		return q.lat, q.lon, 0, 0
	}
	a, b := p[i-1], p[i]
	f := float64(t-a.t) / float64(b.t-a.t)
	lat = a.lat + (b.lat-a.lat)*f
	lon = a.lon + (b.lon-a.lon)*f
	d := geo.DistanceKm(a.lat, a.lon, b.lat, b.lon)
	if d > 0 {
		sog = d / 1.852 / (float64(b.t-a.t) / 3600)
		cog = geo.Bearing(a.lat, a.lon, b.lat, b.lon)
	}
	return lat, lon, sog, cog
}

// simPort is a World Port Index port the simulator can berth at.
type simPort struct {
	idx   int
	ref   ref.Port
	group string // RU-FE, KP or ""
	// The berth is the WPI point when that is at sea, else the nearest sea
	// point (WPI points are rounded to an arc-minute and may fall on land).
	berthLat, berthLon float64
	berthKm            float64
	accessCell         int
}

func knToKmh(kn float64) float64 { return kn * 1.852 }

func round1(x float64) float64 { return math.Round(x*10) / 10 }
