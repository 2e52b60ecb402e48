package sqlstore

import (
	"fmt"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// EvidenceSQL selects, per vessel, the merged time spans (a, b) within
// which a down-sampling compaction keeps every fix: each event's span
// widened by margin on both sides, for its vessel and for the other
// vessel of a pair, voyages excepted (store.Downsample). Overlapping spans
// are merged, so that a position falls in at most one span and the span
// with the latest start at or before it is the only one to check: DuckDB
// finds it with an ASOF join, PostgreSQL with one index probe per row.
// mmsi is the events table's column; a store whose positions keep MMSIs
// in another type casts it in mmsiExpr ("%s" stands for the column).
func EvidenceSQL(margin time.Duration, mmsiExpr string) string {
	m := fmt.Sprintf("INTERVAL '%d seconds'", int64(margin/time.Second))
	one := func(col, cond string) string {
		return "SELECT " + fmt.Sprintf(mmsiExpr, col) + " AS mmsi, start_time - " + m + " AS a, end_time + " + m +
			" AS b FROM events WHERE type <> '" + string(event.Voyage) + "'" + cond
	}
	return `WITH s AS (` + one("mmsi", "") + ` UNION ALL ` + one("other_mmsi", " AND other_mmsi IS NOT NULL") + `),
o AS (SELECT mmsi, a, b, max(b) OVER (PARTITION BY mmsi ORDER BY a, b ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach FROM s),
g AS (SELECT mmsi, a, b, sum(CASE WHEN reach IS NULL OR a > reach THEN 1 ELSE 0 END) OVER (PARTITION BY mmsi ORDER BY a, b ROWS UNBOUNDED PRECEDING) AS grp FROM o)
SELECT mmsi, min(a) AS a, max(b) AS b FROM g GROUP BY mmsi, grp`
}
