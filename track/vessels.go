package track

import "math/bits"

// vesselTable maps MMSIs to vessels, as a map[uint32]*vessel did: every
// input looks its MMSI up, and the map's lookups were a tenth of the
// tracker's time at real rates. Open addressing with linear probing over
// a key array probes a cache line or two of keys (a national feed's
// 3,000 MMSIs fill 32 kB of them), then reads one value.
type vesselTable struct {
	keys []uint32 // 0: empty
	vals []*vessel
	n    int
	// shift takes an MMSI's hash to a slot: 64 - log2(len(keys)).
	shift uint
	// zero is MMSI 0's vessel, which the empty key cannot name.
	zero *vessel
}

// slot returns where mmsi is, or the empty slot where it would go.
func (m *vesselTable) slot(mmsi uint32) int {
	mask := len(m.keys) - 1
	i := int(uint64(mmsi) * 0x9E3779B97F4A7C15 >> m.shift)
	for m.keys[i] != mmsi && m.keys[i] != 0 {
		i = (i + 1) & mask
	}
	return i
}

// get returns mmsi's vessel, nil if there is none.
func (m *vesselTable) get(mmsi uint32) *vessel {
	if mmsi == 0 {
		return m.zero
	}
	if m.n == 0 {
		return nil
	}
	return m.vals[m.slot(mmsi)]
}

// put sets mmsi's vessel.
func (m *vesselTable) put(mmsi uint32, v *vessel) {
	if mmsi == 0 {
		if m.zero == nil {
			m.n++
		}
		m.zero = v
		return
	}
	// At most half full, so that probes stay short.
	if 2*(m.n+1) > len(m.keys) {
		m.grow()
	}
	i := m.slot(mmsi)
	if m.keys[i] == 0 {
		m.keys[i] = mmsi
		m.n++
	}
	m.vals[i] = v
}

func (m *vesselTable) grow() {
	keys, vals := m.keys, m.vals
	size := max(64, 2*len(keys))
	m.keys, m.vals = make([]uint32, size), make([]*vessel, size)
	m.shift = uint(64 - bits.TrailingZeros(uint(size)))
	for i, k := range keys {
		if k != 0 {
			j := m.slot(k)
			m.keys[j], m.vals[j] = k, vals[i]
		}
	}
}

// len returns how many MMSIs have a vessel.
func (m *vesselTable) len() int { return m.n }

// mmsis appends every MMSI with a vessel to dst, in no order.
func (m *vesselTable) mmsis(dst []uint32) []uint32 {
	if m.zero != nil {
		dst = append(dst, 0)
	}
	for _, k := range m.keys {
		if k != 0 {
			dst = append(dst, k)
		}
	}
	return dst
}
