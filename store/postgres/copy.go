package postgres

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lookout-osint/lookout/store"
	"github.com/lookout-osint/lookout/store/internal/sqlstore"
)

// copyPositionsSQL names the columns in the order positionRows encodes them.
const copyPositionsSQL = "COPY positions (ts, mmsi, flags, sog, cog, heading, status, station, geom) FROM STDIN (FORMAT binary)"

// positionRows streams a batch of positions in PostgreSQL's binary COPY
// format, encoding rows straight into the buffer the driver sends. Going
// through pgx.CopyFrom boxed every value of every row into an interface and
// looked up its encoder, which cost as much CPU as the server's work.
type positionRows struct {
	ps    []store.Position
	order []int32 // rows are sent in this order (by MMSI, see OrderByMMSI)
	next  int
	buf   []byte
	off   int
	state int // 0 header not sent, 1 rows, 2 trailer queued
}

// pgEpoch is 2000-01-01 UTC in Unix microseconds: binary timestamps count
// from there.
const pgEpoch = 946_684_800_000_000

// ewkbPointSRID is the EWKB type word of a point carrying an SRID.
const ewkbPointSRID = 1 | 0x20000000

func (r *positionRows) Read(p []byte) (int, error) {
	if r.off == len(r.buf) {
		if r.state == 2 {
			return 0, io.EOF
		}
		r.fill(len(p))
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// fill encodes the next rows, about want bytes of them.
func (r *positionRows) fill(want int) {
	b := r.buf[:0]
	if r.state == 0 {
		b = append(b, "PGCOPY\n\xff\r\n\x00"...)
		b = binary.BigEndian.AppendUint32(b, 0) // flags
		b = binary.BigEndian.AppendUint32(b, 0) // header extension length
		r.state = 1
	}
	for r.next < len(r.order) && len(b) < want {
		b = appendPosition(b, &r.ps[r.order[r.next]])
		r.next++
	}
	if r.next == len(r.order) {
		b = binary.BigEndian.AppendUint16(b, 0xffff) // trailer: field count -1
		r.state = 2
	}
	r.buf, r.off = b, 0
}

func appendPosition(b []byte, p *store.Position) []byte {
	be := binary.BigEndian
	b = be.AppendUint16(b, 9)
	b = be.AppendUint32(b, 8)
	b = be.AppendUint64(b, uint64(p.Time.UnixMicro()-pgEpoch))
	b = be.AppendUint32(b, 4)
	// MMSIs are stored as int4 (AIS sends 30 bits); the bit pattern keeps
	// any uint32 readable.
	b = be.AppendUint32(b, p.MMSI)
	b = be.AppendUint32(b, 4)
	b = be.AppendUint32(b, p.Flags)
	b = appendFloat4(b, p.SOG)
	b = appendFloat4(b, p.COG)
	if p.Heading >= 0 {
		b = be.AppendUint32(b, 2)
		b = be.AppendUint16(b, uint16(p.Heading))
	} else {
		b = be.AppendUint32(b, math.MaxUint32) // NULL
	}
	b = be.AppendUint32(b, 2)
	b = be.AppendUint16(b, uint16(p.Status))
	if p.Station == "" {
		b = be.AppendUint32(b, math.MaxUint32)
	} else {
		st := validText(p.Station)
		b = be.AppendUint32(b, uint32(len(st)))
		b = append(b, st...)
	}
	// The geometry goes as EWKB (little-endian point with SRID 4326), which
	// geometry's binary input reads directly; lat and lon are not stored
	// again beside it.
	b = be.AppendUint32(b, 25)
	b = append(b, 1)
	le := binary.LittleEndian
	b = le.AppendUint32(b, ewkbPointSRID)
	b = le.AppendUint32(b, 4326)
	b = le.AppendUint64(b, math.Float64bits(p.Lon))
	b = le.AppendUint64(b, math.Float64bits(p.Lat))
	return b
}

func appendFloat4(b []byte, f float32) []byte {
	if store.IsNaN32(f) {
		return binary.BigEndian.AppendUint32(b, math.MaxUint32)
	}
	b = binary.BigEndian.AppendUint32(b, 4)
	return binary.BigEndian.AppendUint32(b, math.Float32bits(f))
}

// validText makes s acceptable as PostgreSQL text, which refuses invalid
// UTF-8 and NUL bytes: one odd station name must not fail a whole batch.
func validText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// positionOIDs are the types of positionColumns as the server sends them.
var positionOIDs = [...]uint32{pgtype.Int4OID, pgtype.TimestamptzOID, pgtype.Float8OID, pgtype.Float8OID,
	pgtype.Float4OID, pgtype.Float4OID, pgtype.Int2OID, pgtype.Int2OID, pgtype.TextOID, pgtype.Int4OID}

// scanPositions reads rows of positionColumns by decoding their binary
// values directly: a vessel's track is tens of thousands of rows, and
// scanning each value through an interface cost more CPU than the server's
// whole query. Anything unexpected goes through the shared scanner.
func scanPositions(rows pgx.Rows, fn func(*store.Position) error) error {
	fds := rows.FieldDescriptions()
	if len(fds) != len(positionOIDs) {
		return sqlstore.ScanPositions(rows, fn)
	}
	for i, fd := range fds {
		// pgx asks for text as text; its bytes are the same either way.
		binaryOrText := fd.Format == pgx.BinaryFormatCode || fd.DataTypeOID == pgtype.TextOID
		if !binaryOrText || fd.DataTypeOID != positionOIDs[i] {
			return sqlstore.ScanPositions(rows, fn)
		}
	}
	be := binary.BigEndian
	stations := map[string]string{} // few distinct names, many rows
	var p store.Position
	for rows.Next() {
		v := rows.RawValues()
		if len(v) != len(positionOIDs) || len(v[0]) != 4 || len(v[1]) != 8 || len(v[2]) != 8 || len(v[3]) != 8 || len(v[7]) != 2 || len(v[9]) != 4 {
			return fmt.Errorf("scan position: unexpected binary values")
		}
		p.MMSI = be.Uint32(v[0])
		p.Time = time.UnixMicro(int64(be.Uint64(v[1])) + pgEpoch).UTC()
		p.Lat = math.Float64frombits(be.Uint64(v[2]))
		p.Lon = math.Float64frombits(be.Uint64(v[3]))
		p.SOG, p.COG, p.Heading = store.NaN32, store.NaN32, -1
		if len(v[4]) == 4 {
			p.SOG = math.Float32frombits(be.Uint32(v[4]))
		}
		if len(v[5]) == 4 {
			p.COG = math.Float32frombits(be.Uint32(v[5]))
		}
		if len(v[6]) == 2 {
			p.Heading = int16(be.Uint16(v[6]))
		}
		p.Status = uint8(be.Uint16(v[7]))
		p.Station = ""
		if v[8] != nil {
			st, ok := stations[string(v[8])]
			if !ok {
				st = string(v[8])
				stations[st] = st
			}
			p.Station = st
		}
		p.Flags = be.Uint32(v[9])
		if err := fn(&p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read positions: %w", err)
	}
	return nil
}
