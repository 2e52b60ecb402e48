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

// Checkpoints. A partition run from the start of the stream rebuilds its
// state by replaying every batch: a worker restarted, or one taking the
// partition over (a worker that joins), re-read the whole backfill so far,
// and republished its second-stage frames, which every shard decoded
// again only to skip them (93% of a shard's point items after six runs
// over one stream); a shard likewise replayed its whole subject. So at a
// file boundary of a backfill (the first batch of a file after another's,
// at most every partitionCheckpointEvery) a partition saves its state in
// the stream's state bucket (StateBucket): the tracker's and detectors'
// (in the blobs lookout ingest stores with each file,
// analyze.MarshalStages), what its second-stage
// output keeps (item and fix numbers, held points), what it holds for the
// interference unit's verdicts (heldState), and the worker's own
// (Worker.SaveState: the sanctions screener's), with the stream sequence
// of the last batch in it. A shard saves its state (queues, reception
// evidence, detectors) every shardCheckpointEvery until a partition's end
// (a drained run's) reaches it: what the end flushed is not in the state a
// later run carries on from. (Saving it also as the end came cost 12% of
// a worker's CPU on a real-rate day, so a backfill drained and given more
// files later replays its shards; once a partition's next run shows up
// after its end, a shard is built again from that checkpoint without the
// ends superseded, see shard.superseded.) A later run loads the
// checkpoint and consumes from the next message on.
//
// Exactly once: a checkpoint is saved only after the events emitted
// before it are stored (Worker.Sync) and, for a partition, the
// second-stage items numbered before it are in the second-stage stream
// (flushed first); until then the previous checkpoint stands. A run
// resumed from an older checkpoint than its predecessor reached emits
// again what followed (the store keeps one copy) and republishes the same
// items under the same numbers (the shards skip them), as a replay from
// the start does. A checkpoint names both streams by their creation time,
// so one written for streams since deleted and made again is not taken.
// Alert rules (Worker.Watch) keep no checkpoint: they start afresh. Nor
// does the interference unit (fixes.go): it replays its subject from the
// start, which rebuilds its state exactly (see Worker.fixes).

// StateBucket is the object store bucket of the partitions' and shards'
// checkpoints.
func (c Config) StateBucket() string { return c.withDefaults().Stream + "_STATE" }

// State opens (creating it if need be) the state bucket of c's stream.
func State(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.ObjectStore, error) {
	var os jetstream.ObjectStore
	err := retryAdmin(ctx, func(ctx context.Context) (err error) {
		os, err = js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: c.StateBucket(),
			Description: "lookout worker checkpoints of " + c.withDefaults().Stream + "'s partitions and shards"})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("state bucket: %w", err)
	}
	return os, nil
}

const checkpointVersion = 2

// stageOutCodec carries what a partition's second-stage output keeps
// between frames: numbering, watermarks and what was sent of each vessel.
var stageOutCodec = statecodec.New(stageOut{}, statecodec.Skip(stageOut{},
	// Configuration and plumbing; this run's epoch; buffers, empty once
	// flushed before a checkpoint; counts towards the next flush; where
	// the run's input ended, set as it ends.
	"cfg", "part", "epoch", "publish", "flushMu", "mu", "bufs", "counts", "since", "done",
	"slot", "maxInterp", "reappearAfter", "service", "input"))

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

func checkpointName(p int) string      { return "p" + strconv.Itoa(p) }
func shardCheckpointName(k int) string { return "s" + strconv.Itoa(k) }

// partitionCheckpointEvery is the least time between a partition's
// checkpoints: at every file boundary of 30 sparse days (42k messages a
// day) they cost a worker a tenth more CPU, for a restart that would
// replay seconds.
var partitionCheckpointEvery = 30 * time.Second

// shardCheckpointEvery is how often a shard saves its state: shards see
// no files, and their state (waiting points, reception hours, open
// encounters, the identity links) is larger than a partition's: 0.2-3.6 MB
// a shard and 10 MB for linkShard after 20 sparse days, against 0.3 MB a
// partition (eight of each).
var shardCheckpointEvery = 5 * time.Minute

