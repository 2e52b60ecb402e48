// Package store keeps what Lookout has seen and found: positions, identity
// history, events and per-vessel pipeline checkpoints, behind one interface
// with two backends (store/duckdb, embedded; store/postgres, PostGIS for
// teams). The schema is documented in SCHEMA.md; store/storetest holds the
// conformance suite both backends pass.
//
// Ingest is idempotent and crash-safe because everything that belongs to one
// step of reading a file (its positions, identities, events, the pipeline
// checkpoints and the file's progress counters) is written by one Write call
// in one transaction: after a crash, a re-run finds the counters of the last
// committed batch and skips exactly what was already stored.
package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// Position is one fix of one vessel. Unknown speed, course and heading are
// NaN (SOG, COG) and -1 (Heading), stored as NULL.
type Position struct {
	MMSI    uint32
	Time    time.Time // UTC
	Lat     float64
	Lon     float64
	SOG     float32 // knots
	COG     float32 // degrees true
	Heading int16   // degrees true, -1 when not available
	Status  uint8   // AIS navigational status, 15 when not defined
	Station string  // receiving station, "" when unknown
	// Flags carries the track's quality flags (impossible speed, on land,
	// …) as a bit set whose meaning belongs to package track.
	Flags uint32
}

// PositionKey names the stored positions of one vessel at one time.
type PositionKey struct {
	MMSI uint32
	Time time.Time
}

// Identity is one static report of a vessel (AIS types 5 and 24, or a CSV
// row's static columns). Zero values mean "not reported".
// Its JSON names are snake_case with units, as everywhere in the API.
type Identity struct {
	MMSI        uint32    `json:"mmsi"`
	Time        time.Time `json:"time"` // UTC
	IMO         uint32    `json:"imo,omitempty"`
	Name        string    `json:"name,omitempty"`
	CallSign    string    `json:"call_sign,omitempty"`
	ShipType    uint8     `json:"ship_type,omitempty"`
	Length      float32   `json:"length_m,omitempty"` // metres, bow to stern
	Beam        float32   `json:"beam_m,omitempty"`   // metres
	Draught     float32   `json:"draught_m,omitempty"`
	Destination string    `json:"destination,omitempty"`
}

// Checkpoint is a per-vessel blob of pipeline state (the tracker's and the
// detectors' state machines), opaque to the store. MMSI 0 is reserved for
// state that belongs to no single vessel. A nil Data deletes the checkpoint.
type Checkpoint struct {
	MMSI uint32
	Data []byte
}

// File is the ingest record of one input file, keyed by the SHA-256 of its
// content, decompressed, so that a renamed, copied or (de)compressed file is
// still recognised. Positions and
// Identities count the records of this file already stored, in the order the
// pipeline produces them; a re-run skips that many of each.
type File struct {
	Hash       string // hex SHA-256 of the file's content, decompressed
	Name       string // the path it was last ingested from
	Size       int64
	Positions  int64
	Identities int64
	Events     int64
	Done       bool // the whole file is stored
	Updated    time.Time
}

// Batch is one atomic write: either all of it is stored or none of it.
type Batch struct {
	Positions  []Position
	Identities []Identity
	// Events are stored once each: an event whose ID() is already stored is
	// skipped, so writing the same event twice is harmless, except that an
	// event replaces a provisional one with its ID (the later run's longer
	// or closed version of an event that was open).
	Events []event.Event
	// Provisional marks Events as what the pipeline still had open when a
	// run ended (a visit not yet left, a silence not yet broken): they
	// replace every provisional event stored before, and are themselves
	// replaced by the final versions a later run finds. A provisional event
	// never replaces a final one.
	Provisional bool
	// Replace makes Events replace the stored events with their IDs, final
	// or not: a re-screen's matches, whose evidence names every list that
	// now matches an identity.
	Replace     bool
	Checkpoints []Checkpoint
	// File, when set, replaces the file's ingest record in the same
	// transaction.
	File *File
	// Quarantined are positions stored earlier whose receive times the
	// tracker has since quarantined (a bad station clock: its clock guard
	// decides only once later reports outvote a time): they are deleted,
	// so that tracks and maps do not draw fixes that reached no track or
	// event. The tracker counts them.
	Quarantined []PositionKey
	// Lists replace the stored sanctions lists of the same names: a list
	// and the matches found by screening the store against it are stored
	// together or not at all.
	Lists []List
}

// List is a sanctions list kept in the store, so that everyone using the
// store screens against the same lists. Data is the list as package
// sanctions encodes it; the store does not look inside.
type List struct {
	Name     string
	Source   string    // where it came from (file, edition)
	Imported time.Time // UTC
	Hash     string    // hex SHA-256 of Data
	Entries  int
	Data     []byte
}

// Reception is what a store received, counted where the data lies: a
// report's coverage section needs these sums, and fetching every position
// to add them up took minutes through a served store's socket.
type Reception struct {
	// Days counts positions per receiving station ("" when unknown) and
	// UTC day, by station then day.
	Days []StationDay
	// Cells counts positions per grid cell, named by its south-west
	// corner, by latitude then longitude.
	Cells []CellCount
	// Files are the ingest records of every file, by update time then
	// name.
	Files []File
}

// StationDay is the number of positions one station heard in one UTC day.
type StationDay struct {
	Station   string
	Day       time.Time // midnight UTC
	Positions int64
}

// CellCount is the number of positions in one grid cell.
type CellCount struct {
	Lat, Lon  float64 // south-west corner
	Positions int64
}

// ReceptionCounter is a Store that counts its reception in the database
// (both backends, and a served store's client).
type ReceptionCounter interface {
	// Reception counts the positions with since <= Time < until (zero
	// bounds do not filter) per station and day and per cell of cellDeg
	// degrees, and lists the ingested files.
	Reception(ctx context.Context, since, until time.Time, cellDeg float64) (Reception, error)
}

