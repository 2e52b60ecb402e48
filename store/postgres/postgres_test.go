package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/postgres"
	"github.com/lookout-osint/lookout/store/storetest"
)

// testURL returns the server to test against. The suite must run in CI:
// there a missing server fails the test; elsewhere it skips, saying so.
func testURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("LOOKOUT_TEST_PG")
	why := ""
	if u == "" {
		why = "LOOKOUT_TEST_PG is not set (run: eval \"$(scripts/ci-services)\")"
	} else {
		conn, err := pgx.Connect(context.Background(), u)
		if err != nil {
			why = fmt.Sprintf("PostgreSQL at LOOKOUT_TEST_PG is unreachable: %v", err)
		} else {
			conn.Close(context.Background())
		}
	}
	if why == "" {
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL conformance suite cannot run in CI: %s", why)
	}
	t.Skipf("PostgreSQL conformance suite NOT RUN: %s", why)
	return ""
}

// schemaURL gives each test a schema of its own (dropped afterwards), so
// tests start empty and runs do not see each other's rows.
func schemaURL(t *testing.T, base string) string {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("lookout_test_%d", rand.Uint64())
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

func TestConformance(t *testing.T) {
	base := testURL(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), schemaURL(t, base))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
