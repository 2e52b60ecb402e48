package storetest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/duckdb"
)

// holdEnv makes a test binary that imports storetest hold a DuckDB file
// instead of running its tests (see Hold).
const holdEnv = "LOOKOUT_STORETEST_HOLD"

func init() {
	if v := os.Getenv(holdEnv); v != "" {
		os.Exit(hold(v))
	}
}

// DuckDBFile makes a DuckDB file in a temporary directory holding one
// identity, of a vessel named HELD, and closes it.
func DuckDBFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "held.duckdb")
	st, err := duckdb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Write(context.Background(), &store.Batch{Identities: []store.Identity{{MMSI: 211000001, Time: time.Unix(1e9, 0).UTC(), Name: "HELD"}}}); err != nil {
		t.Fatal(err)
	}
	return path
}

// Hold opens the DuckDB file path in another process, as another lookout
// command would, and keeps it open until the test ends. DuckDB locks files
// per process (within one, a second open shares the first), so a test of
// what one command sees while another holds the file needs two. It
// returns the holder's PID.
func Hold(t testing.TB, path string, readOnly bool) int {
	t.Helper()
	mode := "rw"
	if readOnly {
		mode = "ro"
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+mode+":"+path)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("holder of %s did not start: %q %v", path, line, err)
	}
	return cmd.Process.Pid
}

// hold is the holding process: it keeps the file open until its stdin
// closes.
func hold(arg string) int {
	mode, path, _ := strings.Cut(arg, ":")
	open := duckdb.Open
	if mode == "ro" {
		open = duckdb.OpenReadOnly
	}
	st, err := open(context.Background(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}
