package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/lookout-osint/lookout/ais"
)

// aisstream.io pushes one JSON envelope per AIS message over a WebSocket:
// {"MessageType": "PositionReport", "MetaData": {"MMSI": …, "time_utc": …},
// "Message": {"PositionReport": {…decoded fields…}}}. The field names follow
// github.com/aisstream/ais-message-models.
type streamEnvelope struct {
	MessageType string                     `json:"MessageType"`
	MetaData    streamMeta                 `json:"MetaData"`
	Message     map[string]json.RawMessage `json:"Message"`
}

type streamMeta struct {
	MMSI    uint32 `json:"MMSI"`
	TimeUTC string `json:"time_utc"`
}

type streamPos struct {
	MessageID          uint8   `json:"MessageID"`
	RepeatIndicator    uint8   `json:"RepeatIndicator"`
	UserID             uint32  `json:"UserID"`
	NavigationalStatus uint8   `json:"NavigationalStatus"`
	RateOfTurn         int8    `json:"RateOfTurn"`
	Sog                float64 `json:"Sog"`
	PositionAccuracy   bool    `json:"PositionAccuracy"`
	Longitude          float64 `json:"Longitude"`
	Latitude           float64 `json:"Latitude"`
	Cog                float64 `json:"Cog"`
	TrueHeading        uint16  `json:"TrueHeading"`
	Timestamp          uint8   `json:"Timestamp"`
	Raim               bool    `json:"Raim"`
	// type 19 and type 5/24 static parts
	Name      string     `json:"Name"`
	Type      uint8      `json:"Type"`
	Dimension streamDim  `json:"Dimension"`
	ImoNumber uint32     `json:"ImoNumber"`
	CallSign  string     `json:"CallSign"`
	Draught   float64    `json:"MaximumStaticDraught"`
	Dest      string     `json:"Destination"`
	Eta       streamETA  `json:"Eta"`
	PartNo    *uint8     `json:"PartNumber"`
	ReportA   *streamRep `json:"ReportA"`
	ReportB   *streamRep `json:"ReportB"`
	// type 27
	PositionLatency bool `json:"PositionLatency"`
}

type streamDim struct{ A, B, C, D uint16 }

type streamETA struct{ Month, Day, Hour, Minute uint8 }

type streamRep struct {
	Valid     bool      `json:"Valid"`
	Name      string    `json:"Name"`
	ShipType  uint8     `json:"ShipType"`
	CallSign  string    `json:"CallSign"`
	Dimension streamDim `json:"Dimension"`
}

// ErrSkipped is returned by ParseAISStream for valid envelopes of message
// types Lookout does not track (base stations, binary messages, …).
var ErrSkipped = errors.New("aisstream message type not used")

// ParseAISStream decodes one aisstream.io JSON envelope into m (which is
// reset first). The receive time is MetaData.time_utc; when it is missing
// or unreadable, rx is used. Position reports, class B reports, long-range
// reports and both static messages are decoded; other types return
// ErrSkipped, malformed JSON a wrapped error.
func ParseAISStream(data []byte, rx time.Time, m *ais.Message) error {
	var env streamEnvelope
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("aisstream JSON: %w", err)
	}
	raw, ok := env.Message[env.MessageType]
	if !ok {
		return fmt.Errorf("aisstream: no %q body", env.MessageType)
	}
	var p streamPos
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("aisstream %s: %w", env.MessageType, err)
	}
	*m = ais.Message{Type: p.MessageID, Repeat: p.RepeatIndicator, MMSI: p.UserID, RxTime: rx}
	if m.MMSI == 0 {
		m.MMSI = env.MetaData.MMSI
	}
	if t, ok := parseStreamTime(env.MetaData.TimeUTC); ok {
		m.RxTime = t
	}
	dim := func(d streamDim) ais.Dimensions {
		return ais.Dimensions{ToBow: d.A, ToStern: d.B, ToPort: d.C, ToStarboard: d.D}
	}
	switch env.MessageType {
	case "PositionReport":
		if m.Type < 1 || m.Type > 3 {
			m.Type = 1
		}
		m.PosA = ais.PositionReportA{Status: p.NavigationalStatus, Turn: p.RateOfTurn, Speed: p.Sog,
			Accuracy: p.PositionAccuracy, Lon: p.Longitude, Lat: p.Latitude, Course: p.Cog,
			Heading: p.TrueHeading, Second: p.Timestamp, RAIM: p.Raim}
	case "StandardClassBPositionReport", "ExtendedClassBPositionReport":
		m.Type = 18
		if env.MessageType == "ExtendedClassBPositionReport" {
			m.Type = 19
			m.ExtB = ais.ExtendedClassB{ShipName: p.Name, ShipType: p.Type, Dim: dim(p.Dimension)}
		}
		m.PosB = ais.PositionReportB{Speed: p.Sog, Accuracy: p.PositionAccuracy, Lon: p.Longitude,
			Lat: p.Latitude, Course: p.Cog, Heading: p.TrueHeading, Second: p.Timestamp, RAIM: p.Raim}
	case "LongRangeAisBroadcastMessage":
		m.Type = 27
		m.LongRange = ais.LongRangeReport{Accuracy: p.PositionAccuracy, RAIM: p.Raim, Status: p.NavigationalStatus,
			Lon: p.Longitude, Lat: p.Latitude, Speed: uint8(min(p.Sog, 63)), Course: uint16(min(p.Cog, 511)), GNSS: p.PositionLatency}
	case "ShipStaticData":
		m.Type = 5
		m.StaticA = ais.StaticVoyageData{IMO: p.ImoNumber, CallSign: p.CallSign, ShipName: p.Name, ShipType: p.Type,
			Dim: dim(p.Dimension), ETAMonth: p.Eta.Month, ETADay: p.Eta.Day, ETAHour: p.Eta.Hour, ETAMinute: p.Eta.Minute,
			Draught: p.Draught, Destination: p.Dest}
	case "StaticDataReport":
		m.Type = 24
		switch {
		case p.ReportA != nil && p.ReportA.Valid:
			m.StaticB = ais.StaticDataReport{PartNo: 0, ShipName: p.ReportA.Name}
		case p.ReportB != nil && p.ReportB.Valid:
			m.StaticB = ais.StaticDataReport{PartNo: 1, ShipType: p.ReportB.ShipType, CallSign: p.ReportB.CallSign, Dim: dim(p.ReportB.Dimension)}
		default:
			return fmt.Errorf("aisstream StaticDataReport: neither ReportA nor ReportB valid")
		}
	default:
		return ErrSkipped
	}
	if m.MMSI == 0 {
		return errors.New("aisstream: no MMSI")
	}
	return nil
}

// parseStreamTime reads aisstream's time_utc, which is Go's time.String()
// form ("2026-07-12 12:00:00.123456789 +0000 UTC").
func parseStreamTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if i := strings.Index(s, " m="); i >= 0 { // monotonic suffix, if any
		s = s[:i]
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999 -0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Messages is a source.Reader over decoded messages pushed by an input that
// does not speak NMEA (aisstream.io). Next blocks until a message arrives
// or Close is called.
type Messages struct {
	ch     chan ais.Message
	closed chan struct{}
	once   sync.Once
	cur    ais.Message

	mu       sync.Mutex
	stats    ais.Stats
	rejected map[string]int64
}

// NewMessages returns an empty message stream.
func NewMessages() *Messages {
	return &Messages{ch: make(chan ais.Message, 1024), closed: make(chan struct{}), rejected: map[string]int64{}}
}

// Add queues a copy of m, blocking while the reader is behind.
func (q *Messages) Add(ctx context.Context, m *ais.Message) error {
	select {
	case q.ch <- *m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-q.closed:
		return errors.New("live: messages closed")
	}
}

// Reject counts an input that could not be used.
func (q *Messages) Reject(reason string) {
	q.mu.Lock()
	q.rejected[reason]++
	q.mu.Unlock()
}

// Close ends the stream once everything queued has been read.
func (q *Messages) Close() error {
	q.once.Do(func() { close(q.closed) })
	return nil
}

// Next implements source.Reader.
func (q *Messages) Next() bool {
	select {
	case q.cur = <-q.ch:
	case <-q.closed:
		select {
		case q.cur = <-q.ch:
		default:
			return false
		}
	}
	q.mu.Lock()
	q.stats.Lines++
	q.stats.Messages++
	q.mu.Unlock()
	return true
}

// Message implements source.Reader.
func (q *Messages) Message() *ais.Message { return &q.cur }

// Err implements source.Reader; network errors are retried, not reported.
func (q *Messages) Err() error { return nil }

// Stats implements source.Reader.
func (q *Messages) Stats() ais.Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	st := q.stats
	st.Rejected = make(map[string]int64, len(q.rejected))
	for k, v := range q.rejected {
		st.Rejected[k] = v
	}
	return st
}

// ConnectAISStream reads aisstream.io JSON from a WebSocket URL until ctx
// ends, sending subscribe (the JSON subscription with the API key and
// bounding boxes) after each connection and reconnecting with backoff.
func ConnectAISStream(ctx context.Context, url string, subscribe []byte, q *Messages, b Backoff) error {
	var wait time.Duration
	var m ais.Message
	for ctx.Err() == nil {
		got, err := readWebSocket(ctx, url, subscribe, q, &m)
		if got {
			wait = 0
		}
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			q.Reject("connection: " + shortErr(err))
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

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

func readWebSocket(ctx context.Context, url string, subscribe []byte, q *Messages, m *ais.Message) (bool, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	c, _, err := websocket.Dial(dctx, url, nil)
	cancel()
	if err != nil {
		return false, err
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	if len(subscribe) > 0 {
		if err := c.Write(ctx, websocket.MessageText, subscribe); err != nil {
			return false, err
		}
	}
	got := false
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return got, err
		}
		got = true
		switch err := ParseAISStream(data, time.Now().UTC(), m); {
		case errors.Is(err, ErrSkipped):
		case err != nil:
			q.Reject("aisstream: bad message")
		default:
			if err := q.Add(ctx, m); err != nil {
				return got, err
			}
		}
	}
}
