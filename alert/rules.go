// Package alert evaluates watchlist rules over live positions and detected
// events and delivers each alert once, to stdout, a webhook or a NATS
// subject.
//
// A rules file is YAML:
//
//	areas:
//	  nampo-approach: {bbox: [124.8, 38.4, 125.5, 38.9]}   # min lon, min lat, max lon, max lat
//	  kp: {port_group: KP, within_km: 20}
//	  sto-box: {polygon: [[128.0, 38.0], [129.0, 38.0], [129.0, 39.0], [128.0, 38.0]]}
//	rules:
//	  - name: listed tanker dark near DPRK
//	    kind: dark                 # gap or possible dark port visit starting in or near the area
//	    area: kp
//	    near_km: 50
//	    vessels: {listed: true}
//	  - name: enters Nampo
//	    kind: enter                # also: leave (positions, not events)
//	    area: nampo-approach
//	    vessels: {mmsi: [445123000], imo: [9123456], name: [CHON MA SAN]}
//	  - {name: meets a listed vessel, kind: meets_listed}
//	  - {name: identity changes, kind: identity_change, vessels: {listed: true}}
//	  - {name: risk over 60, kind: risk, above: 60}
//	  - {name: any STS, kind: event, events: [encounter, loitering], area: sto-box}
//
// vessels filters every kind; its entries are alternatives (any MMSI, IMO,
// name or listed). area must name an entry of areas.
package alert

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/ref"
)

// Kinds of rule.
const (
	KindEvent          = "event"
	KindEnter          = "enter"
	KindLeave          = "leave"
	KindDark           = "dark"
	KindMeetsListed    = "meets_listed"
	KindIdentityChange = "identity_change"
	KindRisk           = "risk"
)

var kinds = []string{KindEvent, KindEnter, KindLeave, KindDark, KindMeetsListed, KindIdentityChange, KindRisk}

// File is a parsed rules file.
type File struct {
	Areas map[string]*Area `yaml:"areas"`
	Rules []*Rule          `yaml:"rules"`
}

// Area is a place rules refer to: a bounding box, a polygon, or a port
// group of the reference catalogue (within WithinKm of its ports).
type Area struct {
	BBox      []float64    `yaml:"bbox"`    // min lon, min lat, max lon, max lat
	Polygon   [][2]float64 `yaml:"polygon"` // [lon, lat] ring
	PortGroup string       `yaml:"port_group"`
	WithinKm  float64      `yaml:"within_km"`

	name string
	cat  *ref.Catalog
}

// Vessels selects vessels; any matching entry selects. Empty selects all.
type Vessels struct {
	MMSI   []uint32 `yaml:"mmsi"`
	IMO    []uint32 `yaml:"imo"`
	Name   []string `yaml:"name"`   // case-insensitive, whole name
	Listed bool     `yaml:"listed"` // on the sanctions lists (MMSI or IMO)
}

func (v *Vessels) empty() bool {
	return len(v.MMSI) == 0 && len(v.IMO) == 0 && len(v.Name) == 0 && !v.Listed
}

// Rule is one watchlist rule.
type Rule struct {
	Name    string       `yaml:"name"`
	Kind    string       `yaml:"kind"`
	Vessels Vessels      `yaml:"vessels"`
	Area    string       `yaml:"area"`
	NearKm  float64      `yaml:"near_km"` // dark, event: also this far outside the area
	Events  []event.Type `yaml:"events"`  // kind event: which types (default all)
	Above   float64      `yaml:"above"`   // kind risk: score threshold

	area *Area
}

// Load reads and checks a rules file.
func Load(path string, cat *ref.Catalog) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(b, cat)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Parse reads and checks rules; errors name the rule and field at fault.
// cat resolves port groups (nil: ref.Default()).
func Parse(data []byte, cat *ref.Catalog) (*File, error) {
	if cat == nil {
		cat = ref.Default()
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("no rules (empty file)")
		}
		return nil, err
	}
	for name, a := range f.Areas {
		if a == nil {
			return nil, fmt.Errorf("area %q: empty", name)
		}
		a.name, a.cat = name, cat
		if err := a.check(cat); err != nil {
			return nil, fmt.Errorf("area %q: %w", name, err)
		}
	}
	if len(f.Rules) == 0 {
		return nil, errors.New("no rules (want a top-level rules: list)")
	}
	seen := map[string]bool{}
	for i, r := range f.Rules {
		if r == nil {
			return nil, fmt.Errorf("rule %d: empty", i+1)
		}
		if r.Name == "" {
			return nil, fmt.Errorf("rule %d: no name", i+1)
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("rule %d: name %q used twice (alerts are told apart by rule name)", i+1, r.Name)
		}
		seen[r.Name] = true
		if err := r.check(f.Areas); err != nil {
			return nil, fmt.Errorf("rule %d (%s): %w", i+1, r.Name, err)
		}
	}
	return &f, nil
}

func (a *Area) check(cat *ref.Catalog) error {
	n := 0
	if a.BBox != nil {
		n++
		if len(a.BBox) != 4 || a.BBox[0] > a.BBox[2] || a.BBox[1] > a.BBox[3] || !lonLatOK(a.BBox[0], a.BBox[1]) || !lonLatOK(a.BBox[2], a.BBox[3]) {
			return fmt.Errorf("bbox %v: want [min lon, min lat, max lon, max lat]", a.BBox)
		}
	}
	if a.Polygon != nil {
		n++
		if len(a.Polygon) < 3 {
			return fmt.Errorf("polygon has %d points, want at least 3 [lon, lat] pairs", len(a.Polygon))
		}
		for _, p := range a.Polygon {
			if !lonLatOK(p[0], p[1]) {
				return fmt.Errorf("polygon point %v: want [lon, lat]", p)
			}
		}
	}
	if a.PortGroup != "" {
		n++
		if cat.Group(a.PortGroup) == nil {
			return fmt.Errorf("unknown port group %q (lookout ports lists them)", a.PortGroup)
		}
	}
	if n != 1 {
		return errors.New("want exactly one of bbox, polygon, port_group")
	}
	if a.WithinKm < 0 {
		return errors.New("within_km is negative")
	}
	return nil
}

func lonLatOK(lon, lat float64) bool { return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90 }

func (r *Rule) check(areas map[string]*Area) error {
	if !slices.Contains(kinds, r.Kind) {
		return fmt.Errorf("kind %q: want one of %s", r.Kind, strings.Join(kinds, ", "))
	}
	if r.Area != "" {
		r.area = areas[r.Area]
		if r.area == nil {
			return fmt.Errorf("area %q is not defined under areas", r.Area)
		}
	}
	if (r.Kind == KindEnter || r.Kind == KindLeave || r.Kind == KindDark) && r.area == nil {
		return fmt.Errorf("kind %s needs an area", r.Kind)
	}
	if r.NearKm < 0 {
		return errors.New("near_km is negative")
	}
	for _, t := range r.Events {
		if !slices.Contains(event.Types, t) && t != event.SanctionsMatch && t != event.DarkDetection {
			return fmt.Errorf("unknown event type %q", t)
		}
	}
	if len(r.Events) > 0 && r.Kind != KindEvent {
		return fmt.Errorf("events: only applies to kind event")
	}
	if r.Kind == KindRisk && r.Above <= 0 {
		return errors.New("kind risk needs above: a score > 0")
	}
	for _, n := range r.Vessels.Name {
		if strings.TrimSpace(n) == "" {
			return errors.New("vessels.name has an empty name")
		}
	}
	return nil
}
