// Package detect finds the behaviours analysts look for in clean tracks:
// port visits and voyages, ship-to-ship encounters, loitering, AIS gaps and
// possible dark port visits, possible transfers with a partner whose AIS
// was off, spoofing, identity and draught changes. It also learns port
// areas from where vessels stop (learned.go), which encounters and
// loitering treat like World Port Index ports. Each
// detector is a streaming state machine per vessel (per pair of vessels on a
// spatial grid for encounters) fed in time order by package track; every
// event carries the figures that triggered it.
//
// Defaults follow Global Fishing Watch's published definitions where there
// is one; every threshold is in Config.
package detect

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// Config holds every threshold. Field tags document each one; Describe
// prints them (lookout analyze --help shows that table).
type Config struct {
	PortEntryKm       float64       `help:"port visit starts within this distance of a port (GFW: 3 km)"`
	PortExitKm        float64       `help:"port visit ends beyond this distance (GFW: 4 km; hysteresis)"`
	PortSlackKm       float64       `help:"added to entry/exit radii where World Port Index rounding (to an arc-minute, up to ≈1.3 km) puts berths outside them; user polygons are the precise fix"`
	PortStopKn        float64       `help:"below this speed a vessel in port is stopped (GFW: 0.2 kn)"`
	PortMoveKn        float64       `help:"above this speed a stopped vessel moves again (GFW: 0.5 kn)"`
	PortGap           time.Duration `help:"a silence this long inside a port counts as a port gap (GFW: 4 h)"`
	PortDwell         time.Duration `help:"a port visit needs a stop, a port gap or this long inside: a ship passing through the circle (Fawley, 2.5 min at 13 kn) makes no visit and ends no voyage"`
	PortMinConfidence int           `help:"lowest port visit confidence reported (1 entry and exit only, 2 stop, gap or dwell, 3 plus entry or exit, 4 all); a visit needs a stop, gap or dwell whatever this says"`
	Partial           bool          `help:"also report port visits and loitering cut off by the start or end of the data"`

	EncounterDistanceM float64       `help:"two vessels closer than this are together (GFW: 500 m)"`
	EncounterSpeedKn   float64       `help:"median speed of both must be below this (GFW: 2 kn)"`
	EncounterMin       time.Duration `help:"minimum time together (GFW: 2 h)"`
	EncounterPortKm    float64       `help:"encounters closer than this to a port are ignored (GFW: 10 km)"`
	EncounterMerge     time.Duration `help:"pieces of an encounter less than this apart are merged (GFW: 4 h)"`
	EncounterSlot      time.Duration `help:"tracks are resampled to this interval for pairing (GFW: 10 min)"`
	EncounterMaxInterp time.Duration `help:"no position is interpolated across a silence longer than this"`

	LearnCellKm       float64       `help:"learned port areas: cell size (GFW anchorages: S2 level 14, about 0.5 km)"`
	LearnStopKm       float64       `help:"learned port areas: a vessel staying within this distance … (GFW: 0.5 km)"`
	LearnStopMin      time.Duration `help:"… for this long is stationary (GFW: 12 h over years of data; shorter so that a feed knows a harbour before its first encounter there ends)"`
	LearnVessels      int           `help:"learned port areas: distinct stationary vessels in a cell and its neighbours that make it a port area (GFW: 20 over years; 0 learns none); beyond LearnCoastKm a vessel stopped with one other beside it (within EncounterDistanceM) and no one else stationary in the cell and its neighbours is not counted, nor is that partner: that is a ship-to-ship transfer"`
	LearnCoastVessels int           `help:"… within LearnCoastKm of the shore (boats moored in a marina)"`
	LearnCoastKm      float64       `help:"learned port areas: the shore distance under which LearnCoastVessels suffice"`
	LearnShoreKm      float64       `help:"learned port areas: none further than this from the shore (ships stationary further out are at an offshore anchorage or transfer spot, which encounters watch)"`
	EncounterAreaKm   float64       `help:"encounters this close to a learned port area are ignored, like those near a World Port Index port (GFW: 10 km from an anchorage)"`
	EncounterNearKm   float64       `help:"encounters this close to a port or learned area (but not ignored) carry near_port evidence"`
	EncounterService  []int         `help:"AIS ship types that never make an encounter: they serve ships (pilot 50, tug 52, towing 31/32, port tender 53, SAR 51, anti-pollution 54, law enforcement 55, medical 58)"`

	LoiterSpeedKn float64       `help:"loitering: average speed below this (GFW: 2 kn); a silence of GapMin or more ends a run only when the ship moved this fast across it"`
	LoiterMin     time.Duration `help:"loitering: minimum duration"`
	LoiterShoreNm float64       `help:"loitering: at least this far from shore (GFW: 20 nm)"`
	LoiterBack    time.Duration `help:"loitering on a stream that began with an impossible jump and fell silent is a displaced position (not reported) when the MMSI was heard elsewhere within this long after it: it jumped back"`

	GapMin             time.Duration `help:"an AIS gap is a silence at least this long (GFW: 12 h)"`
	GapShoreNm         float64       `help:"a gap starting this far from shore looks deliberate (GFW counts gaps ≥ 50 nm out)"`
	GapWatchedKm       float64       `help:"a gap starting this close to a watched port looks deliberate"`
	GapNeighbourKm     float64       `help:"other vessels within about this distance of the gap's start show whether reception held"`
	GapHeardFraction   float64       `help:"fraction of the gap's hours in which others nearby were heard, above which reception held"`
	WatchedGroups      []string      `help:"port groups watched for dark visits and deliberate gaps"`
	DarkSpeedKn        float64       `help:"speed assumed for a dark port visit when the vessel's own speed is unknown"`
	DarkMaxSpeedKn     float64       `help:"ceiling on the vessel's observed speed used for the reachable ellipse"`
	DarkMinDwell       time.Duration `help:"time a dark port visit must leave in port"`
	DarkMaxRatio       float64       `help:"largest detour (last fix→port→next fix) as a fraction of the distance reachable in the gap"`
	DarkCourseRatio    float64       `help:"a detour above this fraction is a possible visit only if the courses into and out of the silence point at the port"`
	DarkCourseOffDeg   float64       `help:"… within this many degrees (the two courses' offsets from the port's bearing, added)"`
	DarkStayedM        float64       `help:"a vessel stopped (under PortMoveKn) when it fell silent and when heard again this close to that spot (m) lay there: no possible dark visit"`
	StandInWithin      time.Duration `help:"a vessel falling silent where, within this long, another MMSI's track begins anew (its first fix, one after StandInQuiet, a second stream) at the place its course and speed lead went on under that number: no possible dark visit"`
	StandInKm          float64       `help:"… that place found within this distance (plus a tenth of the way sailed)"`
	StandInQuiet       time.Duration `help:"… a track begins anew after a silence this long, unless heard again within StandInWithin where its own last fix leads (the same ship going on)"`
	SpoofSpeedKn       float64       `help:"implied speed above which movement is impossible"`
	SpoofMinJumps      int           `help:"impossible jumps within SpoofWindow that make spoofing (one is a GPS glitch)"`
	SpoofWindow        time.Duration `help:"window for counting impossible jumps and closing spoofing episodes"`
	SpoofSegmentPoints int           `help:"fixes a second position stream of one MMSI needs before it counts (two places at once)"`
	SpoofSegmentIdle   time.Duration `help:"a second position stream of one MMSI is remembered this long after its last fix (as long as the tracker keeps it: a stream heard by satellites every 8 h is still one)"`
	SpoofLoneIdle      time.Duration `help:"a stream holding one stopped fix that was undone as a glitch is remembered this long (as long as the tracker's LoneMaxIdle): a second hull heard by satellites may come back to it after a day and more, a glitch does not"`
	SpoofSwitchMin     time.Duration `help:"moving between two position streams of one MMSI (or onto a new one) is timed over at least this long against SpoofSpeedKn: two ships a few km apart heard within a minute are not two places at once (simulator truth uses the same 6 min)"`
	SpoofSustainMin    time.Duration `help:"a displaced run (fixes inland, a stream put elsewhere and back, a second stream) counts once its consecutive fixes span this long, and a return once SpoofSegmentPoints fixes in a row confirm it: a burst of bad fixes from one receiver, or one bad fix, is a glitch, not a position being faked"`
	SpoofSplitKm       float64       `help:"a spoofing signal starting after the open episode's last one and this far from it is a new episode"`
	SpoofLandFixes     int           `help:"consecutive fixes far inland that make spoofing, when a jump no track explains led there (or left) or they lie SpoofFarKm from any water"`
	SpoofFarKm         float64       `help:"a fix this far from the coast and from every mapped lake and river is far from any water; nearer inland, only a jump shows a spoof (a canal or ship channel missing from the map is sailed by a coherent track)"`
	SpoofTrackKm       float64       `help:"a step between two fixes is coherent (no jump) when it is within this distance plus the distance the faster of the two reported speeds (x1.3, +2 kn) covers in the time between; with no reported speed, 25 kn (the segmenter's envelope)"`
	SpoofCircleTurns   float64       `help:"full turns within SpoofCircleWindow in a small area that make a circling pattern"`
	SpoofCircleWindow  time.Duration `help:"window for the circling pattern"`
	SpoofCircleKm      float64       `help:"circling pattern: largest radius of the area"`
	SpoofCircleKn      float64       `help:"circling pattern: minimum speed (slower is drifting or fishing)"`
	SpoofCircleSpread  float64       `help:"circling pattern: largest spread of the fixes' distances from their centre (standard deviation over mean): a drawn circle is round, a harbour cruise, pilot or tug loops as it must"`
	SpoofInPlaceMin    time.Duration `help:"reporting speed on every course for this long without leaving the circle, the fixes going round one (three in four on a fitted circle of at most SpoofCircleKm, on all four sides), is a drawn track"`
	SpoofInPlaceFixes  int           `help:"… shown by at least this many fixes (one on each side of the circle is enough to go round it)"`

	InterferenceVessels int           `help:"GNSS interference: this many vessels whose positions were put into one area (InterferenceKm: jumped there, or arrived unseen) within InterferenceIdle of each other"`
	InterferenceKm      float64       `help:"… radius of the area the displaced positions fall in"`
	InterferenceIdle    time.Duration `help:"… an interference ends when no affected vessel was placed in the area for this long"`
	InterferenceFixes   int           `help:"… a vessel is affected once this many of its fixes were placed in the area: one or two are what a GPS glitch also gives"`
	InterferenceHold    time.Duration `help:"… a loitering run on fixes placed in an area not (yet) shown an interference waits for the area's verdict (shown: not reported) for this long from the area's start at most; then it is reported, and the area holds no more"`
	IdentityConfirm     time.Duration `help:"while an MMSI's positions come from two places, a changed identity (name, call sign, IMO, type) is reported once it has held this long without the MMSI going back to the one before, and positions come from one place again (or CloneIdle passed since the one before): two hulls under one MMSI send their own static data in turn, one of them maybe hours apart"`
	CloneIdle           time.Duration `help:"an MMSI used by two hulls (their identities in turn) is one cloned_mmsi finding, closed when no switch came for this long"`
	ReappearWithin      time.Duration `help:"a hull silent this long at most may reappear under another MMSI"`
	ReappearAfter       time.Duration `help:"… after being silent at least this long"`
	ReappearKm          float64       `help:"… this close to where it fell silent"`
	ReappearDimM        float64       `help:"… with length and beam equal within this"`

	DraughtMinChangeM float64       `help:"smallest reported draught change reported"`
	DraughtWithin     time.Duration `help:"a draught change counts if a port visit or encounter ended this long before it"`
	DraughtConfirm    int           `help:"static reports in a row (per MMSI and hull dimensions) that must carry a new draught before it counts: two hulls alike under one MMSI flip it on every report"`
	DraughtConfirmMin time.Duration `help:"… and the time they must span, first to last: two hulls alike in one port, each reporting now and then, give two of one hull's reports in a row whenever the other's is missed or comes later than usual (seed 8201: 16 changes in a day), and copies of one report heard by two stations count twice"`
	BlockCoefficient  float64       `help:"block coefficient of a laden tanker hull, for cargo from draught"`
	WaterDensity      float64       `help:"sea water density, t/m³ (displacement)"`
	BarrelsPerTonne   float64       `help:"barrels per tonne of cargo (crude/fuel oil ≈ 7.33)"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		PortEntryKm:       3,
		PortExitKm:        4,
		PortSlackKm:       0,
		PortStopKn:        0.2,
		PortMoveKn:        0.5,
		PortGap:           4 * time.Hour,
		PortDwell:         time.Hour,
		PortMinConfidence: 1,

		EncounterDistanceM: 500,
		EncounterSpeedKn:   2,
		EncounterMin:       2 * time.Hour,
		EncounterPortKm:    10,
		EncounterMerge:     4 * time.Hour,
		EncounterSlot:      10 * time.Minute,
		EncounterMaxInterp: time.Hour,

		LearnCellKm:       0.5,
		LearnStopKm:       0.5,
		LearnStopMin:      time.Hour,
		LearnVessels:      3,
		LearnCoastVessels: 2,
		LearnCoastKm:      2,
		LearnShoreKm:      10,
		EncounterAreaKm:   5,
		EncounterNearKm:   30,
		EncounterService:  []int{31, 32, 50, 51, 52, 53, 54, 55, 58},

		// What a loitering run is, the simulator's truth shares:
		// event/loitering.go.
		LoiterSpeedKn: event.LoiterMaxKn,
		LoiterMin:     event.LoiterMin,
		LoiterShoreNm: event.LoiterShoreNm,
		LoiterBack:    time.Hour,

		GapMin:           12 * time.Hour,
		GapShoreNm:       50,
		GapWatchedKm:     200,
		GapNeighbourKm:   100,
		GapHeardFraction: 0.5,
		WatchedGroups:    []string{"KP", "RU-FE"},
		DarkSpeedKn:      10,
		DarkMaxSpeedKn:   16,
		DarkMinDwell:     24 * time.Hour,
		DarkMaxRatio:     0.5,
		DarkCourseRatio:  0.35,
		DarkCourseOffDeg: 120,
		DarkStayedM:      100,
		StandInWithin:    2 * time.Hour,
		StandInKm:        2,
		StandInQuiet:     30 * time.Minute,

		// What an episode must show (fixes, span, turns) is shared with the
		// simulator's truth: event/spoofing.go.
		SpoofSpeedKn:       50,
		SpoofMinJumps:      3,
		SpoofWindow:        6 * time.Hour,
		SpoofSegmentPoints: event.SpoofMinFixes,
		SpoofSegmentIdle:   24 * time.Hour,
		SpoofLoneIdle:      48 * time.Hour,
		SpoofSwitchMin:     6 * time.Minute,
		SpoofSustainMin:    event.SpoofMinSpan,
		SpoofSplitKm:       100,
		SpoofLandFixes:     event.SpoofMinFixes,
		SpoofFarKm:         40,
		SpoofTrackKm:       2,
		SpoofCircleTurns:   event.SpoofCircleTurns,
		SpoofCircleWindow:  6 * time.Hour,
		SpoofCircleKm:      5,
		SpoofCircleKn:      3,
		SpoofCircleSpread:  0.25,
		SpoofInPlaceMin:    event.SpoofInPlaceMin,
		SpoofInPlaceFixes:  4,

		InterferenceVessels: 3,
		InterferenceKm:      5,
		InterferenceIdle:    6 * time.Hour,
		InterferenceFixes:   3,
		InterferenceHold:    24 * time.Hour,
		IdentityConfirm:     2 * time.Hour,
		CloneIdle:           24 * time.Hour,
		ReappearWithin:      30 * 24 * time.Hour,
		ReappearAfter:       6 * time.Hour,
		ReappearKm:          100,
		ReappearDimM:        1,

		DraughtMinChangeM: 0.5,
		DraughtWithin:     48 * time.Hour,
		DraughtConfirm:    event.DraughtConfirm, // shared with truth: event/draught.go
		DraughtConfirmMin: event.DraughtConfirmMin,
		BlockCoefficient:  0.8,
		WaterDensity:      1.025,
		BarrelsPerTonne:   7.33,
	}
}

// Describe writes every threshold with its value and meaning.
func (c Config) Describe(w io.Writer) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	v := reflect.ValueOf(c)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		val := v.Field(i).Interface()
		switch s := val.(type) {
		case []string:
			val = strings.Join(s, ",")
		case []int:
			val = strings.Trim(strings.Join(strings.Fields(fmt.Sprint(s)), ","), "[]")
		}
		fmt.Fprintf(tw, "  %s\t%v\t%s\n", f.Name, val, f.Tag.Get("help"))
	}
	tw.Flush()
}

// Set sets one threshold by name (as Describe prints it) from text, so
// that the CLI can override any of them (--set PortEntryKm=2.5).
func (c *Config) Set(name, value string) error {
	v := reflect.ValueOf(c).Elem()
	f := v.FieldByName(name)
	if !f.IsValid() {
		return fmt.Errorf("unknown threshold %q", name)
	}
	switch p := f.Addr().Interface().(type) {
	case *float64:
		_, err := fmt.Sscan(value, p)
		return wrapSet(name, err)
	case *int:
		_, err := fmt.Sscan(value, p)
		return wrapSet(name, err)
	case *time.Duration:
		d, err := time.ParseDuration(value)
		*p = d
		return wrapSet(name, err)
	case *bool:
		_, err := fmt.Sscan(value, p)
		return wrapSet(name, err)
	case *[]string:
		*p = strings.Split(value, ",")
		return nil
	case *[]int:
		*p = nil
		for _, f := range strings.Split(value, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			var n int
			if _, err := fmt.Sscan(f, &n); err != nil {
				return wrapSet(name, err)
			}
			*p = append(*p, n)
		}
		return nil
	}
	return fmt.Errorf("threshold %q: unsupported type", name)
}

func wrapSet(name string, err error) error {
	if err != nil {
		return fmt.Errorf("threshold %s: %w", name, err)
	}
	return nil
}
