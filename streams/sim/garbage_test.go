package sim

import (
	"testing"

	"vigil/streams/media"
)

func TestTruncatedFUH265(t *testing.T) {
	nal := make([]byte, 3002)
	nal[0], nal[1] = 19<<1, 1 // IDR_W_RADL
	pk := truncatedFU([][]byte{{0x40, 1, 2}, nal}, media.CodecH265)
	// The 3-byte VPS goes whole (one body byte cannot be split); the
	// 3000-byte slice body as 1200+1200 with the last 600 left out. FU
	// payload header type 49, FU header S bit then none, type 19.
	if len(pk) != 3 || pk[0][0] != 0x40 || pk[1][0] != 49<<1 || pk[1][1] != 1 ||
		pk[1][2] != 0x80|19 || pk[2][2] != 19 || len(pk[1]) != 3+1200 {
		t.Fatalf("got %d packets", len(pk))
	}
}

func TestOversizedNALU(t *testing.T) {
	if n := oversizedNALU(media.CodecH265); len(n) != OversizedNALU || (n[0]>>1)&0x3f != 1 || n[1] != 1 {
		t.Fatalf("H.265 header % x", n[:2])
	}
	if n := oversizedNALU(media.CodecH264); n[0] != 0x41 {
		t.Fatalf("H.264 header %x", n[0])
	}
}
