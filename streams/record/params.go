package record

import (
	"bytes"
	"errors"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"vigil/streams/media"
	"vigil/streams/segstore"
)

// paramSets are the parameter sets a keyframe carries (vps: H.265 only).
type paramSets struct{ vps, sps, pps []byte }

// findParamSets picks the parameter sets out of a unit's NAL units.
func findParamSets(codec media.Codec, nalus [][]byte) paramSets {
	var p paramSets
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		if codec == media.CodecH265 {
			switch h265.NALUType((n[0] >> 1) & 0x3f) {
			case h265.NALUType_VPS_NUT:
				p.vps = n
			case h265.NALUType_SPS_NUT:
				p.sps = n
			case h265.NALUType_PPS_NUT:
				p.pps = n
			}
			continue
		}
		switch h264.NALUType(n[0] & 0x1f) {
		case h264.NALUTypeSPS:
			p.sps = n
		case h264.NALUTypePPS:
			p.pps = n
		}
	}
	return p
}

// paramsChanged reports whether keyframe au carries parameter sets other
// than the open segment's (a resolution change): its header would lie.
func (w *writer) paramsChanged(au *media.AccessUnit) bool {
	in := w.seg.init
	p := findParamSets(in.Codec, au.NALUs)
	differs := func(got, have []byte) bool { return got != nil && !bytes.Equal(got, have) }
	return differs(p.vps, in.VPS) || differs(p.sps, in.SPS) || differs(p.pps, in.PPS)
}

var (
	errNoParams = errors.New("record: no SPS/PPS for the keyframe")
	errNoIRAP   = errors.New("record: H.265 keyframe without an IRAP picture")
)

// initFor builds a segment header from the keyframe's parameter sets, or
// the track's when the camera sends them out of band only.
func (w *writer) initFor(au *media.AccessUnit) (segstore.Init, error) {
	codec := codecOf(w.track)
	p := findParamSets(codec, au.NALUs)
	p.vps = orElse(p.vps, w.track.VPS)
	p.sps = orElse(p.sps, w.track.SPS)
	p.pps = orElse(p.pps, w.track.PPS)
	if codec == media.CodecH265 {
		return initH265(au, p)
	}
	if len(p.sps) < 4 || len(p.pps) == 0 {
		return segstore.Init{}, errNoParams
	}
	// segstore.AppendInit needs an SPS that mediacommon parses: this is
	// the same parser, so a bad one is refused here, not there.
	var sps h264.SPS
	if err := sps.Unmarshal(p.sps); err != nil {
		return segstore.Init{}, err
	}
	return segstore.Init{Timescale: segstore.Timescale, Width: sps.Width(), Height: sps.Height(),
		Codec: media.CodecH264, SPS: bytes.Clone(p.sps), PPS: bytes.Clone(p.pps)}, nil
}

func initH265(au *media.AccessUnit, p paramSets) (segstore.Init, error) {
	// A unit of another codec (left from before a codec change) must not
	// start an H.265 segment under the track's parameter sets.
	if !hasIRAP(au.NALUs) {
		return segstore.Init{}, errNoIRAP
	}
	if len(p.vps) == 0 || len(p.sps) == 0 || len(p.pps) == 0 {
		return segstore.Init{}, errNoParams
	}
	var sps h265.SPS
	if err := sps.Unmarshal(p.sps); err != nil {
		return segstore.Init{}, err
	}
	return segstore.Init{Timescale: segstore.Timescale, Width: sps.Width(), Height: sps.Height(),
		Codec: media.CodecH265, VPS: bytes.Clone(p.vps), SPS: bytes.Clone(p.sps), PPS: bytes.Clone(p.pps)}, nil
}

// hasIRAP reports whether an H.265 unit holds an IRAP picture (NAL types
// 16 to 23: BLA, IDR, CRA).
func hasIRAP(nalus [][]byte) bool {
	for _, n := range nalus {
		if len(n) > 0 {
			if t := h265.NALUType((n[0] >> 1) & 0x3f); t >= h265.NALUType_BLA_W_LP && t <= h265.NALUType_RSV_IRAP_VCL23 {
				return true
			}
		}
	}
	return false
}

// orElse returns a, or b when a is empty.
func orElse(a, b []byte) []byte {
	if len(a) > 0 {
		return a
	}
	return b
}
