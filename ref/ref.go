// Package ref holds the reference data detectors look things up in: ports
// and named port groups (NGA World Port Index), user-defined areas, MMSI
// flag states (ITU MIDs) and the AIS ship-type and navigation-status tables.
// The data is embedded (see ref/data/README.md); the catalog is immutable
// once built and safe for concurrent use.
package ref

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ./internal/genref -shared ../../shared/data -out data

//go:embed data/ports.csv data/groups.yaml data/mid.csv data/ais_ship_types.csv data/ais_nav_status.csv
var dataFS embed.FS

// Port is one World Port Index entry.
type Port struct {
	ID       string   // WPI number, e.g. "60725"
	Name     string   // WPI main name, e.g. "Vostochnyy"
	AltNames []string // WPI alternate names, e.g. ["Rashin"] for Najin
	LOCODE   string   // UN/LOCODE, 5 characters without spaces; "" if none
	Country  string   // WPI country name (English, e.g. "North Korea"), not an ISO code
	Size     string   // harbour size: Very Small, Small, Medium, Large, or ""
	Type     string   // harbour type, e.g. "Coastal (Natural)"; "" if not given
	Lat, Lon float64
	// MaxDraftM is the WPI maximum vessel draught in metres; 0 means not given.
	MaxDraftM float64
	// OilTerminal is the WPI "Facilities - Oil Terminal" flag: "Yes", "No" or "" (unknown).
	OilTerminal string
	Region      string // WPI region, e.g. "Russia -- 60530"
	WaterBody   string // WPI world water body list, e.g. "Sea of Japan; North Pacific Ocean"
}

// Group is a named set of ports, optionally with areas (polygons) that
// belong to it.
type Group struct {
	Name        string
	Description string
	PortIDs     []string
	Areas       []*Area
}

// Catalog is the reference data. Build one with Default or WithUserFile;
// do not modify its fields.
type Catalog struct {
	Ports []Port

	byID     map[string]int
	groups   map[string]*Group
	order    []string            // group names, in definition order
	portGrps map[string][]string // port ID -> group names
	areas    []*Area             // user areas, smallest first
	grid     portGrid

	mids      map[uint32]midEntry
	shipTypes [100]shipType
	navStatus [16]string
}

type midEntry struct{ name, iso2 string }

type shipType struct{ desc, category string }

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
)

// Default is the catalog of embedded data, built on first use.
func Default() *Catalog {
	defaultOnce.Do(func() {
		c, err := load()
		if err != nil {
			// The data is embedded and tested; failing here is a build defect.
			panic(fmt.Sprintf("ref: embedded data: %v", err))
		}
		defaultCat = c
	})
	return defaultCat
}

func load() (*Catalog, error) {
	c := &Catalog{}
	b, _ := dataFS.ReadFile("data/ports.csv")
	ports, err := parsePorts(b)
	if err != nil {
		return nil, fmt.Errorf("ports.csv: %w", err)
	}
	c.Ports = ports
	c.index()
	b, _ = dataFS.ReadFile("data/groups.yaml")
	uf, err := parseUserFile(b)
	if err != nil {
		return nil, fmt.Errorf("groups.yaml: %w", err)
	}
	c.groups = map[string]*Group{}
	if err := c.applyGroups(uf.Groups, "groups.yaml"); err != nil {
		return nil, err
	}
	if err := c.loadCodes(); err != nil {
		return nil, err
	}
	c.index()
	return c, nil
}

// index rebuilds the lookup structures derived from Ports, groups and areas.
func (c *Catalog) index() {
	c.byID = make(map[string]int, len(c.Ports))
	for i, p := range c.Ports {
		c.byID[p.ID] = i
	}
	c.portGrps = map[string][]string{}
	for _, name := range c.order {
		for _, id := range c.groups[name].PortIDs {
			if !slices.Contains(c.portGrps[id], name) {
				c.portGrps[id] = append(c.portGrps[id], name)
			}
		}
	}
	c.grid = newPortGrid(c.Ports)
}

func readCSV(b []byte, header ...string) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(header)
	hdr, err := r.Read()
	if err != nil {
		return nil, err
	}
	if !slices.Equal(hdr, header) {
		return nil, fmt.Errorf("header %v, want %v", hdr, header)
	}
	var rows [][]string
	for {
		row, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
}

func parsePorts(b []byte) ([]Port, error) {
	rows, err := readCSV(b, "id", "name", "alt_names", "locode", "country", "size", "type", "lat", "lon", "max_draft_m", "oil_terminal", "region", "water_body")
	if err != nil {
		return nil, err
	}
	ports := make([]Port, 0, len(rows))
	for i, r := range rows {
		p := Port{ID: r[0], Name: r[1], LOCODE: r[3], Country: r[4], Size: r[5], Type: r[6], Region: r[11], WaterBody: r[12]}
		if r[2] != "" {
			p.AltNames = strings.Split(r[2], ";")
		}
		var errs [3]error
		p.Lat, errs[0] = strconv.ParseFloat(r[7], 64)
		p.Lon, errs[1] = strconv.ParseFloat(r[8], 64)
		p.MaxDraftM, errs[2] = strconv.ParseFloat(r[9], 64)
		for _, e := range errs {
			if e != nil {
				return nil, fmt.Errorf("row %d: %w", i+2, e)
			}
		}
		switch r[10] {
		case "Y":
			p.OilTerminal = "Yes"
		case "N":
			p.OilTerminal = "No"
		}
		ports = append(ports, p)
	}
	return ports, nil
}

// Port returns the port with the given WPI number.
func (c *Catalog) Port(id string) (Port, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Port{}, false
	}
	return c.Ports[i], true
}

// Group returns the named group, or nil. Names are case-sensitive ("RU-FE", "KP").
func (c *Catalog) Group(name string) *Group { return c.groups[name] }

// Groups lists the group names: built-in ones first, then user ones.
func (c *Catalog) Groups() []string { return slices.Clone(c.order) }

// GroupsOf lists the groups a port belongs to, in group order.
func (c *Catalog) GroupsOf(portID string) []string { return slices.Clone(c.portGrps[portID]) }

// InGroup reports whether the port belongs to the named group.
func (c *Catalog) InGroup(portID, group string) bool {
	return slices.Contains(c.portGrps[portID], group)
}
