// Package backend opens the store an analyst names with --db: a
// postgres:// (or postgresql://) URL selects PostgreSQL/PostGIS, anything
// else is the path of a DuckDB file.
package backend

import (
	"context"
	"strings"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/postgres"
)

// Default is the database used when none is named.
const Default = "lookout.duckdb"

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the store named by dsn, creating its schema if needed.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	if dsn == "" {
		dsn = Default
	}
	if IsPostgres(dsn) {
		return postgres.Open(ctx, dsn)
	}
	return duckdb.Open(ctx, dsn)
}