// encodeCheckpoint returns a checkpoint after stream sequence seq of
// streams id, made of parts.
func encodeCheckpoint(seq uint64, id streamsID, parts ...[]byte) []byte {
	b := []byte{checkpointVersion}
	b = binary.AppendUvarint(b, seq)
	b = binary.AppendVarint(b, id.ais)
	b = binary.AppendVarint(b, id.x)
	b = binary.AppendUvarint(b, uint64(len(parts)))
	for _, part := range parts {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	return b
}

// readCheckpoint returns the checkpoint name holds for streams id: the
// sequence it follows and its parts (nil when there is none for them).
func (w *Worker) readCheckpoint(ctx context.Context, name string, id streamsID) (uint64, [][]byte, error) {
	data, err := w.State.GetBytes(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	if len(data) == 0 || data[0] != checkpointVersion {
		return 0, nil, nil // another build's: replayed instead
	}
	d := decoder{b: data[1:]}
	seq := d.uvarint()
	if (streamsID{d.varint(), d.varint()}) != id {
		return 0, nil, nil
	}
	parts := make([][]byte, min(d.uvarint(), 16))
	for i := range parts {
		n := d.uvarint()
		if d.err == nil && n > uint64(len(d.b)) {
			d.err = errShort
		}
		parts[i] = d.take(int(min(n, uint64(len(d.b)))))
	}
	if d.err != nil {
		return 0, nil, fmt.Errorf("checkpoint %s: %w", name, d.err)
	}
	return seq, parts, nil
}

// heldState is what a partition holds for the interference unit's
// verdicts (fixes.go): the points and static reports its tracker has put
// out and its detectors not yet taken, how far its fixes are judged and
// which of those waiting are displaced. Without it a run resumed from a
// checkpoint taken while points wait would never feed them to its
// detectors: its tracker put them out before the checkpoint. The verdicts
// on the last fixes of ended runs (pipeline.finals) are not kept: the
// verdicts are read again from their subject's start on resuming.
type heldState struct {
	Waiting []waitingInput
	Through uint64
	Disp    map[uint64]struct{}
	Placed  map[uint64]uint64
	Decided []areaDecision
}

var heldCodec = statecodec.New(heldState{})

// encodePartition returns partition p's state after stream sequence seq.
// The caller feeds pl's tracker from this goroutine; pl.mu keeps the
// verdicts' goroutine from feeding its detectors meanwhile, and the
// second-stage items and fixes taken before are flushed under it, so that
// the numbering saved is of items published.
func (w *Worker) encodePartition(ctx context.Context, p int, seq uint64, id streamsID, pl *pipeline, out *stageOut) ([]byte, error) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if err := out.flush(ctx, false); err != nil {
		return nil, err
	}
	pb := binary.AppendVarint(binary.AppendVarint(nil, pl.maxIn), pl.at)
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
	hb, err := heldCodec.Marshal(&heldState{Waiting: pl.waiting[pl.head:], Through: pl.through, Disp: pl.disp,
		Placed: pl.placed, Decided: pl.decided}, nil)
	if err != nil {
		return nil, err
	}
	var xb []byte
	if w.SaveState != nil {
		if xb, err = w.SaveState(p); err != nil {
			return nil, err
		}
	}
	return encodeCheckpoint(seq, id, pb, ob, sb, xb, hb), nil
}

// loadPartition puts a checkpoint's parts into a freshly built partition.
func (w *Worker) loadPartition(p int, parts [][]byte, pl *pipeline, out *stageOut) error {
	if len(parts) != 5 {
		return errors.New("checkpoint: partition state expected")
	}
	d := decoder{b: parts[0]}
	pl.maxIn, pl.at = d.varint(), d.varint()
	if d.err != nil {
		return d.err
	}
	out.mu.Lock()
	err := stageOutCodec.Unmarshal(parts[1], out, nil)
	out.mu.Unlock()
	if err != nil {
		return err
	}
	if err := analyze.UnmarshalStages(pl.tr, pl.det, parts[2]); err != nil {
		return err
	}
	var h heldState
	if err := heldCodec.Unmarshal(parts[4], &h, nil); err != nil {
		return err
	}
	pl.mu.Lock()
	pl.waiting, pl.head, pl.through = h.Waiting, 0, h.Through
	if h.Disp != nil {
		pl.disp = h.Disp
	}
	if h.Placed != nil {
		pl.placed = h.Placed
	}
	pl.decided = h.Decided
	pl.mu.Unlock()
	if w.LoadState != nil {
		return w.LoadState(p, parts[3])
	}
	return nil
}

// shardCodec carries a shard's own state; its detectors and reception
// evidence are encoded apart. Where the partitions' ended runs' input
// ended is not: no checkpoint is saved once an end is taken (sawEnd).
var shardCodec = statecodec.New(shard{}, statecodec.Skip(shard{},
	"idx", "parts", "grader", "rx", "links", "slab", "emit", "lost", "bad", "applied", "repeated", "superseded", "by", "passOver", "input"))

// checkpoint returns the shard's state after stream sequence seq.
func (s *shard) checkpoint(seq uint64, id streamsID) ([]byte, error) {
	parts := make([][]byte, 0, 5)
	b, err := shardCodec.Marshal(s, nil)
	if err != nil {
		return nil, err
	}
	parts = append(parts, b)
	if b, err = s.rx.Marshal(); err != nil {
		return nil, err
	}
	parts = append(parts, b)
	if b, err = analyze.MarshalStages(nil, s.grader); err != nil {
		return nil, err
	}
	parts = append(parts, b)
	if b, err = s.grader.MarshalDeciding(); err != nil {
		return nil, err
	}
	parts = append(parts, b)
	b = nil
	if s.links != nil {
		if b, err = analyze.MarshalStages(nil, s.links); err != nil {
			return nil, err
		}
	}
	return encodeCheckpoint(seq, id, append(parts, b)...), nil
}

// load puts a checkpoint's parts into a freshly made shard.
func (s *shard) load(parts [][]byte) error {
	if len(parts) != 5 || (s.links == nil) != (len(parts[4]) == 0) {
		return errors.New("checkpoint: shard state expected")
	}
	if err := shardCodec.Unmarshal(parts[0], s, nil); err != nil {
		return err
	}
	if err := s.rx.Unmarshal(parts[1]); err != nil {
		return err
	}
	if err := analyze.UnmarshalStages(nil, s.grader, parts[2]); err != nil {
		return err
	}
	if err := s.grader.UnmarshalDeciding(parts[3]); err != nil {
		return err
	}
	if s.links != nil {
		return analyze.UnmarshalStages(nil, s.links, parts[4])
	}
	return nil
}

// resume loads unit name's checkpoint, if any, with load (and on failure
// calls rebuild: the unit is replayed), and returns the stream sequence to
// consume from, the streams' identity and the unit's saver (nil without
// State).
func (w *Worker) resume(ctx context.Context, name string, load func(seq uint64, parts [][]byte) error, rebuild func()) (start uint64, ids streamsID, saver *checkpointSaver, err error) {
	if w.State == nil {
		return 1, ids, nil, nil
	}
	// A broker restarting as a worker starts is waited for, as SetupStage2
	// waits.
	var seq uint64
	var parts [][]byte
	err = retryAdmin(ctx, func(ctx context.Context) (err error) {
		if ids, err = w.streams(ctx); err != nil {
			return err
		}
		seq, parts, err = w.readCheckpoint(ctx, name, ids)
		return err
	})
	if err != nil {
		return 0, ids, nil, err
	}
	start = 1
	if parts != nil {
		if load(seq, parts) == nil {
			start = seq + 1
		} else {
			rebuild()
		}
	}
	return start, ids, w.newSaver(ctx, name), nil
}

// checkpointSaver saves a partition's or shard's checkpoints on a
// goroutine of its own: each waits for the events emitted before it to be stored, and a
// newer one replaces one not yet saved.
type checkpointSaver struct {
	w    *Worker
	name string
	mu   sync.Mutex
	next []byte
	wake chan struct{}
	done chan struct{}
}

func (w *Worker) newSaver(ctx context.Context, name string) *checkpointSaver {
	s := &checkpointSaver{w: w, name: name, wake: make(chan struct{}, 1), done: make(chan struct{})}
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
