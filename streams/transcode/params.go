package transcode

import (
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"vigil/streams/media"
)

// paramSets are the parameter sets a decoder needs before a keyframe.
type paramSets struct {
	vps, sps, pps []byte // vps for H.265 only
}

func h264Type(n []byte) h264.NALUType { return h264.NALUType(n[0] & 0x1f) }

func h265Type(n []byte) h265.NALUType { return h265.NALUType((n[0] >> 1) & 0x3f) }

// findParams returns the parameter sets carried in a unit's NAL units.
func findParams(codec media.Codec, nalus [][]byte) paramSets {
	var p paramSets
	for _, n := range nalus {
		switch {
		case codec == media.CodecH264 && h264Type(n) == h264.NALUTypeSPS:
			p.sps = n
		case codec == media.CodecH264 && h264Type(n) == h264.NALUTypePPS:
			p.pps = n
		case codec == media.CodecH265 && h265Type(n) == h265.NALUType_VPS_NUT:
			p.vps = n
		case codec == media.CodecH265 && h265Type(n) == h265.NALUType_SPS_NUT:
			p.sps = n
		case codec == media.CodecH265 && h265Type(n) == h265.NALUType_PPS_NUT:
			p.pps = n
		}
	}
	return p
}

// withParams returns a keyframe's NAL units with the track's parameter sets
// in front when the unit carries none. Cameras normally repeat them in band,
// and ffmpeg can start decoding only at a keyframe that has them.
func withParams(codec media.Codec, nalus [][]byte, tr media.Track) [][]byte {
	if findParams(codec, nalus).sps != nil || tr.SPS == nil || tr.PPS == nil {
		return nalus
	}
	out := make([][]byte, 0, len(nalus)+3)
	if codec == media.CodecH265 && tr.VPS != nil {
		out = append(out, tr.VPS)
	}
	out = append(out, tr.SPS, tr.PPS)
	return append(out, nalus...)
}

// nonEmpty drops empty NAL units, which the MPEG-TS writer cannot take.
func nonEmpty(nalus [][]byte) [][]byte {
	for _, n := range nalus {
		if len(n) == 0 {
			out := make([][]byte, 0, len(nalus))
			for _, n := range nalus {
				if len(n) > 0 {
					out = append(out, n)
				}
			}
			return out
		}
	}
	return nalus
}

// keyframeH264 orders an output keyframe as vigil's outputs expect: SPS and
// PPS first, access unit delimiters dropped. sps and pps fill in when the
// encoder left them out.
func keyframeH264(nalus [][]byte, sps, pps []byte) [][]byte {
	out := make([][]byte, 0, len(nalus)+2)
	out = append(out, sps, pps)
	for _, n := range nalus {
		switch h264Type(n) {
		case h264.NALUTypeSPS, h264.NALUTypePPS, h264.NALUTypeAccessUnitDelimiter:
		default:
			out = append(out, n)
		}
	}
	return out
}

// dropAUD removes access unit delimiters from a non-key output unit (the
// MPEG-TS reader already strips the usual leading one).
func dropAUD(nalus [][]byte) [][]byte {
	for i, n := range nalus {
		if h264Type(n) == h264.NALUTypeAccessUnitDelimiter {
			out := append(nalus[:i:i], nalus[i+1:]...)
			return dropAUD(out)
		}
	}
	return nalus
}
