package live

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/lookout-osint/lookout/ais"
)

const posLine = "!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C"

func TestStampAddsTagBlockTheReaderReads(t *testing.T) {
	at := time.Unix(1700000000, 0)
	got := string(Stamp(nil, []byte(posLine), at))
	if !strings.HasPrefix(got, `\c:1700000000*`) {
		t.Fatalf("stamp = %q", got)
	}
	tagged := `\s:x,c:1600000000*00\` + posLine
	if s := string(Stamp(nil, []byte(tagged), at)); s != tagged {
		t.Fatalf("a line with a tag block was changed: %q", s)
	}
	r := ais.NewReader(strings.NewReader(got + "\n"))
	if !r.Next() {
		t.Fatalf("reader rejected the stamped line: %+v", r.Stats())
	}
	if !r.Message().RxTime.Equal(at) {
		t.Fatalf("RxTime = %v, want %v", r.Message().RxTime, at)
	}
}

// readN reads n messages from l on a goroutine and returns them on a channel.
func readN(l *Lines, n int) <-chan []ais.Message {
	out := make(chan []ais.Message, 1)
	go func() {
		r := ais.NewReader(l)
		var ms []ais.Message
		for len(ms) < n && r.Next() {
			ms = append(ms, *r.Message())
		}
		out <- ms
	}()
	return out
}

func wait[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal("timed out")
	}
	panic("unreachable")
}

func TestUDPStampsArrivalTime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := NewLines()
	fixed := time.Unix(1750000000, 0)
	l.now = func() time.Time { return fixed }
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- ListenUDP(ctx, "127.0.0.1:0", l, func(a net.Addr) { ready <- a }) }()
	addr := wait(t, ready)
	got := readN(l, 2)
	c, err := net.Dial("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// one datagram with two lines, one of them carrying its own time
	tagged := Stamp(nil, []byte(posLine), time.Unix(1600000000, 0))
	if _, err := c.Write([]byte(posLine + "\r\n" + string(tagged) + "\r\n")); err != nil {
		t.Fatal(err)
	}
	ms := wait(t, got)
	if len(ms) != 2 {
		t.Fatalf("got %d messages", len(ms))
	}
	if !ms[0].RxTime.Equal(fixed) {
		t.Errorf("untagged line: RxTime %v, want arrival %v", ms[0].RxTime, fixed)
	}
	if ms[1].RxTime.Unix() != 1600000000 {
		t.Errorf("tagged line: RxTime %v, want its own tag time", ms[1].RxTime)
	}
	if st := l.Stats(); st.Lines != 2 || st.Stamped != 1 {
		t.Errorf("stats %+v", st)
	}
	cancel()
	if err := wait(t, done); err != nil {
		t.Fatal(err)
	}
}

// TestTCPReconnects serves one line per connection and closes: the client
// must reconnect (with backoff) and keep reading, dropping no whole line.
func TestTCPReconnects(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	conns := 0
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns++
			mu.Unlock()
			// a whole line, then half a line cut by the close
			c.Write([]byte(posLine + "\n" + posLine[:20]))
			c.Close()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := NewLines()
	got := readN(l, 3)
	done := make(chan error, 1)
	go func() {
		done <- ConnectTCP(ctx, ln.Addr().String(), l, Backoff{Min: time.Millisecond, Max: 10 * time.Millisecond})
	}()
	ms := wait(t, got)
	if len(ms) != 3 {
		t.Fatalf("got %d messages", len(ms))
	}
	for _, m := range ms {
		if m.MMSI == 0 {
			t.Fatalf("bad message %+v", m)
		}
	}
	st := l.Stats()
	if st.Connects < 3 || st.Errors < 2 {
		t.Errorf("stats %+v: want >= 3 connects and errors between them", st)
	}
	cancel()
	wait(t, done)
}

func TestBackoffIsBounded(t *testing.T) {
	b := Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	var d time.Duration
	var seq []time.Duration
	for range 6 {
		d = b.next(d)
		seq = append(seq, d)
	}
	want := []time.Duration{10, 20, 40, 50, 50, 50}
	for i := range want {
		if seq[i] != want[i]*time.Millisecond {
			t.Fatalf("backoff %v, want %v ms", seq, want)
		}
	}
}

const streamPosJSON = `{"Message":{"PositionReport":{"Cog":308,"CommunicationState":81982,"Latitude":42.8,"Longitude":132.9,"MessageID":1,"NavigationalStatus":0,"PositionAccuracy":true,"Raim":false,"RateOfTurn":0,"RepeatIndicator":0,"Sog":11.2,"Spare":0,"SpecialManoeuvreIndicator":0,"Timestamp":31,"TrueHeading":309,"UserID":273000001,"Valid":true}},"MessageType":"PositionReport","MetaData":{"MMSI":273000001,"MMSI_String":273000001,"ShipName":"TEST  ","latitude":42.8,"longitude":132.9,"time_utc":"2026-07-12 12:00:01.5 +0000 UTC"}}`

const streamStaticJSON = `{"Message":{"ShipStaticData":{"AisVersion":2,"CallSign":"UBCD7","Destination":"NAKHODKA","Dimension":{"A":100,"B":20,"C":10,"D":8},"Dte":false,"Eta":{"Day":3,"Hour":4,"Minute":0,"Month":7},"FixType":1,"ImoNumber":9123456,"MaximumStaticDraught":9.5,"MessageID":5,"Name":"TEST TANKER","RepeatIndicator":0,"Spare":false,"Type":80,"UserID":273000001,"Valid":true}},"MessageType":"ShipStaticData","MetaData":{"MMSI":273000001,"time_utc":"2026-07-12 12:00:02 +0000 UTC"}}`

func TestParseAISStream(t *testing.T) {
	var m ais.Message
	now := time.Unix(1, 0)
	if err := ParseAISStream([]byte(streamPosJSON), now, &m); err != nil {
		t.Fatal(err)
	}
	lat, lon, ok := m.Position()
	if m.Type != 1 || m.MMSI != 273000001 || !ok || lat != 42.8 || lon != 132.9 {
		t.Fatalf("position %+v", m)
	}
	if sp, _ := m.Speed(); sp != 11.2 {
		t.Errorf("speed %v", sp)
	}
	if want := time.Date(2026, 7, 12, 12, 0, 1, 500e6, time.UTC); !m.RxTime.Equal(want) {
		t.Errorf("RxTime %v, want %v", m.RxTime, want)
	}
	if err := ParseAISStream([]byte(streamStaticJSON), now, &m); err != nil {
		t.Fatal(err)
	}
	if m.Type != 5 || m.StaticA.IMO != 9123456 || m.StaticA.ShipName != "TEST TANKER" || m.StaticA.Dim.ToBow != 100 || m.StaticA.Draught != 9.5 {
		t.Fatalf("static %+v", m.StaticA)
	}
	noTime := strings.Replace(streamPosJSON, `"time_utc":"2026-07-12 12:00:01.5 +0000 UTC"`, `"time_utc":"garbage"`, 1)
	if err := ParseAISStream([]byte(noTime), now, &m); err != nil || !m.RxTime.Equal(now) {
		t.Errorf("unreadable time_utc: err %v, RxTime %v, want arrival %v", err, m.RxTime, now)
	}
	if err := ParseAISStream([]byte(`{"MessageType":"BaseStationReport","Message":{"BaseStationReport":{"UserID":1}}}`), now, &m); !errors.Is(err, ErrSkipped) {
		t.Errorf("base station: %v, want ErrSkipped", err)
	}
	for _, bad := range []string{`{`, `{"MessageType":"PositionReport","Message":{}}`, `{"MessageType":"PositionReport","Message":{"PositionReport":{"Sog":"x"}}}`} {
		if err := ParseAISStream([]byte(bad), now, &m); err == nil || errors.Is(err, ErrSkipped) {
			t.Errorf("%s: err %v, want a parse error", bad, err)
		}
	}
}

// TestAISStreamWebSocket runs the client against a local server that
// checks the subscription, sends two messages and drops the connection;
// the client must reconnect and subscribe again.
func TestAISStreamWebSocket(t *testing.T) {
	sub := []byte(`{"APIKey":"k","BoundingBoxes":[[[-90,-180],[90,180]]]}`)
	var mu sync.Mutex
	subs := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		_, got, err := c.Read(r.Context())
		if err != nil || !bytes.Equal(got, sub) {
			return
		}
		mu.Lock()
		subs++
		mu.Unlock()
		c.Write(r.Context(), websocket.MessageText, []byte(streamPosJSON))
		c.Write(r.Context(), websocket.MessageText, []byte(`not json`))
		c.Write(r.Context(), websocket.MessageText, []byte(streamStaticJSON))
		c.Close(websocket.StatusGoingAway, "bye")
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q := NewMessages()
	done := make(chan error, 1)
	go func() {
		done <- ConnectAISStream(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), sub, q, Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond})
	}()
	var types []uint8
	for len(types) < 4 && q.Next() {
		types = append(types, q.Message().Type)
	}
	if want := []uint8{1, 5, 1, 5}; !bytes.Equal(types, want) {
		t.Fatalf("types %v, want %v (two connections)", types, want)
	}
	cancel()
	wait(t, done)
	if st := q.Stats(); st.Rejected["aisstream: bad message"] < 2 {
		t.Errorf("bad JSON not counted: %+v", st.Rejected)
	}
}

// A $PGHP line gives the receive time of the sentence after it: it must
// reach the decoder as it came, not behind a tag block it cannot read.
func TestPGHPLinesPassUnstamped(t *testing.T) {
	l := NewLines()
	in := "$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B\r\n!AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0*2B\r\n" +
		"$GPRMC,114611.00,A,5540.0,N,01230.0,E,0.0,0.0,110610,,,A*00\r\n" + // not AIS: passed on as is, set aside once by the decoder
		"$AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0*2B\r\n" // the $ form: stamped
	if err := l.AddRaw(context.Background(), []byte(in)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	r := ais.NewReader(l)
	n := 0
	for r.Next() {
		n++
	}
	if st := r.Stats(); n != 2 || st.Other != 2 || st.RejectedTotal() != 0 {
		t.Fatalf("%d messages, %d set aside, rejected %v; want 2 messages, and the $PGHP and GPS lines set aside", n, st.Other, st.Rejected)
	}
	if st := l.Stats(); st.Stamped != 2 || st.Lines != 4 {
		t.Fatalf("%d of %d lines stamped, want the two AIS sentences only", st.Stamped, st.Lines)
	}
}
