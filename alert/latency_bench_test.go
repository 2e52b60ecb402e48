package alert

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/live"
)

// type1 builds a class A position report sentence (no tag block).
func type1(mmsi uint32, lat, lon float64) string {
	var bits []byte
	put := func(v uint64, n int) {
		for i := n - 1; i >= 0; i-- {
			bits = append(bits, byte(v>>uint(i))&1)
		}
	}
	put(1, 6)
	put(0, 2)
	put(uint64(mmsi), 30)
	put(0, 4)
	put(0x80, 8)
	put(100, 10)
	put(0, 1)
	put(uint64(int64(lon*600000))&(1<<28-1), 28)
	put(uint64(int64(lat*600000))&(1<<27-1), 27)
	put(900, 12)
	put(90, 9)
	put(0, 6)
	put(0, 2)
	put(0, 3)
	put(0, 1)
	put(0, 19)
	var sb strings.Builder
	for i := 0; i < len(bits); i += 6 {
		v := 0
		for j := 0; j < 6; j++ {
			v <<= 1
			if i+j < len(bits) {
				v |= int(bits[i+j])
			}
		}
		c := v + 48
		if c > 87 {
			c += 8
		}
		sb.WriteByte(byte(c))
	}
	body := "AIVDM,1,1,,A," + sb.String() + ",0"
	var sum byte
	for i := 0; i < len(body); i++ {
		sum ^= body[i]
	}
	return fmt.Sprintf("!%s*%02X", body, sum)
}

type timedSink struct {
	mu   sync.Mutex
	at   map[string]time.Time
	seen chan struct{}
}

func (s *timedSink) Send(_ context.Context, a *Alert) error {
	s.mu.Lock()
	s.at[a.ID] = time.Now()
	s.mu.Unlock()
	select {
	case s.seen <- struct{}{}:
	default:
	}
	return nil
}

// BenchmarkUDPToAlert sends NMEA over loopback UDP at LOOKOUT_BENCH_RATE
// lines/s (default 10000) for 5 s: background lines from
// LOOKOUT_BENCH_NMEA (tag blocks removed, so they are stamped on arrival)
// plus a probe vessel crossing into and out of a box twice a second (alert IDs have one-second resolution, as receive times do). It
// reports the delay from sending a probe line to its alert reaching the sink
// (decode, evaluate, deliver) while the detectors run on the same stream,
// percentiles over all probes.
func BenchmarkUDPToAlert(b *testing.B) {
	path := os.Getenv("LOOKOUT_BENCH_NMEA")
	if path == "" {
		b.Skip("LOOKOUT_BENCH_NMEA not set")
	}
	rate := 10000
	if s := os.Getenv("LOOKOUT_BENCH_RATE"); s != "" {
		fmt.Sscan(s, &rate)
	}
	fh, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		b.Fatal(err)
	}
	var bg []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() && len(bg) < 5*rate {
		l := sc.Text()
		if i := strings.LastIndexByte(l, '\\'); i >= 0 {
			l = l[i+1:]
		}
		bg = append(bg, l)
	}
	f, err := Parse([]byte(`
areas: {box: {bbox: [10, 10, 11, 11]}}
rules:
  - {name: in, kind: enter, area: box, vessels: {mmsi: [999000001]}}
  - {name: out, kind: leave, area: box, vessels: {mmsi: [999000001]}}
`), nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		sink := &timedSink{at: map[string]time.Time{}, seen: make(chan struct{}, 1)}
		svc := NewService(New(f, Options{}), sink)
		go svc.Deliver(ctx)
		lines := live.NewLines()
		ready := make(chan net.Addr, 1)
		go live.ListenUDP(ctx, "127.0.0.1:0", lines, func(a net.Addr) { ready <- a })
		addr := <-ready
		// The detectors run on the same stream, as in lookout live.
		an := analyze.New(analyze.DefaultOptions(), svc.Event)
		go an.Read(svc.Watch(ais.NewReader(lines)))
		c, err := net.Dial("udp", addr.String())
		if err != nil {
			b.Fatal(err)
		}
		sent := map[int]time.Time{}
		start := time.Now()
		const burst = 50 // lines per datagram-sending tick
		probe := 0
		next := 0
		for sentLines := 0; sentLines < len(bg); {
			due := start.Add(time.Duration(sentLines) * time.Second / time.Duration(rate))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
			var dg []byte
			for k := 0; k < burst && sentLines < len(bg); k++ {
				dg = append(dg, bg[sentLines]...)
				dg = append(dg, '\r', '\n')
				sentLines++
			}
			if sentLines >= next {
				next += rate / 2
				lat := 9.5
				if probe%2 == 0 {
					lat = 10.5
				}
				dg = append(dg, type1(999000001, lat, 10.5)...)
				dg = append(dg, '\r', '\n')
				sent[probe] = time.Now()
				probe++
			}
			if len(dg) > 60000 {
				b.Fatal("datagram too large")
			}
			if _, err := c.Write(dg); err != nil {
				b.Fatal(err)
			}
		}
		el := time.Since(start)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			sink.mu.Lock()
			n := len(sink.at)
			sink.mu.Unlock()
			if n >= probe-1 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		c.Close()
		// Alerts are keyed rule/kind/mmsi/second; match them to probes by
		// order of delivery.
		sink.mu.Lock()
		var at []time.Time
		for _, t := range sink.at {
			at = append(at, t)
		}
		sink.mu.Unlock()
		slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
		var lat []time.Duration
		for k := 1; k < probe && k-1 < len(at); k++ { // probe 0 is a first sighting, not an entry
			lat = append(lat, at[k-1].Sub(sent[k]))
		}
		if len(lat) == 0 {
			b.Fatal("no alerts")
		}
		slices.Sort(lat)
		b.ReportMetric(float64(len(bg))/el.Seconds(), "lines/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
		b.ReportMetric(float64(len(at)), "alerts")
		b.ReportMetric(float64(probe-1), "probes")
		st := lines.Stats()
		b.ReportMetric(float64(st.Lines), "lines-received")
	}
}
