package analyze

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geo"
)

// Real traffic (../shared/data/ais-real, see its README): ordinary ferries,
// tugs, ships at anchor and boats in marinas. Ships alongside each other
// there are moored, berthed or assisted in ports and anchorages, so an
// encounter is a false alarm; and a port visit with neither a stop, a port
// gap nor a dwell is a ship passing a port.

func TestRealSamplesNoEncounterNoTransitVisit(t *testing.T) {
	if _, err := os.Stat(realDir); err != nil {
		t.Skipf("no real samples at %s", realDir)
	}
	dwell := DefaultOptions().Detect.PortDwell
	for _, s := range realSamples {
		t.Run(s.file, func(t *testing.T) {
			r, done := openSample(t, s.file, s.clock)
			defer done()
			got, _ := analyzeReader(t, r)
			for _, e := range append(got[event.Encounter], got[event.PortVisit]...) {
				switch e.Type {
				case event.Encounter:
					t.Errorf("encounter %d/%d at %.4f,%.4f %s–%s: %v", e.MMSI, e.OtherMMSI, e.Lat, e.Lon,
						e.Start.Format(time.TimeOnly), e.End.Format(time.TimeOnly), e.Evidence)
				case event.PortVisit:
					if num(e.Evidence["stops"]) == 0 && num(e.Evidence["port_gaps"]) == 0 && e.Duration() < dwell {
						t.Errorf("transit port visit %d at %s, %v inside: %v", e.MMSI, e.Port, e.Duration(), e.Evidence)
					}
				}
			}
		})
	}
}

func num(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return -1
}

// replay is a source.Reader over messages held in memory.
type replay struct {
	msgs []ais.Message
	i    int
}

func (r *replay) Next() bool            { r.i++; return r.i <= len(r.msgs) }
func (r *replay) Message() *ais.Message { return &r.msgs[r.i-1] }
func (r *replay) Err() error            { return nil }
func (r *replay) Stats() ais.Stats      { return ais.Stats{} }

func TestMooredBoatsReplayedNoEncounter(t *testing.T) {
	// The Danish Maritime Authority's 28 s sample, boats moored in small
	// harbours the World Port Index does not list (Hvide Sande, Gilleleje,
	// Rømø, Thorsminde, Dragør, Læsø): every vessel reporting under 0.5 kn
	// within 5 km of the shore repeats its report each minute for 2.5 h.
	// Before port areas were learned this gave hundreds of encounters.
	// (Further out, three vessels holding position 240 km off Denmark at an
	// oil field stay an encounter: without a list of installations they
	// look like a transfer at anchor.)
	path := filepath.Join(realDir, "dma-aislib-stream_example.txt")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no sample: %v", err)
	}
	r, _, done, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	land := geo.DefaultLand()
	last := map[uint32]ais.Message{}
	var statics []ais.Message
	for r.Next() {
		m := r.Message()
		if m.MMSI == 0 || m.RxTime.IsZero() {
			continue
		}
		switch m.Type {
		case 5, 24:
			statics = append(statics, *m)
		case 1, 2, 3, 18:
			lat, lon, ok := m.Position()
			kn, sok := m.Speed()
			if ok && sok && kn < 0.5 && land.DistanceToShoreKm(lat, lon) <= 5 {
				last[m.MMSI] = *m
			} else {
				delete(last, m.MMSI)
			}
		}
	}
	done()
	if len(last) < 50 {
		t.Fatalf("only %d moored vessels in the sample", len(last))
	}
	mmsis := make([]uint32, 0, len(last))
	for m := range last {
		mmsis = append(mmsis, m)
	}
	slices.Sort(mmsis)
	start := time.Date(2010, 6, 11, 12, 0, 0, 0, time.UTC)
	rp := &replay{}
	for _, s := range statics {
		s.RxTime = start
		rp.msgs = append(rp.msgs, s)
	}
	for k := 0; k <= 150; k++ {
		for i, mm := range mmsis {
			m := last[mm]
			// Spread over the minute as a receiver would hear them.
			m.RxTime = start.Add(time.Duration(k)*time.Minute + time.Duration(i)*time.Minute/time.Duration(len(mmsis)))
			rp.msgs = append(rp.msgs, m)
		}
	}
	got, _ := analyzeReader(t, rp)
	n := len(got[event.Encounter])
	for i, e := range got[event.Encounter] {
		if i < 5 {
			t.Errorf("encounter %d/%d at %.4f,%.4f: %v", e.MMSI, e.OtherMMSI, e.Lat, e.Lon, e.Evidence)
		}
	}
	if n > 0 {
		t.Errorf("%d encounters among %d moored vessels, want 0", n, len(mmsis))
	}
}
