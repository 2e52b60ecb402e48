package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
)

// newWorld loads reference data, builds the routing grid and ports, and
// plans every hull. Everything is derived from the seed.
func newWorld(cfg Config) (*world, error) {
	cfg.defaults()
	w := &world{cfg: cfg, cat: ref.Default(), land: geo.DefaultLand()}
	w.t0 = cfg.Start.Unix()
	w.t1 = w.t0 + int64(cfg.Days)*day
	w.rng = w.rngFor(0, 0, 0)
	w.ids = newIdentities(w.rngFor(8, 0, 0))

	start := time.Now()
	g := sharedGeography(w.cat, w.land, cfg.Workers)
	if g.err != nil {
		return nil, g.err
	}
	w.sea, w.ports, w.byID = g.sea, g.ports, g.byID
	w.logf("sim: %d ports usable, sea grid %dx%d (%.1fs)", len(w.ports), gridRows, gridCols, time.Since(start).Seconds())
	w.setupStations()
	w.chooseHubs()
	w.buildFleet()
	w.logf("sim: %d hulls planned (%.1fs)", len(w.hulls), time.Since(start).Seconds())
	return w, nil
}

// chooseHubs picks the trading ports of the normal fleet: the largest
// ports of each country (never a DPRK port) and the main Primorye ports.
func (w *world) chooseHubs() {
	cands := slices.Clone(w.ports)
	slices.SortStableFunc(cands, func(a, b *simPort) int {
		if d := sizeRank(b.ref.Size) - sizeRank(a.ref.Size); d != 0 {
			return d
		}
		return strings.Compare(a.ref.ID, b.ref.ID)
	})
	// Offshore terminals (WPI points far from the coast) would turn every
	// stay into loitering by definition; trade and fish from coastal ports.
	coastal := func(p *simPort) bool { return w.land.DistanceToShoreKm(p.ref.Lat, p.ref.Lon) < 5 }
	per := map[string]int{}
	for _, p := range cands {
		if p.group == "KP" || sizeRank(p.ref.Size) < 2 || !coastal(p) {
			continue
		}
		if per[p.ref.Country] >= 9 && p.group != "RU-FE" {
			continue
		}
		per[p.ref.Country]++
		w.hubs = append(w.hubs, p)
	}
	for _, p := range cands {
		if p.group != "KP" && sizeRank(p.ref.Size) <= 2 && p.ref.Country != "Russia" && coastal(p) {
			w.fishHomes = append(w.fishHomes, p)
		}
	}
	// Spread fishing home ports over the region deterministically.
	if len(w.fishHomes) > 18 {
		step := len(w.fishHomes) / 18
		var keep []*simPort
		for i := 0; i < len(w.fishHomes) && len(keep) < 18; i += step {
			keep = append(keep, w.fishHomes[i])
		}
		w.fishHomes = keep
	}
}

var normalFlags = []struct {
	flag string
	w    float64
}{{"CN", 35}, {"KR", 15}, {"JP", 12}, {"RU", 10}, {"PA", 12}, {"HK", 8}, {"LR", 4}, {"MH", 4}}

func pickFlag(rng *rand.Rand) string {
	x := rng.Float64() * 100
	for _, f := range normalFlags {
		if x < f.w {
			return f.flag
		}
		x -= f.w
	}
	return "PA"
}

var countryFlag = map[string]string{"China": "CN", "South Korea": "KR", "Japan": "JP", "Russia": "RU"}

func (w *world) newHull(role, kind string, length float64, classA bool) *Hull {
	h := &Hull{Index: len(w.hulls), Role: role, Kind: kind, ClassA: classA, Length: float64(int(length))}
	h.Beam = float64(int(h.Length/6.3 + 0.5))
	if kind == "fishing" {
		h.Beam = float64(int(h.Length/4.5 + 0.5))
	}
	h.bow = int(h.Length*0.85 + 0.5)
	h.stern = int(h.Length) - h.bow
	h.port = int(h.Beam / 2)
	h.starbrd = int(h.Beam) - h.port
	w.hulls = append(w.hulls, h)
	return h
}

