package rtsp

import (
	"errors"

	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtpmpeg4audio"
	"github.com/pion/rtp"

	"vigil/streams/media"
)

// pull is one track chosen from a camera's session, with its depacketizer.
type pull struct {
	media  *description.Media
	format format.Format
	track  media.Track
	// decode returns the NAL units of a complete access unit, or the
	// frames of an audio packet. The packet's payload need stay valid
	// only during the call for video (depacketize.go).
	decode func(*rtp.Packet) ([][]byte, error)
}

// findVideo picks the camera's video: H.264 first (every browser plays
// it as is), else H.265. It returns nil when there is neither. The
// formats gortsplib's decoders refuse are refused.
func findVideo(desc *description.Session) (*pull, error) {
	var h264 *format.H264
	if m := desc.FindFormat(&h264); m != nil {
		if h264.PacketizationMode >= 2 {
			return nil, errors.New("PacketizationMode >= 2 is not supported")
		}
		return &pull{media: m, format: h264, decode: newH264Depacketizer().decode,
			track: media.Track{Codec: media.CodecH264, SPS: h264.SPS, PPS: h264.PPS}}, nil
	}
	var h265 *format.H265
	if m := desc.FindFormat(&h265); m != nil {
		if h265.MaxDONDiff != 0 {
			return nil, errors.New("MaxDONDiff != 0 is not supported (yet)")
		}
		return &pull{media: m, format: h265, decode: newH265Depacketizer().decode,
			track: media.Track{Codec: media.CodecH265, VPS: h265.VPS, SPS: h265.SPS, PPS: h265.PPS}}, nil
	}
	return nil, nil
}

// findAudio picks the camera's audio in a codec vigil serves, or nil.
func findAudio(desc *description.Session) (*pull, error) {
	var aac *format.MPEG4Audio
	if m := desc.FindFormat(&aac); m != nil && aac.Config != nil {
		dec, err := aac.CreateDecoder()
		if err != nil {
			return nil, err
		}
		cfg, err := aac.Config.Marshal()
		if err != nil {
			return nil, err
		}
		return &pull{media: m, format: aac, decode: dec.Decode, track: media.Track{
			Codec: media.CodecAAC, SampleRate: aac.ClockRate(), Channels: aac.Config.ChannelCount, Config: cfg,
		}}, nil
	}
	var g711 *format.G711
	// WebRTC carries G.711 at 8 kHz mono only.
	if m := desc.FindFormat(&g711); m != nil && g711.SampleRate == 8000 && g711.ChannelCount == 1 {
		dec, err := g711.CreateDecoder()
		if err != nil {
			return nil, err
		}
		codec := media.CodecPCMA
		if g711.MULaw {
			codec = media.CodecPCMU
		}
		return &pull{media: m, format: g711, decode: single(dec.Decode),
			track: media.Track{Codec: codec, SampleRate: 8000, Channels: 1}}, nil
	}
	var opus *format.Opus
	if m := desc.FindFormat(&opus); m != nil {
		dec, err := opus.CreateDecoder()
		if err != nil {
			return nil, err
		}
		return &pull{media: m, format: opus, decode: single(dec.Decode),
			track: media.Track{Codec: media.CodecOpus, SampleRate: 48000, Channels: opus.ChannelCount}}, nil
	}
	return nil, nil
}

// single adapts a one-frame-per-packet depacketizer.
func single(decode func(*rtp.Packet) ([]byte, error)) func(*rtp.Packet) ([][]byte, error) {
	return func(pkt *rtp.Packet) ([][]byte, error) {
		frame, err := decode(pkt)
		if err != nil {
			return nil, err
		}
		return [][]byte{frame}, nil
	}
}

// isIncomplete reports the depacketizers' "not a whole unit yet" answers,
// which are normal and not decode errors.
func isIncomplete(err error) bool {
	return errors.Is(err, errMorePackets) || errors.Is(err, errNoStart) ||
		errors.Is(err, rtpmpeg4audio.ErrMorePacketsNeeded)
}
