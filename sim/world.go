// Package sim generates realistic AIS traffic with known ground truth: a
// fleet of normal ships and a covert fleet that follows the tactics
// documented against DPRK sanctions, a receiver model (shore stations and
// satellites), and the events a perfect detector would report. See
// README.md for what each output and truth event means.
package sim

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/ref"
)

// DemoSeed and DemoDays define the bundled demo scenario: eight months.
const (
	DemoSeed = 20240301
	DemoDays = 243
)

// DemoStart is the demo scenario's first instant.
var DemoStart = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// Config sets up a scenario. The zero value of each optional field takes
// the default noted beside it.
type Config struct {
	Seed  uint64
	Days  int
	Start time.Time // DemoStart
	// Vessels is the size of the normal fleet plus the covert fleet (300).
	Vessels int
	// Covert is the number of covert tankers (6) and DPRK receivers (3);
	// scaled down automatically for small fleets.
	Covert, Receivers int
	// Interval is the mean time between position reports of a class A ship
	// under way (6 min); moored ships report a third as often, class B
	// ships half as often. Real AIS is denser; a receiver log keeps
	// about this much.
	Interval time.Duration
	// RealRate replaces Interval by the reporting intervals of ITU-R
	// M.1371 (class A 2-10 s under way by speed and turning, 3 min at
	// anchor or moored; class B 30 s, 3 min at 2 kn or less; static data
	// every 6 min): the feed of a receiver network rather than a log.
	RealRate bool
	Workers  int       // runtime.NumCPU()
	Progress io.Writer // log lines; nil: quiet
	// OnDay is called after each simulated day is written (for a progress bar).
	OnDay func(done, total int)
}

func (c *Config) defaults() {
	if c.Days <= 0 {
		c.Days = 30
	}
	if c.Start.IsZero() {
		c.Start = DemoStart
	}
	if c.Vessels <= 0 {
		c.Vessels = 300
	}
	if c.Covert <= 0 {
		c.Covert = 6
	}
	if c.Receivers <= 0 {
		c.Receivers = 3
	}
	if c.Interval <= 0 {
		c.Interval = 6 * time.Minute
	}
	if c.Workers <= 0 {
		c.Workers = runtime.NumCPU()
	}
}

// DemoConfig is the configuration of the bundled demo scenario.
func DemoConfig() Config {
	return Config{Seed: DemoSeed, Days: DemoDays, Start: DemoStart, Vessels: 300}
}

type world struct {
	cfg       Config
	cat       *ref.Catalog
	land      *geo.Land
	sea       *sea
	ports     []*simPort
	byID      map[string]*simPort
	t0, t1    int64
	hulls     []*Hull
	hubs      []*simPort
	fishHomes []*simPort
	sts       []*stsPlan
	ids       *identities
	station   []station
	passes    []satPass
	rng       *rand.Rand
	gnss      []gnssEpisode  // GNSS interference (gnss.go)
	idCases   *identityCases // cloned MMSI and flag hopping (identitycases.go)
}

func (w *world) logf(format string, a ...any) {
	if w.cfg.Progress != nil {
		fmt.Fprintf(w.cfg.Progress, format+"\n", a...)
	}
}

// rngFor gives an independent deterministic stream for one purpose.
func (w *world) rngFor(purpose, a, b uint64) *rand.Rand {
	return rand.New(rand.NewPCG(w.cfg.Seed^0x9E3779B97F4A7C15*(purpose+1), a<<32^b))
}

var simCountries = map[string]bool{"China": true, "South Korea": true, "Japan": true, "Russia": true, "North Korea": true}

