// Package backend opens the store an analyst names with --db: a
// postgres:// (or postgresql://) URL selects PostgreSQL/PostGIS, anything
// else is the path of a DuckDB file.
//
// A DuckDB file is opened by one writing process at a time. When
// `lookout serve` holds it, Open and OpenReadOnly hand back a store that
// goes through the server (store/remote) instead, so ingest, live, report
// and vessel work beside a running server; when anything else holds it,
// they fail with a *duckdb.LockedError that says what holds it and what to
// do.
package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/remote"
)

// Default is the database used when none is named.
const Default = "lookout.duckdb"

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the store named by dsn for reading and writing, creating its
// schema if needed.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	return open(ctx, dsn, false)
}

// OpenReadOnly opens the store named by dsn for a command that only reads
// it. A DuckDB file is opened read-only, so that several readers can share
// it and a file that may not be written can still be read.
func OpenReadOnly(ctx context.Context, dsn string) (store.Store, error) {
	return open(ctx, dsn, true)
}

func open(ctx context.Context, dsn string, readOnly bool) (store.Store, error) {
	if dsn == "" {
		dsn = Default
	}
	if IsPostgres(dsn) {
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	var st *duckdb.Store
	var err error
	if readOnly {
		st, err = duckdb.OpenReadOnly(ctx, dsn)
	} else {
		st, err = duckdb.Open(ctx, dsn)
	}
	if err == nil {
		return st, nil
	}
	if le := (*duckdb.LockedError)(nil); errors.As(err, &le) {
		if c, derr := remote.Dial(ctx, dsn); derr == nil {
			return c, nil
		}
	}
	return nil, err
}

// OpenServing opens the store for lookout serve: read-write when it can be
// written, so that uploads work and other commands can write through the
// server, and read-only when it cannot (a file of mode 0444, a read-only
// filesystem). writable says which.
func OpenServing(ctx context.Context, dsn string) (st store.Store, writable bool, err error) {
	st, err = Open(ctx, dsn)
	if err == nil {
		if c, isRemote := st.(*remote.Client); isRemote {
			c.Close()
			in := c.Info()
			return nil, false, fmt.Errorf("%s is already served by %s (PID %d) at %s: use that server, or stop it first", dsn, in.Command, in.PID, in.URL)
		}
		return st, true, nil
	}
	if ro := (*duckdb.ReadOnlyError)(nil); errors.As(err, &ro) {
		st, err = OpenReadOnly(ctx, dsn)
		return st, false, err
	}
	return nil, false, err
}
