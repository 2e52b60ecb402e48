package ais

import "time"

// maxGroups bounds the multi-sentence messages in flight. Real feeds have a
// handful per station; when full, the oldest is abandoned.
const maxGroups = 256

// group is a multi-sentence message being put together, keyed by station,
// channel and sequential message id.
type group struct {
	station []byte
	pghp    []byte // $PGHP station of the first part
	channel byte
	seq     int
	total   int
	next    int // the part number expected next
	payload []byte
	first   Sentence // time and flags of part 1
	line    int64    // line number of the last part
}

type assembler struct {
	groups []*group // in flight, oldest first
	free   []*group
}

func (a *assembler) find(s *Sentence) int {
	for i, g := range a.groups {
		if g.seq == s.SeqID && g.channel == s.Channel && string(g.station) == string(s.Station) {
			return i
		}
	}
	return -1
}

func (a *assembler) drop(i int) {
	g := a.groups[i]
	copy(a.groups[i:], a.groups[i+1:])
	a.groups = a.groups[:len(a.groups)-1]
	a.free = append(a.free, g)
}

func (a *assembler) abandon(r *Reader, i int, err error) {
	g := a.groups[i]
	r.rejectf(nil, err, "%d of %d parts, sequence id %d, channel %q, last part on line %d",
		g.next-1, g.total, g.seq, g.channel, g.line)
	a.drop(i)
}

// expire abandons groups that waited too long for their next part.
func (a *assembler) expire(r *Reader, now time.Time) {
	for i := 0; i < len(a.groups); {
		g := a.groups[i]
		late := r.lines-g.line > r.PartLines
		if !late && !now.IsZero() && !g.first.Time.IsZero() && now.Sub(g.first.Time) > r.PartTimeout {
			late = true
		}
		if late {
			a.abandon(r, i, ErrPartTimeout)
			continue
		}
		i++
	}
}

// flush abandons everything still in flight at the end of input.
func (a *assembler) flush(r *Reader) {
	for len(a.groups) > 0 {
		a.abandon(r, 0, ErrMissingPart)
	}
}

func (a *assembler) add(r *Reader, line []byte, s *Sentence) bool {
	if len(a.groups) > 0 {
		a.expire(r, s.Time)
	}
	i := a.find(s)
	if s.Part == 1 {
		if i >= 0 {
			a.abandon(r, i, ErrMissingPart)
		}
		if len(a.groups) >= maxGroups {
			a.abandon(r, 0, ErrMissingPart)
		}
		var g *group
		if n := len(a.free); n > 0 {
			g, a.free = a.free[n-1], a.free[:n-1]
		} else {
			g = new(group)
		}
		g.station = append(g.station[:0], s.Station...)
		g.channel = s.Channel
		g.seq = s.SeqID
		g.total = s.Total
		g.next = 2
		g.payload = append(g.payload[:0], s.Payload...)
		g.first = *s
		g.first.Station = g.station
		g.pghp = append(g.pghp[:0], s.pghpStation...)
		g.first.pghpStation = g.pghp
		g.first.Payload = nil
		g.line = r.lines
		a.groups = append(a.groups, g)
		return false
	}
	if i < 0 {
		r.rejectf(line, ErrMissingPart, "part %d of %d without its first part", s.Part, s.Total)
		return false
	}
	g := a.groups[i]
	switch {
	case s.Total != g.total:
		r.rejectf(line, ErrOutOfOrder, "part %d says %d parts, its group %d", s.Part, s.Total, g.total)
		a.drop(i)
		return false
	case s.Part < g.next:
		r.rejectf(line, ErrDuplicatePart, "part %d of %d again", s.Part, s.Total)
		return false
	case s.Part > g.next:
		r.rejectf(line, ErrOutOfOrder, "part %d of %d while waiting for part %d", s.Part, s.Total, g.next)
		a.drop(i)
		return false
	}
	if len(g.payload)+len(s.Payload) > maxPayloadChars {
		r.reject(line, ErrPayloadLong)
		a.drop(i)
		return false
	}
	g.payload = append(g.payload, s.Payload...)
	g.next++
	g.line = r.lines
	if s.Part < g.total {
		return false
	}
	first := g.first
	ok := r.decode(line, g.payload, s.Fill, &first)
	// The message's bytes alias g.payload only during Decode; Data points
	// into the Decoder, so the group can be recycled now.
	a.drop(i)
	return ok
}
