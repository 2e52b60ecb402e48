package serve

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHostHeader: a request naming a host the server was not asked to
// answer to (a DNS-rebinding page) is refused; IP addresses, localhost and
// the names given for a proxy are served.
func TestHostHeader(t *testing.T) {
	f := setup(t)
	s := New(f.st, Options{Log: log.New(io.Discard, "", 0), AllowHosts: []string{"lookout.example.org"}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	for host, want := range map[string]int{
		"evil.example" + port:        http.StatusMisdirectedRequest,
		"evil.example":               http.StatusMisdirectedRequest,
		"127.0.0.1.evil.example":     http.StatusMisdirectedRequest,
		"127.0.0.1" + port:           200,
		"[::1]" + port:               200,
		"localhost" + port:           200,
		"LOCALHOST":                  200,
		"lookout.example.org":        200,
		"Lookout.Example.Org:443":    200,
		"sub.lookout.example.org":    http.StatusMisdirectedRequest,
		"lookout.example.org.evil.x": http.StatusMisdirectedRequest,
	} {
		for _, path := range []string{"/api/health", "/"} {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("GET %s with Host %q: %d, want %d", path, host, resp.StatusCode, want)
			}
			if want != 200 && !strings.Contains(string(body), "--allow-host") {
				t.Errorf("refusal of %q does not say what to do: %s", host, body)
			}
		}
	}
	any := httptest.NewServer(New(f.st, Options{Log: log.New(io.Discard, "", 0), AllowHosts: []string{"*"}}))
	defer any.Close()
	req, _ := http.NewRequest("GET", any.URL+"/api/health", nil)
	req.Host = "whatever.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("--allow-host '*': %d", resp.StatusCode)
	}
	// The host of the address listened on is allowed without a flag.
	named := New(f.st, Options{Log: log.New(io.Discard, "", 0)})
	named.HTTPServer("lookout-box:8080")
	if !named.hostAllowed("lookout-box:8080") || named.hostAllowed("other-box:8080") {
		t.Error("the listening address's host is not what is allowed")
	}
}

// TestUnauthorizedChallenge: a 401 says which scheme the endpoint wants
// (RFC 7235, RFC 6750).
func TestUnauthorizedChallenge(t *testing.T) {
	srv := newServer(t, testToken)
	for auth, want := range map[string]string{
		"":             `Bearer realm="lookout"`,
		"Bearer wrong": `Bearer realm="lookout", error="invalid_token"`,
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/api/sanctions/lists?format=csv", strings.NewReader("name\nX\n"))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != want {
			t.Errorf("auth %q: %d, WWW-Authenticate %q, want 401 and %q", auth, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), want)
		}
	}
}

// TestLandConcurrent: basemap boxes are computed side by side, not one
// request at a time, and a box asked for by several requests at once is
// computed once.
func TestLandConcurrent(t *testing.T) {
	var running, most, calls atomic.Int32
	both := make(chan struct{})
	var once sync.Once
	landHook = func() {
		calls.Add(1)
		n := running.Add(1)
		defer running.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		if n >= 2 {
			once.Do(func() { close(both) })
		}
		// Wait for a second computation to start; served one at a time it
		// never does, and the generous limit only keeps the test from
		// hanging.
		select {
		case <-both:
		case <-time.After(20 * time.Second):
		}
	}
	defer func() { landHook = func() {} }()
	srv := newServer(t, "")
	var wg sync.WaitGroup
	for _, box := range []string{"124,37,131,43", "124,37,131,43", "124,37,131,43", "130,40,140,46"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			get(t, srv, "/api/basemap/land?bbox="+box, 200, nil)
		}()
	}
	wg.Wait()
	if most.Load() < 2 {
		t.Errorf("at most %d basemap computations ran at once", most.Load())
	}
	if calls.Load() != 2 {
		t.Errorf("%d computations for 2 distinct boxes", calls.Load())
	}
}
