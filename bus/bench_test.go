package bus

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/event"
)

// Benchmarks for scripts/bench-live. LOOKOUT_BENCH_NMEA names an NMEA file
// (gzip or not; lookout simulate's ais.nmea.gz); LOOKOUT_BENCH_NATS a server
// to use instead of an embedded one (a stream of its own is created and
// deleted).

func benchMessages(b *testing.B) []ais.Message {
	path := os.Getenv("LOOKOUT_BENCH_NMEA")
	if path == "" {
		b.Skip("LOOKOUT_BENCH_NMEA not set")
	}
	r, _, closeFn, err := analyze.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer closeFn()
	var ms []ais.Message
	for r.Next() {
		if m := r.Message(); m.MMSI != 0 && analyze.Tracked(m.Type) && !m.RxTime.IsZero() {
			ms = append(ms, *m)
		}
	}
	return ms
}

func benchJS(b *testing.B) (jetstream.JetStream, Config) {
	url := os.Getenv("LOOKOUT_BENCH_NATS")
	if url == "" {
		url = startServer(b).ClientURL()
	}
	nc, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		b.Fatal(err)
	}
	c := Config{Stream: fmt.Sprintf("LOOKOUT_BENCH_%d", time.Now().UnixNano()), Prefix: fmt.Sprintf("lookout.bench%d", time.Now().UnixNano()), Partitions: 8}
	return js, c
}

// deleteStream removes a benchmark's stream from the (possibly shared)
// server.
func deleteStream(b *testing.B, js jetstream.JetStream, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := js.DeleteStream(ctx, name); err != nil {
		b.Errorf("delete stream %s: %v", name, err)
	}
}

func publishAll(b *testing.B, js jetstream.JetStream, c Config, ms []ais.Message) time.Duration {
	ctx := context.Background()
	if _, err := Setup(ctx, js, c); err != nil {
		b.Fatal(err)
	}
	p := NewPublisher(js, c, fmt.Sprint(time.Now().UnixNano()), 256)
	start := time.Now()
	for i := range ms {
		if err := p.Add(&ms[i]); err != nil {
			b.Fatal(err)
		}
	}
	fctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := p.Flush(fctx); err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	if got := p.Published.Load(); got != int64(len(ms)) {
		b.Fatalf("published %d of %d", got, len(ms))
	}
	return el
}

// BenchmarkPublish: decoded messages per second into JetStream (file
// storage), acknowledged.
func BenchmarkPublish(b *testing.B) {
	ms := benchMessages(b)
	js, c := benchJS(b)
	var total time.Duration
	base := c.Stream
	for i := 0; i < b.N; i++ {
		c.Stream = fmt.Sprintf("%s_%d", base, i)
		total += publishAll(b, js, c, ms)
		deleteStream(b, js, c.Stream)
	}
	b.ReportMetric(float64(len(ms)*b.N)/total.Seconds(), "msgs/s")
}

// BenchmarkWorkers: messages per second through the detectors with one
// worker taking every partition, and with two workers at once.
func BenchmarkWorkers(b *testing.B) {
	ms := benchMessages(b)
	js, c := benchJS(b)
	publishAll(b, js, c, ms)
	b.Cleanup(func() {
		deleteStream(b, js, c.Stream)
		deleteStream(b, js, c.Stage2Stream())
	})
	opt := analyze.DefaultOptions()
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var wg sync.WaitGroup
				var mu sync.Mutex
				events := map[string]bool{}
				// A fresh second stage, so that shards wait for this
				// run's partitions rather than end on an earlier run's.
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				js.DeleteStream(ctx, c.Stage2Stream())
				cancel()
				start := time.Now()
				for k := 0; k < n; k++ {
					w := &Worker{JS: js, Config: c, Index: k, Of: n, Options: opt, Drain: true,
						Emit: func(_ int, e *event.Event) { mu.Lock(); events[e.ID()] = true; mu.Unlock() }}
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := w.Run(context.Background()); err != nil {
							b.Error(err)
						}
					}()
				}
				wg.Wait()
				el := time.Since(start)
				b.ReportMetric(float64(len(ms))/el.Seconds(), "msgs/s")
				b.ReportMetric(float64(len(events)), "events")
			}
		})
	}
}
