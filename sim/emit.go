package sim

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/lookout-osint/lookout/geo"
)

// Message kinds in the reception log.
const (
	rxPosition = iota
	rxStatic
)

// rx is one message of a hull that at least one receiver heard intact.
type rx struct {
	t        int64 // earliest receive time (the c: tag)
	tLast    int64 // latest receive time of the copies
	lat, lon float32
	id       *Identity
	kind     uint8
	spoofed  bool
	glitch   bool  // a GPS glitch: a lone bad fix (see glitch.go)
	gnss     uint8 // displaced by GNSS interference number gnss-1 (gnss.go); 0 none
	draught  float32
}

// Stats counts what a run wrote.
type Stats struct {
	Sentences  int64          `json:"sentences"`
	Bytes      int64          `json:"bytes"`
	GzipBytes  int64          `json:"gzip_bytes"`
	Corrupt    int64          `json:"corrupt_lines"`
	Glitches   int64          `json:"glitches"` // lone bad fixes sent (glitch.go), heard or not
	Messages   map[int]int64  `json:"messages_by_type"`
	Duplicates int64          `json:"duplicate_lines"`
	Events     map[string]int `json:"truth_events"`
	SARScenes  int            `json:"sar_scenes"`
	Elapsed    time.Duration  `json:"-"`
}

type dayOut struct {
	gz        []byte
	sentences int64
	bytes     int64
	corrupt   int64
	glitches  int64
	dups      int64
	types     [28]int64
	logs      [][]rx
}

type group struct {
	key   int64 // milliseconds; disordered receive time
	hull  int
	n     int
	start int
	end   int
}

// emitDay generates, receives and encodes all messages sent in one day.
// Its random streams depend only on (seed, hull, day), so days can be
// generated in any order on any number of workers.
func (w *world) emitDay(d int64, ix *stationIndex) *dayOut {
	out := &dayOut{logs: make([][]rx, len(w.hulls))}
	from, to := w.t0+d*day, min(w.t0+(d+1)*day, w.t1)
	var buf []byte
	var groups []group
	ivl := w.cfg.Interval.Seconds()
	pi := sort.Search(len(w.passes), func(i int) bool { return w.passes[i].To > from-600 })
	for _, h := range w.hulls {
		rng := w.rngFor(7, uint64(h.Index), uint64(d))
		grng := w.rngFor(glitchPurpose, uint64(h.Index), uint64(d))
		hpi := pi
		phase := int64(h.Index*97) % 3600
		t := from + int64(rng.Float64()*ivl)
		lastStatic := int64(-1)
		var lastID *Identity
		seq := 0
		staticEvery := w.cfg.staticEvery(h.ClassA)
		lastCog := math.NaN()
		for t < to {
			st := h.statusAt(t)
			lat, lon, sog, cog := h.at(t)
			var next int64
			if w.cfg.RealRate {
				dcog := 0.0
				if !math.IsNaN(lastCog) && sog > 0.5 {
					dcog = courseChange(cog, lastCog)
				}
				lastCog = cog
				next = t + realStep(reportInterval(h.ClassA, st.status, sog, dcog), rng.Float64())
			} else {
				step := ivl
				if sog < 0.5 {
					step *= 3
				}
				if !h.ClassA {
					step *= 2
				}
				next = t + int64(step*(0.75+0.5*rng.Float64()))
			}
			if h.isOff(t) {
				t = next
				continue
			}
			id := h.identAt(t)
			txLat, txLon, txSog, txCog := lat, lon, sog, cog
			sp := h.spoofAt(t)
			if sp != nil {
				switch sp.kind {
				case spoofCircle:
					omega := knToKmh(circleKn) / 3600 / sp.radiusKm
					a := float64(t-sp.from) * omega
					txLat, txLon = geo.Destination(sp.lat, sp.lon, a*180/math.Pi, sp.radiusKm)
					txSog, txCog = circleKn, math.Mod(a*180/math.Pi+90, 360)
				case spoofLand:
					txLat, txLon = sp.lat+(rng.Float64()-0.5)*0.0004, sp.lon+(rng.Float64()-0.5)*0.0004
					txSog, txCog = 0, 0
				case spoofJump:
					txLat, txLon = lat+sp.lat, lon+sp.lon
				}
			}
			glitched, gnss := false, 0
			if sp == nil {
				if gnss = w.interferenceAt(t, lat, lon); gnss > 0 {
					g := &w.gnss[gnss-1]
					txLat, txLon = geo.Destination(g.toLat, g.toLon, grng.Float64()*360, gnssCircleKm)
					txSog, txCog = 0, 0
				} else if glat, glon, ok := w.glitch(h, grng, lat, lon, sog); ok {
					txLat, txLon, glitched = glat, glon, true
					out.glitches++
				}
			}
			status := st.status
			if status == navMoored && sog > 0.5 {
				status = navUnderway
			}
			sec := int(t % 60)
			var payload string
			var fill int
			var typ int
			if h.ClassA {
				typ = 1
				if rng.Float64() < 0.05 {
					typ = 3
				}
				payload, fill = encodeType1(typ, posReport{id.MMSI, status, txSog, txCog, txCog, txLat, txLon, sec})
			} else {
				typ = 18
				payload, fill = encodeType18(posReport{id.MMSI, 0, txSog, txCog, txCog, txLat, txLon, sec})
			}
			r := rx{lat: float32(txLat), lon: float32(txLon), id: id, kind: rxPosition, spoofed: sp != nil && sp.kind != spoofShared || gnss > 0, glitch: glitched, gnss: uint8(gnss)}
			buf, groups = w.receive(buf, groups, out, h, rng, ix, &hpi, t, lat, lon, payload, fill, typ, seq, &r)
			// Static data every hour (AIS sends it every 6 minutes; a
			// receiver log keeps less; real-rate mode sends it every 6
			// minutes), and at once under a new identity.
			slot := (t + phase) / staticEvery
			if slot != lastStatic || id != lastID {
				lastStatic, lastID = slot, id
				dr := h.draughtAt(t)
				sd := staticData{mmsi: id.MMSI, imo: id.IMO, callSign: id.CallSign, name: id.Name, shipType: id.ShipType,
					bow: h.bow, stern: h.stern, port: h.port, starbrd: h.starbrd, draught: dr, destination: st.dest}
				if st.dest != "" {
					eta := time.Unix(t+12*hour, 0).UTC()
					sd.etaMonth, sd.etaDay, sd.etaHour = int(eta.Month()), eta.Day(), eta.Hour()
				} else {
					sd.etaHour, sd.etaMinute = 24, 60
				}
				rs := rx{lat: r.lat, lon: r.lon, id: id, kind: rxStatic, draught: float32(dr)}
				if h.ClassA {
					seq = (seq + 1) % 10
					p5, f5 := encodeType5(sd)
					buf, groups = w.receive(buf, groups, out, h, rng, ix, &hpi, t+1, lat, lon, p5, f5, 5, seq, &rs)
				} else {
					pa, fa := encodeType24A(sd)
					buf, groups = w.receive(buf, groups, out, h, rng, ix, &hpi, t+1, lat, lon, pa, fa, 24, 0, &rs)
					pb, fb := encodeType24B(sd)
					rs2 := rs
					buf, groups = w.receive(buf, groups, out, h, rng, ix, &hpi, t+2, lat, lon, pb, fb, 24, 0, &rs2)
				}
			}
			t = next
		}
	}
	// Base stations announce themselves every 30 minutes.
	for si, s := range w.station {
		for t := from + int64(si*37)%1800; t < to; t += 1800 {
			p, f := encodeType4(baseReport{s.MMSI, t, s.Lat, s.Lon})
			start := len(buf)
			buf = appendLines(buf, t, s.Name, p, f, 'A', 0)
			groups = append(groups, group{key: t * 1000, hull: -1 - si, n: 1, start: start, end: len(buf)})
			out.types[4]++
		}
	}
	// start is unique, so this order is total and the sort deterministic.
	slices.SortFunc(groups, func(a, b group) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.hull, b.hull), cmp.Compare(a.start, b.start))
	})
	var raw bytes.Buffer
	raw.Grow(len(buf))
	for _, g := range groups {
		raw.Write(buf[g.start:g.end])
		out.sentences += int64(g.n)
	}
	out.bytes = int64(raw.Len())
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	_, _ = io.Copy(zw, &raw)
	_ = zw.Close()
	out.gz = z.Bytes()
	return out
}

