package ais

// maxPayloadChars bounds one message's armored payload (all parts). The
// longest standard message (type 26, five slots) is 1064 bits = 178
// characters; the margin admits non-standard senders without letting one
// line grow the decoder's storage.
const maxPayloadChars = 1024

const maxWords = (maxPayloadChars*6+63)/64 + 2 // +2: reads past the end see zeros

// armor maps an ASCII payload character to its 6-bit value, 0xFF when the
// character is not valid payload armoring.
var armor = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for c := 48; c < 88; c++ {
		t[c] = byte(c - 48)
	}
	for c := 96; c < 120; c++ {
		t[c] = byte(c - 56)
	}
	return t
}()

// sixbitText is the AIS 6-bit character set.
const sixbitText = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"

// bitbuf holds a de-armored payload as big-endian 64-bit words, so any field
// of up to 57 bits is one or two shifts.
type bitbuf struct {
	w [maxWords]uint64
	n int // valid bits
}

// load de-armors payload, dropping fill bits at the end. It converts eight
// characters (48 bits) per step, which is most of the decoder's speed.
func (b *bitbuf) load(payload []byte, fill int) error {
	if len(payload) > maxPayloadChars {
		return ErrPayloadLong
	}
	var acc uint64   // pending bits, right-aligned
	var accBits uint // how many
	wi := 0
	put := func(v uint64, n uint) {
		if accBits+n < 64 {
			acc = acc<<n | v
			accBits += n
			return
		}
		r := 64 - accBits // 1..n bits of v complete the word
		b.w[wi] = acc<<r | v>>(n-r)
		wi++
		accBits = n - r
		acc = v & (1<<accBits - 1)
	}
	p := payload
	for len(p) >= 8 {
		a0, a1, a2, a3 := armor[p[0]], armor[p[1]], armor[p[2]], armor[p[3]]
		a4, a5, a6, a7 := armor[p[4]], armor[p[5]], armor[p[6]], armor[p[7]]
		if (a0|a1|a2|a3|a4|a5|a6|a7)&0xC0 != 0 {
			return ErrPayloadChar
		}
		v := uint64(a0)<<42 | uint64(a1)<<36 | uint64(a2)<<30 | uint64(a3)<<24 |
			uint64(a4)<<18 | uint64(a5)<<12 | uint64(a6)<<6 | uint64(a7)
		put(v, 48)
		p = p[8:]
	}
	for _, c := range p {
		a := armor[c]
		if a&0xC0 != 0 {
			return ErrPayloadChar
		}
		put(uint64(a), 6)
	}
	if accBits > 0 {
		b.w[wi] = acc << (64 - accBits)
		wi++
	}
	b.w[wi] = 0
	b.w[wi+1] = 0
	n := len(payload)*6 - fill
	if n < 0 {
		n = 0
	}
	b.n = n
	// Fill bits are padding: clear them so that reads past n see zeros.
	if fill > 0 && n > 0 {
		last := (n - 1) >> 6
		keep := uint(n - last*64)
		b.w[last] &= ^uint64(0) << (64 - keep)
		for i := last + 1; i < wi; i++ {
			b.w[i] = 0
		}
	}
	return nil
}

// u returns the n-bit (1..57) unsigned field at bit offset off. Offsets up
// to maxPayloadChars*6 are safe; bits past the payload read as zero.
func (b *bitbuf) u(off, n uint) uint64 {
	i := off >> 6
	s := off & 63
	v := b.w[i] << s
	if s+n > 64 {
		v |= b.w[i+1] >> (64 - s)
	}
	return v >> (64 - n)
}

// i returns the n-bit two's complement field at off.
func (b *bitbuf) i(off, n uint) int64 {
	return int64(b.u(off, n)<<(64-n)) >> (64 - n)
}

func (b *bitbuf) flag(off uint) bool { return b.u(off, 1) != 0 }

// text decodes nchars 6-bit characters at off into dst, stopping at the
// first '@' (the standard's terminator) and trimming spaces at both ends.
func (b *bitbuf) text(dst []byte, off uint, nchars int) []byte {
	dst = dst[:0]
	for k := 0; k < nchars; k++ {
		if int(off)+6 > b.n {
			break
		}
		c := sixbitText[b.u(off, 6)]
		if c == '@' {
			break
		}
		dst = append(dst, c)
		off += 6
	}
	for len(dst) > 0 && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	k := 0
	for k < len(dst) && dst[k] == ' ' {
		k++
	}
	if k > 0 {
		dst = dst[:copy(dst, dst[k:])]
	}
	return dst
}

// bytesFrom copies the bits from off to the end of the payload into dst,
// packed MSB first, and returns it with the bit count.
func (b *bitbuf) bytesFrom(dst []byte, off int) ([]byte, int) {
	dst = dst[:0]
	if off >= b.n {
		return dst, 0
	}
	nbits := b.n - off
	for p := off; p < b.n; p += 8 {
		dst = append(dst, byte(b.u(uint(p), 8)))
	}
	if r := nbits & 7; r != 0 {
		dst[len(dst)-1] &= 0xFF << (8 - r)
	}
	return dst, nbits
}
