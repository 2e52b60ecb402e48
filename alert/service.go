package alert

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lookout-osint/lookout/ais"
	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/source"
)

// Service runs an Engine for a live pipeline: positions and identities come
// from the decoding goroutine (Watch), events from the detectors (Event),
// and alerts are delivered on a goroutine of their own so that a slow
// webhook never holds up decoding.
type Service struct {
	mu    sync.Mutex
	e     *Engine
	queue chan Alert
	sink  Sink
	// OnError is told about deliveries that failed after the sink's own
	// retries (default: ignored).
	OnError func(a *Alert, err error)
	// OnDelivered, if set, is called after each delivered alert.
	OnDelivered func(a *Alert)
	muted       atomic.Bool
}

// Mute stops delivery while on: rules are still evaluated and their
// alerts remembered as sent, so replayed input (a worker rebuilding its
// state after a restart) raises nothing again.
func (s *Service) Mute(on bool) { s.muted.Store(on) }

// NewService returns a service delivering e's alerts to sink.
func NewService(e *Engine, sink Sink) *Service {
	return &Service{e: e, sink: sink, queue: make(chan Alert, 4096)}
}

// Deliver sends queued alerts until ctx ends or Close; run it on its own
// goroutine.
func (s *Service) Deliver(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case a, ok := <-s.queue:
			if !ok {
				return
			}
			if err := s.sink.Send(ctx, &a); err != nil {
				if s.OnError != nil {
					s.OnError(&a, err)
				}
			} else if s.OnDelivered != nil {
				s.OnDelivered(&a)
			}
		}
	}
}

// Close ends Deliver once the queue is empty.
func (s *Service) Close() { close(s.queue) }

func (s *Service) push(as []Alert) {
	if s.muted.Load() {
		return
	}
	for _, a := range as {
		s.queue <- a
	}
}

// Event evaluates one detected event.
func (s *Service) Event(ev *event.Event) {
	s.mu.Lock()
	as := s.e.Event(ev)
	s.mu.Unlock()
	s.push(as)
}

// Tick advances the engine's clock (dark rules) to now.
func (s *Service) Tick(now time.Time) {
	s.mu.Lock()
	as := s.e.Tick(now)
	s.mu.Unlock()
	s.push(as)
}

// Message evaluates one decoded message: static reports update identities,
// positions run enter/leave rules.
func (s *Service) Message(m *ais.Message) {
	if m.MMSI == 0 || m.RxTime.IsZero() {
		return
	}
	var as []Alert
	s.mu.Lock()
	switch m.Type {
	case 5:
		s.e.Identity(m.MMSI, m.StaticA.IMO, m.StaticA.ShipName)
	case 19:
		s.e.Identity(m.MMSI, 0, m.ExtB.ShipName)
	case 24:
		if m.StaticB.PartNo == 0 {
			s.e.Identity(m.MMSI, 0, m.StaticB.ShipName)
		}
	}
	if lat, lon, ok := m.Position(); ok {
		as = s.e.Position(m.MMSI, m.RxTime, lat, lon)
	}
	s.mu.Unlock()
	s.push(as)
}

// Watch returns a reader that passes r's messages on unchanged after
// evaluating each with Message.
func (s *Service) Watch(r source.Reader) source.Reader { return source.Tap(r, s.Message) }

// TickLive advances the clock to the wall clock now, but only while the
// stream is live (its latest receive time within skew of now), so that
// replaying old data never makes every vessel look silent.
func (s *Service) TickLive(now time.Time, skew time.Duration) {
	s.mu.Lock()
	live := !s.e.now.IsZero() && now.Sub(s.e.now) < skew
	s.mu.Unlock()
	if live {
		s.Tick(now)
	}
}
