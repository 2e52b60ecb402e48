package analyze

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"slices"
	"sync"

	"github.com/lookout-osint/lookout/detect"
	"github.com/lookout-osint/lookout/track"
)

// An Analyzer carries its state across runs through package pipeline's
// Checkpointer: after each file the tracker's and detectors' state is
// saved, one blob per vessel plus one (MMSI 0) for what vessels share, and
// a later run restores it before its first file. Events that span files (a
// gap across midnight, a port visit over several days, an encounter) then
// come out exactly as one pass over all the files would find them.
//
// Blob layout: a format byte, then the tracker's part (length-prefixed)
// and the detectors' part. Either part is empty when that stage holds
// nothing for the vessel (a vessel heard only through static reports has
// no track).
const checkpointFormat = 1

// checkpoints remembers what was saved last, so that Snapshot returns only
// the vessels whose state changed: a vessel silent for a week is not
// rewritten with every daily file.
type checkpoints struct {
	seed  maphash.Seed
	saved map[uint32]uint64 // MMSI -> hash of the blob last saved or restored
}

func (c *checkpoints) init() {
	if c.saved == nil {
		c.seed, c.saved = maphash.MakeSeed(), map[uint32]uint64{}
	}
}

func (c *checkpoints) changed(mmsi uint32, blob []byte) bool {
	c.init()
	h := maphash.Bytes(c.seed, blob)
	if old, ok := c.saved[mmsi]; ok && old == h {
		return false
	}
	c.saved[mmsi] = h
	return true
}

// encode encodes the blob of mmsi (its tracker part by trk, then its
// detectors' part by det) into buf (nil: fresh buffers) and appends it to
// out if it differs from the one saved last; c.saved is only read, so
// that parts of a Snapshot may encode side by side.
func (c *checkpoints) encode(out []savedBlob, mmsi uint32, buf *[2][]byte, trk, det func(dst []byte) ([]byte, error)) ([]savedBlob, error) {
	if buf == nil {
		buf = new([2][]byte)
	}
	tb, err := trk(buf[0][:0])
	if err != nil {
		return nil, err
	}
	b := appendTrackerPart(buf[1][:0], tb)
	if b, err = det(b); err != nil {
		return nil, err
	}
	buf[0], buf[1] = tb, b
	h := maphash.Bytes(c.seed, b)
	if old, ok := c.saved[mmsi]; ok && old == h {
		return out, nil
	}
	return append(out, savedBlob{mmsi, h, bytes.Clone(b)}), nil
}

// appendTrackerPart begins a blob of Snapshot's format on dst: the format,
// then the tracker's part t; the detectors' part follows it to the end.
// splitParts reads it back.
func appendTrackerPart(dst, t []byte) []byte {
	dst = append(dst, checkpointFormat)
	dst = binary.AppendUvarint(dst, uint64(len(t)))
	return append(dst, t...)
}

func splitParts(b []byte) (t, d []byte, err error) {
	if len(b) == 0 || b[0] != checkpointFormat {
		return nil, nil, errors.New("unknown checkpoint format")
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || n > uint64(len(b)-1-k) {
		return nil, nil, errors.New("damaged checkpoint")
	}
	b = b[1+k:]
	return b[:n], b[n:], nil
}

// Snapshot returns the state that changed since the last Snapshot or
// Restore, keyed by MMSI (0: shared state). Call it between Reads.
func (a *Analyzer) Snapshot() (map[uint32][]byte, error) {
	return a.snapshot(runtime.GOMAXPROCS(0), snapshotMin)
}

// snapshotMin is the fewest vessels a part of a Snapshot encodes: below
// it, a goroutine costs more than it saves.
const snapshotMin = 256

// snapshot is Snapshot with the vessels encoded in up to parts slices of
// the MMSIs side by side, each of at least least vessels: at the end of a national feed's file it was a
// serial tail (3,000 vessels, a second or more of wall time on a loaded
// machine) with the other core idle. Encoding only reads the stages, and
// the record of what was saved is read by every part and written once
// they are done, so the result does not depend on parts.
func (a *Analyzer) snapshot(parts, least int) (map[uint32][]byte, error) {
	a.cp.init()
	mmsis := append(a.tracker.MMSIs(), a.det.MMSIs()...)
	slices.Sort(mmsis)
	mmsis = slices.Compact(mmsis)
	parts = max(1, min(parts, len(mmsis)/least))
	found := make([][]savedBlob, parts)
	errs := make([]error, parts+1)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() {
			part := mmsis[i*len(mmsis)/parts : (i+1)*len(mmsis)/parts]
			found[i], errs[i] = a.encodeVessels(part)
		})
	}
	shared, err := a.cp.encode(nil, 0, nil, a.tracker.MarshalShared, a.det.MarshalShared)
	errs[parts] = err
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := map[uint32][]byte{}
	for _, l := range append(found, shared) {
		for _, f := range l {
			out[f.mmsi] = f.blob
			a.cp.saved[f.mmsi] = f.hash
		}
	}
	// A vessel whose state is gone has its saved state deleted.
	for m := range a.cp.saved {
		if _, ok := slices.BinarySearch(mmsis, m); !ok && m != 0 {
			out[m] = nil
			delete(a.cp.saved, m)
		}
	}
	return out, nil
}

// savedBlob is a blob that changed, with the hash to remember it by.
type savedBlob struct {
	mmsi uint32
	hash uint64
	blob []byte
}

