package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/source"
)

// Archives (backfills of files) go through the same stream as live feeds,
// with two differences that make a file publishable twice and a killed
// publisher resumable:
//
//   - A file's batches are numbered per partition within the file, and the
//     message ID is the file's identity (the SHA-256 of its decompressed
//     content) with that number, so a batch published again is the same
//     message, dropped by the server within its duplicates window.
//   - The batches carry the file and the number (FileHeader, BatchHeader),
//     so a publisher started again reads each partition's last message and
//     sends only the batches after it, whatever the window; and a file
//     published whole is recorded in the stream's files bucket (FilesBucket)
//     and skipped by later runs.
//
// For the numbering to depend on the file alone, the publisher's clock
// starts afresh with each file and partial batches are sent at fixed
// message counts (see StartFile).

// FileHeader and BatchHeader name a file's batch: the file's content hash
// and the batch's number (from 1) in the file's partition.
const (
	FileHeader  = "Lookout-File"
	BatchHeader = "Lookout-Batch"
)

func setFileHeaders(h nats.Header, file string, part int, n uint64) {
	no := strconv.FormatUint(n, 10)
	h.Set(jetstream.MsgIDHeader, file+"."+strconv.Itoa(part)+"."+no)
	h.Set(FileHeader, file)
	h.Set(BatchHeader, no)
}

// StartFile begins publishing the file known by hash. Call it with nothing
// queued (after Flush, or first). Each partition's last message tells how
// far an earlier, interrupted run got with this file: its batches up to
// there are counted in Resumed and not sent again.
func (p *Publisher) StartFile(ctx context.Context, hash string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for part := range p.bufs {
		if p.count[part] > 0 {
			return fmt.Errorf("bus: StartFile with %d messages of partition %d queued", p.count[part], part)
		}
	}
	s, err := p.js.Stream(ctx, p.cfg.Stream)
	if err != nil {
		return fmt.Errorf("stream %s: %w", p.cfg.Stream, err)
	}
	n := len(p.bufs)
	p.file, p.batchNo, p.resume = hash, make([]uint64, n), make([]uint64, n)
	p.clock = 0
	clear(p.sent)
	for part := range n {
		m, err := s.GetLastMsgForSubject(ctx, p.cfg.Subject(part))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("partition %d: last message: %w", part, err)
		}
		if m.Header.Get(FileHeader) == hash {
			p.resume[part], _ = strconv.ParseUint(m.Header.Get(BatchHeader), 10, 64)
		}
	}
	return nil
}

// Added returns the messages queued so far per partition.
func (p *Publisher) Added() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.added)
}

// EndFile sends the file's last batches, waits for them to be stored and
// leaves file mode.
func (p *Publisher) EndFile(ctx context.Context) error {
	if err := p.Flush(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	p.file = ""
	p.mu.Unlock()
	return nil
}

// FilesBucket is the key-value bucket holding the stream's published
// files, one FileRecord per file keyed by its hash.
func (c Config) FilesBucket() string { return c.withDefaults().Stream + "_FILES" }

// FileRecord is what the files bucket knows of one file.
type FileRecord struct {
	Hash        string    `json:"hash"`
	Name        string    `json:"name"`
	First, Last time.Time // receive times of its first and latest messages
	Messages    int64     `json:"messages"` // read from the file
	// Partitions counts the messages published to each partition.
	Partitions []int64   `json:"partitions"`
	Done       bool      `json:"done"`
	Updated    time.Time `json:"updated"`
}

// Files opens (creating it if need be) the files bucket of c's stream.
func Files(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.KeyValue, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: c.FilesBucket(),
		Description: "files published to " + c.withDefaults().Stream + " by lookout ingest --to"})
	if err != nil {
		return nil, fmt.Errorf("files bucket: %w", err)
	}
	return kv, nil
}

// GetFile returns the record of a file, ok false if it was never started.
func GetFile(ctx context.Context, kv jetstream.KeyValue, hash string) (rec FileRecord, ok bool, err error) {
	e, err := kv.Get(ctx, hash)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, err
	}
	return rec, true, json.Unmarshal(e.Value(), &rec)
}

