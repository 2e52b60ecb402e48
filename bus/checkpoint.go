package bus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-osint/lookout/analyze"
	"github.com/lookout-osint/lookout/internal/statecodec"
)

// Partition checkpoints. A partition run from the start of the stream
// rebuilds its state by replaying every batch: a worker restarted, or one
// taking the partition over (a worker that joins), re-read the whole
// backfill so far, and republished its second-stage frames, which every
// shard decoded again only to skip them (93% of a shard's point items
// after six runs over one stream). So at each file boundary of a backfill
// (the first batch of a file after another's) a partition saves its state
// in the stream's state bucket (StateBucket): the tracker's and
// detectors' (in the blobs lookout ingest stores with each file,
// analyze.MarshalStages), what its second-stage output keeps (item
// numbers, held points), and the worker's own (Worker.SaveState: the
// sanctions screener's), with the stream sequence of the last batch in
// it. A later run of the partition loads it and consumes from the next
// batch on.
//
// Exactly once: the checkpoint is saved only after the second-stage items
// numbered before it are in the second-stage stream (flushed first) and
// the events emitted before it are stored (Worker.Sync); until then the
// previous checkpoint stands. A run resumed from an older checkpoint than
// its predecessor reached emits again what followed (the store keeps one
// copy) and republishes the same items under the same numbers (the shards
// skip them), as a replay from the start does. A checkpoint names both
// streams by their creation time, so one written for streams since
// deleted and made again is not taken.

// StateBucket is the object store bucket of the partitions' checkpoints.
func (c Config) StateBucket() string { return c.withDefaults().Stream + "_STATE" }

// State opens (creating it if need be) the state bucket of c's stream.
func State(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.ObjectStore, error) {
	var os jetstream.ObjectStore
	err := retryAdmin(ctx, func(ctx context.Context) (err error) {
		os, err = js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: c.StateBucket(),
			Description: "lookout worker checkpoints of " + c.withDefaults().Stream + "'s partitions"})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("state bucket: %w", err)
	}
	return os, nil
}

const checkpointVersion = 1

// stageOutCodec carries what a partition's second-stage output keeps
// between frames: numbering, watermarks and what was sent of each vessel.
var stageOutCodec = statecodec.New(stageOut{}, statecodec.Skip(stageOut{},
	// Configuration and plumbing; this run's epoch; buffers, empty once
	// flushed before a checkpoint; counts towards the next flush.
	"cfg", "part", "epoch", "publish", "flushMu", "mu", "bufs", "counts", "since", "done",
	"slot", "maxInterp", "reappearAfter"))

// streamsID names the two streams a checkpoint belongs to.
type streamsID struct{ ais, x int64 }

func (w *Worker) streams(ctx context.Context) (streamsID, error) {
	c := w.Config.withDefaults()
	var id streamsID
	for _, s := range []struct {
		name string
		to   *int64
	}{{c.Stream, &id.ais}, {c.Stage2Stream(), &id.x}} {
		st, err := w.JS.Stream(ctx, s.name)
		if err != nil {
			return id, err
		}
		*s.to = st.CachedInfo().Created.UnixNano()
	}
	return id, nil
}

func checkpointName(p int) string { return "p" + strconv.Itoa(p) }

// encodeCheckpoint returns partition state after stream sequence seq. The
// caller has flushed out and feeds pl from this goroutine.
func (w *Worker) encodeCheckpoint(p int, seq uint64, id streamsID, pl *pipeline, out *stageOut) ([]byte, error) {
	b := []byte{checkpointVersion}
	b = binary.AppendUvarint(b, seq)
	b = binary.AppendVarint(b, id.ais)
	b = binary.AppendVarint(b, id.x)
	b = binary.AppendVarint(b, pl.maxIn)
	b = binary.AppendVarint(b, pl.at)
	out.mu.Lock()
	ob, err := stageOutCodec.Marshal(out, nil)
	out.mu.Unlock()
	if err != nil {
		return nil, err
	}
	sb, err := analyze.MarshalStages(pl.tr, pl.det)
	if err != nil {
		return nil, err
	}
	var xb []byte
	if w.SaveState != nil {
		if xb, err = w.SaveState(p); err != nil {
			return nil, err
		}
	}
	for _, part := range [][]byte{ob, sb, xb} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	return b, nil
}