// encodeVessels encodes the blobs of mmsis and returns those that changed.
// Each blob is encoded into buffers reused for the next, and kept (copied
// out) only when it changed: a blob per vessel, each grown from nothing,
// made garbage of six times the state saved, which showed as a spike in
// the ingest's memory at the end of every file.
func (a *Analyzer) encodeVessels(mmsis []uint32) ([]savedBlob, error) {
	var out []savedBlob
	var err error
	var buf [2][]byte
	for _, m := range mmsis {
		trk := func(dst []byte) ([]byte, error) { b, _, err := a.tracker.MarshalVessel(dst, m); return b, err }
		det := func(dst []byte) ([]byte, error) { b, _, err := a.det.MarshalVessel(dst, m); return b, err }
		if out, err = a.cp.encode(out, m, &buf, trk, det); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Restore loads one blob saved by Snapshot. Call it before the first Read.
func (a *Analyzer) Restore(mmsi uint32, data []byte) error {
	t, d, err := splitParts(data)
	if err != nil {
		return fmt.Errorf("checkpoint of %d: %w", mmsi, err)
	}
	if mmsi == 0 {
		if err := a.tracker.UnmarshalShared(t); err != nil {
			return err
		}
		if err := a.det.UnmarshalShared(d); err != nil {
			return err
		}
	} else {
		if len(t) > 0 {
			if err := a.tracker.UnmarshalVessel(mmsi, t); err != nil {
				return err
			}
		}
		if len(d) > 0 {
			if err := a.det.UnmarshalVessel(mmsi, d); err != nil {
				return err
			}
		}
	}
	a.cp.changed(mmsi, data)
	return nil
}

// LearnedAreas returns the port areas the detectors learned (and were
// given by RestoreLearned). Call it between Reads.
func (a *Analyzer) LearnedAreas() []detect.LearnedArea { return a.det.LearnedAreas() }

// RestoreLearned gives the detectors port areas learned by an earlier run.
// Call it before the first Read.
func (a *Analyzer) RestoreLearned(areas []detect.LearnedArea) { a.det.RestoreLearned(areas) }

// MarshalStages encodes the whole state of a tracker and a detector fed by
// it, in Snapshot's blobs: the shared one, then every vessel's, each
// length-prefixed after its MMSI. A NATS worker checkpoints each
// partition's stages with it, so that a worker taking the partition over
// resumes from there instead of replaying the stream, and the detectors of
// its second stage (tr nil).
func MarshalStages(tr *track.Tracker, det *detect.Detector) ([]byte, error) {
	var ts []byte
	mmsis := det.MMSIs()
	if tr != nil {
		var err error
		if ts, err = tr.MarshalShared(nil); err != nil {
			return nil, err
		}
		mmsis = append(mmsis, tr.MMSIs()...)
	}
	ds, err := det.MarshalShared(nil)
	if err != nil {
		return nil, err
	}
	out := appendBlob(nil, append(appendTrackerPart(nil, ts), ds...))
	slices.Sort(mmsis)
	mmsis = slices.Compact(mmsis)
	out = binary.AppendUvarint(out, uint64(len(mmsis)))
	for _, m := range mmsis {
		var tb []byte
		if tr != nil {
			if tb, _, err = tr.MarshalVessel(nil, m); err != nil {
				return nil, err
			}
		}
		db, _, err := det.MarshalVessel(nil, m)
		if err != nil {
			return nil, err
		}
		out = binary.LittleEndian.AppendUint32(out, m)
		out = appendBlob(out, append(appendTrackerPart(nil, tb), db...))
	}
	return out, nil
}

func appendBlob(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// UnmarshalStages loads what MarshalStages saved into a tracker and a
// detector freshly made with the same options.
func UnmarshalStages(tr *track.Tracker, det *detect.Detector, data []byte) error {
	blob := func() ([]byte, error) {
		n, k := binary.Uvarint(data)
		if k <= 0 || n > uint64(len(data)-k) {
			return nil, errors.New("damaged stage state")
		}
		b := data[k : k+int(n)]
		data = data[k+int(n):]
		return b, nil
	}
	restore := func(mmsi uint32, b []byte) error {
		t, d, err := splitParts(b)
		if err != nil {
			return fmt.Errorf("state of %d: %w", mmsi, err)
		}
		if len(t) > 0 && tr == nil {
			return fmt.Errorf("state of %d: tracker state without a tracker", mmsi)
		}
		if mmsi == 0 {
			if tr != nil {
				if err := tr.UnmarshalShared(t); err != nil {
					return err
				}
			}
			return det.UnmarshalShared(d)
		}
		if len(t) > 0 {
			if err := tr.UnmarshalVessel(mmsi, t); err != nil {
				return err
			}
		}
		if len(d) > 0 {
			return det.UnmarshalVessel(mmsi, d)
		}
		return nil
	}
	b, err := blob()
	if err != nil {
		return err
	}
	if err := restore(0, b); err != nil {
		return err
	}
	n, k := binary.Uvarint(data)
	if k <= 0 {
		return errors.New("damaged stage state")
	}
	data = data[k:]
	for range n {
		if len(data) < 4 {
			return errors.New("damaged stage state")
		}
		m := binary.LittleEndian.Uint32(data)
		data = data[4:]
		if b, err = blob(); err != nil {
			return err
		}
		if err := restore(m, b); err != nil {
			return err
		}
	}
	if len(data) > 0 {
		return errors.New("damaged stage state: trailing bytes")
	}
	return nil
}
