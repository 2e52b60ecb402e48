package remote

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// Client is a store.Store served by the lookout serve that holds a DuckDB
// file. Like the stores it stands for, it is for one goroutine at a time.
type Client struct {
	hc   *http.Client
	info Info
}

var _ store.Store = (*Client)(nil)

// Dial connects to the server holding the DuckDB file db. It fails when no
// server answers on the file's socket.
func Dial(ctx context.Context, db string) (*Client, error) {
	sock := SocketPath(db)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return dialUnix(ctx, sock) },
		// One connection: the server runs one call at a time anyway.
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true,
	}
	c := &Client{hc: &http.Client{Transport: tr}}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var f frame
	if err := c.call(hctx, "hello", &request{}, func(fr *frame) error { f = *fr; return nil }); err != nil {
		tr.CloseIdleConnections()
		return nil, err
	}
	c.info = f.Info
	return c, nil
}

// Info says which server answers.
func (c *Client) Info() Info { return c.info }

// call sends req and hands every frame of the answer to fn.
func (c *Client) call(ctx context.Context, op string, req *request, fn func(*frame) error) error {
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(req); err != nil {
		return fmt.Errorf("store call %s: %w", op, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://lookout/v1/"+op, &body)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		return fmt.Errorf("store call %s to lookout serve: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("store call %s: %s: %s", op, resp.Status, bytes.TrimSpace(b))
	}
	dec := gob.NewDecoder(resp.Body)
	for {
		var f frame
		if err := dec.Decode(&f); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("store call %s: the server's answer broke off: %w", op, err)
		}
		if f.Err != "" {
			if f.NotFound {
				return store.ErrNotFound
			}
			return errors.New(f.Err)
		}
		if err := fn(&f); err != nil {
			// Stop reading: closing the body ends the server's stream.
			return err
		}
		if !f.More {
			return nil
		}
	}
}

// Write stores b through the server, in one transaction there.
func (c *Client) Write(ctx context.Context, b *store.Batch) (store.Written, error) {
	wb := &wireBatch{Batch: *b}
	wb.Batch.Events = nil
	var err error
	if wb.Events, err = toWire(b.Events); err != nil {
		return store.Written{}, err
	}
	var w store.Written
	err = c.call(ctx, "write", &request{Batch: wb}, func(f *frame) error { w = f.Written; return nil })
	return w, err
}

func (c *Client) File(ctx context.Context, hash string) (store.File, error) {
	var out store.File
	err := c.call(ctx, "file", &request{Hash: hash}, func(f *frame) error { out = f.File; return nil })
	return out, err
}

func (c *Client) Checkpoints(ctx context.Context, fn func(store.Checkpoint) error) error {
	return c.call(ctx, "checkpoints", &request{}, func(f *frame) error {
		for _, cp := range f.Checkpoints {
			if err := fn(cp); err != nil {
				return err
			}
		}
		return nil
	})
}

func (c *Client) Events(ctx context.Context, q store.EventQuery) ([]event.Event, error) {
	var out []event.Event
	err := c.call(ctx, "events", &request{Query: q}, func(f *frame) (err error) { out, err = fromWire(f.Events); return })
	return out, err
}

func (c *Client) Identities(ctx context.Context, mmsi uint32) ([]store.Identity, error) {
	var out []store.Identity
	err := c.call(ctx, "identities", &request{MMSI: mmsi}, func(f *frame) error { out = f.Identities; return nil })
	return out, err
}

func (c *Client) FindVessels(ctx context.Context, query string) ([]uint32, error) {
	var out []uint32
	err := c.call(ctx, "vessels", &request{Text: query}, func(f *frame) error { out = f.MMSIs; return nil })
	return out, err
}

func (c *Client) Track(ctx context.Context, mmsi uint32, since, until time.Time) ([]store.Position, error) {
	var out []store.Position
	err := c.call(ctx, "track", &request{MMSI: mmsi, Since: since, Until: until}, func(f *frame) error {
		out = append(out, f.Positions...)
		return nil
	})
	return out, err
}

func (c *Client) ScanPositions(ctx context.Context, since, until time.Time, fn func(*store.Position) error) error {
	return c.call(ctx, "positions", &request{Since: since, Until: until}, func(f *frame) error {
		for i := range f.Positions {
			if err := fn(&f.Positions[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (c *Client) Counts(ctx context.Context) (store.Counts, error) {
	var out store.Counts
	err := c.call(ctx, "counts", &request{}, func(f *frame) error { out = f.Counts; return nil })
	return out, err
}

// Lists returns the sanctions lists the served store keeps
// (store.ListStore), so that commands going through the server screen
// against the same lists as the server.
func (c *Client) Lists(ctx context.Context) ([]store.List, error) {
	var out []store.List
	err := c.call(ctx, "lists", &request{}, func(f *frame) error { out = f.Lists; return nil })
	return out, err
}

// LearnedPorts and PutLearnedPorts make the client a store.PortAreas: an
// ingest through the server learns from, and adds to, the stored areas.
func (c *Client) LearnedPorts(ctx context.Context) ([]store.LearnedPort, error) {
	var out []store.LearnedPort
	err := c.call(ctx, "learned-ports", &request{}, func(f *frame) error { out = f.Ports; return nil })
	return out, err
}

func (c *Client) PutLearnedPorts(ctx context.Context, ports []store.LearnedPort) error {
	return c.call(ctx, "put-learned-ports", &request{Ports: ports}, func(*frame) error { return nil })
}

// LatestPosition makes the client a store.LatestPositioner, so that an
// ingest through the server skips duplicate checks as a direct one does.
func (c *Client) LatestPosition(ctx context.Context) (time.Time, error) {
	var out time.Time
	err := c.call(ctx, "latest-position", &request{}, func(f *frame) error { out = f.Latest; return nil })
	return out, err
}

// Reception makes the client a store.ReceptionCounter: the server counts,
// and only the counts cross the socket, not every position.
func (c *Client) Reception(ctx context.Context, since, until time.Time, cellDeg float64) (store.Reception, error) {
	var out store.Reception
	err := c.call(ctx, "reception", &request{Since: since, Until: until, Cell: cellDeg}, func(f *frame) error { out = f.Reception; return nil })
	return out, err
}

// Compact has the server compact the file (see duckdb.Store.Compact).
func (c *Client) Compact(ctx context.Context, d *store.Downsample) (store.Compacted, error) {
	var out store.Compacted
	err := c.call(ctx, "compact", &request{Downsample: d}, func(f *frame) error { out = f.Compacted; return nil })
	return out, err
}

// Close lets go of the connection; the server and its store carry on.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// What a direct DuckDB store offers, the client offers too: pipeline and
// serve find these by type assertion, and without them an ingest through
// the server would silently skip screening lists, learned ports or
// duplicate checks.
var (
	_ store.ListStore        = (*Client)(nil)
	_ store.PortAreas        = (*Client)(nil)
	_ store.LatestPositioner = (*Client)(nil)
	_ store.ReceptionCounter = (*Client)(nil)
	_ store.Compactor        = (*Client)(nil)
)
