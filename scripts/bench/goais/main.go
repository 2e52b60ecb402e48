// Command goais measures github.com/BertoldVdb/go-ais v0.4.0 on an NMEA
// file the way its README drives it (aisnmea.NMEACodec.ParseSentence per
// line), for scripts/bench-decode. It lives in its own module so that the
// peer library never becomes a dependency of Lookout.
package main

import (
	"bufio"
	"fmt"
	"os"
	"time"

	ais "github.com/BertoldVdb/go-ais"
	"github.com/BertoldVdb/go-ais/aisnmea"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goais FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	nm := aisnmea.NMEACodecNew(ais.CodecNew(false, false))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	start := time.Now()
	var lines, msgs, errs int
	for sc.Scan() {
		lines++
		p, err := nm.ParseSentence(sc.Text())
		if err != nil {
			errs++
		}
		if p != nil && p.Packet != nil {
			msgs++
		}
	}
	took := time.Since(start).Seconds()
	fmt.Printf("%d %d %d %.6f\n", lines, msgs, errs, took)
}
