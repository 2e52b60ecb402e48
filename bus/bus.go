// Package bus spreads the AIS stream over NATS JetStream so that several
// workers can run the detectors. Publishers batch decoded messages into one
// stream whose subjects are partitioned by MMSI (lookout.ais.<partition>),
// so each vessel's messages stay in order in one partition. Workers own
// partitions (worker i of n takes those with p mod n = i, or workers that
// join split them among those present, see members.go) and run the
// tracker and the per-vessel detectors per partition. What needs vessels of
// every partition runs in a second stage whose shards the workers own
// likewise (see Stage2Subject): gaps are graded from everyone's receptions
// and encounters found from points keyed by place, so that n workers give
// the events of one lookout analyze. The second stage moves at the pace of
// the slowest partition; every batch carries the publisher's clock, and a
// partition with no traffic gets it in empty batches (ClockHeader), so that
// a quiet partition does not hold back gaps and encounters, nor make their
// points pile up, on a live feed.
//
// A worker rebuilds its state after a restart from its partitions' and
// shards' checkpoints (checkpoint.go), or without them by replaying them
// from the start of the streams' retention, with every event written
// idempotently (by event ID): a killed and restarted worker yields exactly
// the events of an uninterrupted one.
package bus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/track"
)

// Config names the stream and its partitioning. Publishers and workers must
// agree on it.
type Config struct {
	Stream     string        // default LOOKOUT_AIS
	Prefix     string        // subject prefix, default lookout.ais
	Partitions int           // default 8
	MaxAge     time.Duration // retention, default 7 days (the longest gap a worker can rebuild)
	Replicas   int           // default 1
	// Shards of the second stage (see Stage2Subject), default 8, at most 64.
	Shards int
}

