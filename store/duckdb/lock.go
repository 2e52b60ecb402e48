package duckdb

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// ErrReadOnly is returned by writes to a store opened read-only.
var ErrReadOnly = errors.New("the store was opened read-only")

// LockedError says that another process holds the database file. DuckDB
// lets one process write a file, or any number read it, never both
// (https://duckdb.org/docs/stable/connect/concurrency); its own message
// names a lock and a PID, which tells an analyst neither what holds the
// file nor what to do.
type LockedError struct {
	Path string
	// PID and Command are the holder's, when DuckDB and /proc tell them.
	PID     int
	Command string
	Err     error
}

func (e *LockedError) Error() string {
	who := "another process"
	switch {
	case e.PID != 0 && e.Command != "":
		who = fmt.Sprintf("`%s` (PID %d)", e.Command, e.PID)
	case e.PID != 0:
		who = fmt.Sprintf("process %d", e.PID)
	}
	return fmt.Sprintf("%s is in use by %s: a DuckDB file is written by one process at a time, and while it is written no other process may open it. "+
		"Wait for it to finish, or stop it and start `lookout serve --db %s` first: while a server runs, other lookout commands on the file (ingest, live, report, vessel, …) go through it. "+
		"For several writers at once, share a PostgreSQL store (--db postgres://…)", e.Path, who, e.Path)
}

func (e *LockedError) Unwrap() error { return e.Err }

// ReadOnlyError says that a command that writes was given a file it may
// not write.
type ReadOnlyError struct {
	Path, Why string
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("%s cannot be written (%s), and this command stores data in it: make it writable or work on a copy; commands that only read it (vessel, report, serve, …) open it read-only", e.Path, e.Why)
}

var lockPID = regexp.MustCompile(`Conflicting lock is held in .* \(PID (\d+)\)`)

// openError turns DuckDB's failure to open path into an error that says
// what to do.
func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		le := &LockedError{Path: path, Err: err}
		if m := lockPID.FindStringSubmatch(msg); m != nil {
			le.PID, _ = strconv.Atoi(m[1])
			le.Command = commandLine(le.PID)
		}
		return le
	}
	return fmt.Errorf("open duckdb %q: %w", path, err)
}

// commandLine is the command line of a process, shortened to what an
// analyst recognises, or "" where /proc does not say.
func commandLine(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(b) == 0 {
		return ""
	}
	args := strings.Split(string(bytes.TrimRight(b, "\x00")), "\x00")
	if i := strings.LastIndexByte(args[0], '/'); i >= 0 {
		args[0] = args[0][i+1:]
	}
	s := strings.Join(args, " ")
	if len(s) > 120 {
		s = s[:117] + "…"
	}
	return s
}

// notWritable says why an existing file at path must not be written, or ""
// when it may (or does not exist yet). A file without any write bit is
// treated as read-only even for root, who could write it anyway: the mode
// says its owner meant it to stay as it is.
func notWritable(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	if fi.Mode().Perm()&0o222 == 0 {
		return fmt.Sprintf("file mode %04o", fi.Mode().Perm())
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err == nil {
		f.Close()
		return ""
	}
	switch {
	case errors.Is(err, syscall.EROFS):
		return "read-only filesystem"
	case errors.Is(err, fs.ErrPermission):
		return "no write permission for this user"
	}
	return ""
}
