package source

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
)

// Open opens a named input: "-" is standard input, and gzip data (by its
// magic bytes, whatever the name) is decompressed transparently. Closing the
// result closes the file (never standard input).
func Open(name string) (io.ReadCloser, error) {
	r, _, err := OpenFile(name, nil)
	return r, err
}

// OpenFile is Open that also reports the file's size on disk (-1 when
// unknown: standard input, a pipe) and passes every byte read from the
// file itself, compressed or not, to progress if not nil: a progress bar
// then follows the file against that size.
func OpenFile(name string, progress io.Writer) (io.ReadCloser, int64, error) {
	var f *os.File
	size := int64(-1)
	if name == "-" {
		f = os.Stdin
	} else {
		var err error
		if f, err = os.Open(name); err != nil {
			return nil, 0, err
		}
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	closer := func() error {
		if f == os.Stdin {
			return nil
		}
		return f.Close()
	}
	var r io.Reader = f
	if progress != nil {
		r = io.TeeReader(f, progress)
	}
	br := bufio.NewReaderSize(r, 256*1024)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closer()
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		}
		return newInflater(zr, closer, f != os.Stdin), size, nil
	}
	return &readCloser{Reader: br, close: closer}, size, nil
}

// inflaterBufs buffers of inflaterBuf bytes: enough for the reader to
// never wait on a steady stream, small beside the decoder's own state.
const (
	inflaterBufs = 4
	inflaterBuf  = 256 * 1024
)

// inflater runs gzip decompression on its own goroutine, a few buffers
// ahead of the reader. Inflating is a fifth of what analyze spends on a
// gzipped file; on the reader's goroutine it held up decoding, which feeds
// the rest of the pipeline, so with two cores one of them idled.
type inflater struct {
	full   chan []byte // inflated chunks, in order; closed after err is set
	free   chan []byte
	done   chan struct{} // closed by Close
	exited chan struct{}
	err    error // why inflating stopped (io.EOF at the end)
	buf    []byte
	cur    []byte // unread part of buf
	closed bool
	closer func() error
	wait   bool
}

func newInflater(zr *gzip.Reader, closer func() error, wait bool) *inflater {
	z := &inflater{full: make(chan []byte, inflaterBufs), free: make(chan []byte, inflaterBufs),
		done: make(chan struct{}), exited: make(chan struct{}), closer: closer, wait: wait}
	for range inflaterBufs {
		z.free <- make([]byte, inflaterBuf)
	}
	go z.run(zr)
	return z
}

func (z *inflater) run(zr *gzip.Reader) {
	defer close(z.exited)
	defer close(z.full)
	defer zr.Close()
	for {
		var b []byte
		select {
		case b = <-z.free:
		case <-z.done:
			return
		}
		n := 0
		var err error
		for n < len(b) && err == nil {
			var k int
			k, err = zr.Read(b[n:])
			n += k
		}
		if n > 0 {
			select {
			case z.full <- b[:n]:
			case <-z.done:
				return
			}
		}
		if err != nil {
			z.err = err
			return
		}
	}
}

func (z *inflater) Read(p []byte) (int, error) {
	if z.closed {
		return 0, os.ErrClosed
	}
	for len(z.cur) == 0 {
		if z.buf != nil {
			z.free <- z.buf[:cap(z.buf)] // never blocks: free holds every buffer
			z.buf = nil
		}
		b, ok := <-z.full
		if !ok {
			return 0, z.err
		}
		z.buf, z.cur = b, b
	}
	n := copy(p, z.cur)
	z.cur = z.cur[n:]
	return n, nil
}

// Close stops inflating and closes the file; for a file (not standard
// input, whose read cannot be cut short) it returns once the inflating
// goroutine has.
func (z *inflater) Close() error {
	if z.closed {
		return nil
	}
	z.closed = true
	close(z.done)
	err := z.closer()
	if z.wait {
		<-z.exited
	}
	return err
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }
