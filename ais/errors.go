package ais

import "errors"

// Reasons a line or message is rejected. Stats counts rejections under the
// error's text; a Reader's OnReject hook receives the error itself (wrapped
// with context), so errors.Is works against these values.
var (
	ErrNotAIS        = errors.New("not an AIS sentence")
	ErrMalformed     = errors.New("malformed sentence")
	ErrNoChecksum    = errors.New("missing checksum")
	ErrChecksum      = errors.New("checksum mismatch")
	ErrTagBlock      = errors.New("malformed tag block")
	ErrTagChecksum   = errors.New("tag block checksum mismatch")
	ErrLineTooLong   = errors.New("line too long")
	ErrEmptyPayload  = errors.New("empty payload")
	ErrPayloadChar   = errors.New("invalid payload character")
	ErrPayloadLong   = errors.New("payload too long")
	ErrFillBits      = errors.New("invalid fill bits")
	ErrTooShort      = errors.New("payload too short for its type")
	ErrUnknownType   = errors.New("unknown message type")
	ErrMissingPart   = errors.New("missing part of multi-sentence message")
	ErrDuplicatePart = errors.New("duplicate part of multi-sentence message")
	ErrOutOfOrder    = errors.New("out-of-order part of multi-sentence message")
	ErrPartTimeout   = errors.New("multi-sentence message timed out")
)

// reasons lists every rejection error; its index is the counter slot in a
// Reader, which keeps counting allocation-free.
var reasons = [...]error{
	ErrNotAIS, ErrMalformed, ErrNoChecksum, ErrChecksum, ErrTagBlock,
	ErrTagChecksum, ErrLineTooLong, ErrEmptyPayload, ErrPayloadChar,
	ErrPayloadLong, ErrFillBits, ErrTooShort, ErrUnknownType, ErrMissingPart,
	ErrDuplicatePart, ErrOutOfOrder, ErrPartTimeout,
}

func reasonIndex(err error) int {
	for i, e := range reasons {
		if errors.Is(err, e) {
			return i
		}
	}
	return 1 // ErrMalformed: every error this package makes is in reasons
}

// Stats summarises what a Reader has seen.
type Stats struct {
	Lines     int64 // lines read, blank lines included
	Sentences int64 // AIS sentences that passed parsing and checksum
	Messages  int64 // messages delivered by Next
	// Other counts well-formed NMEA sentences of other kinds (GPS and
	// instrument sentences from a boat's multiplexer, $PGHP time stamps):
	// read and set aside, not errors.
	Other int64
	// TagOnly counts tag blocks alone on their line, which label the
	// next sentence (the DMA's \si:AISD*3F\).
	TagOnly int64
	// ByType counts delivered messages by message type (index 1–27).
	ByType [28]int64
	// Rejected counts rejected lines (and abandoned multi-sentence groups)
	// by reason, keyed by the text of the Err* value.
	Rejected map[string]int64
	// Apps counts the application messages of types 6 and 8 by type, DAC
	// and FI: decoded, unknown layout, or bad payload (see AppCounts).
	Apps map[AppID]AppCounts
}

// RejectedTotal is the sum of all rejection counts.
func (s Stats) RejectedTotal() int64 {
	var n int64
	for _, v := range s.Rejected {
		n += v
	}
	return n
}
