package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Workers that join (Worker.Members) instead of taking a fixed share
// (Index, Of) keep a key each in the stream's members bucket, refreshed
// every memberBeat and expiring memberTTL after their last refresh (a
// killed worker drops out by itself). Every worker reads the members now
// and then and runs the partitions and shards that fall to it: unit u
// (partition p, or shard k as Partitions+k) goes to the u mod n-th of the
// n members in key order, so the units spread evenly and every worker
// computes the same split from the same members. A worker added
// mid-backfill therefore takes units over: it starts them from the start
// of the streams (a unit's state is rebuilt by replaying, as after a
// restart), the worker that had them stops them at its next reading of
// the members. Meanwhile both may run a unit: events are stored
// idempotently, and a shard skips the second-stage items it has (they
// are numbered per partition), so the store ends as with one worker.
// A worker that drained its units leaves its key marked drained, and the
// others that saw it running keep counting it, so that they do not run
// its units again (one that never saw it running, as in a later backfill,
// does not count it); a
// worker that stopped otherwise removes its key, and one killed drops out
// when its key expires: its units then fall to the others.
const (
	memberTTL  = 10 * time.Second
	memberBeat = 2 * time.Second
	// memberDrained is the value of a drained worker's key.
	memberDrained = "drained"
)

// MembersBucket is the key-value bucket of the workers that joined the
// stream (Worker.Members).
func (c Config) MembersBucket() string { return c.withDefaults().Stream + "_MEMBERS" }

// Members opens (creating it if need be) the members bucket of c's
// stream.
func Members(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.KeyValue, error) {
	var kv jetstream.KeyValue
	err := retryAdmin(ctx, func(ctx context.Context) (err error) {
		kv, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: c.MembersBucket(), TTL: memberTTL,
			Description: "lookout workers sharing " + c.withDefaults().Stream + " (lookout worker --join)"})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("members bucket: %w", err)
	}
	return kv, nil
}

// unitsOf returns the units (partitions, then shards as partitions+k)
// that fall to member among members (sorted).
func unitsOf(members []string, member string, units int) []int {
	i := slices.Index(members, member)
	if i < 0 {
		return nil
	}
	var out []int
	for u := range units {
		if u%len(members) == i {
			out = append(out, u)
		}
	}
	return out
}

// unitJob is a partition or shard running.
type unitJob struct {
	cancel context.CancelFunc
	done   chan error
}

// runMembers runs the units that fall to this worker among the members,
// following the membership until ctx ends (with Drain: until every unit
// it runs has ended by itself).
func (w *Worker) runMembers(ctx context.Context) error {
	c := w.Config.withDefaults()
	if w.Stage != 0 {
		return errors.New("a joining worker runs both stages")
	}
	key := w.ID
	if key == "" {
		var b [6]byte
		rand.Read(b[:])
		key = "w" + hex.EncodeToString(b[:])
	}
	beat := func() error {
		_, err := w.Members.Put(ctx, key, []byte(time.Now().UTC().Format(time.RFC3339)))
		return err
	}
	if err := beat(); err != nil {
		return fmt.Errorf("join %s: %w", c.MembersBucket(), err)
	}
	drainedAll := false
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if drainedAll {
			w.Members.Put(dctx, key, []byte(memberDrained))
		} else {
			w.Members.Delete(dctx, key)
		}
		cancel()
	}()
	// Members seen running, and seen drained after: still counted.
	running, drained := map[string]bool{}, map[string]bool{}
	units := c.Partitions + c.Shards
	jobs := map[int]*unitJob{}
	ended := map[int]bool{} // drained units: ended by themselves
	ends := make(chan [2]int, units)
	var errs []error
	stop := func(u int) {
		j := jobs[u]
		j.cancel()
		if err := <-j.done; err != nil && !errors.Is(err, context.Canceled) {
			errs = append(errs, err)
		}
		delete(jobs, u)
		if u < c.Partitions {
			w.setEpoch(u, 0)
		}
	}
	defer func() {
		for u := range jobs {
			stop(u)
		}
	}()
	var members []string
	t := time.NewTicker(memberBeat)
	defer t.Stop()
	for {
		if ms, err := memberKeys(ctx, w.Members, running, drained); err == nil {
			if !slices.Contains(ms, key) {
				// Expired while the broker was away: back in.
				if beat() == nil {
					ms = append(ms, key)
					slices.Sort(ms)
				}
			}
			members = ms
		}
		mine := unitsOf(members, key, units)
		changed := false
		for u := range jobs {
			if !slices.Contains(mine, u) {
				stop(u)
				changed = true
			}
		}
		for u := range ended {
			if !slices.Contains(mine, u) {
				delete(ended, u) // given back: started afresh if it falls here again
			}
		}
		for _, u := range mine {
			if jobs[u] != nil || ended[u] {
				continue
			}
			jctx, cancel := context.WithCancel(ctx)
			j := &unitJob{cancel: cancel, done: make(chan error, 1)}
			jobs[u] = j
			changed = true
			if u < c.Partitions {
				w.setEpoch(u, randEpoch())
			}
			w.ran(u)
			go func() {
				var err error
				if u < c.Partitions {
					err = w.partition(jctx, u)
				} else {
					err = w.shard(jctx, u-c.Partitions)
				}
				j.done <- err
				ends <- [2]int{u}
			}()
		}
		if changed && w.OnOwn != nil {
			var ps, ks []int
			for _, u := range mine {
				if u < c.Partitions {
					ps = append(ps, u)
				} else {
					ks = append(ks, u-c.Partitions)
				}
			}
			w.OnOwn(ps, ks)
		}
		if len(errs) > 0 {
			return errs[0]
		}
		// Drained: every unit that fell to it has ended; with none (more
		// workers than units), once every other worker has drained.
		if w.Drain && len(jobs) == 0 && (len(mine) > 0 || len(members) > 0 && len(drained) == len(members)-1) {
			drainedAll = true
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-ends:
			u := e[0]
			if j := jobs[u]; j != nil {
				select {
				case err := <-j.done:
					delete(jobs, u)
					if err != nil && !errors.Is(err, context.Canceled) {
						return err
					}
					// Its epoch stays: this worker's shards wait for
					// its end, not an earlier run's.
					ended[u] = true
				default:
					// stopped by stop(), which took its result
				}
			}
		case <-t.C:
			if err := beat(); err != nil && ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
}

// memberKeys returns the members' keys, sorted: those running, and those
// seen running and then drained (recorded in running and drained), also
// after their keys have expired.
func memberKeys(ctx context.Context, kv jetstream.KeyValue, running, drained map[string]bool) ([]string, error) {
	l, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range l.Keys() {
		if drained[k] {
			continue
		}
		e, err := kv.Get(ctx, k)
		if err != nil {
			continue // gone meanwhile
		}
		if string(e.Value()) != memberDrained {
			running[k] = true
			out = append(out, k)
		} else if running[k] {
			drained[k] = true
		}
	}
	for k := range drained {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}