// checkpoint is a partition's saved state, read but not yet loaded.
type checkpoint struct {
	seq        uint64
	maxIn, at  int64
	out, stage []byte
	extra      []byte
}

// readCheckpoint returns partition p's checkpoint for streams id; nil
// when there is none for them.
func (w *Worker) readCheckpoint(ctx context.Context, p int, id streamsID) (*checkpoint, error) {
	data, err := w.State.GetBytes(ctx, checkpointName(p))
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(data) == 0 || data[0] != checkpointVersion {
		return nil, nil // another build's: replayed instead
	}
	d := decoder{b: data[1:]}
	ck := &checkpoint{seq: d.uvarint()}
	if (streamsID{d.varint(), d.varint()}) != id {
		return nil, nil
	}
	ck.maxIn, ck.at = d.varint(), d.varint()
	part := func() []byte {
		n := d.uvarint()
		if d.err == nil && n > uint64(len(d.b)) {
			d.err = errShort
		}
		return d.take(int(min(n, uint64(len(d.b)))))
	}
	ck.out, ck.stage, ck.extra = part(), part(), part()
	if d.err != nil {
		return nil, fmt.Errorf("checkpoint of partition %d: %w", p, d.err)
	}
	return ck, nil
}

// load puts ck into a freshly built partition.
func (w *Worker) load(p int, ck *checkpoint, pl *pipeline, out *stageOut) error {
	pl.maxIn, pl.at = ck.maxIn, ck.at
	out.mu.Lock()
	err := stageOutCodec.Unmarshal(ck.out, out, nil)
	out.mu.Unlock()
	if err != nil {
		return err
	}
	if err := analyze.UnmarshalStages(pl.tr, pl.det, ck.stage); err != nil {
		return err
	}
	if w.LoadState != nil {
		return w.LoadState(p, ck.extra)
	}
	return nil
}

// checkpointSaver saves a partition's checkpoints on a goroutine of its
// own: each waits for the events emitted before it to be stored, and a
// newer one replaces one not yet saved.
type checkpointSaver struct {
	w    *Worker
	name string
	mu   sync.Mutex
	next []byte
	wake chan struct{}
	done chan struct{}
}

func (w *Worker) newSaver(ctx context.Context, p int) *checkpointSaver {
	s := &checkpointSaver{w: w, name: checkpointName(p), wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.loop(ctx)
	return s
}

func (s *checkpointSaver) put(b []byte) {
	s.mu.Lock()
	s.next = b
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *checkpointSaver) loop(ctx context.Context) {
	defer close(s.done)
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-s.wake:
			s.mu.Lock()
			b := s.next
			s.next = nil
			s.mu.Unlock()
			if b != nil && s.save(ctx, b) != nil && ctx.Err() != nil {
				return
			}
			if !ok {
				return
			}
		}
	}
}

// save stores b once the events before it are stored. A failure leaves
// the previous checkpoint, which is only older.
func (s *checkpointSaver) save(ctx context.Context, b []byte) error {
	if s.w.Sync != nil {
		if err := s.w.Sync(ctx); err != nil {
			return err
		}
	}
	return retry(ctx, 200*time.Millisecond, func(error) bool { return true }, func(ctx context.Context) error {
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, err := s.w.State.PutBytes(pctx, s.name, b)
		return err
	})
}

// close saves what is pending and waits (until ctx ends).
func (s *checkpointSaver) close() {
	close(s.wake)
	<-s.done
}
