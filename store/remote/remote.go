// Package remote lets lookout commands use a DuckDB store that a running
// `lookout serve` holds. DuckDB lets one process write a file, or many
// read it, never both at once
// (https://duckdb.org/docs/stable/connect/concurrency): a server that keeps
// the file open would lock every other command out, and one that let go
// between requests could not be handed the file back while a live feed
// writes for days. So the server is the file's one writer, and it answers
// the store's calls (store.Store, plus Compact) on a Unix socket beside the
// file; store/backend dials it when the file is held. Every write then
// passes through the server, which therefore knows at once when its cached
// figures are out of date.
//
// The socket is created with the file's own write permissions: whoever may
// write the database may write through the server, nobody else. The wire
// format is gob over HTTP, private to one build of lookout.
package remote

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/store"
)

// SocketPath is where the server holding the DuckDB file db answers.
func SocketPath(db string) string { return db + ".sock" }

// Info is what a server says about itself.
type Info struct {
	PID     int
	Command string
	Path    string // the database file, absolute
	URL     string // where the server answers HTTP, when it does
}

// request carries the arguments of every call; each uses a few.
type request struct {
	Batch *wireBatch
	Hash  string
	Query store.EventQuery
	MMSI  uint32
	Text  string
	Since time.Time
	Until time.Time
	Ports []store.LearnedPort
	Cell  float64
	// Downsample is a compaction's (nil: compact only).
	Downsample *store.Downsample
}

// frame is one piece of an answer. Calls that stream (positions,
// checkpoints) send frames with More set until the last.
type frame struct {
	More        bool
	Err         string
	NotFound    bool
	Info        Info
	Written     store.Written
	File        store.File
	Events      []wireEvent
	Identities  []store.Identity
	MMSIs       []uint32
	Positions   []store.Position
	Checkpoints []store.Checkpoint
	Counts      store.Counts
	Lists       []store.List
	Ports       []store.LearnedPort
	Latest      time.Time
	Reception   store.Reception
	Compacted   store.Compacted
}

// wireBatch is a store.Batch whose events carry their evidence as JSON:
// evidence values are of any type, which gob cannot send without knowing
// them all, and JSON is how the stores keep evidence anyway.
type wireBatch struct {
	Batch  store.Batch
	Events []wireEvent
}

type wireEvent struct {
	Event    event.Event
	Evidence []byte
}

func toWire(evs []event.Event) ([]wireEvent, error) {
	out := make([]wireEvent, len(evs))
	for i, e := range evs {
		if len(e.Evidence) > 0 {
			b, err := json.Marshal(e.Evidence)
			if err != nil {
				return nil, fmt.Errorf("evidence of %s %d: %w", e.Type, e.MMSI, err)
			}
			out[i].Evidence = b
			e.Evidence = nil
		}
		out[i].Event = e
	}
	return out, nil
}

func fromWire(ws []wireEvent) ([]event.Event, error) {
	out := make([]event.Event, len(ws))
	for i, w := range ws {
		out[i] = w.Event
		if len(w.Evidence) > 0 {
			if err := json.Unmarshal(w.Evidence, &out[i].Evidence); err != nil {
				return nil, fmt.Errorf("evidence: %w", err)
			}
		}
	}
	return out, nil
}

// absolute is the path a client and a server both name the file by.
func absolute(db string) string {
	if a, err := filepath.Abs(db); err == nil {
		db = a
	}
	if r, err := filepath.EvalSymlinks(db); err == nil {
		db = r
	}
	return db
}

func selfInfo(db, url string) Info {
	cmd, _ := os.Executable()
	return Info{PID: os.Getpid(), Command: filepath.Base(cmd), Path: absolute(db), URL: url}
}
