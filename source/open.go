package source

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// Open opens a named input: "-" is standard input, and gzip data (by its
// magic bytes, whatever the name) is decompressed transparently. Closing the
// result closes the file (never standard input).
func Open(name string) (io.ReadCloser, error) {
	var f *os.File
	if name == "-" {
		f = os.Stdin
	} else {
		var err error
		if f, err = os.Open(name); err != nil {
			return nil, err
		}
	}
	br := bufio.NewReaderSize(f, 256*1024)
	closer := func() error {
		if f == os.Stdin {
			return nil
		}
		return f.Close()
	}
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closer()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return &readCloser{Reader: zr, close: func() error { zr.Close(); return closer() }}, nil
	}
	return &readCloser{Reader: br, close: closer}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }
