package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-osint/lookout/store/backend"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// dayTracks times what issue 17 asks to answer in under 50 ms: one
// vessel's track over one day, on a store holding a real-rate day (lookout
// ingest of lookout simulate --preset national-day). It asks for the day
// of the store's first position, for the n vessels with the most positions
// and n more picked evenly from the rest, each three times after one
// warm-up, and prints wall p50/max and the CPU per query (this process and,
// for PostgreSQL, the server's backend).
func dayTracks(dsn string, n int) error {
	ctx := context.Background()
	s, err := backend.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	q := "SELECT mmsi, count(*) AS c, min(ts) FROM positions GROUP BY mmsi ORDER BY c DESC, mmsi"
	type vessel struct {
		mmsi  uint32
		count int64
		first time.Time
	}
	var vs []vessel
	var used int64 // bytes: the DuckDB file's blocks in use, PostgreSQL's positions with indexes
	switch d := s.(type) {
	case *duckdb.Store:
		rows, err := d.DB().QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v vessel
			if err := rows.Scan(&v.mmsi, &v.count, &v.first); err != nil {
				return err
			}
			vs = append(vs, v)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		serverCPU = func() time.Duration { return 0 }
		// The file keeps a compaction's old blocks for later writes: count
		// the blocks in use.
		if err := d.DB().QueryRowContext(ctx, "SELECT used_blocks * block_size FROM pragma_database_size()").Scan(&used); err != nil {
			return err
		}
	default:
		if !strings.HasPrefix(dsn, "postgres") {
			return fmt.Errorf("a %T store: give a DuckDB file or a postgres:// URL", s)
		}
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		rows, err := conn.Query(ctx, q)
		if err != nil {
			return err
		}
		for rows.Next() {
			var v vessel
			var m int32
			if err := rows.Scan(&m, &v.count, &v.first); err != nil {
				return err
			}
			v.mmsi = uint32(m)
			vs = append(vs, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		serverCPU = func() time.Duration { return backendsCPU(s) }
		if err := conn.QueryRow(ctx, "SELECT pg_total_relation_size('positions')").Scan(&used); err != nil {
			return err
		}
	}
	if len(vs) == 0 {
		return fmt.Errorf("%s holds no positions", dsn)
	}
	c, err := s.Counts(ctx)
	if err != nil {
		return err
	}
	day := slices.MinFunc(vs, func(a, b vessel) int { return a.first.Compare(b.first) }).first.UTC().Truncate(24 * time.Hour)
	picked := vs[:min(n, len(vs))]
	if rest := vs[len(picked):]; len(rest) > 0 {
		for i := range n {
			picked = append(picked, rest[i*len(rest)/n])
		}
	}
	var busy, other []time.Duration
	var cpu [2]time.Duration
	points, queries, maxPoints := 0, 0, 0
	for k, v := range picked {
		for i := range 4 {
			t, c := time.Now(), cpuTime()+serverCPU()
			tr, err := s.Track(ctx, v.mmsi, day, day.Add(24*time.Hour))
			if err != nil {
				return err
			}
			if i == 0 { // warm-up: the first read of a vessel's blocks
				continue
			}
			d := time.Since(t)
			if k < n {
				busy = append(busy, d)
				cpu[0] += cpuTime() + serverCPU() - c
			} else {
				other = append(other, d)
				cpu[1] += cpuTime() + serverCPU() - c
			}
			points += len(tr)
			maxPoints = max(maxPoints, len(tr))
			queries++
		}
	}
	pct := func(ds []time.Duration, cpu time.Duration) string {
		if len(ds) == 0 {
			return "-"
		}
		slices.Sort(ds)
		return fmt.Sprintf("wall p50 %.1f ms, max %.1f ms, CPU %.1f ms per query", ms(ds[len(ds)/2]), ms(ds[len(ds)-1]), ms(cpu/time.Duration(len(ds))))
	}
	fmt.Printf("%s\tpositions=%d\tused_bytes=%d (%.1f per position)\tvessels=%d\tday=%s\tbusiest %d (first %d, up to %d points): %s\tothers: %s\tmean points %d\n",
		strings.SplitN(dsn, "?", 2)[0], c.Positions, used, float64(used)/float64(c.Positions), len(vs), day.Format("2006-01-02"), n, vs[0].mmsi, maxPoints, pct(busy, cpu[0]), pct(other, cpu[1]),
		points/queries)
	return nil
}
