package duckdb

import (
	"os"
	"strings"
)

// memoryLimit is LOOKOUT_DUCKDB_MEMORY_LIMIT (a DuckDB size such as
// "2GB"), or "" for DuckDB's own default (80% of RAM). A limit bounds
// DuckDB's buffer pool, which keeps the blocks it wrote cached; but writing
// the detectors' checkpoints of a national feed (3,000 vessels) needs more
// than 512 MB, and DuckDB then fails the write rather than spill, so
// lookout sets none unless asked.
func memoryLimit() string {
	v := strings.TrimSpace(os.Getenv("LOOKOUT_DUCKDB_MEMORY_LIMIT"))
	if strings.ContainsAny(v, "'\\;") {
		return ""
	}
	return v
}
