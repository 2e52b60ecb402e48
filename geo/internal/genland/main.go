// Command genland converts the Natural Earth land GeoJSON into the compact
// binary that package geo embeds (see geo/data/README.md for the format).
// Run it through go generate in package geo; it needs ../shared/data.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"

	"github.com/lookout-osint/lookout/geo/internal/packed"
)

func main() {
	in := flag.String("in", "", "Natural Earth land GeoJSON (FeatureCollection of (Multi)Polygons)")
	out := flag.String("out", "", "output .bin.gz")
	flag.Parse()
	if *in == "" || *out == "" {
		log.Fatal("usage: genland -in land.geojson -out land.bin.gz")
	}
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
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
	if err := json.Unmarshal(raw, &fc); err != nil {
		return fmt.Errorf("parse %s: %w", in, err)
	}
	var polys [][][][2]float64
	for _, f := range fc.Features {
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return fmt.Errorf("parse %s: %w", in, err)
			}
			polys = append(polys, p)
		case "MultiPolygon":
			var mp [][][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &mp); err != nil {
				return fmt.Errorf("parse %s: %w", in, err)
			}
			polys = append(polys, mp...)
		default:
			return fmt.Errorf("%s: unexpected geometry %q", in, f.Geometry.Type)
		}
	}
	w, err := packed.Create(out, "NELAND1")
	if err != nil {
		return err
	}
	w.Uint(uint64(len(polys)))
	points := 0
	for _, p := range polys {
		w.Uint(uint64(len(p)))
		for _, r := range p {
			// GeoJSON rings repeat the first point at the end; the reader closes them.
			if len(r) > 1 && r[0] == r[len(r)-1] {
				r = r[:len(r)-1]
			}
			r = unwrap(r)
			w.Uint(uint64(len(r)))
			var plon, plat int64
			for _, pt := range r {
				lon, lat := q(pt[0]), q(pt[1])
				w.Int(lon - plon)
				w.Int(lat - plat)
				plon, plat = lon, lat
				points++
			}
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	log.Printf("%d polygons, %d points -> %s", len(polys), points, out)
	return nil
}

// q quantises a coordinate to 1e-5 degrees, the precision of the source file.
func q(v float64) int64 { return int64(math.Round(v * 1e5)) }

// unwrap makes a ring that crosses the antimeridian continuous in
// longitude (values beyond ±180 follow), so planar point-in-polygon tests on
// it are valid. A ring that goes once around a pole (Antarctica) cannot be
// made continuous: on the sphere it is closed, but in the lon/lat plane its
// last point jumps across the whole map back to the first. Such a ring is
// closed along the pole's latitude instead, which encloses the same area.
func unwrap(r [][2]float64) [][2]float64 {
	if len(r) < 3 {
		return r
	}
	out := make([][2]float64, len(r))
	out[0] = r[0]
	for i := 1; i < len(r); i++ {
		d := r[i][0] - r[i-1][0]
		d -= 360 * math.Round(d/360)
		out[i] = [2]float64{out[i-1][0] + d, r[i][1]}
	}
	d := r[0][0] - r[len(r)-1][0]
	d -= 360 * math.Round(d/360)
	if math.Abs(out[len(r)-1][0]+d-out[0][0]) < 1e-9 {
		// Start the ring in [-180, 180) so it overlaps its holes; it may then
		// extend beyond +180.
		lo := out[0][0]
		for _, p := range out {
			lo = min(lo, p[0])
		}
		if k := math.Ceil((-180 - lo) / 360); k != 0 {
			for i := range out {
				out[i][0] += 360 * k
			}
		}
		return out
	}
	pole := -90.0
	if r[0][1] > 0 {
		pole = 90
	}
	last := r[len(r)-1]
	return append(r, [2]float64{last[0], pole}, [2]float64{r[0][0], pole})
}
