package ais

import (
	"bytes"
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
	// tag block g: sentence groups: later sentences of a group may carry
	// only g:, so they inherit the first one's time and station.
	groupID      int
	groupStation []byte
	groupTime    time.Time
	stationBuf   []byte

	lines, sentences, messages int64
	byType                     [28]int64
	rejected                   [len(reasons)]int64
	apps                       map[AppID]*AppCounts
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{
		r:           r,
		buf:         make([]byte, readBufSize),
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
// end of input. The line aliases r.buf until the next call.
func (r *Reader) readLine() ([]byte, bool) {
	for {
		region := r.buf[r.start:r.end]
		// Resume the LF search where the last one gave up, so bare-CR
		// input stays linear.
		from := max(r.noLF, r.start)
		i := bytes.IndexByte(r.buf[from:r.end], '\n')
		if i >= 0 {
			i += from - r.start
		} else {
			r.noLF = r.end
		}
		if i < 0 && (r.eof || len(region) >= MaxLineLength) {
			// No LF in sight: a file with bare CR line ends, or junk.
			i = bytes.IndexByte(region, '\r')
			if i > MaxLineLength && !r.skip {
				i = -1
			}
		}
		if i >= 0 {
			line := region[:i]
			r.start += i + 1
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
		if r.end-r.start >= MaxLineLength {
			if !r.skip {
				r.lines++
				r.rejectf(nil, ErrLineTooLong, "line %d over %d bytes", r.lines, MaxLineLength)
			}
			r.skip = true
			r.start, r.end, r.noLF = 0, 0, 0
		}
		if r.start > 0 {
			r.end = copy(r.buf, r.buf[r.start:r.end])
			r.noLF = max(r.noLF-r.start, 0)
			r.start = 0
		}
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
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
	if err != nil {
		if err == ErrNotAIS {
			if parsePGHP(line, &r.pghp) {
				r.havePGHP = true
				return false
			}
			if len(trimSpace(line)) == 0 {
				return false // blank lines are not worth a count
			}
		}
		r.havePGHP = false
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
	m.Station = r.dec.intern(st)
	m.Channel = s.Channel
	m.Own = s.Own
	r.messages++
	r.byType[m.Type]++
	if m.Type == 6 || m.Type == 8 {
		r.countApp(m)
	}
	return true
}
