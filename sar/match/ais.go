package match

import (
	"math"
	"sort"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/ref"
)

// MessageReader is a stream of decoded AIS messages (ais.Reader and the
// source package's readers have this shape).
type MessageReader interface {
	Next() bool
	Message() *ais.Message
	Err() error
}

// TracksFromAIS builds vessel tracks from AIS messages, keeping only the
// position reports within window of one of the image times (so a year of
// AIS costs memory only around the overpasses) and the static data (length,
// ship type) from any time. Messages without a receive time are skipped:
// they cannot be placed relative to the image.
func TracksFromAIS(r MessageReader, times []time.Time, window time.Duration) ([]Track, error) {
	ts := append([]time.Time(nil), times...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	near := func(t time.Time) bool {
		i := sort.Search(len(ts), func(i int) bool { return !ts[i].Before(t.Add(-window)) })
		return i < len(ts) && !ts[i].After(t.Add(window))
	}
	type vessel struct {
		length float64
		code   int
		fixes  []Fix
	}
	vs := map[uint32]*vessel{}
	get := func(mmsi uint32) *vessel {
		v := vs[mmsi]
		if v == nil {
			v = &vessel{}
			vs[mmsi] = v
		}
		return v
	}
	for r.Next() {
		m := r.Message()
		var dim *ais.Dimensions
		code := 0
		switch m.Type {
		case 5:
			dim, code = &m.StaticA.Dim, int(m.StaticA.ShipType)
		case 19:
			dim, code = &m.ExtB.Dim, int(m.ExtB.ShipType)
		case 24:
			if m.StaticB.PartNo == 1 && m.StaticB.MothershipMMSI == 0 {
				dim, code = &m.StaticB.Dim, int(m.StaticB.ShipType)
			}
		}
		if dim != nil {
			v := get(m.MMSI)
			if l := float64(dim.ToBow) + float64(dim.ToStern); l > 0 && l < 511 {
				v.length = l
			}
			if code != 0 {
				v.code = code
			}
		}
		if m.Type == 4 || m.Type == 11 || m.Type == 21 || m.Type == 17 || m.Type == 9 {
			continue // base stations, aids to navigation, aircraft: not ships
		}
		lat, lon, ok := m.Position()
		if !ok || m.RxTime.IsZero() || !near(m.RxTime) {
			continue
		}
		f := Fix{Time: m.RxTime, Lat: lat, Lon: lon, SOG: math.NaN(), COG: math.NaN()}
		if s, ok := m.Speed(); ok {
			f.SOG = s
		}
		if c, ok := m.Course(); ok {
			f.COG = c
		}
		v := get(m.MMSI)
		v.fixes = append(v.fixes, f)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	cat := ref.Default()
	out := make([]Track, 0, len(vs))
	for mmsi, v := range vs {
		if len(v.fixes) == 0 {
			continue
		}
		// Several stations hear one message, slightly out of order.
		sort.SliceStable(v.fixes, func(i, j int) bool { return v.fixes[i].Time.Before(v.fixes[j].Time) })
		tr := Track{MMSI: mmsi, LengthM: v.length, Fixes: v.fixes}
		if v.code != 0 {
			tr.Category = cat.ShipTypeCategory(v.code)
		}
		out = append(out, tr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MMSI < out[j].MMSI })
	return out, nil
}
