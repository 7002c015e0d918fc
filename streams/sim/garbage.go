package sim

import (
	"fmt"
	"math/rand/v2"

	"vigil/streams/media"
)

// Garbage selects how a camera misbehaves on the wire, to exercise the
// gateway's defences. The sub stream misbehaves the same way.
type Garbage int32

const (
	// GarbageOff sends a clean stream.
	GarbageOff Garbage = iota
	// GarbageRandom replaces every access unit by 1 to 8 RTP packets of
	// random bytes (1 to 1400 each).
	GarbageRandom
	// GarbageOversized replaces one access unit per second by a single
	// OversizedNALU-byte NAL unit sent as FU-A fragments; the picture
	// after it is an IDR so a reader that drops it recovers.
	GarbageOversized
	// GarbageTruncatedFUA sends every NAL unit as fragmentation units (FU-A
	// for H.264, FU for H.265) but leaves out the end fragment (the marker
	// goes on the last packet sent).
	GarbageTruncatedFUA
)

// OversizedNALU is the size of the NAL unit sent by GarbageOversized.
const OversizedNALU = 6 << 20

// String names the mode as camsim and logs spell it.
func (g Garbage) String() string {
	switch g {
	case GarbageOff:
		return "off"
	case GarbageRandom:
		return "random"
	case GarbageOversized:
		return "oversized"
	case GarbageTruncatedFUA:
		return "truncated-fua"
	}
	return fmt.Sprintf("garbage(%d)", int32(g))
}

// randomPayloads returns 1 to 8 payloads of random bytes.
func randomPayloads(r *rand.Rand) [][]byte {
	out := make([][]byte, 1+r.IntN(8))
	for i := range out {
		p := make([]byte, 1+r.IntN(1400))
		for j := range p {
			p[j] = byte(r.Uint32())
		}
		out[i] = p
	}
	return out
}

// oversizedNALU builds a non-IDR slice NAL unit of OversizedNALU bytes
// (H.264 type 1, or H.265 TRAIL_R). The filler has no zero bytes, so it
// holds no start code either.
func oversizedNALU(c media.Codec) []byte {
	n := make([]byte, OversizedNALU)
	for i := range n {
		n[i] = 0xA5
	}
	if c == media.CodecH265 {
		n[0], n[1] = 1<<1, 1 // TRAIL_R, layer 0, temporal id 0
	} else {
		n[0] = 0x41 // nal_ref_idc 2, type 1
	}
	return n
}

// fuaTruncatedMax is the fragment size used by GarbageTruncatedFUA.
const fuaTruncatedMax = 1200

// truncatedFU packs each NAL unit of au as fragmentation units (RFC 6184
// 5.8 FU-A, or RFC 7798 4.4.3 FU for H.265) and drops each one's end
// fragment. NAL units too small to fragment are sent whole.
func truncatedFU(au [][]byte, c media.Codec) [][]byte {
	hdr := 1 // NAL header bytes
	if c == media.CodecH265 {
		hdr = 2
	}
	var out [][]byte
	for _, n := range au {
		if len(n) < hdr+2 {
			out = append(out, n)
			continue
		}
		body := n[hdr:]
		size := min(fuaTruncatedMax, (len(body)+1)/2)
		for start := 0; start+size < len(body); start += size {
			p := append(fuHeader(n, c, start == 0), body[start:start+size]...)
			out = append(out, p)
		}
	}
	return out
}

// fuHeader returns the payload header and FU header of a fragment of n.
func fuHeader(n []byte, c media.Codec, first bool) []byte {
	var s byte
	if first {
		s = 0x80 // S bit
	}
	if c == media.CodecH265 {
		typ := (n[0] >> 1) & 0x3f
		return []byte{n[0]&0x81 | 49<<1, n[1], s | typ}
	}
	return []byte{n[0]&0xE0 | 28, s | n[0]&0x1F} // FU indicator (NRI, FU-A), FU header
}
