package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

func civil(unix int64) (y, mo, d, h, mi, s int) {
	t := time.Unix(unix, 0).UTC()
	return t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()
}

// VesselInfo is one hull in vessels.json.
type VesselInfo struct {
	Vessel     int          `json:"vessel"`
	Role       string       `json:"role"`
	Kind       string       `json:"kind"`
	Class      string       `json:"class"`
	LengthM    float64      `json:"length_m"`
	BeamM      float64      `json:"beam_m"`
	HomePort   string       `json:"home_port,omitempty"`
	Identities []IdentityAt `json:"identities"`
}

// IdentityAt is an identity a hull broadcast from a time on.
type IdentityAt struct {
	From time.Time `json:"from"`
	Identity
	FlagState string `json:"flag_state"`
}

// Run simulates a scenario and writes ais.nmea.gz, truth.jsonl,
// glitches.jsonl, sar.jsonl, vessels.json and stations.json into dir.
func Run(cfg Config, dir string) (Stats, error) {
	start := time.Now()
	cfg.defaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, fmt.Errorf("sim: %w", err)
	}
	w, err := newWorld(cfg)
	if err != nil {
		return Stats{}, err
	}
	// scenario.json is written last, so a half-written directory is never
	// taken for a finished one; remove a stale one first.
	_ = os.Remove(filepath.Join(dir, "scenario.json"))
	st := Stats{Messages: map[int]int64{}, Events: map[string]int{}}
	if err := w.writeAIS(filepath.Join(dir, "ais.nmea.gz"), &st); err != nil {
		return st, err
	}
	w.logf("sim: %d sentences, %d bytes (%d gzipped), %d corrupt (%.1fs)", st.Sentences, st.Bytes, st.GzipBytes, st.Corrupt, time.Since(start).Seconds())
	evs := w.truth()
	for _, e := range evs {
		st.Events[string(e.Type)]++
	}
	if err := writeJSONL(filepath.Join(dir, "truth.jsonl"), evs); err != nil {
		return st, err
	}
	if err := writeJSONL(filepath.Join(dir, "glitches.jsonl"), w.receivedGlitches()); err != nil {
		return st, err
	}
	scenes := w.sarScenes()
	st.SARScenes = len(scenes)
	if err := writeJSONL(filepath.Join(dir, "sar.jsonl"), scenes); err != nil {
		return st, err
	}
	if err := writeJSON(filepath.Join(dir, "vessels.json"), w.vesselInfo()); err != nil {
		return st, err
	}
	if err := writeJSON(filepath.Join(dir, "stations.json"), w.station); err != nil {
		return st, err
	}
	st.Elapsed = time.Since(start)
	if err := writeJSON(filepath.Join(dir, "summary.json"), st); err != nil {
		return st, err
	}
	sc, err := json.Marshal(scenarioOf(cfg))
	if err != nil {
		return st, fmt.Errorf("sim: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scenario.json"), append(sc, '\n'), 0o644); err != nil {
		return st, fmt.Errorf("sim: %w", err)
	}
	w.logf("sim: %d truth events, %d SAR scenes (%.1fs)", len(evs), len(scenes), st.Elapsed.Seconds())
	return st, nil
}

