package sar

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ImportStats counts what Import kept and why it dropped the rest.
type ImportStats struct {
	Rows     int
	Accepted int
	Rejected map[string]int // reason -> rows
}

func (s *ImportStats) reject(reason string) {
	if s.Rejected == nil {
		s.Rejected = map[string]int{}
	}
	s.Rejected[reason]++
}

// String summarises the stats on one line, reasons sorted.
func (s ImportStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows, %d accepted, %d rejected", s.Rows, s.Accepted, s.Rows-s.Accepted)
	keys := make([]string, 0, len(s.Rejected))
	for k := range s.Rejected {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "; %s: %d", k, s.Rejected[k])
	}
	return b.String()
}

// Column aliases, lower case. GFW's SAR tables use detect_lat/detect_lon/
// detect_timestamp, presence (or presence_score, inferred_presence) and
// length_m (or inferred_length_m); xView3 uses detect_lat/detect_lon and
// vessel_length_m; Skylight and generic exports use latitude/longitude,
// estimated_length and confidence. Lookout's own CSVHeader is included.
var aliases = map[string][]string{
	"lat":     {"lat", "latitude", "detect_lat", "y"},
	"lon":     {"lon", "lng", "long", "longitude", "detect_lon", "x"},
	"time":    {"time", "timestamp", "detect_timestamp", "datetime", "start_time", "event_time", "acquisition_time", "scene_time", "date"},
	"length":  {"length_m", "length", "inferred_length_m", "vessel_length_m", "estimated_length", "estimated_length_m", "vessel_length"},
	"score":   {"score", "presence_score", "presence", "inferred_presence", "confidence", "detection_score"},
	"id":      {"id", "detect_id", "detection_id", "event_id"},
	"scene":   {"scene", "scene_id"},
	"heading": {"heading_deg", "heading", "estimated_heading"},
	"width":   {"width_m", "width", "vessel_width_m"},
	"source":  {"source"},
}

// Import reads detections from CSV, GeoJSON or the simulator's sar.jsonl
// (sniffed from the first non-blank byte). Rows that cannot be used are counted in the stats with a
// reason and skipped; the error is for unreadable input as a whole.
// defaultTime stands in for files without a time column (one scene per
// file); zero leaves such rows rejected.
func Import(r io.Reader, source string, defaultTime time.Time) ([]Detection, ImportStats, error) {
	br := bufio.NewReader(r)
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, ImportStats{}, errors.New("empty input")
			}
			return nil, ImportStats{}, err
		}
		if b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t' || b[0] == 0xEF || b[0] == 0xBB || b[0] == 0xBF {
			br.ReadByte()
			continue
		}
		if b[0] == '{' || b[0] == '[' {
			return importJSON(br, source, defaultTime)
		}
		return importCSV(br, source, defaultTime)
	}
}

// row is one record as column name -> raw text.
type row map[string]string

func (rw row) get(field string) (string, bool) {
	for _, a := range aliases[field] {
		if v, ok := rw[a]; ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

func importCSV(r io.Reader, source string, defTime time.Time) ([]Detection, ImportStats, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	hdr, err := cr.Read()
	if err != nil {
		return nil, ImportStats{}, fmt.Errorf("reading CSV header: %w", err)
	}
	cols := make([]string, len(hdr))
	for i, h := range hdr {
		cols[i] = strings.ToLower(strings.TrimSpace(h))
	}
	probe := row{}
	for _, c := range cols {
		probe[c] = "x"
	}
	if _, ok := probe.get("lat"); !ok {
		return nil, ImportStats{}, fmt.Errorf("CSV header %q has no latitude column (want one of %v)", strings.Join(hdr, ","), aliases["lat"])
	}
	if _, ok := probe.get("lon"); !ok {
		return nil, ImportStats{}, fmt.Errorf("CSV header %q has no longitude column (want one of %v)", strings.Join(hdr, ","), aliases["lon"])
	}
	var out []Detection
	var st ImportStats
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		st.Rows++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				st.reject("malformed CSV")
				continue
			}
			return out, st, err
		}
		if len(rec) != len(cols) {
			st.reject("wrong number of fields")
			continue
		}
		rw := make(row, len(cols))
		for i, c := range cols {
			rw[c] = rec[i]
		}
		d, reason := parseRow(rw, source, defTime)
		if reason != "" {
			st.reject(reason)
			continue
		}
		d.defaultID(source, st.Rows)
		st.Accepted++
		out = append(out, d)
	}
	return out, st, nil
}

