package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lookout-osint/lookout/ais"
)

// Reader is a stream of AIS messages, the shape of ais.Reader: Message is
// valid until the next call to Next, Err reports I/O errors only and Stats
// counts messages and rejected lines by reason.
type Reader interface {
	Next() bool
	Message() *ais.Message
	Err() error
	Stats() ais.Stats
}

// Format names a recognised input format.
type Format string

const (
	NMEA Format = "nmea"
	// DMA is the Danish Maritime Authority's CSV export.
	DMA Format = "dma"
	// NOAA is NOAA/BOEM MarineCadastre's CSV export.
	NOAA Format = "noaa"
	// CSV is another CSV with recognisable MMSI, time and position columns.
	CSV Format = "csv"
	// Events are Lookout events as JSON lines (lookout analyze --format
	// jsonl); Sniff recognises them so commands can take either.
	Events Format = "events"
)

// ErrUnknownFormat is returned when the first non-empty line is neither
// NMEA nor a CSV header naming (or mapped by Options.Columns to) MMSI, time
// and position columns.
var ErrUnknownFormat = errors.New("unrecognised input format (want NMEA, or CSV with a header naming MMSI, time, latitude and longitude columns)")

// Options tune how an input is read; the zero value reads every known
// format as it is.
type Options struct {
	// Columns maps Lookout's field names to a CSV header's column names
	// (see ParseColumns), for dialects whose spellings are not known.
	Columns map[string]string
	// Clock gives NMEA messages without a receive time one, from the
	// times the log itself states, or Start before the first of them
	// (ais.Reader's Clock and Start). CSV rows always carry their time.
	Clock bool
	Start time.Time
}

// sniffLimit bounds how far NewReader looks for the first non-empty line.
const sniffLimit = 64 * 1024

// Sniff reads ahead to the first non-empty line of r, without consuming
// anything, and names its format: NMEA, DMA, NOAA, CSV, or Events (a JSON
// object: Lookout events as JSON lines). An empty input is NMEA. The
// returned bufio.Reader must be used in place of r.
func Sniff(r io.Reader) (*bufio.Reader, Format, error) {
	return sniffWith(r, nil)
}

func sniffWith(r io.Reader, user map[string]string) (*bufio.Reader, Format, error) {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < sniffLimit {
		br = bufio.NewReaderSize(r, sniffLimit)
	}
	line, err := sniff(br)
	if err != nil {
		return br, "", err
	}
	switch {
	case len(line) == 0 || isNMEA(line):
		return br, NMEA, nil
	case line[0] == '{':
		return br, Events, nil
	}
	if f, _, ok := csvFormat(line, user); ok {
		return br, f, nil
	}
	if delim := csvDelim(line); delim != 0 {
		return br, "", fmt.Errorf("%w: the first line looks like a CSV header but names none of the columns Lookout knows (%q); name them with --columns time=COLUMN,mmsi=COLUMN,lat=COLUMN,lon=COLUMN",
			ErrUnknownFormat, truncate(line, 200))
	}
	return br, "", fmt.Errorf("%w: first line %q", ErrUnknownFormat, truncate(line, 80))
}

// NewReader sniffs the format of r from its first non-empty line and
// returns a Reader of AIS messages for it. An empty input is NMEA with no
// messages; events (JSON lines) are refused with ErrUnknownFormat.
func NewReader(r io.Reader) (Reader, Format, error) {
	return NewReaderOptions(r, Options{})
}

// NewReaderOptions is NewReader with Options. A CSV header that lacks a
// required column gives a *HeaderError naming it and listing the header.
func NewReaderOptions(r io.Reader, opt Options) (Reader, Format, error) {
	br, f, err := sniffWith(r, opt.Columns)
	if err != nil {
		return nil, "", err
	}
	switch f {
	case NMEA:
		ar := ais.NewReader(br)
		ar.Clock, ar.Start = opt.Clock, opt.Start
		return ar, NMEA, nil
	case Events:
		return nil, "", fmt.Errorf("%w: this is events (JSON lines), not AIS messages", ErrUnknownFormat)
	}
	line, _ := sniff(br)
	_, delim, _ := csvFormat(line, opt.Columns)
	cr, err := newCSVReader(br, delim, opt.Columns)
	if err != nil {
		var he *HeaderError
		if errors.As(err, &he) {
			return nil, "", err // it says what it is
		}
		return nil, "", fmt.Errorf("%s CSV: %w", strings.ToUpper(string(f)), err)
	}
	return cr, f, nil
}

// sniff returns the first non-empty line without consuming it. It asks for
// only one byte more than is buffered at a time, so a live feed on standard
// input is not held up waiting for a full buffer.
func sniff(br *bufio.Reader) ([]byte, error) {
	n := 1
	for {
		b, err := br.Peek(n)
		if l, complete := firstLine(b); complete || err != nil || n >= sniffLimit {
			if err == io.EOF || err == bufio.ErrBufferFull {
				err = nil
			}
			return l, err
		}
		n = max(br.Buffered(), n) + 1
	}
}

// firstLine returns the first non-empty line of b and whether it ended
// with a newline.
func firstLine(b []byte) ([]byte, bool) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return bytes.TrimSpace(b), false
		}
		if l := bytes.TrimSpace(b[:i]); len(l) > 0 {
			return l, true
		}
		b = b[i+1:]
	}
	return nil, false
}

func isNMEA(l []byte) bool {
	switch l[0] {
	case '!', '$', '\\':
		return true
	}
	// A timestamp or other prefix before the sentence.
	// A timestamp or other prefix before the sentence; CSV headers never
	// hold a '!'.
	return bytes.IndexByte(l, '!') > 0
}

// csvDelim is the most frequent of comma, semicolon and tab in a header
// line, 0 when there is none.
func csvDelim(l []byte) byte {
	delim, best := byte(0), 0
	for _, d := range []byte{',', ';', '\t'} {
		if n := bytes.Count(l, []byte{d}); n > best {
			delim, best = d, n
		}
	}
	return delim
}

// csvFormat recognises a CSV header: one that names an MMSI column, or at
// least two columns Lookout knows (a header missing its MMSI is refused
// later, naming what it lacks). DMA and NOAA are told by their own columns.
func csvFormat(l []byte, user map[string]string) (Format, byte, bool) {
	delim := csvDelim(l)
	if delim == 0 {
		return "", 0, false
	}
	l = bytes.TrimPrefix(l, []byte("\xef\xbb\xbf"))
	c := &csvReader{delim: delim}
	hdr, ok := c.split(l)
	if !ok {
		return "", 0, false
	}
	col, known := mapHeader(hdr, user)
	if col[fMMSI] < 0 && known < 2 {
		return "", 0, false
	}
	names := map[string]bool{}
	for _, h := range hdr {
		names[normalise(h)] = true
	}
	switch {
	case names["typeofmobile"]:
		return DMA, delim, true
	case names["basedatetime"]:
		return NOAA, delim, true
	}
	return CSV, delim, true
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