// writeAIS generates days in parallel and writes them in order, each day a
// gzip member (a multi-member gzip file is one valid stream).
func (w *world) writeAIS(path string, st *Stats) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	defer f.Close()
	ix := w.indexStations()
	days := int((w.t1 - w.t0 + day - 1) / day)
	res := make([]*dayOut, days)
	done := make([]chan struct{}, days)
	for i := range done {
		done[i] = make(chan struct{})
	}
	// Bound how far workers run ahead of the writer.
	sem := make(chan struct{}, w.cfg.Workers*2)
	go parallelRange(days, w.cfg.Workers, func(d int) {
		sem <- struct{}{}
		res[d] = w.emitDay(int64(d), ix)
		close(done[d])
	})
	var werr error
	for d := 0; d < days; d++ {
		<-done[d]
		r := res[d]
		if werr == nil {
			_, werr = f.Write(r.gz)
		}
		st.Sentences += r.sentences
		st.Bytes += r.bytes
		st.GzipBytes += int64(len(r.gz))
		st.Corrupt += r.corrupt
		st.Glitches += r.glitches
		st.Duplicates += r.dups
		for t, n := range r.types {
			if n > 0 {
				st.Messages[t] += n
			}
		}
		for i, l := range r.logs {
			w.hulls[i].log = append(w.hulls[i].log, l...)
		}
		res[d] = nil
		<-sem
		if w.cfg.OnDay != nil {
			w.cfg.OnDay(d+1, days)
		}
	}
	for _, h := range w.hulls {
		slices.SortStableFunc(h.log, func(a, b rx) int { return int(a.t - b.t) })
	}
	if werr != nil {
		return fmt.Errorf("sim: %w", werr)
	}
	return f.Close()
}

func writeJSONL[T any](path string, items []T) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	for i := range items {
		if err := enc.Encode(&items[i]); err != nil {
			f.Close()
			return fmt.Errorf("sim: %s: %w", path, err)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("sim: %w", err)
	}
	return f.Close()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return nil
}

func (w *world) vesselInfo() []VesselInfo {
	var out []VesselInfo
	for _, h := range w.hulls {
		v := VesselInfo{Vessel: h.Index, Role: h.Role, Kind: h.Kind, Class: "B", LengthM: h.Length, BeamM: h.Beam}
		if h.ClassA {
			v.Class = "A"
		}
		if h.home != nil {
			v.HomePort = h.home.ref.Name
		}
		for _, s := range h.idents {
			from := s.from
			if from < w.t0 {
				from = w.t0
			}
			v.Identities = append(v.Identities, IdentityAt{From: ts(from), Identity: *s.id, FlagState: w.cat.Flag(s.id.MMSI)})
		}
		out = append(out, v)
	}
	return out
}

// EnsureDemo makes sure dir holds the demo scenario, generating it (about a
// minute on two cores) when it is missing or was made by other settings.
// Only Workers, Progress and OnDay are taken from cfg. It returns true when
// it had to generate the scenario.
func EnsureDemo(dir string, cfg Config) (bool, error) {
	d := DemoConfig()
	d.Workers, d.Progress, d.OnDay = cfg.Workers, cfg.Progress, cfg.OnDay
	return ensure(dir, d)
}

// ensure runs a scenario into dir unless dir already holds its complete
// output (scenario.json, written last, matches).
func ensure(dir string, cfg Config) (bool, error) {
	cfg.defaults()
	want, err := json.Marshal(scenarioOf(cfg))
	if err != nil {
		return false, fmt.Errorf("sim: %w", err)
	}
	if have, err := os.ReadFile(filepath.Join(dir, "scenario.json")); err == nil && bytes.Equal(bytes.TrimSpace(have), want) {
		return false, nil
	}
	_, err = Run(cfg, dir)
	return err == nil, err
}

// scenario is what identifies a run's output: written to scenario.json.
type scenario struct {
	Seed       uint64    `json:"seed"`
	Days       int       `json:"days"`
	Start      time.Time `json:"start"`
	Vessels    int       `json:"vessels"`
	Covert     int       `json:"covert"`
	Receivers  int       `json:"receivers"`
	IntervalS  float64   `json:"interval_s"`
	SimVersion int       `json:"sim_version"`
	RealRate   bool      `json:"real_rate,omitempty"`
}

// simVersion changes whenever the same seed would give different output.
const simVersion = 12

func scenarioOf(c Config) scenario {
	return scenario{c.Seed, c.Days, c.Start.UTC(), c.Vessels, c.Covert, c.Receivers, c.Interval.Seconds(), simVersion, c.RealRate}
}
