package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Sink delivers alerts somewhere.
type Sink interface {
	Send(ctx context.Context, a *Alert) error
}

// Writer writes alerts as JSON lines (stdout, a file).
type Writer struct {
	mu sync.Mutex
	W  io.Writer
}

// Send implements Sink.
func (w *Writer) Send(_ context.Context, a *Alert) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.W.Write(append(b, '\n'))
	return err
}

// Webhook POSTs each alert as JSON to URL, retrying network errors, 429 and
// 5xx answers with exponential backoff. The alert ID is sent as the
// Idempotency-Key header so that a receiver can drop a retry it already
// took.
type Webhook struct {
	URL      string
	Client   *http.Client  // nil: 10 s timeout
	Attempts int           // default 6
	Backoff  time.Duration // first wait, doubled each retry; default 500 ms
	MaxWait  time.Duration // longest wait; default 30 s
}

// Send implements Sink.
func (h *Webhook) Send(ctx context.Context, a *Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	attempts, wait, maxWait := h.Attempts, h.Backoff, h.MaxWait
	if attempts <= 0 {
		attempts = 6
	}
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	if maxWait <= 0 {
		maxWait = 30 * time.Second
	}
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("webhook %s: %w (last error: %v)", h.URL, ctx.Err(), last)
			case <-t.C:
			}
			wait = min(2*wait, maxWait)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("webhook %s: %w", h.URL, err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", a.ID)
		resp, err := c.Do(req)
		if err != nil {
			last = err
			continue
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		switch {
		case resp.StatusCode < 300:
			return nil
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			last = fmt.Errorf("HTTP %s", resp.Status)
		default:
			return fmt.Errorf("webhook %s: HTTP %s (not retried)", h.URL, resp.Status)
		}
	}
	return fmt.Errorf("webhook %s: gave up after %d attempts: %w", h.URL, attempts, last)
}

// Publisher is what the NATS sink needs (a *nats.Conn has it).
type Publisher interface {
	Publish(subject string, data []byte) error
}

// NATS publishes each alert as JSON to Subject.
type NATS struct {
	Conn    Publisher
	Subject string
}

// Send implements Sink.
func (n *NATS) Send(_ context.Context, a *Alert) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := n.Conn.Publish(n.Subject, b); err != nil {
		return fmt.Errorf("nats %s: %w", n.Subject, err)
	}
	return nil
}

// Multi sends to every sink and returns the first error after trying all.
type Multi []Sink

// Send implements Sink.
func (m Multi) Send(ctx context.Context, a *Alert) error {
	var first error
	for _, s := range m {
		if err := s.Send(ctx, a); err != nil && first == nil {
			first = err
		}
	}
	return first
}
