package storetest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

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
