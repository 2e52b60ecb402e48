package ais

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

const (
	readBufSize = 256 << 10
	// MaxLineLength bounds one input line. Real lines (tag block plus a
	// sentence) are under 300 bytes; anything longer is skipped up to its
	// newline and counted as ErrLineTooLong, so a huge line costs no memory.
	MaxLineLength = 4096
)

// Reader reads AIS messages from NMEA text. See the package documentation.
type Reader struct {
	r     io.Reader
	buf   []byte
	start int // unread data is buf[start:end]
	end   int
	eof   bool
	err   error
	skip  bool // discarding the rest of an over-long line
	noLF  int  // buf[start:noLF] holds no '\n'
	lf    int  // index in buf of the next '\n' when >= start
	// afterCR: the last skipped line ended with a CR whose follower was
	// not read yet; an LF there belongs to it.
	afterCR bool

	// PartTimeout abandons a multi-sentence message whose next part has not
	// come within this receive time (when the input has receive times).
	PartTimeout time.Duration
	// PartLines abandons a multi-sentence message whose next part has not
	// come within this many lines (always applies).
	PartLines int64
	// LaxChecksum decodes sentences whose checksum does not match instead
	// of rejecting them, for sources known to rewrite sentences without
	// fixing the checksum. Off by default.
	LaxChecksum bool
	// Clock gives a receive time to messages that come without one (a log
	// with no timestamps): the latest time the input itself states (AIS
	// base station reports, GPS $--RMC/$--ZDA sentences, timed lines),
	// refined by each report's own UTC second, or Start before the first
	// of them. Without Clock such messages have a zero RxTime.
	Clock bool
	// Start is the clock's reading before the input states a time (zero:
	// messages before it stay untimed).
	Start time.Time
	// OnReject, when set, is called for every rejected line or abandoned
	// message with the line (nil for abandoned messages; valid only during
	// the call) and the reason, which errors.Is-matches an Err* value.
	OnReject func(line []byte, err error)

	msg      Message
	dec      Decoder
	sent     Sentence
	asm      assembler
	pghp     pghp
	havePGHP bool
	clk      clock
	clkSet   bool
	// A tag block alone on its line applies to the next sentence.
	tagTime    time.Time
	tagStation []byte
	haveTag    bool
	// tag block g: sentence groups: later sentences of a group may carry
	// only g:, so they inherit the first one's time and station.
	groupID      int
	groupStation []byte
	groupTime    time.Time
	stationBuf   []byte
	stations     [1 << stationBits]string // station's cache

	lines, sentences, messages int64
	other, tagOnly             int64
	byType                     [28]int64
	rejected                   [len(reasons)]int64
	apps                       map[AppID]*AppCounts
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{
		sent:        Sentence{times: new(timeCache)},
		r:           r,
		buf:         make([]byte, readBufSize),
		lf:          -1,
		PartTimeout: 60 * time.Second,
		PartLines:   1000,
	}
}

// Next advances to the next decoded message. It returns false at the end of
// the input or on an I/O error (see Err). Bad lines are counted and skipped.
func (r *Reader) Next() bool {
	for {
		line, ok := r.readLine()
		if !ok {
			r.asm.flush(r)
			return false
		}
		if r.handleLine(line) {
			return true
		}
	}
}

// Message returns the current message. It is overwritten by the next call
// to Next; copy it (and its byte slices) to keep it.
func (r *Reader) Message() *Message { return &r.msg }

// Err returns the first I/O error, nil at a clean end of input.
func (r *Reader) Err() error { return r.err }

// Stats returns the counts so far.
func (r *Reader) Stats() Stats {
	s := Stats{
		Lines:     r.lines,
		Sentences: r.sentences,
		Messages:  r.messages,
		Other:     r.other,
		TagOnly:   r.tagOnly,
		ByType:    r.byType,
		Rejected:  make(map[string]int64),
	}
	for i, n := range r.rejected {
		if n > 0 {
			s.Rejected[reasons[i].Error()] = n
		}
	}
	if len(r.apps) > 0 {
		s.Apps = make(map[AppID]AppCounts, len(r.apps))
		for id, c := range r.apps {
			s.Apps[id] = *c
		}
	}
	return s
}