func (c Config) withDefaults() Config {
	if c.Stream == "" {
		c.Stream = "LOOKOUT_AIS"
	}
	if c.Prefix == "" {
		c.Prefix = "lookout.ais"
	}
	if c.Partitions <= 0 {
		c.Partitions = 8
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 7 * 24 * time.Hour
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.Shards <= 0 {
		c.Shards = 8
	}
	// A point's shards are a bit set of 64.
	c.Shards = min(c.Shards, 64)
	return c
}

// Defaults returns c with the defaults filled in.
func (c Config) Defaults() Config { return c.withDefaults() }

// Partition returns the partition of a vessel. MMSIs share leading digits
// by flag state, so they are hashed first.
func (c Config) Partition(mmsi uint32) int {
	return partitionOf(mmsi, c.withDefaults().Partitions)
}

func partitionOf(mmsi uint32, partitions int) int {
	h := uint64(mmsi) * 0x9E3779B97F4A7C15
	return int((h >> 32) % uint64(partitions))
}

// Subject is the subject of a partition.
func (c Config) Subject(p int) string {
	c = c.withDefaults()
	return c.Prefix + "." + strconv.Itoa(p)
}

// Setup creates the stream (or updates its settings). Publishing the same
// batch twice within two minutes is dropped by the server (Nats-Msg-Id).
func Setup(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.Stream, error) {
	c = c.withDefaults()
	var s jetstream.Stream
	err := retryAdmin(ctx, func(ctx context.Context) (err error) {
		s, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name:       c.Stream,
			Subjects:   []string{c.Prefix + ".*"},
			Storage:    jetstream.FileStorage,
			MaxAge:     c.MaxAge,
			Replicas:   c.Replicas,
			Duplicates: 2 * time.Minute,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", c.Stream, err)
	}
	return s, nil
}

// Publisher batches messages per partition and publishes them
// asynchronously. It is safe for use by one goroutine (plus Flush from a
// ticker goroutine).
type Publisher struct {
	js    jetstream.JetStream
	cfg   Config
	id    string
	max   int
	mu    sync.Mutex
	bufs  [][]byte
	count []int
	seq   uint64
	futs  []sent // published since the last Flush, awaiting their acks
	// clock is the latest receive time added (Unix nanoseconds); sent
	// holds the clock each partition was last told (see ClockHeader).
	clock int64
	sent  []int64
	// file, when set (StartFile), numbers batches per partition within
	// one file so that their message IDs depend on the file alone (see
	// files.go); batches at or below resume were stored by an earlier run.
	file    string
	added   []int64 // messages queued per partition
	batchNo []uint64
	resume  []uint64
	Resumed atomic.Int64 // file messages not sent again (stored by an earlier run)

	Published atomic.Int64 // messages acknowledged by the server (counted by Flush)
	Skipped   atomic.Int64 // messages of untracked types or without MMSI
	errMu     sync.Mutex
	err       error
}

type sent struct {
	fut  jetstream.PubAckFuture
	n    int64
	subj string
}

// NewPublisher returns a publisher that sends a partition's batch when it
// holds batch messages (default 256) or on Flush. id names this publisher
// in message IDs (for server-side deduplication of retried publishes); use
// one per process, e.g. the host name and start time.
func NewPublisher(js jetstream.JetStream, c Config, id string, batch int) *Publisher {
	c = c.withDefaults()
	if batch <= 0 {
		batch = 256
	}
	return &Publisher{js: js, cfg: c, id: id, max: batch, bufs: make([][]byte, c.Partitions), count: make([]int, c.Partitions),
		sent: make([]int64, c.Partitions), added: make([]int64, c.Partitions)}
}

// Add queues one message.
func (p *Publisher) Add(m *ais.Message) error {
	if m.MMSI == 0 || !analyze.Tracked(m.Type) {
		p.Skipped.Add(1)
		return nil
	}
	// p.cfg has its defaults: Partition would fill them in for every
	// message (3% of a backfill's publisher CPU).
	part := partitionOf(m.MMSI, p.cfg.Partitions)
	p.mu.Lock()
	p.added[part]++
	defer p.mu.Unlock()
	// A bad station clock (the year 2100) must not move every partition's
	// clock; the workers' trackers quarantine the message itself.
	if t := m.RxTime.UnixNano(); t > p.clock && track.Impossible(m.RxTime, time.Now(), track.DefaultConfig().FutureSlack) == track.OK {
		p.clock = t
	}
	p.bufs[part] = AppendMessage(p.bufs[part], m)
	p.count[part]++
	if p.count[part] >= p.max {
		return p.sendLocked(part)
	}
	return p.Err()
}

// ClockHeader carries, on every batch, the publisher's clock: the latest
// receive time it had been given, as Unix nanoseconds. Every message of
// the partition added before then is in this batch or an earlier one, so
// a worker knows how far the whole stream has got even when its partition
// is quiet (see Worker). Several publishers on one stream must keep to one
// clock (feeds of the same moment): a partition takes a message older than
// the clock it was told less the reorder window as late, as one process
// reading the feeds merged would.
const ClockHeader = "Lookout-Clock"

// heartbeat is how far the clock must have moved (in receive time) since
// a partition was last told it for Flush to send the partition an empty
// batch carrying the clock alone: a partition without traffic would
// otherwise hold back the second stage, which waits for every partition.
const heartbeat = time.Second

// Flush sends every partial batch (and the clock to partitions that have
// had nothing since it last moved, see ClockHeader) and waits until the
// server has acknowledged everything sent so far (or ctx ends).
func (p *Publisher) Flush(ctx context.Context) error {
	p.mu.Lock()
	for part := range p.bufs {
		if p.count[part] > 0 || p.clock-p.sent[part] >= int64(heartbeat) {
			if err := p.sendLocked(part); err != nil {
				p.mu.Unlock()
				return err
			}
		}
	}
	futs := p.futs
	p.futs = nil
	p.mu.Unlock()
	select {
	case <-p.js.PublishAsyncComplete():
	case <-ctx.Done():
		p.mu.Lock()
		p.futs = append(futs, p.futs...)
		p.mu.Unlock()
		return ctx.Err()
	}
	// Every future taken above is resolved now.
	for _, f := range futs {
		select {
		case <-f.fut.Ok():
			p.Published.Add(f.n)
		case err := <-f.fut.Err():
			p.errMu.Lock()
			if p.err == nil {
				p.err = fmt.Errorf("publish %s: %w", f.subj, err)
			}
			p.errMu.Unlock()
		}
	}
	return p.Err()
}

// Err returns the first failed publish, if any.
func (p *Publisher) Err() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

func (p *Publisher) sendLocked(part int) error {
	p.seq++
	payload := binary.AppendUvarint(nil, uint64(p.count[part]))
	payload = append(payload, p.bufs[part]...)
	n := int64(p.count[part])
	p.bufs[part], p.count[part] = p.bufs[part][:0], 0
	p.sent[part] = p.clock
	msg := &nats.Msg{Subject: p.cfg.Subject(part), Data: payload, Header: nats.Header{}}
	if p.file != "" {
		p.batchNo[part]++
		if p.batchNo[part] <= p.resume[part] {
			p.Resumed.Add(n)
			return nil
		}
		setFileHeaders(msg.Header, p.file, part, p.batchNo[part])
	} else {
		msg.Header.Set(jetstream.MsgIDHeader, p.id+"-"+strconv.FormatUint(p.seq, 10))
	}
	msg.Header.Set(ClockHeader, strconv.FormatInt(p.clock, 10))
	fut, err := p.js.PublishMsgAsync(msg)
	if err != nil {
		return fmt.Errorf("publish %s: %w", msg.Subject, err)
	}
	p.futs = append(p.futs, sent{fut, n, msg.Subject})
	return nil
}

// DecodeBatch calls fn for every message of one published batch; m is
// reused between calls.
func DecodeBatch(data []byte, fn func(m *ais.Message)) error {
	var m ais.Message
	_, err := decodeBatch(data, nil, func(int) *ais.Message { return &m }, fn)
	return err
}

// appendBatch appends the messages of one published batch to dst,
// decoded in place (a copy of each through a scratch message was a tenth
// of the bus's decoding); strings are interned in intern (nil: not).
func appendBatch(dst []ais.Message, data []byte, intern map[string]string) ([]ais.Message, error) {
	if n, k := binary.Uvarint(data); k > 0 && n <= 1<<16 {
		dst = slices.Grow(dst, int(n))
	}
	_, err := decodeBatch(data, intern, func(int) *ais.Message {
		dst = append(dst, ais.Message{})
		return &dst[len(dst)-1]
	}, func(*ais.Message) {})
	if err != nil {
		dst = dst[:len(dst)-1] // the message that failed
	}
	return dst, err
}

// decodeBatch decodes each message of a batch into slot(i) and calls fn.
func decodeBatch(data []byte, intern map[string]string, slot func(i int) *ais.Message, fn func(*ais.Message)) (int, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 {
		return 0, errors.New("bus: bad batch header")
	}
	d := decoder{b: data[k:], intern: intern}
	for i := uint64(0); i < n; i++ {
		m := slot(int(i))
		if err := d.next(m); err != nil {
			return int(i), fmt.Errorf("bus: message %d of %d: %w", i+1, n, err)
		}
		fn(m)
	}
	return int(n), nil
}
