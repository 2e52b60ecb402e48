package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

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
// NMEA nor a recognised CSV header.
var ErrUnknownFormat = errors.New("unrecognised input format (want NMEA or a DMA/MarineCadastre CSV header)")

// sniffLimit bounds how far NewReader looks for the first non-empty line.
const sniffLimit = 64 * 1024

// Sniff reads ahead to the first non-empty line of r, without consuming
// anything, and names its format: NMEA, DMA, NOAA, CSV, or Events (a JSON
// object: Lookout events as JSON lines). An empty input is NMEA. The
// returned bufio.Reader must be used in place of r.
func Sniff(r io.Reader) (*bufio.Reader, Format, error) {
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
	if f, _, ok := csvFormat(line); ok {
		return br, f, nil
	}
	return br, "", fmt.Errorf("%w: %q", ErrUnknownFormat, truncate(line, 80))
}

// NewReader sniffs the format of r from its first non-empty line and
// returns a Reader of AIS messages for it. An empty input is NMEA with no
// messages; events (JSON lines) are refused with ErrUnknownFormat.
func NewReader(r io.Reader) (Reader, Format, error) {
	br, f, err := Sniff(r)
	if err != nil {
		return nil, "", err
	}
	switch f {
	case NMEA:
		return ais.NewReader(br), NMEA, nil
	case Events:
		return nil, "", fmt.Errorf("%w: this is events (JSON lines), not AIS messages", ErrUnknownFormat)
	}
	line, _ := sniff(br)
	_, delim, _ := csvFormat(line)
	cr, err := newCSVReader(br, delim)
	if err != nil {
		return nil, "", fmt.Errorf("%s CSV: %w", f, err)
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

// csvFormat recognises a CSV header: the delimiter is the most frequent of
// comma, semicolon and tab; the header must name an MMSI and a time column.
func csvFormat(l []byte) (Format, byte, bool) {
	delim := byte(',')
	best := bytes.Count(l, []byte{','})
	for _, d := range []byte{';', '\t'} {
		if n := bytes.Count(l, []byte{d}); n > best {
			delim, best = d, n
		}
	}
	if best == 0 {
		return "", 0, false
	}
	names := map[string]bool{}
	for _, h := range bytes.Split(l, []byte{delim}) {
		names[normalise(string(h))] = true
	}
	switch {
	case !names["mmsi"]:
		return "", 0, false
	case names["typeofmobile"]:
		return DMA, delim, true
	case names["basedatetime"]:
		return NOAA, delim, true
	case names["timestamp"] || names["datetime"]:
		return CSV, delim, true
	}
	return "", 0, false
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