func (r *Reader) reject(line []byte, err error) {
	r.rejected[reasonIndex(err)]++
	if r.OnReject != nil {
		if line != nil {
			err = fmt.Errorf("line %d: %w", r.lines, err)
		}
		r.OnReject(line, err)
	}
}

// rejectf is reject with detail, formatted only when someone listens.
func (r *Reader) rejectf(line []byte, err error, format string, args ...any) {
	if r.OnReject == nil {
		r.rejected[reasonIndex(err)]++
		return
	}
	r.reject(line, fmt.Errorf("%w: "+format, append([]any{err}, args...)...))
}

// readLine returns the next line without its terminator, or false at the
// end of input. The line aliases r.buf until the next call. A line ends at
// LF, CR LF or a bare CR (old Mac loggers, and files that mix them): a
// sentence is never lost because its neighbour ended differently.
func (r *Reader) readLine() ([]byte, bool) {
	for {
		if r.afterCR && r.start < r.end {
			// The CR that ended a skipped line may be half of a CR LF.
			if r.buf[r.start] == '\n' {
				r.start++
			}
			r.afterCR = false
		}
		if r.lf < r.start {
			// Resume the LF search where the last one gave up, so
			// bare-CR input stays linear.
			from := max(r.noLF, r.start)
			if i := bytes.IndexByte(r.buf[from:r.end], '\n'); i >= 0 {
				r.lf = from + i
			} else {
				r.lf = -1
				r.noLF = r.end
			}
		}
		stop := r.end
		if r.lf >= r.start {
			stop = r.lf
		}
		seg := r.buf[r.start:stop]
		n, adv := -1, 0
		switch cr := bytes.IndexByte(seg, '\r'); {
		case cr >= 0 && cr < len(seg)-1:
			n, adv = cr, cr+1 // a bare CR: what follows it is no LF
		case cr >= 0 && (r.lf >= r.start || r.eof):
			n, adv = cr, cr+1 // CR LF, or a CR that ends the input
			if r.lf >= r.start {
				adv++
			}
		case cr < 0 && r.lf >= r.start:
			n, adv = len(seg), len(seg)+1
		}
		// n < 0: no terminator yet (or a CR that may be half of a CR LF).
		if n >= 0 {
			line := seg[:n]
			r.start += adv
			if r.skip {
				r.skip = false
				continue
			}
			r.lines++
			return line, true
		}
		if r.eof {
			if r.start < r.end && !r.skip {
				line := r.buf[r.start:r.end]
				r.start = r.end
				r.lines++
				return line, true
			}
			return nil, false
		}
		if r.end-r.start >= MaxLineLength && len(seg) >= MaxLineLength {
			if !r.skip {
				r.lines++
				r.rejectf(nil, ErrLineTooLong, "line %d over %d bytes", r.lines, MaxLineLength)
			}
			// A CR ending the data ends the line (an LF may follow it);
			// otherwise the rest of the line is skipped when it comes.
			endsCR := r.buf[r.end-1] == '\r'
			r.skip, r.afterCR = !endsCR, endsCR
			r.start, r.end, r.noLF, r.lf = 0, 0, 0, -1
		}
		if r.start > 0 {
			r.end = copy(r.buf, r.buf[r.start:r.end])
			r.noLF = max(r.noLF-r.start, 0)
			if r.lf >= 0 {
				r.lf -= r.start
			}
			r.start = 0
		}
		k, err := r.r.Read(r.buf[r.end:])
		r.end += k
		if err != nil {
			if err != io.EOF {
				r.err = err
			}
			r.eof = true
		}
	}
}

