package h264enc

import (
	"bytes"
	"testing"
)

func TestExpGolomb(t *testing.T) {
	cases := []struct {
		write func(*bitWriter)
		want  string // bits
	}{
		{func(w *bitWriter) { w.ue(0) }, "1"},
		{func(w *bitWriter) { w.ue(1) }, "010"},
		{func(w *bitWriter) { w.ue(2) }, "011"},
		{func(w *bitWriter) { w.ue(7) }, "0001000"},
		{func(w *bitWriter) { w.ue(25) }, "000011010"},
		{func(w *bitWriter) { w.se(1) }, "010"},
		{func(w *bitWriter) { w.se(-1) }, "011"},
		{func(w *bitWriter) { w.se(0) }, "1"},
		{func(w *bitWriter) { w.u(3, 5); w.flag(true) }, "1011"},
	}
	for _, c := range cases {
		var w bitWriter
		c.write(&w)
		if got := bitString(&w); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}

// TestExpGolombLarge checks codes longer than 32 bits.
func TestExpGolombLarge(t *testing.T) {
	var w bitWriter
	w.ue(1<<32 - 2) // x = 2^32-1: 31 zeros then 32 ones
	if got, want := bitString(&w), bitsOf(31, '0')+bitsOf(32, '1'); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func bitsOf(n int, c byte) string { return string(bytes.Repeat([]byte{c}, n)) }

// bitString renders written bits including the pending partial byte.
func bitString(w *bitWriter) string {
	var s []byte
	for _, b := range w.buf {
		for i := 7; i >= 0; i-- {
			s = append(s, '0'+(b>>i)&1)
		}
	}
	for i := int(w.nbits) - 1; i >= 0; i-- {
		s = append(s, '0'+byte(w.acc>>i)&1)
	}
	return string(s)
}

func TestAlignAndTrailing(t *testing.T) {
	var w bitWriter
	w.u(3, 7)
	w.alignZero()
	w.bytes([]byte{0xAB})
	w.trailing()
	if want := []byte{0xE0, 0xAB, 0x80}; !bytes.Equal(w.buf, want) {
		t.Fatalf("got % x, want % x", w.buf, want)
	}
}
