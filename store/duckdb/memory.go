package duckdb

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// DefaultMemoryLimit bounds DuckDB's memory (its buffer pool above all)
// unless LOOKOUT_DUCKDB_MEMORY_LIMIT says otherwise. DuckDB's own default,
// 80% of RAM, let the pool keep every block an ingest wrote: about 17 bytes
// per stored position, 170 MB after a national feed's day and more with
// every day, without end on a live feed. Those blocks are on disk and in
// the operating system's cache, so reading them again costs little; sorts
// and aggregations beyond the limit spill to a temporary file beside the
// database. 128 MB holds a national feed day's writes (the 3,000 vessels'
// detector checkpoints included: SCHEMA.md, "DuckDB memory").
const DefaultMemoryLimit = "128MB"

// memoryLimit is LOOKOUT_DUCKDB_MEMORY_LIMIT (a DuckDB size such as
// "2GB"), or DefaultMemoryLimit.
func memoryLimit() string {
	v := strings.TrimSpace(os.Getenv("LOOKOUT_DUCKDB_MEMORY_LIMIT"))
	if v == "" || strings.ContainsAny(v, "'\\;") {
		return DefaultMemoryLimit
	}
	return v
}

// withMemory runs fn with DuckDB's memory limit raised by extra bytes. A
// transaction keeps the rows it writes in memory until it commits, and
// DuckDB fails a write it cannot fit rather than spill it: the detectors'
// checkpoints, one row per live vessel, are written at the end of a file
// in the transaction of its last batch, so what they need grows with the
// vessels a feed carries (40 MB for a national feed's 3,000), not with the
// input. The buffer pool stays bounded by the limit the rest of the time.
func (s *Store) withMemory(ctx context.Context, extra int64, fn func() error) error {
	if s.memLimit == 0 || extra <= 0 {
		return fn()
	}
	set := func(n int64) error {
		_, err := s.conn.ExecContext(ctx, "SET memory_limit = '"+strconv.FormatInt(n>>10, 10)+"KiB'")
		return err
	}
	if err := set(s.memLimit + extra); err != nil {
		return fmt.Errorf("raise memory_limit: %w", err)
	}
	err := fn()
	if rerr := set(s.memLimit); rerr != nil && err == nil {
		err = fmt.Errorf("restore memory_limit: %w", rerr)
	}
	return err
}
