package sim

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Real-rate mode: positions at the autonomous reporting intervals of
// ITU-R M.1371-5 Annex 1 Tables 1 and 2, so throughput and memory can be
// measured on traffic as dense as a national receiver network's feed (the
// thinned default is what a receiver log keeps, about 1/40 of it).

// Reporting intervals, seconds (ITU-R M.1371-5 Annex 1, Table 1 class A,
// Table 2 class B "CS").
const (
	rateMoored    = 180 // class A at anchor or moored, not faster than 3 kn
	rateSlow      = 10  // class A 0-14 kn
	rateSlowTurn  = 10.0 / 3
	rateMid       = 6 // class A 14-23 kn
	rateMidTurn   = 2
	rateFast      = 2   // class A over 23 kn
	rateBSlow     = 180 // class B at 2 kn or less
	rateB         = 30
	rateStaticA   = 360 // type 5 every 6 min
	rateStaticB   = 360 // type 24 A/B every 6 min
	turnThreshold = 5.0 // degrees of course change since the last report that count as "changing course"
)

// reportInterval is the autonomous reporting interval in seconds of a ship
// with the given class, navigational status, speed and course change since
// its last report.
func reportInterval(classA bool, status int, sog, dcog float64) float64 {
	if !classA {
		if sog <= 2 {
			return rateBSlow
		}
		return rateB
	}
	turning := dcog >= turnThreshold
	switch {
	case (status == navAnchored || status == navMoored) && sog <= 3:
		return rateMoored
	case sog <= 14:
		if turning {
			return rateSlowTurn
		}
		return rateSlow
	case sog <= 23:
		if turning {
			return rateMidTurn
		}
		return rateMid
	default:
		return rateFast
	}
}

// courseChange is the absolute difference of two courses in degrees (0-180).
func courseChange(a, b float64) float64 {
	d := math.Abs(math.Mod(a-b, 360))
	if d > 180 {
		d = 360 - d
	}
	return d
}

// realStep is the time to the next report in whole seconds (the tag block
// and the report's time stamp are whole seconds): the nominal interval with
// ±10% of slot jitter, at least one second. It draws from rng exactly once.
func realStep(ivl float64, u float64) int64 {
	return max(1, int64(math.Round(ivl*(0.9+0.2*u))))
}

// Preset is a named scenario configuration.
type Preset struct {
	Name, Help string
	Config     func() Config
}

// Presets are the named configurations `lookout simulate --preset` takes.
var Presets = []Preset{
	{"national-day", "one day of a national feed at real rate: 3,000 hulls, about as dense as the Danish Maritime Authority's daily file (~11M messages)",
		func() Config {
			return Config{Seed: DemoSeed, Days: 1, Start: DemoStart, Vessels: 3000, Covert: 12, Receivers: 6, RealRate: true}
		}},
	{"demo-day", "one day of the demo scenario's region and fleet (300 hulls) at real rate",
		func() Config {
			return Config{Seed: DemoSeed, Days: 1, Start: DemoStart, Vessels: 300, RealRate: true}
		}},
}

// PresetConfig returns the configuration of a named preset.
func PresetConfig(name string) (Config, error) {
	for _, p := range Presets {
		if p.Name == name {
			return p.Config(), nil
		}
	}
	names := make([]string, len(Presets))
	for i, p := range Presets {
		names[i] = p.Name
	}
	return Config{}, fmt.Errorf("sim: unknown preset %q (have %s)", name, strings.Join(names, ", "))
}

// staticEvery is how often a hull repeats its static data.
func (c *Config) staticEvery(classA bool) int64 {
	if !c.RealRate {
		return int64(time.Hour / time.Second)
	}
	if classA {
		return rateStaticA
	}
	return rateStaticB
}
