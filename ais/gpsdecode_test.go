package ais

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"testing"
)

// realNMEA lists every NMEA sample in ../shared/data/ais-real (the CSV ones
// are source's business).
var realNMEA = []string{
	"amsa-risky-ais.txt.gz",
	"dma-aislib-stream_example.txt",
	"signalk-gofree-merrimac.log",
	"signalk-nais400-merrimac.log",
}

type typeMMSI struct {
	typ  int
	mmsi uint32
}

// TestEveryLineGpsdecodeReadsIsRead runs gpsdecode (gpsd-clients) on every
// real NMEA sample and checks that each message it decodes, by type and
// MMSI, is decoded here too: no input gpsd reads is rejected. Rejected
// lines must all be counted under one of the package's named reasons.
// scripts/setup installs gpsdecode; in CI (CI=true) its absence fails.
func TestEveryLineGpsdecodeReadsIsRead(t *testing.T) {
	gpsdecode, err := exec.LookPath("gpsdecode")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gpsdecode not installed (package gpsd-clients; scripts/setup installs it)")
		}
		t.Skip("gpsdecode not installed (package gpsd-clients)")
	}
	for _, name := range realNMEA {
		t.Run(name, func(t *testing.T) {
			data, err := io.ReadAll(openMaybeGzip(t, sharedData(t, "ais-real", name)))
			if err != nil {
				t.Fatal(err)
			}
			ours := map[typeMMSI]int{}
			r := NewReader(bytes.NewReader(data))
			for r.Next() {
				m := r.Message()
				ours[typeMMSI{int(m.Type), m.MMSI}]++
			}
			st := r.Stats()

			cmd := exec.Command(gpsdecode, "-j")
			cmd.Stdin = bytes.NewReader(data)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("gpsdecode: %v", err)
			}
			theirs := map[typeMMSI]int{}
			total := 0
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var v struct {
					Class string `json:"class"`
					Type  int    `json:"type"`
					MMSI  uint32 `json:"mmsi"`
				}
				if json.Unmarshal(sc.Bytes(), &v) != nil || v.Class != "AIS" {
					continue
				}
				theirs[typeMMSI{v.Type, v.MMSI}]++
				total++
			}
			missing := 0
			for k, n := range theirs {
				if d := n - ours[k]; d > 0 {
					missing += d
					if missing <= 5 {
						t.Errorf("gpsdecode decodes %d× type %d from MMSI %d, lookout %d×", n, k.typ, k.mmsi, ours[k])
					}
				}
			}
			t.Logf("%s: lookout %d messages, gpsdecode %d; %d lines, %d other sentences, %d tag-only lines, rejected %v",
				name, st.Messages, total, st.Lines, st.Other, st.TagOnly, st.Rejected)
			if missing > 0 || total == 0 {
				t.Errorf("%d messages gpsdecode reads are not read (gpsdecode %d in all)", missing, total)
			}
			named := map[string]bool{}
			for _, e := range reasons {
				named[e.Error()] = true
			}
			for k := range st.Rejected {
				if !named[k] {
					t.Errorf("rejections counted under an unnamed reason %q", k)
				}
			}
		})
	}
}