// corruptRate is the share of single-sentence lines damaged on purpose.
const corruptRate = 2e-4

// receive decides which receivers hear one message (by the TRUE position:
// radio does not care what the ship claims), appends a tag-blocked copy
// per receiver, and logs the message if any copy arrived intact.
func (w *world) receive(buf []byte, groups []group, out *dayOut, h *Hull, rng *rand.Rand, ix *stationIndex, pi *int, t int64, lat, lon float64, payload string, fill, typ, seq int, r *rx) ([]byte, []group) {
	first, last := int64(math.MaxInt64), int64(0)
	heard := 0
	ch := byte('A' + rng.IntN(2))
	n := (len(payload) + 59) / 60
	emit := func(c int64, name string) {
		start := len(buf)
		buf = appendLines(buf, c, name, payload, fill, ch, seq)
		key := c*1000 + int64(rng.IntN(4000))
		if n == 1 && rng.Float64() < corruptRate {
			line := buf[start:]
			if rng.IntN(2) == 0 {
				// Flip the sentence checksum's last digit.
				k := len(line) - 2
				if line[k] == '0' {
					line[k] = '1'
				} else {
					line[k] = '0'
				}
			} else {
				cut := start + len(line)/2 + rng.IntN(len(line)/3)
				buf = append(buf[:cut], '\n')
			}
			out.corrupt++
			groups = append(groups, group{key: key, hull: h.Index, n: n, start: start, end: len(buf)})
			return
		}
		groups = append(groups, group{key: key, hull: h.Index, n: n, start: start, end: len(buf)})
		if heard > 0 {
			out.dups++
		}
		heard++
		first, last = min(first, c), max(last, c)
	}
	for _, si := range ix.near(lat, lon) {
		s := &w.station[si]
		if rng.Float64() < shoreProb(fastKm(lat, lon, s.Lat, s.Lon), s.RangeNM*1.852) {
			emit(t+int64(rng.IntN(3)), s.Name)
		}
	}
	for *pi < len(w.passes) && w.passes[*pi].To <= t {
		*pi++
	}
	for k := *pi; k < len(w.passes) && w.passes[k].From <= t; k++ {
		p := &w.passes[k]
		if t < p.To && fastKm(lat, lon, p.Lat, p.Lon) < p.RadiusKm && rng.Float64() < 0.3 {
			emit(t+1+int64(rng.IntN(4)), p.Name)
		}
	}
	if heard > 0 {
		out.types[typ]++
		r.t, r.tLast = first, last
		out.logs[h.Index] = append(out.logs[h.Index], *r)
	}
	return buf, groups
}
