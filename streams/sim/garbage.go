package sim

import (
	"fmt"
	"math/rand/v2"
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
	// GarbageTruncatedFUA sends every NAL unit as FU-A fragments but leaves
	// out the end fragment (the marker goes on the last packet sent).
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

// oversizedNALU builds a non-IDR slice NAL unit of OversizedNALU bytes. The
// filler has no zero bytes, so it holds no start code either.
func oversizedNALU() []byte {
	n := make([]byte, OversizedNALU)
	n[0] = 0x41 // nal_ref_idc 2, type 1
	for i := 1; i < len(n); i++ {
		n[i] = 0xA5
	}
	return n
}

// fuaTruncatedMax is the fragment size used by GarbageTruncatedFUA.
const fuaTruncatedMax = 1200

// truncatedFUA packs each NAL unit of au as FU-A fragments (RFC 6184
// 5.8) and drops each one's end fragment. NAL units of one or two bytes
// cannot be fragmented and are sent whole.
func truncatedFUA(au [][]byte) [][]byte {
	var out [][]byte
	for _, n := range au {
		body := n[1:]
		if len(body) < 2 {
			out = append(out, n)
			continue
		}
		size := min(fuaTruncatedMax, (len(body)+1)/2)
		for start := 0; start+size < len(body); start += size {
			p := make([]byte, 2+size)
			p[0] = n[0]&0xE0 | 28 // FU indicator: NRI of the NAL, type FU-A
			p[1] = n[0] & 0x1F    // FU header: original type
			if start == 0 {
				p[1] |= 0x80 // S bit
			}
			copy(p[2:], body[start:start+size])
			out = append(out, p)
		}
	}
	return out
}
