// Package live turns network AIS feeds into a stream of NMEA lines that
// package ais can read: UDP datagrams (AIS-catcher, rtl-ais, gpsd relays),
// a TCP connection kept up with bounded exponential backoff, and the
// aisstream.io WebSocket JSON format. AIS sentences without a tag block get
// one carrying their arrival time, so the decoder always has a receive
// time. Package pipeline (Live) runs these inputs through to the store.
package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Stamp prefixes line with a tag block carrying t as its receive time when
// the line has none, so that ais.Reader (which reads tag blocks) knows when
// it arrived. A line that already starts with a tag block is returned as is.
// The result is appended to dst.
func Stamp(dst, line []byte, t time.Time) []byte {
	if len(line) > 0 && line[0] == '\\' {
		return append(dst, line...)
	}
	start := len(dst)
	dst = append(dst, '\\', 'c', ':')
	dst = strconv.AppendInt(dst, t.Unix(), 10)
	var sum byte
	for _, c := range dst[start+1:] {
		sum ^= c
	}
	dst = append(dst, '*', hex[sum>>4], hex[sum&15], '\\')
	return append(dst, line...)
}

const hex = "0123456789ABCDEF"

// Lines is a pipe of newline-terminated NMEA lines from network inputs to
// one reader (ais.NewReader(lines)). Writers may be concurrent; each Add is
// one or more whole lines, so lines from several inputs never interleave
// mid-line. When the reader falls behind by more than the buffer, the
// oldest data is not dropped: writers block (back-pressure), and a UDP
// socket then drops in the kernel, which Stats cannot see.
type Lines struct {
	ch     chan []byte
	cur    []byte
	closed chan struct{}
	once   sync.Once
	now    func() time.Time

	mu    sync.Mutex
	stats Stats
}

// Stats counts what the inputs delivered.
type Stats struct {
	Lines, Bytes int64
	Stamped      int64 // lines given an arrival-time tag block
	Connects     int64 // successful (re)connections of TCP or WebSocket inputs
	Errors       int64 // connection and read errors
	Dropped      int64 // partial lines dropped as too long (over 1 MiB without a line end)
	LastError    string
}

// NewLines returns an empty pipe.
func NewLines() *Lines {
	return &Lines{ch: make(chan []byte, 1024), closed: make(chan struct{}), now: time.Now}
}

// Read implements io.Reader for ais.NewReader. It returns io.EOF after
// Close once everything added before has been read.
func (l *Lines) Read(p []byte) (int, error) {
	for len(l.cur) == 0 {
		select {
		case b := <-l.ch:
			l.cur = b
		case <-l.closed:
			select {
			case b := <-l.ch:
				l.cur = b
			default:
				return 0, io.EOF
			}
		}
	}
	n := copy(p, l.cur)
	l.cur = l.cur[n:]
	return n, nil
}

// Close ends the stream: Read returns io.EOF once drained.
func (l *Lines) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Stats returns the counters so far.
func (l *Lines) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

func (l *Lines) count(f func(*Stats)) {
	l.mu.Lock()
	f(&l.stats)
	l.mu.Unlock()
}

// AddRaw splits data into lines (LF, CRLF or CR), stamps each AIS sentence
// without a tag block with the arrival time and queues them. It blocks while the
// reader is behind and returns ctx.Err() if ctx ends first.
func (l *Lines) AddRaw(ctx context.Context, data []byte) error {
	now := l.now()
	out := make([]byte, 0, len(data)+16*bytes.Count(data, []byte{'\n'})+32)
	var n, stamped int64
	for len(data) > 0 {
		i := bytes.IndexAny(data, "\r\n")
		line := data
		if i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		// Only AIS sentences: a $PGHP line already carries the receive time
		// of the sentence after it, and the decoder does not read other
		// NMEA behind a tag block.
		if isVDM(line) {
			stamped++
			out = Stamp(out, line, now)
		} else {
			out = append(out, line...)
		}
		out = append(out, '\n')
		n++
	}
	if n == 0 {
		return nil
	}
	l.count(func(s *Stats) { s.Lines += n; s.Stamped += stamped; s.Bytes += int64(len(out)) })
	return l.push(ctx, out)
}

