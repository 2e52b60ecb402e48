// Command genwater converts Natural Earth 1:10m lakes and river centre lines
// into the compact binary that package geo embeds as inland water (see
// geo/data/README.md for the sources, the simplification and the format).
// Run it through go generate in package geo; it needs ../shared/data.
package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"strings"

	"github.com/lookout-osint/lookout/geo/internal/packed"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// tolerance is the Douglas-Peucker tolerance in degrees (about 500 m):
// the map answers "is there water within some kilometres", and 1:10m
// river lines are centre lines anyway.
const tolerance = 0.005

// unit is the quantum of the stored coordinates, in degrees (about 110 m).
const unit = 1e-3

func main() {
	lakes := flag.String("lakes", "", "comma-separated lake GeoJSON(.gz) files (Polygons)")
	rivers := flag.String("rivers", "", "comma-separated river centre line GeoJSON(.gz) files (LineStrings)")
	out := flag.String("out", "", "output .bin.gz")
	flag.Parse()
	if *lakes == "" || *rivers == "" || *out == "" {
		log.Fatal("usage: genwater -lakes a.geojson.gz,b.geojson.gz -rivers c.geojson.gz -out water.bin.gz")
	}
	var rings, lines []orb.LineString
	for _, f := range strings.Split(*lakes, ",") {
		if err := read(f, &rings, nil); err != nil {
			log.Fatal(err)
		}
	}
	for _, f := range strings.Split(*rivers, ",") {
		if err := read(f, nil, &lines); err != nil {
			log.Fatal(err)
		}
	}
	if err := write(*out, rings, lines); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d lake rings, %d river lines", len(rings), len(lines))
}

// read appends the outer rings of a file's polygons to rings and its lines
// to lines (either may be nil: that geometry is then unexpected). Holes
// (islands in lakes) are dropped: an island is within reach of the lake.
func read(name string, rings, lines *[]orb.LineString) error {
	fh, err := os.Open(name)
	if err != nil {
		return err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	// Decoded by hand: orb/geojson would pull a BSON driver into go.mod.
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.NewDecoder(zr).Decode(&fc); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	for _, f := range fc.Features {
		var err error
		switch t := f.Geometry.Type; {
		case t == "Polygon" && rings != nil:
			var p [][][2]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &p)
			if len(p) > 0 {
				*rings = append(*rings, line(p[0]))
			}
		case t == "MultiPolygon" && rings != nil:
			var mp [][][][2]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &mp)
			for _, p := range mp {
				if len(p) > 0 {
					*rings = append(*rings, line(p[0]))
				}
			}
		case t == "LineString" && lines != nil:
			var l [][2]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &l)
			*lines = append(*lines, line(l))
		case t == "MultiLineString" && lines != nil:
			var ml [][][2]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &ml)
			for _, l := range ml {
				*lines = append(*lines, line(l))
			}
		case t == "":
			// a feature without geometry
		default:
			return fmt.Errorf("%s: unexpected geometry %q", name, t)
		}
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
	}
	return nil
}

func line(pts [][2]float64) orb.LineString {
	l := make(orb.LineString, len(pts))
	for i, p := range pts {
		l[i] = orb.Point{p[0], p[1]}
	}
	return simplify.DouglasPeucker(tolerance).LineString(l)
}

func write(out string, rings, lines []orb.LineString) error {
	w, err := packed.Create(out, "NEWATER1")
	if err != nil {
		return err
	}
	for _, set := range [][]orb.LineString{rings, lines} {
		w.Uint(uint64(len(set)))
		for _, l := range set {
			w.Uint(uint64(len(l)))
			var px, py int64
			for _, p := range l {
				x, y := int64(math.Round(p[0]/unit)), int64(math.Round(p[1]/unit))
				w.Int(x - px)
				w.Int(y - py)
				px, py = x, y
			}
		}
	}
	return w.Close()
}