// ListStore is a Store that keeps sanctions lists (both backends do).
type ListStore interface {
	// Lists returns the stored sanctions lists in name order.
	Lists(ctx context.Context) ([]List, error)
}

// Written counts the rows one Write added. Events counts the change in
// the number of stored events: an event whose ID was stored (a closed
// version of an open one, a re-screen's match) replaces it and adds
// nothing, and the provisional events a Provisional batch drops count
// against it, so that a run's Events add up to how much its store's total
// grew (it is negative when fewer events are open than before).
type Written struct {
	Positions, Identities, Events int64
}

// BBox is a longitude/latitude box in degrees (WGS 84). A box with
// MinLon > MaxLon crosses the antimeridian.
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// Contains reports whether the point lies inside the box, edges included.
func (b BBox) Contains(lat, lon float64) bool {
	if lat < b.MinLat || lat > b.MaxLat {
		return false
	}
	if b.MinLon <= b.MaxLon {
		return lon >= b.MinLon && lon <= b.MaxLon
	}
	return lon >= b.MinLon || lon <= b.MaxLon
}

// EventQuery selects events. Zero fields do not filter. Events match the
// time window when they overlap it: End >= Since and Start < Until.
type EventQuery struct {
	Types []event.Type
	BBox  *BBox
	Since time.Time
	Until time.Time
	// MMSI matches the event's vessel or, for encounters and identity
	// changes, the other vessel.
	MMSI  uint32
	Limit int
}

// Counts are the number of rows per table.
type Counts struct {
	Positions, Identities, Events, Files, Checkpoints int64
}

// Store is what Lookout needs from a database. Implementations are safe for
// use by one goroutine at a time per Store value unless they say otherwise.
type Store interface {
	// Write stores a batch in one transaction and says how many rows it
	// added.
	Write(ctx context.Context, b *Batch) (Written, error)
	// File returns the ingest record of the file with this hash, and
	// ErrNotFound when it has never been ingested.
	File(ctx context.Context, hash string) (File, error)
	// Checkpoints calls fn for every stored checkpoint.
	Checkpoints(ctx context.Context, fn func(Checkpoint) error) error

	// Events returns events matching q, ordered by start time then ID.
	Events(ctx context.Context, q EventQuery) ([]event.Event, error)
	// Identities returns the identity history of one vessel in time order.
	Identities(ctx context.Context, mmsi uint32) ([]Identity, error)
	// FindVessels resolves what an analyst typed (an MMSI, an IMO number or
	// a name, case-insensitive, substring) to MMSIs, in ascending order.
	FindVessels(ctx context.Context, query string) ([]uint32, error)
	// Track returns one vessel's positions with since <= Time < until, in
	// time order. Zero bounds do not filter.
	Track(ctx context.Context, mmsi uint32, since, until time.Time) ([]Position, error)
	// ScanPositions calls fn for every position with since <= Time < until
	// (zero bounds do not filter) in time order. The Position passed to fn
	// is reused between calls.
	ScanPositions(ctx context.Context, since, until time.Time, fn func(*Position) error) error
	// Counts returns the number of rows per table.
	Counts(ctx context.Context) (Counts, error)

	Close() error
}

// ErrNotFound is returned by lookups that find nothing.
var ErrNotFound = errors.New("not found")

// NaN32 is the float32 stored as NULL for unknown speed and course.
var NaN32 = float32(math.NaN())

// IsNaN32 reports whether f is NaN.
func IsNaN32(f float32) bool { return f != f }

// Versioned is a store that other processes may change behind a reader's
// back (PostgreSQL): DataVersion changes whenever data another process
// committed may have become visible, so a reader holding figures derived
// from the store can tell whether they are still current. It may change
// when nothing did; it never stays the same when something did.
type Versioned interface {
	DataVersion(ctx context.Context) (string, error)
}

// ConcurrentReads is a store whose read methods may be called from several
// goroutines at once, and beside one goroutine writing, when
// ConcurrentReads says so.
type ConcurrentReads interface {
	ConcurrentReads() bool
}

// Downsample says which old positions a compaction may drop: of the
// positions older than Before, it keeps the first fix of each vessel in
// each interval of length Every (counted from the Unix epoch, so a second
// pass with the same Every keeps the same fixes and drops nothing more),
// and every fix within Margin of the time span of an event of that vessel
// (as MMSI or other MMSI), a voyage excepted, and every fix with track
// quality flags. A voyage spans a vessel's whole time between ports:
// keeping its span would keep the whole track. Fixes heard by several
// stations are several rows; an interval keeps one of them.
type Downsample struct {
	Every  time.Duration
	Before time.Time
	Margin time.Duration
}

// Compacted says what a compaction did.
type Compacted struct {
	Before, After int64 // positions stored
}

// Compactor is a store that can rewrite its positions in vessel and time
// order (both backends, and the client of a store served over its socket),
// dropping what a Downsample allows when one is given. It runs in one
// transaction: interrupted, it leaves the store as it was.
type Compactor interface {
	Compact(ctx context.Context, d *Downsample) (Compacted, error)
}

// Valid reports what is wrong with d, if anything.
func (d *Downsample) Valid() error {
	switch {
	case d.Every < time.Second || d.Every%time.Second != 0:
		return fmt.Errorf("down-sampling interval %s: want whole seconds, at least 1s", d.Every)
	case d.Margin < 0 || d.Margin%time.Second != 0:
		return fmt.Errorf("evidence margin %s: want whole seconds, 0 or more", d.Margin)
	case d.Before.IsZero():
		return errors.New("down-sampling needs a time before which it applies")
	}
	return nil
}
