package storetest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// CutProxy relays TCP connections to a server until cut: then every open
// connection is reset and new ones are closed at once, which is what a
// client sees of a database restarting. It stands in for the real restart
// because the server is shared with other tests.
type CutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	up     bool
	conns  []net.Conn
}

func NewCutProxy(t testing.TB, target string) *CutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &CutProxy{ln: ln, target: target, up: true}
	t.Cleanup(func() { ln.Close(); p.Cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			up := p.up
			p.mu.Unlock()
			if !up {
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

func (p *CutProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = false
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *CutProxy) Restore() {
	p.mu.Lock()
	p.up = true
	p.mu.Unlock()
}

// PostgresSchemaViaProxy gives the test a schema of its own on the server named by
// LOOKOUT_TEST_PG (dropped afterwards) and returns its URL through a
// CutProxy, plus a direct URL for checking.
func PostgresSchemaViaProxy(t testing.TB, prefix string) (viaProxy string, direct string, proxy *CutProxy) {
	t.Helper()
	u, err := url.Parse(PostgresSchema(t, PostgresURL(t), prefix))
	if err != nil {
		t.Fatal(err)
	}
	direct = u.String()
	host := u.Host
	if u.Port() == "" {
		host += ":5432"
	}
	proxy = NewCutProxy(t, host)
	u.Host = proxy.ln.Addr().String()
	return u.String(), direct, proxy
}
