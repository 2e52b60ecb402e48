// Package pipeline owns the run from an AIS source to the store: read ->
// decode -> track -> detect -> screen -> store, with progress, checkpoints
// and exactly-once storage. Files (Files, Ingester) and live feeds
// (Stream) go through it; lookout ingest, live, demo and report only parse
// flags and print what it returns. See ARCHITECTURE.md for where it sits.
//
// Files are stored idempotently and safely against crashes.
//
// A file is known by the SHA-256 of its content, decompressed (stores made
// before knew a compressed file by its bytes, which is still recognised). Its positions and identity
// records are numbered in the order the decoder yields them, which depends
// only on the file, and each batch is stored in one transaction together
// with the file's record of how many of each are stored. A re-run after a
// crash (kill -9 included) reads the file again from the start and skips the
// numbers already stored; a file whose record says done is skipped whole.
// Events are stored once each by event.Event.ID, so events that a re-run
// finds again are not duplicated.
//
// An analysis that keeps state (a Checkpointer: package analyze's Analyzer)
// has it saved with each file's last batch and restored by the next run, so
// files ingested one run at a time give the events of one pass over all of
// them. What is still open after a run's last file (a visit not yet left)
// is stored provisionally and replaced by the later run's version. A live
// feed (Stream) keeps the same state, so a feed and files continue each
// other.
//
// Positions are stored as received (one row per reception, with the
// station), so what a station heard can be cited; identity records are
// stored when a vessel's reported identity changes within the file.
package pipeline