// handleLine processes one line and reports whether it completed a message.
func (r *Reader) handleLine(line []byte) bool {
	s := &r.sent
	err := parseSentence(s, line, r.LaxChecksum)
	switch err {
	case nil:
	case errTagOnly:
		// Several tag-only lines before one sentence add up (AisLib).
		r.tagOnly++
		r.haveTag = true
		if !s.Time.IsZero() {
			r.tagTime = s.Time
		}
		if s.Station != nil {
			r.tagStation = append(r.tagStation[:0], s.Station...)
		}
		return false
	case errOtherNMEA:
		r.other++
		if parsePGHP(line, &r.pghp) {
			r.havePGHP = true
		} else if r.Clock {
			if t, ok := gpsTime(line); ok {
				r.startClock()
				r.clk.set(t)
			}
		}
		return false
	default:
		if err == ErrNotAIS && len(trimSpace(line)) == 0 {
			return false // blank lines are not worth a count
		}
		r.havePGHP = false
		r.clearTag()
		if err == ErrTagBlock && r.OnReject != nil {
			r.rejectf(line, err, "field %q", badTagField(line))
			return false
		}
		r.reject(line, err)
		return false
	}
	r.sentences++
	if r.havePGHP {
		r.havePGHP = false
		// The DMA's cc field often does not match the sentence (it is
		// 00 or stale), so the $PGHP applies to whatever comes next.
		if s.Time.IsZero() {
			s.Time = r.pghp.time
		}
		s.pghpStation = r.pghp.station
	}
	if r.haveTag {
		// Like a $PGHP, a tag-only line labels the sentence but is no
		// part of its reassembly key: it precedes the first part only.
		if s.Time.IsZero() {
			s.Time = r.tagTime
		}
		if s.Station == nil && r.tagStation != nil {
			s.pghpStation = r.tagStation
		}
		r.clearTag()
	}
	if s.GroupID != 0 {
		if s.GroupPart == 1 {
			r.groupID = s.GroupID
			r.stationBuf = append(r.stationBuf[:0], s.Station...)
			r.groupStation = r.stationBuf
			r.groupTime = s.Time
		} else if s.GroupID == r.groupID {
			if s.Station == nil {
				s.Station = r.groupStation
			}
			if s.Time.IsZero() {
				s.Time = r.groupTime
			}
		}
	}
	if s.Total == 1 {
		return r.decode(line, s.Payload, s.Fill, s)
	}
	return r.asm.add(r, line, s)
}

func (r *Reader) clearTag() {
	r.haveTag = false
	r.tagTime = time.Time{}
	r.tagStation = r.tagStation[:0]
	if len(r.tagStation) == 0 {
		r.tagStation = nil
	}
}

func (r *Reader) decode(line, payload []byte, fill int, s *Sentence) bool {
	m := &r.msg
	if err := r.dec.Decode(payload, fill, m); err != nil {
		r.reject(line, err)
		return false
	}
	m.RxTime = s.Time
	st := s.Station
	if len(st) == 0 {
		st = s.pghpStation
	}
	m.Station = r.station(st)
	m.Channel = s.Channel
	m.Own = s.Own
	if r.Clock {
		r.startClock()
		r.clk.stamp(m)
	}
	r.messages++
	r.byType[m.Type]++
	if m.Type == 6 || m.Type == 8 {
		r.countApp(m)
	}
	return true
}

// stationBits sizes the station cache: 256 names.
const stationBits = 8

// station interns a station name, named on nearly every line: a
// direct-mapped cache answers before the Decoder's map (whose lookups
// were a sixth of the reader's time on a national feed of some 300
// stations). It is indexed by a hash of the name's first and last eight
// bytes and its length: FNV-1a, a multiply per byte in a chain, took
// half the time of the lookup.
func (r *Reader) station(b []byte) string {
	n := len(b)
	if n == 0 {
		return ""
	}
	var h uint64
	if n >= 8 {
		h = binary.LittleEndian.Uint64(b) ^ binary.LittleEndian.Uint64(b[n-8:])*0x9E3779B97F4A7C15
	} else {
		for _, c := range b {
			h = h<<8 | uint64(c)
		}
	}
	h = (h ^ uint64(n)) * 0xC2B2AE3D27D4EB4F
	e := &r.stations[h>>(64-stationBits)]
	if *e == string(b) {
		return *e
	}
	*e = r.dec.intern(b)
	return *e
}

func (r *Reader) startClock() {
	if !r.clkSet {
		r.clkSet = true
		r.clk.t = r.Start.UTC()
		if r.Start.IsZero() {
			r.clk.t = time.Time{}
		}
	}
}
