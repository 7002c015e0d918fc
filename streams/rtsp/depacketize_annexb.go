package rtsp

import (
	"bytes"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// Some cameras and servers wrap H.264 NAL units in Annex-B: start codes
// (00 00 00 01, 00 00 01) before or between NAL units inside one RTP
// NAL unit. gortsplib's rtph264 decoder turns such a stream's NAL units
// into the real ones by switching, the first time a packet's one NAL
// unit contains 00 00 00 01, into an "Annex-B mode" kept for good, which
// splits every such NAL unit at its start codes. To tell, it searches
// every byte of every NAL unit: 9 % of vigil's CPU with 50 idle cameras.
//
// A NAL unit that follows the standard cannot hold 00 00 00 at all
// (H.264 7.4.1: emulation prevention keeps 00 00 00, 00 00 01 and
// 00 00 02 out of it, and cabac_zero_words are followed by 03 too). So
// only the NAL units that carry the bytes of a picture, the large
// slices, go unsearched; every other NAL unit is searched whole as
// gortsplib does: parameter sets, SEI, delimiters, anything under
// annexBSearchBelow bytes, and a "NAL unit" whose first byte is 0 (type
// 0), which is what one that starts with a start code reads as.
//
// The streams gortsplib treats as Annex-B and vigil does not, until a
// NAL unit searched turns the mode on (both then split alike): those
// whose first NAL unit to contain 00 00 00 01 is a coded slice (type 1
// to 5, 19, 20 or 21) of annexBSearchBelow bytes or more, its start code
// inside rather than at its start; for example a packet holding a
// slice, then 00 00 00 01 and another NAL unit. Up to that point vigil
// delivers such a packet's bytes as one NAL unit, gortsplib as several.
// That is acceptable: such a slice is not H.264 in any case, and a
// camera that wraps its output wraps its parameter sets and SEI, which
// are searched, or starts its packets with the start code, which turns
// the mode on at once, as gortsplib does. What the mode does to a stream
// once on is gortsplib's, byte for byte.

// annexBSearchBelow is the size under which every NAL unit is searched.
const annexBSearchBelow = 256

var annexBStartCode = []byte{0, 0, 0, 1}

// wrapsAnnexB tells a NAL unit that turns the Annex-B mode on.
func wrapsAnnexB(nalu []byte) bool {
	if len(nalu) >= annexBSearchBelow && isSlice(h264.NALUType(nalu[0]&0x1f)) {
		return false
	}
	return bytes.Contains(nalu, annexBStartCode)
}

// isSlice tells the NAL unit types that carry a picture's coded bytes.
func isSlice(typ h264.NALUType) bool {
	switch typ {
	case h264.NALUTypeNonIDR, h264.NALUTypeDataPartitionA, h264.NALUTypeDataPartitionB,
		h264.NALUTypeDataPartitionC, h264.NALUTypeIDR, h264.NALUTypeSliceLayerWithoutPartitioning,
		h264.NALUTypeSliceExtension, h264.NALUTypeSliceExtensionDepth:
		return true
	}
	return false
}

// unwrapAnnexB splits a NAL unit of a camera that wraps them, as
// gortsplib does: a 4-byte start code is put first unless one is there
// (before a 3-byte one too: the two then enclose nothing). The NAL units
// are parts of one buffer, a copy of nalu: they come from one packet and
// are kept together.
func unwrapAnnexB(nalu []byte) ([][]byte, error) {
	buf := make([]byte, 0, len(annexBStartCode)+len(nalu))
	if !bytes.HasPrefix(nalu, annexBStartCode) {
		buf = append(buf, annexBStartCode...)
	}
	buf = append(buf, nalu...)
	var nalus h264.AnnexB
	if err := nalus.Unmarshal(buf); err != nil {
		return nil, err
	}
	return nalus, nil
}
