package h264enc

// bitWriter writes an RBSP most-significant bit first. Bits gather in a
// 64-bit accumulator so that the many short header fields cost one append per
// byte, and byte-aligned PCM samples can be appended in bulk.
type bitWriter struct {
	buf   []byte
	acc   uint64 // pending bits, right-aligned
	nbits uint   // number of pending bits (< 8 after flush)
}

// u writes the n low bits of v (n <= 32).
func (w *bitWriter) u(n uint, v uint32) {
	w.acc = w.acc<<n | uint64(v)&(1<<n-1)
	w.nbits += n
	for w.nbits >= 8 {
		w.nbits -= 8
		w.buf = append(w.buf, byte(w.acc>>w.nbits))
	}
}

// flag writes one bit.
func (w *bitWriter) flag(b bool) {
	if b {
		w.u(1, 1)
	} else {
		w.u(1, 0)
	}
}

// ue writes an unsigned Exp-Golomb code (H.264 9.1).
func (w *bitWriter) ue(v uint32) {
	x := uint64(v) + 1
	n := uint(0)
	for t := x; t > 1; t >>= 1 {
		n++
	}
	// n leading zeros, then x in n+1 bits; split so each u() call is <= 32 bits.
	w.u(n, 0)
	if n+1 > 32 {
		w.u(n+1-32, uint32(x>>32))
		w.u(32, uint32(x))
		return
	}
	w.u(n+1, uint32(x))
}

// se writes a signed Exp-Golomb code (H.264 9.1.1).
func (w *bitWriter) se(v int32) {
	if v > 0 {
		w.ue(uint32(2*v - 1))
	} else {
		w.ue(uint32(-2 * v))
	}
}

// alignZero pads with zero bits up to the next byte boundary, as
// pcm_alignment_zero_bit requires.
func (w *bitWriter) alignZero() {
	if w.nbits > 0 {
		w.u(8-w.nbits, 0)
	}
}

// bytes appends whole bytes; the writer must be byte aligned.
func (w *bitWriter) bytes(p []byte) {
	w.buf = append(w.buf, p...)
}

// trailing writes rbsp_trailing_bits: a stop bit and zero alignment.
func (w *bitWriter) trailing() {
	w.u(1, 1)
	w.alignZero()
}