// isVDM reports whether line is an AIS sentence (!AIVDM, !BSVDO, and the
// $-started form some receivers send) with nothing before it.
func isVDM(line []byte) bool {
	if line[0] == '!' {
		return true
	}
	return line[0] == '$' && len(line) > 6 && line[3] == 'V' && line[4] == 'D' && (line[5] == 'M' || line[5] == 'O')
}

func (l *Lines) push(ctx context.Context, b []byte) error {
	select {
	case l.ch <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-l.closed:
		return errors.New("live: lines closed")
	}
}

// ListenUDP receives datagrams on addr (host:port, ":10110") until ctx ends.
// Each datagram holds one or more whole lines, as NMEA relays send them.
// ready, if not nil, is called with the bound address once listening (port
// 0 picks a free one).
func ListenUDP(ctx context.Context, addr string, l *Lines, ready func(net.Addr)) error {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return fmt.Errorf("listen udp %s: %w", addr, err)
	}
	defer pc.Close()
	// Bursts (a receiver flushing its backlog) overflow the default socket
	// buffer and are lost in the kernel; ask for more (best effort).
	if u, ok := pc.(*net.UDPConn); ok {
		u.SetReadBuffer(4 << 20)
	}
	if ready != nil {
		ready(pc.LocalAddr())
	}
	go func() { <-ctx.Done(); pc.Close() }()
	buf := make([]byte, 65536)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			l.count(func(s *Stats) { s.Errors++; s.LastError = err.Error() })
			continue
		}
		if err := l.AddRaw(ctx, buf[:n]); err != nil {
			return nil
		}
	}
}

// Backoff is a bounded exponential backoff between reconnections.
type Backoff struct {
	Min, Max time.Duration // first and longest wait (defaults 500 ms, 30 s)
}

func (b Backoff) next(d time.Duration) time.Duration {
	if b.Min <= 0 {
		b.Min = 500 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if d < b.Min {
		return b.Min
	}
	if d *= 2; d > b.Max {
		d = b.Max
	}
	return d
}

// ConnectTCP reads lines from a TCP server (host:port) until ctx ends,
// reconnecting after every failure with backoff; a connection that
// delivered data resets the backoff. A partial line cut by a dropped
// connection is discarded rather than glued to the next connection's data.
func ConnectTCP(ctx context.Context, addr string, l *Lines, b Backoff) error {
	var wait time.Duration
	var d net.Dialer
	buf := make([]byte, 64*1024)
	for ctx.Err() == nil {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			l.count(func(s *Stats) { s.Connects++ })
			var got bool
			got, err = readConn(ctx, c, l, buf)
			c.Close()
			if got {
				wait = 0
			}
		}
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			l.count(func(s *Stats) { s.Errors++; s.LastError = err.Error() })
		}
		wait = b.next(wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
	return nil
}

// readConn queues whole lines read from c; it reports whether any arrived.
func readConn(ctx context.Context, c net.Conn, l *Lines, buf []byte) (bool, error) {
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	var pending []byte
	got := false
	for {
		n, err := c.Read(buf)
		if n > 0 {
			got = true
			data := buf[:n]
			if i := bytes.LastIndexAny(data, "\r\n"); i >= 0 {
				whole := append(pending, data[:i+1]...)
				if err := l.AddRaw(ctx, whole); err != nil {
					return got, err
				}
				pending = append(pending[:0], data[i+1:]...)
			} else {
				pending = append(pending, data...)
			}
			if len(pending) > 1<<20 {
				l.count(func(s *Stats) { s.Dropped++ })
				pending = pending[:0]
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return got, fmt.Errorf("%s closed the connection", c.RemoteAddr())
			}
			return got, err
		}
	}
}

// ParseInput checks an NMEA input URL (udp://HOST:PORT to listen,
// tcp://HOST:PORT to connect) and returns its scheme and address.
func ParseInput(rawURL string) (scheme, addr string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "udp" && u.Scheme != "tcp") {
		return "", "", fmt.Errorf("input %q: want udp://HOST:PORT or tcp://HOST:PORT", rawURL)
	}
	return u.Scheme, u.Host, nil
}

// Run reads one NMEA input (see ParseInput) into l until ctx ends.
func Run(ctx context.Context, rawURL string, l *Lines, b Backoff) error {
	scheme, addr, err := ParseInput(rawURL)
	if err != nil {
		return err
	}
	if scheme == "udp" {
		return ListenUDP(ctx, addr, l, nil)
	}
	return ConnectTCP(ctx, addr, l, b)
}