// buildFleet creates the hulls and identities (sequentially, for
// determinism) and plans their movements (in parallel: each hull has its
// own random stream).
func (w *world) buildFleet() {
	rng := w.rng
	nCovert, nRecv := w.cfg.Covert, w.cfg.Receivers
	if w.cfg.Vessels < 40 {
		nCovert, nRecv = max(2, w.cfg.Vessels/6), max(1, w.cfg.Vessels/15)
	}
	nNormal := max(0, w.cfg.Vessels-nCovert-nRecv)
	if w.cfg.Vessels < 60 {
		// A small fleet trades among fewer ports: fewer path trees to build.
		w.hubs = w.hubs[:min(8, len(w.hubs))]
		w.fishHomes = w.fishHomes[:min(4, len(w.fishHomes))]
	}
	type normalPlan struct {
		h     *Hull
		trade []*simPort
		kn    float64
	}
	var normals []normalPlan
	var fishers []*Hull
	for i := 0; i < nNormal; i++ {
		x := rng.Float64()
		switch {
		case x < 0.42 || x < 0.58:
			kind, st, l := "cargo", 70+rng.IntN(10)*0, 90+rng.Float64()*100
			if x >= 0.42 {
				kind, st, l = "tanker", 80+rng.IntN(2)*9, 80+rng.Float64()*100
			}
			h := w.newHull("normal", kind, l, true)
			id := w.ids.newIdentity(pickFlag(rng), kind, st, 0, true)
			h.idents = []identStep{{0, &id}}
			n := 2 + rng.IntN(3)
			var trade []*simPort
			for len(trade) < n {
				p := w.hubs[rng.IntN(len(w.hubs))]
				if !slices.Contains(trade, p) {
					trade = append(trade, p)
				}
			}
			normals = append(normals, normalPlan{h, trade, 11 + rng.Float64()*4})
		default:
			l := 18 + rng.Float64()*40
			h := w.newHull("normal", "fishing", l, l >= 40)
			h.home = w.fishHomes[rng.IntN(len(w.fishHomes))]
			flag := countryFlag[h.home.ref.Country]
			if flag == "" {
				flag = "CN"
			}
			id := w.ids.newIdentity(flag, "fishing", 30, 0, h.ClassA)
			h.idents = []identStep{{0, &id}}
			fishers = append(fishers, h)
		}
	}
	var tankers, receivers []*Hull
	for i := 0; i < nCovert; i++ {
		h := w.newHull("covert", "tanker", 75+rng.Float64()*45, true)
		id := w.ids.newIdentity(covertFlags[rng.IntN(len(covertFlags))], "tanker", 80, 0, true)
		h.idents = []identStep{{0, &id}}
		tankers = append(tankers, h)
	}
	var kpEast []*simPort
	for _, p := range w.portsOf("KP") {
		if p.ref.Lon > 127 {
			kpEast = append(kpEast, p)
		}
	}
	if len(kpEast) == 0 {
		kpEast = w.portsOf("KP")
	}
	for i := 0; i < nRecv; i++ {
		h := w.newHull("covert", "tanker", 60+rng.Float64()*35, true)
		h.home = kpEast[i%len(kpEast)]
		id := w.ids.newIdentity("KP", "tanker", 80, 0, true)
		h.idents = []identStep{{0, &id}}
		receivers = append(receivers, h)
	}

	cases := w.newPortCases()
	w.idCases = w.newIdentityCases()

	// Shortest-path trees for every port a plan will use, built in
	// parallel up front.
	need := map[int]*simPort{}
	for _, p := range cases.ports {
		need[p.idx] = p
	}
	for _, n := range normals {
		for _, p := range n.trade {
			need[p.idx] = p
		}
	}
	for _, h := range fishers {
		need[h.home.idx] = h.home
	}
	for _, p := range w.kpPorts() {
		need[p.idx] = p
	}
	for _, h := range receivers {
		need[h.home.idx] = h.home
	}
	for _, p := range w.portsOf("RU-FE") {
		need[p.idx] = p
	}
	var list []*simPort
	for _, p := range w.ports {
		if need[p.idx] != nil {
			list = append(list, p)
		}
	}
	parallelRange(len(list), w.cfg.Workers, func(i int) { w.sea.tree(list[i]) })

	const special = 3 // covert fleet, port cases, identity cases
	jobs := len(normals) + len(fishers) + special
	parallelRange(jobs, w.cfg.Workers, func(i int) {
		switch {
		case i == 0:
			w.planCovert(tankers, receivers)
		case i == 1:
			w.planPortCases(cases)
		case i == 2:
			w.planIdentityCases(w.idCases)
		case i-special < len(normals):
			n := normals[i-special]
			w.planNormal(n.h, n.trade, n.kn, round1(min(n.h.Length/17, 12)), round1(n.h.Length/30))
		default:
			w.planFishing(fishers[i-special-len(normals)])
		}
	})
	w.sts = append(w.sts, cases.sts...)
	for _, h := range w.hulls {
		slices.SortStableFunc(h.spoofs, func(a, b spoofSpan) int { return int(a.from - b.from) })
		slices.SortStableFunc(h.off, func(a, b span) int { return int(a.from - b.from) })
		slices.SortStableFunc(h.changes, func(a, b draughtChange) int { return int(a.t - b.t) })
	}
	slices.SortStableFunc(w.sts, func(a, b *stsPlan) int { return int(a.meet.from - b.meet.from) })
	w.planInterference()
}

// geography is the seed-independent part of a world: ports with berths,
// the routing grid and its path trees. It is built once per process.
type geography struct {
	sea   *sea
	ports []*simPort
	byID  map[string]*simPort
	err   error
}

var (
	geoOnce sync.Once
	geoVal  *geography
)

func sharedGeography(cat *ref.Catalog, land *geo.Land, workers int) *geography {
	geoOnce.Do(func() {
		w := &world{cat: cat, land: land, cfg: Config{Workers: workers}}
		w.setupPorts()
		var zones, pen []latLon
		for _, p := range w.ports {
			zones = append(zones, latLon{p.berthLat, p.berthLon})
		}
		for _, p := range cat.Ports {
			if p.Lat > gridLat0 && p.Lat < gridLat1 && p.Lon > gridLon0 && p.Lon < gridLon1 {
				pen = append(pen, latLon{p.Lat, p.Lon})
			}
		}
		w.sea = newSea(land, zones, pen, workers)
		w.connectPorts()
		w.dropUnreachable()
		g := &geography{sea: w.sea, ports: w.ports, byID: w.byID}
		if w.portByName("Vostochnyy") == nil || len(w.portsOf("KP")) == 0 || len(w.portsOf("RU-FE")) == 0 {
			g.err = fmt.Errorf("sim: reference data lacks a usable Vostochnyy, RU-FE or KP port")
		}
		geoVal = g
	})
	return geoVal
}
