package pipeline_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/bus"
	"github.com/lookout-osint/lookout/pipeline"
)

// natsURL is LOOKOUT_TEST_NATS (a real server, as CI runs) or an embedded
// server with JetStream.
func natsURL(t *testing.T) string {
	if u := os.Getenv("LOOKOUT_TEST_NATS"); u != "" {
		return u
	}
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		t.Fatal("embedded nats-server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

// TestPublishWhileStoring: with NATS, decoded messages go to the
// partitioned stream (the detectors are the workers' job) while the store
// still receives the positions; bad lines are counted as ever.
func TestPublishWhileStoring(t *testing.T) {
	cfg, st := config(t)
	url := natsURL(t)
	id := time.Now().UnixNano()
	cfg.NATS, cfg.PublishBatch = url, 4
	cfg.Bus = bus.Config{Stream: fmt.Sprintf("LOOKOUT_FEED_TEST_%d", id), Prefix: fmt.Sprintf("lookout.feedtest%d", id), Partitions: 3}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		js.DeleteStream(ctx, cfg.Bus.Stream)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg.Connect = []string{"tcp://" + ln.Addr().String()}
	lines, n := traffic()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(strings.Join(lines, "")))
		c.Read(make([]byte, 1))
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan pipeline.LiveResult, 1)
	errc := make(chan error, 1)
	go func() {
		res, err := pipeline.Live(ctx, cfg)
		done <- res
		errc <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := st.Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.Positions >= int64(n) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s the store holds %+v", c)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	res := <-done
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// 20 positions and 2 static reports of one vessel.
	if res.Published != int64(n+2) || res.Decoder.RejectedTotal() != 2 || res.Totals.Events != nil {
		t.Fatalf("published %d (want %d), rejected %v, detector events %v (want none here)",
			res.Published, n+2, res.Decoder.Rejected, res.Totals.Events)
	}
	s, err := js.Stream(context.Background(), cfg.Bus.Stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs == 0 || info.State.Msgs > uint64(n+2) {
		t.Fatalf("stream holds %d batches for %d messages", info.State.Msgs, n+2)
	}
	// No detector's event here; the sanctions stage screens the identities
	// this process stores (SEA STAR: a weak match with OFAC's SEA STAR III).
	if c, _ := st.Counts(context.Background()); c.Positions != int64(n) || c.Events != 1 {
		t.Fatalf("store holds %+v, want %d positions and one event (a sanctions match)", c, n)
	}
}
