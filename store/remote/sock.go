package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// maxSockPath is what fits in a sockaddr_un on every Unix (104 on the
// BSDs, 108 on Linux).
const maxSockPath = 100

// shortPath calls fn with a name for path short enough for a socket
// address: path itself, or else the name relative to its directory opened
// as /proc/self/fd/N (Linux), so a database deep in a tree can be served.
func shortPath(path string, fn func(string) error) error {
	if len(path) <= maxSockPath {
		return fn(path)
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	p := fmt.Sprintf("/proc/self/fd/%d/%s", dir.Fd(), filepath.Base(path))
	if len(p) > maxSockPath {
		return fmt.Errorf("socket path %s is too long", path)
	}
	return fn(p)
}

func dialUnix(ctx context.Context, path string) (net.Conn, error) {
	var c net.Conn
	err := shortPath(path, func(p string) (err error) {
		var d net.Dialer
		c, err = d.DialContext(ctx, "unix", p)
		return err
	})
	return c, err
}

// Listen creates the socket of the server that holds the DuckDB file db.
// A socket left behind by a server that died is replaced: the caller holds
// the file's lock, so no live server can own it.
func Listen(db string) (net.Listener, error) {
	path := SocketPath(db)
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(db); err == nil {
		// Write permission on the database grants read and write on the
		// socket, class by class (owner, group, others).
		for _, class := range []os.FileMode{0o200, 0o020, 0o002} {
			if fi.Mode().Perm()&class != 0 {
				mode |= class | class<<1
			}
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket: %w", err)
	}
	var ln *net.UnixListener
	err := shortPath(path, func(p string) error {
		// Created owner-only, then opened up: never briefly wider than meant.
		old := syscall.Umask(0o177)
		defer syscall.Umask(old)
		l, err := net.Listen("unix", p)
		if err != nil {
			return err
		}
		ln = l.(*net.UnixListener)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	// Unlinked by its real name: a /proc/self/fd name dies with the fd.
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(path, mode); err != nil {
		ln.Close()
		os.Remove(path)
		return nil, err
	}
	return &listener{UnixListener: ln, path: path}, nil
}

type listener struct {
	*net.UnixListener
	path string
}

func (l *listener) Close() error {
	err := l.UnixListener.Close()
	os.Remove(l.path)
	return err
}
