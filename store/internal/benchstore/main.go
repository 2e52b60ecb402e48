// Command benchstore measures the store backends: positions per second
// written through store.Write, bytes on disk per million positions, and the
// time of a vessel query (the track of one vessel over the whole store, and
// its identity history) at the size built; with -compact, DuckDB's again
// after duckdb.Store.Compact. scripts/bench-store runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
	"github.com/lookout-osint/lookout/store/postgres"
)

func main() {
	n := flag.Int("n", 10_000_000, "positions to write")
	vessels := flag.Int("vessels", 5000, "distinct vessels")
	batch := flag.Int("batch", 1_000_000, "positions per Write (one transaction)")
	backend := flag.String("backend", "duckdb", "duckdb or postgres")
	dir := flag.String("dir", os.TempDir(), "directory for the DuckDB file")
	pgURL := flag.String("pg", os.Getenv("LOOKOUT_TEST_PG"), "PostgreSQL URL (a database the benchmark may fill; it uses a fresh schema and drops it)")
	keep := flag.Bool("keep", false, "keep the database afterwards")
	compact := flag.Bool("compact", false, "DuckDB: then compact the store (duckdb.Store.Compact) and time the vessel queries again")
	queryOnly := flag.String("query", "", "only time vessel queries on this existing DuckDB file (written by -keep with the same -vessels)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	days := flag.String("day-tracks", "", "only time one-day tracks of the busiest vessels (and as many others) on this existing store (DuckDB file or postgres:// URL), e.g. a national-day ingest")
	busiest := flag.Int("busiest", 10, "with -day-tracks: how many of the busiest vessels")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchstore:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "benchstore:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *days != "" {
		if err := dayTracks(*days, *busiest); err != nil {
			fmt.Fprintln(os.Stderr, "benchstore:", err)
			os.Exit(1)
		}
		return
	}
	if *queryOnly != "" {
		if err := queries(*queryOnly, *vessels); err != nil {
			fmt.Fprintln(os.Stderr, "benchstore:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*backend, *n, *vessels, *batch, *dir, *pgURL, *keep, *compact); err != nil {
		fmt.Fprintln(os.Stderr, "benchstore:", err)
		os.Exit(1)
	}
}

func run(backend string, n, vessels, batch int, dir, pgURL string, keep, compact bool) error {
	ctx := context.Background()
	var (
		s    store.Store
		size func() (int64, error)
		err  error
	)
	switch backend {
	case "duckdb":
		path := filepath.Join(dir, fmt.Sprintf("benchstore-%d.duckdb", os.Getpid()))
		if !keep {
			defer os.Remove(path)
			defer os.Remove(path + ".wal")
		}
		s, err = duckdb.Open(ctx, path)
		size = func() (int64, error) {
			st, err := os.Stat(path)
			if err != nil {
				return 0, err
			}
			return st.Size(), nil
		}
	case "postgres":
		schema := fmt.Sprintf("benchstore_%d", os.Getpid())
		admin, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			return err
		}
		if !keep {
			defer admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		}
		sep := "?"
		if slices.Contains([]byte(pgURL), '?') {
			sep = "&"
		}
		s, err = postgres.Open(ctx, pgURL+sep+"search_path="+schema+",public")
		if err != nil {
			return err
		}
		serverCPU = func() time.Duration { return backendsCPU(s) }
		size = func() (int64, error) {
			var b int64
			err := admin.QueryRow(ctx, "SELECT pg_total_relation_size('"+schema+".positions')").Scan(&b)
			return b, err
		}
	default:
		return fmt.Errorf("unknown backend %q", backend)
	}
	if err != nil {
		return err
	}
	defer s.Close()

	gen := newFleet(vessels)
	buf := make([]store.Position, batch)
	var writing, cpu time.Duration
	written := 0
	for written < n {
		m := min(batch, n-written)
		for i := range buf[:m] {
			gen.next(&buf[i])
		}
		var ids []store.Identity
		if written == 0 {
			ids = gen.identities()
		}
		t, c := time.Now(), cpuTime()+serverCPU()
		// A file record with each batch, as lookout ingest writes (and
		// PostgreSQL then copies a big batch over two connections).
		f := &store.File{Hash: "benchstore", Name: "benchstore", Positions: int64(written + m)}
		if _, err := s.Write(ctx, &store.Batch{Positions: buf[:m], Identities: ids, File: f}); err != nil {
			return err
		}
		writing += time.Since(t)
		cpu += cpuTime() + serverCPU() - c
		written += m
		fmt.Fprintf(os.Stderr, "\r%s: %d/%d positions, %.0f/s (%.0f per CPU-second)", backend, written, n,
			float64(written)/writing.Seconds(), float64(written)/cpu.Seconds())
	}
	fmt.Fprintln(os.Stderr)
	if err := s.Close(); err != nil { // flush DuckDB's WAL into the file before measuring it
		return err
	}
	switch backend {
	case "duckdb":
		s, err = duckdb.Open(ctx, filepath.Join(dir, fmt.Sprintf("benchstore-%d.duckdb", os.Getpid())))
	case "postgres":
		schema := fmt.Sprintf("benchstore_%d", os.Getpid())
		sep := "?"
		if slices.Contains([]byte(pgURL), '?') {
			sep = "&"
		}
		s, err = postgres.Open(ctx, pgURL+sep+"search_path="+schema+",public")
	}
	if err != nil {
		return err
	}
	bytes, err := size()
	if err != nil {
		return err
	}

	fmt.Fprintf(os.Stderr, "%s: timing vessel queries\n", backend)
	q, err := vesselQueries(ctx, s, gen, vessels)
	if err != nil {
		return err
	}
	fmt.Printf("%s\tpositions=%d\tbatch=%d\tvessels=%d\twrite_per_s=%.0f\twrite_per_cpu_s=%.0f\tbytes=%d\tbytes_per_million=%.0f\t%s\n",
		backend, n, batch, vessels, float64(n)/writing.Seconds(), float64(n)/cpu.Seconds(), bytes, float64(bytes)/float64(n)*1e6, q)
	if d, ok := s.(*duckdb.Store); ok && compact {
		fmt.Fprintf(os.Stderr, "%s: compacting\n", backend)
		t, c := time.Now(), cpuTime()
		if _, err := d.Compact(ctx, nil); err != nil {
			return err
		}
		wall, cpu := time.Since(t), cpuTime()-c
		if bytes, err = size(); err != nil {
			return err
		}
		// The file keeps the old copy's blocks for later writes to reuse.
		var used int64
		if err := d.DB().QueryRowContext(ctx, "SELECT used_blocks * block_size FROM pragma_database_size()").Scan(&used); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: timing vessel queries\n", backend)
		if q, err = vesselQueries(ctx, s, gen, vessels); err != nil {
			return err
		}
		fmt.Printf("%s-compacted\tpositions=%d\tcompact_s=%.1f\tcompact_cpu_s=%.1f\tfile_bytes=%d\tused_bytes=%d\tused_bytes_per_million=%.0f\t%s\n",
			backend, n, wall.Seconds(), cpu.Seconds(), bytes, used, float64(used)/float64(n)*1e6, q)
	}
	return nil
}

func queries(path string, vessels int) error {
	ctx := context.Background()
	s, err := duckdb.Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.Counts(ctx)
	if err != nil {
		return err
	}
	q, err := vesselQueries(ctx, s, newFleet(vessels), vessels)
	if err != nil {
		return err
	}
	fmt.Printf("duckdb\tpositions=%d\t%s\n", c.Positions, q)
	return nil
}

// queryStats are the timings of vessel queries.
type queryStats struct {
	p50, p99, max time.Duration // wall
	cpu           time.Duration // mean CPU time of this process (and the server's) per query
	points        int           // mean positions per track
}

func (q queryStats) String() string {
	return fmt.Sprintf("vessel_query_p50_ms=%.1f\tvessel_query_p99_ms=%.1f\tvessel_query_max_ms=%.1f\tvessel_query_cpu_ms=%.1f\tpoints_per_track=%d",
		ms(q.p50), ms(q.p99), ms(q.max), ms(q.cpu), q.points)
}

// vesselQueries times a vessel's whole track plus its identity history, as
// `lookout vessel` and `lookout track` ask, for 100 random vessels after
// one warm-up. CPU time is measured as well as wall: on a shared machine
// the wall time mostly says how busy the others are.
func vesselQueries(ctx context.Context, s store.Store, gen *fleet, vessels int) (q queryStats, err error) {
	const n = 100
	var times []time.Duration
	var cpu time.Duration
	for i := 0; i <= n; i++ {
		m := gen.mmsi(rand.IntN(vessels))
		t, c := time.Now(), cpuTime()+serverCPU()
		tr, err := s.Track(ctx, m, time.Time{}, time.Time{})
		if err != nil {
			return q, err
		}
		if _, err := s.Identities(ctx, m); err != nil {
			return q, err
		}
		if i > 0 {
			times = append(times, time.Since(t))
			cpu += cpuTime() + serverCPU() - c
			q.points += len(tr)
		}
	}
	slices.Sort(times)
	q.p50, q.p99, q.max = times[n/2], times[n*99/100-1], times[n-1]
	q.cpu, q.points = cpu/n, q.points/n
	return q, nil
}

// serverCPU is the CPU time of the database server process serving the
// benchmark (PostgreSQL's backend; DuckDB runs in this process).
var serverCPU = func() time.Duration { return 0 }

// backendsCPU is the CPU time of every server process serving s (the
// second, opened by the first big batch, too).
func backendsCPU(s store.Store) time.Duration {
	var pids []uint32
	switch p := s.(type) {
	case interface{ BackendPIDs() []uint32 }:
		pids = p.BackendPIDs()
	case interface{ BackendPID() uint32 }:
		pids = []uint32{p.BackendPID()}
	}
	var d time.Duration
	for _, pid := range pids {
		d += procCPU(int(pid))
	}
	return d
}

// cpuTime is this process's user+system CPU time. The machine is shared, so
// wall-clock rates understate what an idle machine does; positions per
// CPU-second do not depend on the load.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU reads a local process's user+system CPU time from /proc.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fleet makes plausible traffic: vessels moving around the Sea of Japan,
// reporting in turn, time advancing, with a share of unknown fields.
type fleet struct {
	lat, lon, sog, cog []float64
	t                  time.Time
	i                  int
	rng                *rand.Rand
}

func newFleet(n int) *fleet {
	f := &fleet{
		lat: make([]float64, n), lon: make([]float64, n), sog: make([]float64, n), cog: make([]float64, n),
		t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), rng: rand.New(rand.NewPCG(1, 2)),
	}
	for i := range n {
		f.lat[i] = 35 + f.rng.Float64()*10
		f.lon[i] = 128 + f.rng.Float64()*12
		f.sog[i] = f.rng.Float64() * 15
		f.cog[i] = f.rng.Float64() * 360
	}
	return f
}

func (f *fleet) mmsi(i int) uint32 { return 200_000_000 + uint32(i)*97 }

func (f *fleet) next(p *store.Position) {
	v := f.rng.IntN(len(f.lat))
	f.i++
	f.t = f.t.Add(50 * time.Millisecond)
	rad := f.cog[v] * math.Pi / 180
	f.lat[v] += math.Cos(rad) * f.sog[v] * 0.0001
	f.lon[v] += math.Sin(rad) * f.sog[v] * 0.0001
	*p = store.Position{
		MMSI: f.mmsi(v), Time: f.t, Lat: math.Round(f.lat[v]*600000) / 600000, Lon: math.Round(f.lon[v]*600000) / 600000,
		SOG: float32(math.Round(f.sog[v]*10) / 10), COG: float32(math.Round(f.cog[v]*10) / 10), Heading: int16(f.cog[v]),
		Status: 0, Station: "STN" + string(rune('A'+f.i%4)),
	}
	if f.i%10 == 0 {
		p.Heading = -1
	}
}

func (f *fleet) identities() []store.Identity {
	out := make([]store.Identity, len(f.lat))
	for i := range out {
		out[i] = store.Identity{MMSI: f.mmsi(i), Time: f.t, IMO: 9000000 + uint32(i), Name: fmt.Sprintf("VESSEL %d", i), ShipType: 80, Length: 120, Beam: 20, Draught: 7}
	}
	return out
}