// jsonDoc is a GeoJSON FeatureCollection or one line of a simulator
// sar.jsonl (a scene with its detections).
type jsonDoc struct {
	Type     string `json:"type"`
	Features []struct {
		Geometry *struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	ID         string           `json:"id"`
	Detections []map[string]any `json:"detections"`
}

func props(m map[string]any) row {
	rw := row{}
	for k, v := range m {
		switch x := v.(type) {
		case string:
			rw[strings.ToLower(k)] = x
		case float64:
			rw[strings.ToLower(k)] = strconv.FormatFloat(x, 'g', -1, 64)
		}
	}
	return rw
}

func importJSON(r io.Reader, source string, defTime time.Time) ([]Detection, ImportStats, error) {
	dec := json.NewDecoder(r)
	var out []Detection
	var st ImportStats
	add := func(rw row) {
		st.Rows++
		d, reason := parseRow(rw, source, defTime)
		if reason != "" {
			st.reject(reason)
			return
		}
		d.defaultID(source, st.Rows)
		st.Accepted++
		out = append(out, d)
	}
	for n := 0; ; n++ {
		var doc jsonDoc
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) && n > 0 {
			return out, st, nil
		}
		if err != nil {
			if n == 0 {
				return nil, st, fmt.Errorf("reading GeoJSON or scene JSON: %w", err)
			}
			// A broken scene line: the stream cannot be resynchronised.
			return out, st, fmt.Errorf("scene line %d: %w", n+1, err)
		}
		switch {
		case doc.Type == "FeatureCollection":
			for _, f := range doc.Features {
				rw := props(f.Properties)
				if f.Geometry != nil {
					var c []float64
					if f.Geometry.Type != "Point" {
						st.Rows++
						st.reject("geometry is not a point")
						continue
					}
					if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil || len(c) < 2 {
						st.Rows++
						st.reject("bad point coordinates")
						continue
					}
					rw["lon"], rw["lat"] = strconv.FormatFloat(c[0], 'g', -1, 64), strconv.FormatFloat(c[1], 'g', -1, 64)
				}
				add(rw)
			}
		case doc.Detections != nil:
			// The simulator's sar.jsonl: one scene per line.
			for _, d := range doc.Detections {
				rw := props(d)
				if _, ok := rw["scene"]; !ok {
					rw["scene"] = doc.ID
				}
				add(rw)
			}
		case n == 0:
			return nil, st, fmt.Errorf("JSON type %q: want a GeoJSON FeatureCollection or scene lines with detections", doc.Type)
		default:
			return out, st, fmt.Errorf("scene line %d has no detections list", n+1)
		}
	}
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999 MST", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"}

// ParseTime reads the time forms found in detection exports: RFC 3339,
// BigQuery's "2006-01-02 15:04:05 UTC", naive times (taken as UTC) and Unix
// seconds.
func ParseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && v > 0 && v < 1e11 {
		sec, frac := math.Modf(v)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	return time.Time{}, false
}

func num(rw row, field string) (float64, bool, bool) {
	s, ok := rw.get(field)
	if !ok {
		return 0, false, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, true, false
	}
	return v, true, true
}

// defaultID names a detection that came without an id by its file and
// record number, so events citing it can be traced back.
func (d *Detection) defaultID(source string, n int) {
	if d.ID == "" {
		d.ID = fmt.Sprintf("%s#%d", source, n)
	}
}

// parseRow turns one record into a Detection, or gives the reason it can't.
func parseRow(rw row, source string, defTime time.Time) (Detection, string) {
	d := Detection{Source: source}
	lat, has, ok := num(rw, "lat")
	if !has {
		return d, "missing latitude"
	}
	if !ok || lat < -90 || lat > 90 {
		return d, "bad latitude"
	}
	lon, has, ok := num(rw, "lon")
	if !has {
		return d, "missing longitude"
	}
	if !ok || lon < -180 || lon > 360 {
		return d, "bad longitude"
	}
	if lon > 180 {
		lon -= 360
	}
	d.Lat, d.Lon = lat, lon
	if s, ok := rw.get("time"); ok {
		t, ok := ParseTime(s)
		if !ok {
			return d, "bad time"
		}
		d.Time = t
	} else if defTime.IsZero() {
		return d, "missing time"
	} else {
		d.Time = defTime
	}
	var good bool
	if d.LengthM, _, good = num(rw, "length"); !good || d.LengthM < 0 || d.LengthM > 600 {
		return d, "bad length"
	}
	if d.WidthM, _, good = num(rw, "width"); !good || d.WidthM < 0 || d.WidthM > 200 {
		return d, "bad width"
	}
	if d.HeadingDeg, _, good = num(rw, "heading"); !good {
		return d, "bad heading"
	}
	d.HeadingDeg = math.Mod(math.Mod(d.HeadingDeg, 180)+180, 180)
	if d.Score, _, good = num(rw, "score"); !good {
		return d, "bad score"
	}
	d.ID, _ = rw.get("id")
	d.Scene, _ = rw.get("scene")
	if s, ok := rw.get("source"); ok {
		d.Source = s
	}
	if s, ok := rw["pixels"]; ok {
		d.Pixels, _ = strconv.Atoi(strings.TrimSpace(s))
	}
	return d, ""
}
