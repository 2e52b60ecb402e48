package pipeline_test

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/alert"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/geo"
	"github.com/lookout-osint/lookout/pipeline"
)

type arrivals struct {
	mu sync.Mutex
	at map[uint32][]time.Time // per probe vessel, in delivery order
}

func (s *arrivals) Send(_ context.Context, a *alert.Alert) error {
	s.mu.Lock()
	s.at[a.MMSI] = append(s.at[a.MMSI], time.Now())
	s.mu.Unlock()
	return nil
}

// background returns secs*rate lines of a live feed as a receiver relays
// it: rate/2 vessels at sea in the Sea of Japan (start points checked
// against the land index), each reporting every 0.5 s while sailing at
// 12 kn on a heading of its own, so the tracker and the detectors see
// plausible tracks. Replayed files are no substitute: sent at 10k lines/s,
// ten days of two-minute reports become ships jumping kilometres in
// milliseconds, which the tracker splits into ever more segments.
func background(secs, rate int) []string {
	land := geo.DefaultLand()
	n := rate / 2
	type ship struct{ lat, lon, dlat, dlon float64 }
	ships := make([]ship, 0, n)
	for i := 0; len(ships) < n; i++ {
		lat := 36 + 8*math.Mod(float64(i)*0.6180339887, 1)
		lon := 129 + 9*math.Mod(float64(i)*0.7548776662, 1)
		if land.OnLand(lat, lon) {
			continue
		}
		hdg := float64(i%360) * math.Pi / 180
		deg := 12 * 1.852 / 111.2 / 3600 * 0.5 // 12 kn for half a second
		ships = append(ships, ship{lat, lon, deg * math.Cos(hdg), deg * math.Sin(hdg) / math.Cos(lat*math.Pi/180)})
	}
	out := make([]string, 0, secs*rate)
	for k := 0; len(out) < secs*rate; k++ {
		for i := range ships {
			s := &ships[i]
			out = append(out, position(uint32(200000000+i), s.lat+float64(k)*s.dlat, s.lon+float64(k)*s.dlon))
		}
	}
	return out[:secs*rate]
}

// BenchmarkUDPToTrackedAlert sends NMEA over loopback UDP at
// LOOKOUT_BENCH_RATE lines/s (default 10000) for LOOKOUT_BENCH_SECONDS
// (default 30) into pipeline.Run as lookout ingest --listen runs it: detectors
// with the land index and ports, the tracker's reorder window
// LOOKOUT_BENCH_REORDER (default pipeline.DefaultReorder), a DuckDB store
// written every second, an alert service. Lines carry no tag block, so they
// are stamped on arrival. Besides the background, eight probe vessels each
// rename themselves every 2 s, staggered so that four renames a second fall
// anywhere in the receive-time second. A rename reaches an alert only
// through the tracker and the identity detector. It reports the delay from
// sending a rename's line to its alert reaching the sink, percentiles over
// all renames, and the process's CPU time per second of feed.
func BenchmarkUDPToTrackedAlert(b *testing.B) {
	rate, secs := 10000, 30
	if s := os.Getenv("LOOKOUT_BENCH_RATE"); s != "" {
		fmt.Sscan(s, &rate)
	}
	if s := os.Getenv("LOOKOUT_BENCH_SECONDS"); s != "" {
		fmt.Sscan(s, &secs)
	}
	reorder := pipeline.DefaultReorder
	if s := os.Getenv("LOOKOUT_BENCH_REORDER"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatal(err)
		}
		reorder = d
	}
	bg := background(secs, rate)
	rules, err := alert.Parse([]byte(`
rules:
  - {name: renamed, kind: identity_change, vessels: {mmsi: [999000001, 999000002, 999000003, 999000004, 999000005, 999000006, 999000007, 999000008]}}
`), nil)
	if err != nil {
		b.Fatal(err)
	}
	opt := analyze.DefaultOptions()
	opt.Track.ReorderWindow = reorder
	for i := 0; i < b.N; i++ {
		cfg, _ := config(b)
		cfg.Analyze = opt
		cfg.Stream.Interval = 0 // the default, as lookout ingest runs
		cfg.Listen = []string{"udp://127.0.0.1:0"}
		ready := make(chan net.Addr, 1)
		cfg.OnListen = func(_ string, a net.Addr) { ready <- a }
		sink := &arrivals{at: map[uint32][]time.Time{}}
		svc := alert.NewService(alert.New(rules, alert.Options{}), sink)
		ctx, cancel := context.WithCancel(context.Background())
		go svc.Deliver(ctx)
		cfg.Watch, cfg.Events = svc.Watch, svc.Event
		done := make(chan pipeline.LiveResult, 1)
		go func() {
			res, err := pipeline.Live(ctx, cfg)
			if err != nil {
				b.Error(err)
			}
			done <- res
		}()
		c, err := net.Dial("udp", (<-ready).String())
		if err != nil {
			b.Fatal(err)
		}
		const burst = 50 // lines per datagram
		sent := map[uint32][]time.Time{}
		names := [2]string{"PROBE ALPHA", "PROBE BRAVO"}
		var nprobe int
		cpu0, start := cpuTime(), time.Now()
		for n := 0; n < len(bg); {
			due := start.Add(time.Duration(n) * time.Second / time.Duration(rate))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
			var dg []byte
			for k := 0; k < burst && n < len(bg); k++ {
				dg = append(dg, bg[n]...)
				n++
			}
			// Rename number k goes out at k/4 s: vessel k mod 8 every 2 s.
			if time.Since(start) >= time.Duration(nprobe)*time.Second/4 {
				mmsi := uint32(999000001 + nprobe%8)
				dg = append(dg, static(mmsi, names[(nprobe/8)%2])...)
				sent[mmsi] = append(sent[mmsi], time.Now())
				nprobe++
			}
			if _, err := c.Write(dg); err != nil {
				b.Fatal(err)
			}
		}
		el := time.Since(start)
		// The last renames' alerts: the reorder window and more.
		wait := reorder + 3*time.Second
		time.Sleep(wait)
		cpu := cpuTime() - cpu0
		cancel()
		res := <-done
		c.Close()
		var lat []time.Duration
		sink.mu.Lock()
		for mmsi, ts := range sent {
			got := sink.at[mmsi]
			// The first static report of a vessel is no rename.
			for k := 1; k < len(ts) && k-1 < len(got); k++ {
				lat = append(lat, got[k-1].Sub(ts[k]))
			}
		}
		sink.mu.Unlock()
		if len(lat) == 0 {
			b.Fatal("no alerts")
		}
		slices.Sort(lat)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(float64(len(bg))/el.Seconds(), "lines/s")
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
		b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
		b.ReportMetric(float64(len(lat)), "alerts")
		b.ReportMetric(float64(nprobe-8), "renames")
		b.ReportMetric(cpu.Seconds()/(el+wait).Seconds(), "cpu-s/s")
		b.ReportMetric(float64(res.Input.Lines), "lines-received")
		b.ReportMetric(float64(res.Store.Positions), "positions-stored")
	}
}
