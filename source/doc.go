// Package source opens the inputs lookout analyze reads and turns each into
// one stream of AIS messages, whatever its format, so everything downstream
// is format-agnostic.
//
// Open opens a file ("-" for standard input) and decompresses gzip
// transparently (recognised by its magic bytes). Sniff names the format
// from the first non-empty line without consuming it (Lookout's own events
// as JSON lines too, so commands can take events or raw AIS), and NewReader
// returns the matching stream of AIS messages:
//
//   - NMEA: a line starting with '!', '$' or '\' (tag block), or carrying
//     "!" after a timestamp prefix ("1704067200 !AIVDM,..."). It is read by
//     ais.NewReader.
//   - CSV: a header naming an MMSI column and a time column, separated by
//     commas, semicolons or tabs. Two exports are known: the Danish Maritime
//     Authority's daily files ("# Timestamp, Type of mobile, MMSI, Latitude,
//     Longitude, Navigational status, ROT, SOG, COG, Heading, IMO, Callsign,
//     Name, Ship type, Cargo type, Width, Length, Type of position fixing
//     device, Draught, Destination, ETA, Data source type, A, B, C, D"; older
//     files lack some columns) and NOAA MarineCadastre's ("MMSI, BaseDateTime,
//     LAT, LON, SOG, COG, Heading, VesselName, IMO, CallSign, VesselType,
//     Status, Length, Width, Draft, Cargo, TransceiverClass"). Columns are
//     found by name (case, spaces and punctuation ignored), never by position,
//     so reordered or extended headers still read; unknown columns are
//     ignored. Other dialects read the same way: unit-suffixed names
//     ("Latitude_degrees", "SOG_knots"), "Time", "Long"/"Lng", Spire-style
//     times ("20210701_185151") and unix seconds. Options.Columns (lookout's
//     --columns) names the columns of any other header; a header that still
//     lacks a time, MMSI, latitude or longitude column is refused with a
//     HeaderError naming what is missing and listing what the header has.
//
// # From CSV rows to messages
//
// Each row becomes a position report with RxTime set from the row's
// timestamp (DMA "31/12/2023 23:59:59" day first, MarineCadastre
// "2023-12-31T23:59:59"; both UTC): type 1 for class A (and rows with no
// class), 18 for class B, 4 for base stations, 21 for aids to navigation, 9
// for SAR aircraft. Missing or "Unknown" values become the AIS
// not-available values (latitude 91, speed 102.3, course 360, heading 511),
// so the ais accessors report them as absent. The DMA's spelled-out
// navigation status and ship type ("Tanker" with cargo "Category X") are
// turned into their AIS codes; its A, B, C, D (or "Size A" ... "Size D" in
// some descriptions of the format) give the antenna offsets, otherwise
// length and width are split evenly about the reference point.
//
// Static columns repeat on every row; a static message (type 5 for class A,
// type 24 parts A and B for class B) is emitted before the position only
// when they differ from the last ones emitted for that MMSI.
//
// Stats counts Lines read (header included), Sentences (rows with a usable
// MMSI and time), Messages delivered by type, and Rejected rows by reason.
//
// # Bad rows
//
// Bad rows never stop a reader. Each is counted in Stats().Rejected under
// one reason (the first problem found): ErrMissingMMSI, ErrBadNumber,
// ErrOutOfRange, ErrBadTime, ErrImplausibleTime (year 0001 or 9999, an
// export's placeholder), ErrBadRow. A row without a usable MMSI or time
// yields nothing; a row whose position is bad or out of range yields its
// static data but no position; a bad speed, course, heading or static field
// is counted and that value alone is treated as not available.
package source