// PutFile stores a file's record.
func PutFile(ctx context.Context, kv jetstream.KeyValue, rec FileRecord) error {
	rec.Updated = time.Now().UTC()
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = kv.Put(ctx, rec.Hash, b)
	return err
}

// ListFiles returns every file record, oldest data first.
func ListFiles(ctx context.Context, kv jetstream.KeyValue) ([]FileRecord, error) {
	lister, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	var out []FileRecord
	for k := range lister.Keys() {
		if k == ControlKey {
			continue
		}
		rec, ok, err := GetFile(ctx, kv, k)
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", k, err)
		}
		if ok {
			out = append(out, rec)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].First.Before(out[j].First) })
	return out, nil
}

// ControlKey is the files bucket's key holding what the operator asked of
// the backfill (lookout backfill pause|resume|cancel): Running, Paused or
// Cancelled. Publishers read it between flushes.
const ControlKey = "control"

// Backfill states kept under ControlKey.
const (
	Running   = "running"
	Paused    = "paused"
	Cancelled = "cancelled"
)

// Control returns the state under ControlKey (Running if none).
func Control(ctx context.Context, kv jetstream.KeyValue) (string, error) {
	e, err := kv.Get(ctx, ControlKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Running, nil
	}
	if err != nil {
		return "", err
	}
	return string(e.Value()), nil
}

// SetControl stores the state under ControlKey.
func SetControl(ctx context.Context, kv jetstream.KeyValue, state string) error {
	_, err := kv.Put(ctx, ControlKey, []byte(state))
	return err
}

// WorkersBucket is the key-value bucket where workers keep each
// partition's and shard's progress (see Worker.KV).
const WorkersBucket = "LOOKOUT_WORKERS"

// ProgressKey is a partition's key in WorkersBucket.
func (c Config) ProgressKey(p int) string {
	return fmt.Sprintf("%s.p%d", c.withDefaults().Stream, p)
}

// PartitionProgress is how far the workers have got with one partition.
type PartitionProgress struct {
	Partition int
	Batches   uint64 // in the stream
	Worker    uint64 // stream sequence of the last batch its worker took (0: none)
	Lag       uint64 // batches after it
}

// Progress reads each partition's batches in the stream and its worker's
// position (WorkersBucket).
func Progress(ctx context.Context, js jetstream.JetStream, c Config) ([]PartitionProgress, error) {
	c = c.withDefaults()
	s, err := js.Stream(ctx, c.Stream)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", c.Stream, err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(c.Prefix+".*"))
	if err != nil {
		return nil, err
	}
	kv, err := js.KeyValue(ctx, WorkersBucket)
	if err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, err
	}
	out := make([]PartitionProgress, c.Partitions)
	for p := range out {
		pp := PartitionProgress{Partition: p, Batches: info.State.Subjects[c.Subject(p)]}
		if kv != nil {
			if e, err := kv.Get(ctx, c.ProgressKey(p)); err == nil {
				pp.Worker, _ = strconv.ParseUint(string(e.Value()), 10, 64)
			}
		}
		// The batches after the worker's: a consumer created to count
		// them, never pulled from.
		cons, err := js.OrderedConsumer(ctx, c.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{c.Subject(p)},
			DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: pp.Worker + 1})
		if err != nil {
			return nil, fmt.Errorf("partition %d: %w", p, err)
		}
		ci, err := cons.Info(ctx)
		if err != nil {
			return nil, fmt.Errorf("partition %d: %w", p, err)
		}
		pp.Lag = ci.NumPending
		out[p] = pp
	}
	return out, nil
}

// FileOf returns the content hash of the file that r's current message
// comes from, for r given to Worker.Watch ("" for a live feed's message).
func FileOf(r source.Reader) string {
	if f, ok := r.(interface{ File() string }); ok {
		return f.File()
	}
	return ""
}
