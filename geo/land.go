package geo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/paulmach/orb"
)

//go:generate go run ./internal/genland -in ../../shared/data/geo/ne_land_10m.geojson -out data/land10m.bin.gz

//go:embed data/land10m.bin.gz
var land10m []byte

// Land is a set of land polygons behind a spatial index. It is immutable and
// safe for concurrent use.
type Land struct {
	polys orb.MultiPolygon
	idx   *index
}

var (
	defaultOnce sync.Once
	defaultLand *Land
)

// DefaultLand is Natural Earth 1:10m land (embedded), indexed on first use.
func DefaultLand() *Land {
	defaultOnce.Do(func() {
		polys, err := decodeLand(land10m)
		if err != nil {
			// The data is embedded at build time; failing here is a build defect.
			panic(fmt.Sprintf("geo: embedded land data: %v", err))
		}
		defaultLand = NewLand(polys)
	})
	return defaultLand
}

// NewLand indexes the given land polygons (lon/lat rings, outer ring first,
// holes after; ring orientation does not matter). A ring crossing the
// antimeridian must be continuous, with longitudes beyond ±180.
func NewLand(polys orb.MultiPolygon) *Land {
	return &Land{polys: polys, idx: buildIndex(withWrappedCopies(polys))}
}

// withWrappedCopies adds, for each polygon reaching beyond ±180° longitude
// (rings crossing the antimeridian are stored continuous), a copy shifted by
// 360° so that planar tests in [-180, 180) see land on both sides.
func withWrappedCopies(polys orb.MultiPolygon) orb.MultiPolygon {
	out := append(orb.MultiPolygon(nil), polys...)
	for _, p := range polys {
		b := p.Bound()
		var shift float64
		switch {
		case b.Max[0] > 180:
			shift = -360
		case b.Min[0] < -180:
			shift = 360
		default:
			continue
		}
		q := make(orb.Polygon, len(p))
		for i, r := range p {
			q[i] = make(orb.Ring, len(r))
			for j, pt := range r {
				q[i][j] = orb.Point{pt[0] + shift, pt[1]}
			}
		}
		out = append(out, q)
	}
	return out
}

// Polygons returns the land polygons, for drawing. Rings that cross the
// antimeridian are continuous (longitudes up to about ±190). Callers must not
// modify them.
func (l *Land) Polygons() orb.MultiPolygon { return l.polys }

// OnLand reports whether the point lies inside a land polygon (exactly as
// ray casting over the polygons would say). NaN coordinates are not on land.
func (l *Land) OnLand(lat, lon float64) bool { return l.idx.onLand(lat, NormLon(lon)) }

// DistanceToShoreKm is the distance from the point to the nearest coastline
// edge, whether the point is at sea or on land. It is exact (the minimum of
// an equirectangular point-to-segment distance over all coastline edges)
// within ExactShoreKm of the shore; beyond that it is an upper bound, never
// below ExactShoreKm, typically within a few km (see geo/README.md). NaN in,
// NaN out.
func (l *Land) DistanceToShoreKm(lat, lon float64) float64 {
	return l.idx.distance(lat, NormLon(lon))
}

var errBadLand = errors.New("bad land data")

func decodeLand(gz []byte) (orb.MultiPolygon, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(zr)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "NELAND1\n" {
		return nil, fmt.Errorf("%w: no NELAND1 header", errBadLand)
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	polys := make(orb.MultiPolygon, 0, n)
	for range n {
		nr, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, err
		}
		poly := make(orb.Polygon, 0, nr)
		for range nr {
			np, err := binary.ReadUvarint(r)
			if err != nil {
				return nil, err
			}
			ring := make(orb.Ring, 0, np+1)
			var lon, lat int64
			for range np {
				dlon, err := binary.ReadVarint(r)
				if err != nil {
					return nil, err
				}
				dlat, err := binary.ReadVarint(r)
				if err != nil {
					return nil, err
				}
				lon += dlon
				lat += dlat
				ring = append(ring, orb.Point{float64(lon) / 1e5, float64(lat) / 1e5})
			}
			if len(ring) > 0 {
				ring = append(ring, ring[0])
			}
			poly = append(poly, ring)
		}
		polys = append(polys, poly)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing bytes", errBadLand)
	}
	return polys, nil
}

// PrepareDistance builds the pieces of the shore distance index that
// every query needs (the coarse sites around the globe; tens of ms), which
// DistanceToShoreKm otherwise builds on its first call. A program that
// will ask calls it on a goroutine of its own at start, while its other
// work gets going; a query meanwhile waits for it. It is never needed for
// correct answers.
func (l *Land) PrepareDistance() { l.idx.distOnce.Do(l.idx.prepareDistance) }

// PrepareShore builds, on all CPUs, the distance lists for latitudes lat0 to
// lat1, which DistanceToShoreKm otherwise builds one chunk of rows at a time
// on first use (10–30 ms each). Call it before a run over a known sea to
// take that cost up front; it is never needed for correct answers.
func (l *Land) PrepareShore(lat0, lat1 float64) { l.idx.prepareRows(lat0, lat1) }
