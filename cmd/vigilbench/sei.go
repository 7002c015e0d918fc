package main

import (
	"encoding/binary"
	"errors"
	"time"
)

// The SEI every simulated camera puts first in each access unit: H.264
// NAL type 6, one user_data_unregistered message (payload type 5) with a
// fixed UUID, then the camera index, a frame counter and the send time.
// Receivers find it after the gateway and identify every frame.

// seiUUID marks vigilbench's SEI among any others a stream may carry.
var seiUUID = [16]byte{
	0x76, 0x69, 0x67, 0x69, 0x6c, 0x62, 0x65, 0x6e, // "vigilben"
	0x63, 0x68, 0x2d, 0x73, 0x65, 0x69, 0x00, 0x01, // "ch-sei", version 1
}

const (
	seiTypeNAL       = 6
	seiUserDataUnreg = 5
	seiPayloadSize   = 16 + 4 + 8 + 8
	seiRBSPCapacity  = 2 + seiPayloadSize + 1
	seiNALUCapacity  = 1 + seiRBSPCapacity*3/2 + 1
	nalTypeIDR       = 5
	nalTypeSPS       = 7
	nalTypePPS       = 8
	nalTypeSTAPA     = 24
	nalTypeFUA       = 28
	nalTypeMask      = 0x1f
	fuStartBit       = 0x80
	fuEndBit         = 0x40
)

// frameTag is what the SEI carries.
type frameTag struct {
	Camera uint32
	Frame  uint64
	Sent   time.Time
}

// buildSEI returns the SEI NAL unit for t, emulation prevention applied.
func buildSEI(t frameTag) []byte {
	rbsp := make([]byte, 0, seiRBSPCapacity)
	rbsp = append(rbsp, seiUserDataUnreg, seiPayloadSize)
	rbsp = append(rbsp, seiUUID[:]...)
	rbsp = binary.BigEndian.AppendUint32(rbsp, t.Camera)
	rbsp = binary.BigEndian.AppendUint64(rbsp, t.Frame)
	rbsp = binary.BigEndian.AppendUint64(rbsp, uint64(t.Sent.UnixNano()))
	rbsp = append(rbsp, 0x80) // rbsp_stop_one_bit and alignment
	return addEmulationPrevention(append(make([]byte, 0, seiNALUCapacity), seiTypeNAL), rbsp)
}

// addEmulationPrevention appends rbsp to dst with a 0x03 after every two
// zero bytes that precede a byte of 0..3.
func addEmulationPrevention(dst, rbsp []byte) []byte {
	zeros := 0
	for _, b := range rbsp {
		if zeros >= 2 && b <= 3 {
			dst = append(dst, 3)
			zeros = 0
		}
		dst = append(dst, b)
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return dst
}

// removeEmulationPrevention drops every 0x03 that follows two zero bytes.
func removeEmulationPrevention(ebsp []byte) []byte {
	out := make([]byte, 0, len(ebsp))
	zeros := 0
	for _, b := range ebsp {
		if zeros >= 2 && b == 3 {
			zeros = 0
			continue
		}
		out = append(out, b)
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

var errNoTag = errors.New("no vigilbench SEI")

// parseSEI finds vigilbench's message in an SEI NAL unit (with its
// header byte). Other messages are skipped; anything malformed is an error.
func parseSEI(nalu []byte) (frameTag, error) {
	if len(nalu) < 2 || nalu[0]&nalTypeMask != seiTypeNAL {
		return frameTag{}, errNoTag
	}
	rbsp := removeEmulationPrevention(nalu[1:])
	for len(rbsp) > 0 && !(len(rbsp) == 1 && rbsp[0] == 0x80) {
		typ, n := seiNumber(rbsp)
		if n == 0 {
			return frameTag{}, errNoTag
		}
		rbsp = rbsp[n:]
		size, n := seiNumber(rbsp)
		if n == 0 || size > len(rbsp)-n {
			return frameTag{}, errNoTag
		}
		payload := rbsp[n : n+size]
		rbsp = rbsp[n+size:]
		if typ == seiUserDataUnreg && size >= seiPayloadSize && [16]byte(payload[:16]) == seiUUID {
			return frameTag{
				Camera: binary.BigEndian.Uint32(payload[16:]),
				Frame:  binary.BigEndian.Uint64(payload[20:]),
				Sent:   time.Unix(0, int64(binary.BigEndian.Uint64(payload[28:]))),
			}, nil
		}
	}
	return frameTag{}, errNoTag
}

// seiNumber reads an SEI payload type or size: 0xFF bytes each add 255,
// the first other byte ends it. It returns the value and the bytes used,
// 0 when b ends first or the value is absurd.
func seiNumber(b []byte) (int, int) {
	v := 0
	for i, c := range b {
		v += int(c)
		if c != 0xff {
			return v, i + 1
		}
		if v > 1<<20 {
			return 0, 0
		}
	}
	return 0, 0
}
