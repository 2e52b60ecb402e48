// Package ais decodes AIS (Automatic Identification System) messages from
// NMEA 0183 !xxVDM/!xxVDO sentences, fast and defensively.
//
// The usual entry point is a Reader, which reads lines, verifies checksums,
// picks up receive times and station names (NMEA 4.10 tag blocks, logging
// timestamp prefixes, Danish Maritime Authority $PGHP sentences), reassembles
// multi-sentence messages and decodes every message type 1–27:
//
//	r := ais.NewReader(f)
//	for r.Next() {
//		m := r.Message() // valid until the next call to Next
//		if lat, lon, ok := m.Position(); ok {
//			...
//		}
//	}
//	if err := r.Err(); err != nil { ... } // I/O errors only
//	st := r.Stats()                       // messages by type, rejected lines by reason
//
// Lines end at LF, CR LF or a bare CR, mixed freely. What real feeds add
// is read: a tag block alone on its line (the DMA's \si:AISD*3F\) labels
// the next sentence, as AisLib reads it; fields after the fill bits (a
// Navico GoFree server's) are ignored, as gpsd ignores them; a unix time
// after the checksum is the receive time. Other NMEA sentences (a boat
// multiplexer's GPS and instruments, $PGHP) are counted in Stats.Other and
// tag-only lines in Stats.TagOnly: set aside, not rejected. A log with no
// timestamps can be given a clock (Clock, Start): its own base station and
// GPS times, refined by each report's UTC second.
//
// Bad lines never stop a Reader: each is counted in Stats under a reason
// (one of the Err* values of this package) and reading carries on. Lines
// longer than MaxLineLength are skipped without being buffered. Set
// OnReject to see each rejected line, LaxChecksum to accept sentences with
// a wrong checksum, PartTimeout/PartLines to tune when an incomplete
// multi-sentence message is given up (ErrPartTimeout).
//
// Multi-sentence messages are keyed by station (tag block s:), channel and
// sequential message id, so interleaved groups from several receivers
// reassemble; a restarted, duplicated or skipped part is reported as
// ErrMissingPart, ErrDuplicatePart or ErrOutOfOrder.
//
// The hot path does not allocate: a Reader reuses one Message, a read buffer
// and a Decoder, and interns text fields (names, call signs, stations).
//
// # Message kinds
//
// A Message is one plain struct: a common header (Type, Repeat, MMSI, RxTime,
// Station, Channel) and one body field per message family. Type says which
// body is filled in; the others hold stale data from earlier messages when the
// Message belongs to a Reader. Switch on Type and read the body named in the
// field comments (PosA for 1–3, StaticA for 5, PosB for 18/19, ...), or use
// the accessors that work across types (Position, Speed, Course, Heading,
// ShipName).
// Other packages may build Messages themselves (for example from CSV exports):
// set Type and the matching body, and use the NotAvailable constants for
// missing values.
//
// # Application messages
//
// Types 6 and 8 carry binary application messages identified by DAC and
// FI. Those gpsd decodes (IMO 236/289 meteorological and hydrological
// data, dangerous cargo, tidal windows, route information, area notices,
// ...; inland AIS; GLA monitoring) are decoded into BinaryMessage.App, a
// list of fields with gpsd's JSON names and scaling; unknown DAC/FI keep
// only Data, and a payload that does not fit its layout sets AppErr (an
// *AppError naming the DAC/FI). Stats.Apps counts each DAC/FI.
//
// # Not-available values
//
// AIS marks missing values in-band (latitude 91, longitude 181, speed 102.3
// knots, course 360, heading 511, draught 0, IMO 0, ETA month/day 0). Body
// fields keep those values exactly as transmitted so nothing is lost, and
// every such field has a Has… method (HasPosition, HasSpeed, ...). The
// Message-level accessors (Position, Speed, Course, Heading) return ok=false
// for not-available or out-of-range values, so a sentinel can never be taken
// for a real value through them.
//
// # Lower-level API
//
// ParseSentence parses one NMEA line without keeping any state.
// (*Decoder).Decode decodes one complete armored payload with its fill bits
// into a caller's Message without allocating; Decode is the one-off form.
// AppendJSON and AppendCSV render a Message the way lookout decode does.
package ais