// setupPorts finds a berth for every WPI port of the region's countries
// inside the routing grid.
func (w *world) setupPorts() {
	w.byID = map[string]*simPort{}
	var cands []*simPort
	for _, p := range w.cat.Ports {
		if !simCountries[p.Country] || p.Lat < gridLat0+0.3 || p.Lat > gridLat1-0.3 || p.Lon < gridLon0+0.3 || p.Lon > gridLon1-0.3 {
			continue
		}
		sp := &simPort{ref: p}
		switch {
		case w.cat.InGroup(p.ID, "RU-FE"):
			sp.group = "RU-FE"
		case w.cat.InGroup(p.ID, "KP"):
			sp.group = "KP"
		}
		cands = append(cands, sp)
	}
	slices.SortFunc(cands, func(a, b *simPort) int { return strings.Compare(a.ref.ID, b.ref.ID) })
	parallelRange(len(cands), w.cfg.Workers, func(i int) { w.findBerth(cands[i]) })
	for _, sp := range cands {
		if sp.berthKm < 0 {
			continue
		}
		sp.idx = len(w.ports)
		w.ports = append(w.ports, sp)
		w.byID[sp.ref.ID] = sp
	}
}

// findBerth picks the WPI point if it is at sea, else the nearest point at
// sea within 2.2 km (so that a ship at the berth is well inside the 3 km
// port-entry radius); berthKm is -1 when there is none.
func (w *world) findBerth(sp *simPort) {
	sp.berthKm = -1
	la, lo := sp.ref.Lat, sp.ref.Lon
	ok := func(lat, lon float64) bool {
		return !w.land.OnLand(lat, lon) && w.land.DistanceToShoreKm(lat, lon) >= 0.08
	}
	if ok(la, lo) {
		sp.berthLat, sp.berthLon, sp.berthKm = la, lo, 0
		return
	}
	for r := 0.1; r <= 2.2; r += 0.1 {
		for b := 0.0; b < 360; b += 10 {
			lat, lon := geo.Destination(la, lo, b, r)
			if ok(lat, lon) {
				sp.berthLat, sp.berthLon, sp.berthKm = lat, lon, r
				return
			}
		}
	}
}

// connectPorts links each berth to the routing grid: the nearest usable
// cell reachable in a straight line at sea. Ports that cannot be linked to
// the open sea are dropped.
func (w *world) connectPorts() {
	var keep []*simPort
	for _, sp := range w.ports {
		sp.accessCell = -1
		r0, c0, ok := cellOf(sp.berthLat, sp.berthLon)
		if !ok {
			continue
		}
		best := math.Inf(1)
		for r := r0 - 4; r <= r0+4; r++ {
			for c := c0 - 4; c <= c0+4; c++ {
				if r < 0 || r >= gridRows || c < 0 || c >= gridCols || w.sea.cells[r*gridCols+c] == cellBlocked {
					continue
				}
				la, lo := cellCentre(r, c)
				d := geo.DistanceKm(sp.berthLat, sp.berthLon, la, lo)
				if d < best && w.sea.clearExact(sp.berthLat, sp.berthLon, la, lo) {
					best, sp.accessCell = d, r*gridCols+c
				}
			}
		}
		if sp.accessCell >= 0 {
			keep = append(keep, sp)
		}
	}
	w.ports = keep
	w.byID = map[string]*simPort{}
	for i, sp := range w.ports {
		sp.idx = i
		w.byID[sp.ref.ID] = sp
	}
}

// dropUnreachable keeps the ports connected to the open sea at the centre
// of the Sea of Japan.
func (w *world) dropUnreachable() {
	r, c, _ := cellOf(40.0, 134.0)
	t := w.sea.dijkstra(r*gridCols + c)
	var keep []*simPort
	for _, sp := range w.ports {
		if t.parent[sp.accessCell] >= 0 {
			keep = append(keep, sp)
		}
	}
	w.ports = keep
	w.byID = map[string]*simPort{}
	for i, sp := range w.ports {
		sp.idx = i
		w.byID[sp.ref.ID] = sp
	}
}

func (w *world) portsOf(group string) []*simPort {
	var out []*simPort
	for _, p := range w.ports {
		if p.group == group {
			out = append(out, p)
		}
	}
	return out
}

func (w *world) portByName(name string) *simPort {
	for _, p := range w.ports {
		if strings.EqualFold(p.ref.Name, name) {
			return p
		}
	}
	return nil
}
