package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresURL returns the PostgreSQL server tests run against, named by
// LOOKOUT_TEST_PG. Without a reachable one the test is skipped, saying so,
// except in CI, where these tests must run and it fails.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("LOOKOUT_TEST_PG")
	why := ""
	if u == "" {
		why = "LOOKOUT_TEST_PG is not set (run: eval \"$(scripts/ci-services)\")"
	} else if conn, err := pgx.Connect(context.Background(), u); err != nil {
		why = fmt.Sprintf("PostgreSQL at LOOKOUT_TEST_PG is unreachable: %v", err)
	} else {
		conn.Close(context.Background())
	}
	if why == "" {
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL test cannot run in CI: %s", why)
	}
	t.Skipf("PostgreSQL test NOT RUN: %s", why)
	return ""
}

// PostgresSchema gives the test a schema of its own on the server at base
// (named prefix and a random number, dropped when the test ends) and
// returns base's URL with that schema first on the search path, so tests
// start empty and do not see each other's rows.
func PostgresSchema(t testing.TB, base, prefix string) string {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("%s_%d", prefix, rand.Uint64())
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	return u.String()
}
