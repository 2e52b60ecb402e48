package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/lookout-osint/lookout/source"
)

// HashFile returns the file's identity: the hex SHA-256 of its content,
// decompressed (day.nmea and day.nmea.gz are one file), and of its bytes
// as they are on disk (raw; how stores made before identified a file:
// differs from hash only for a compressed file), and its size on disk.
func HashFile(path string) (hash, raw string, size int64, err error) {
	id, err := identify(path, false)
	return id.hash, id.raw, id.size, err
}

// fileID is what is known of an input before it is read.
type fileID struct {
	hash, raw string // as HashFile's
	size      int64  // on disk
	// plain is the file to read the content from: the input itself, or a
	// temporary copy of a gzip input's content (plainSize bytes) that done
	// removes.
	plain     string
	plainSize int64
	done      func()
}

// identify hashes an input, reading it once. A file's identity is needed
// before it is read for storing (an input stored before is skipped, one
// interrupted resumes where it stopped, and the analyzer must not see what
// it has seen), so hashing is a pass of its own. A plain file is hashed as
// it is (its content is its bytes: one hash, where two were computed). A
// gzip file is inflated once, into both hashes and, when keepPlain, a
// temporary plain copy that reading then takes: inflating it twice, to
// hash and to read, cost as much as the rest of reading did. When no copy
// can be written (a full temporary directory), the input is read again.
func identify(path string, keepPlain bool) (fileID, error) {
	id := fileID{plain: path, plainSize: -1, done: func() {}}
	f, err := os.Open(path)
	if err != nil {
		return id, err
	}
	var magic [2]byte
	n, _ := io.ReadFull(f, magic[:])
	f.Close()
	gz := n == 2 && magic == [2]byte{0x1f, 0x8b}
	rawH := sha256.New()
	cnt := &countWriter{w: rawH}
	var progress io.Writer
	if gz {
		progress = cnt
	}
	rc, size, err := source.OpenFile(path, progress)
	if err != nil {
		return id, err
	}
	defer rc.Close()
	h := sha256.New()
	var dst io.Writer = h
	var cp *spill
	if gz && keepPlain {
		if tmp, err := os.CreateTemp("", "lookout-plain-*.nmea"); err == nil {
			cp = &spill{f: tmp}
			dst = io.MultiWriter(h, cp)
		}
	}
	plainSize, err := io.Copy(dst, rc)
	if err != nil {
		err = fmt.Errorf("hash %s: %w", path, err)
	}
	if cp != nil {
		if cerr := cp.f.Close(); cp.err == nil {
			cp.err = cerr
		}
		if err != nil || cp.err != nil {
			os.Remove(cp.f.Name())
		} else {
			name := cp.f.Name()
			id.plain, id.plainSize, id.done = name, plainSize, func() { os.Remove(name) }
		}
	}
	if err != nil {
		return id, err
	}
	id.hash = hex.EncodeToString(h.Sum(nil))
	id.raw, id.size = id.hash, plainSize
	if gz {
		id.raw, id.size = hex.EncodeToString(rawH.Sum(nil)), cnt.n
	} else if size >= 0 {
		id.size = size
	}
	return id, nil
}

// spill writes a plain copy until a write fails, and never fails the
// hashing it is written beside.
type spill struct {
	f   *os.File
	err error
}

func (s *spill) Write(p []byte) (int, error) {
	if s.err == nil {
		_, s.err = s.f.Write(p)
	}
	return len(p), nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.w.Write(p)
}
