package track

import (
	"strconv"
	"time"
)

// ValidIMO reports whether n is a seven-digit IMO ship number whose check
// digit is right: the first six digits weighted 7,6,5,4,3,2, summed, and
// the last digit of the sum equals the seventh digit. An IMO number stays
// with the hull for life, so two valid ones are two hulls.
func ValidIMO(n uint32) bool {
	if n < 1000000 || n > 9999999 {
		return false
	}
	check := n % 10
	sum := uint32(0)
	d := n / 10
	for w := uint32(2); w <= 7; w++ {
		sum += (d % 10) * w
		d /= 10
	}
	return sum%10 == check
}

// Identity is what a vessel says it is, over the time it said so.
type Identity struct {
	IMO         uint32
	Name        string
	CallSign    string
	ShipType    int
	Length      float64
	Beam        float64
	Draught     float64
	Destination string
	First, Last time.Time
}

// Change is one field of an identity that changed.
type Change struct {
	Field    string
	Old, New string
}

// Identities keeps the identity history of each MMSI. Static reports fill
// the current identity field by field (type 24 sends name and dimensions in
// separate parts); a reported value that differs from the current one closes
// the identity and starts a new one.
type Identities struct {
	hist map[uint32][]Identity
}

// NewIdentities returns an empty history.
func NewIdentities() *Identities { return &Identities{hist: map[uint32][]Identity{}} }

// History returns the identities of mmsi, oldest first.
func (h *Identities) History(mmsi uint32) []Identity { return h.hist[mmsi] }

// Current returns the latest identity of mmsi.
func (h *Identities) Current(mmsi uint32) (Identity, bool) {
	l := h.hist[mmsi]
	if len(l) == 0 {
		return Identity{}, false
	}
	return l[len(l)-1], true
}

// Update merges s into the history and returns the identity fields that
// changed (not draught or destination, which change on every voyage).
func (h *Identities) Update(s *Static) []Change {
	l := h.hist[s.MMSI]
	if len(l) == 0 {
		h.hist[s.MMSI] = []Identity{fromStatic(s)}
		return nil
	}
	cur := &l[len(l)-1]
	var ch []Change
	diffS := func(field, old, nw string) {
		if nw != "" && old != "" && old != nw {
			ch = append(ch, Change{field, old, nw})
		}
	}
	diffS("name", cur.Name, s.Name)
	diffS("call_sign", cur.CallSign, s.CallSign)
	if s.IMO != 0 && cur.IMO != 0 && s.IMO != cur.IMO {
		ch = append(ch, Change{"imo", strconv.Itoa(int(cur.IMO)), strconv.Itoa(int(s.IMO))})
	}
	if s.ShipType != 0 && cur.ShipType != 0 && s.ShipType != cur.ShipType {
		ch = append(ch, Change{"ship_type", strconv.Itoa(cur.ShipType), strconv.Itoa(s.ShipType)})
	}
	if len(ch) > 0 {
		next := *cur
		next.First = s.Time
		merge(&next, s)
		h.hist[s.MMSI] = append(l, next)
		return ch
	}
	merge(cur, s)
	return nil
}

func fromStatic(s *Static) Identity {
	id := Identity{First: s.Time}
	merge(&id, s)
	return id
}

func merge(id *Identity, s *Static) {
	if s.IMO != 0 {
		id.IMO = s.IMO
	}
	if s.Name != "" {
		id.Name = s.Name
	}
	if s.CallSign != "" {
		id.CallSign = s.CallSign
	}
	if s.ShipType != 0 {
		id.ShipType = s.ShipType
	}
	if s.Length > 0 {
		id.Length = s.Length
	}
	if s.Beam > 0 {
		id.Beam = s.Beam
	}
	if s.Draught > 0 {
		id.Draught = s.Draught
	}
	if s.Destination != "" {
		id.Destination = s.Destination
	}
	id.Last = s.Time
}
