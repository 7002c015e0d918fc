package rtsp

import (
	"fmt"

	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/opus"
	"github.com/pion/rtp"

	"vigil/streams/media"
)

// serverPacker turns one write's frames (a picture's NAL units, or audio
// frames) into RTP packets. Packet timestamps are offsets from the first
// frame in the media's clock: 0 for video, the sample position of each
// packet for audio.
type serverPacker func(frames [][]byte) ([]*rtp.Packet, error)

// serverCodec describes how the server offers one codec: its SDP format
// (from a track) and its packetizer (from that format).
type serverCodec struct {
	format func(t media.Track) (format.Format, error)
	packer func(f format.Format) (serverPacker, error)
}

// Dynamic payload types: one video and at most one audio media per path.
const (
	serverVideoPT = 96
	serverAudioPT = 97
)

// serverCodecs are the codecs a simulated camera can offer.
var serverCodecs = map[media.Codec]serverCodec{
	media.CodecH264: {format: h264Format, packer: h264Packer},
	media.CodecH265: {format: h265Format, packer: h265Packer},
	media.CodecAAC:  {format: aacFormat, packer: aacPacker},
	media.CodecPCMA: {format: g711Format(false), packer: g711Packer},
	media.CodecPCMU: {format: g711Format(true), packer: g711Packer},
	media.CodecOpus: {format: opusFormat, packer: opusPacker},
}

func h264Format(t media.Track) (format.Format, error) {
	return &format.H264{PayloadTyp: serverVideoPT, SPS: t.SPS, PPS: t.PPS, PacketizationMode: 1}, nil
}

func h264Packer(f format.Format) (serverPacker, error) {
	enc, err := f.(*format.H264).CreateEncoder()
	if err != nil {
		return nil, err
	}
	return enc.Encode, nil
}

func h265Format(t media.Track) (format.Format, error) {
	return &format.H265{PayloadTyp: serverVideoPT, VPS: t.VPS, SPS: t.SPS, PPS: t.PPS}, nil
}

func h265Packer(f format.Format) (serverPacker, error) {
	enc, err := f.(*format.H265).CreateEncoder()
	if err != nil {
		return nil, err
	}
	return enc.Encode, nil
}

// aacFormat offers AAC as cameras do: RFC 3640 mpeg4-generic, AU-hbr
// (13-bit sizes). The AudioSpecificConfig comes from t.Config, or is built
// for AAC-LC from the sample rate and channels.
func aacFormat(t media.Track) (format.Format, error) {
	conf := &mpeg4audio.AudioSpecificConfig{
		Type: mpeg4audio.ObjectTypeAACLC, SampleRate: t.SampleRate, ChannelCount: max(1, t.Channels),
	}
	if len(t.Config) > 0 {
		if err := conf.Unmarshal(t.Config); err != nil {
			return nil, fmt.Errorf("aac config: %w", err)
		}
	}
	if conf.SampleRate <= 0 {
		return nil, fmt.Errorf("aac: no sample rate")
	}
	return &format.MPEG4Audio{
		PayloadTyp: serverAudioPT, ProfileLevelID: 1, Config: conf,
		SizeLength: 13, IndexLength: 3, IndexDeltaLength: 3,
	}, nil
}

func aacPacker(f format.Format) (serverPacker, error) {
	enc, err := f.(*format.MPEG4Audio).CreateEncoder()
	if err != nil {
		return nil, err
	}
	return enc.Encode, nil
}

// g711Format offers G.711 at 8 kHz mono under its static payload type
// (0 µ-law, 8 A-law), as cameras do.
func g711Format(mulaw bool) func(media.Track) (format.Format, error) {
	return func(t media.Track) (format.Format, error) {
		if t.SampleRate != 0 && t.SampleRate != 8000 || t.Channels > 1 {
			return nil, fmt.Errorf("g711: want 8000 Hz mono, got %d Hz %d channels", t.SampleRate, t.Channels)
		}
		pt := uint8(8)
		if mulaw {
			pt = 0
		}
		return &format.G711{PayloadTyp: pt, MULaw: mulaw, SampleRate: 8000, ChannelCount: 1}, nil
	}
}

// g711Packer sends each frame (a block of samples) as its own packets,
// stamped with its sample position.
func g711Packer(f format.Format) (serverPacker, error) {
	enc, err := f.(*format.G711).CreateEncoder()
	if err != nil {
		return nil, err
	}
	return func(frames [][]byte) ([]*rtp.Packet, error) {
		var out []*rtp.Packet
		off := uint32(0)
		for _, fr := range frames {
			pkts, err := enc.Encode(fr)
			if err != nil {
				return nil, err
			}
			for _, p := range pkts {
				p.Timestamp += off
			}
			out = append(out, pkts...)
			off += uint32(len(fr))
		}
		return out, nil
	}, nil
}

func opusFormat(t media.Track) (format.Format, error) {
	return &format.Opus{PayloadTyp: serverAudioPT, ChannelCount: max(1, t.Channels)}, nil
}

// opusPacker sends one Opus packet per RTP packet (RFC 7587), each stamped
// with its position at 48 kHz.
func opusPacker(f format.Format) (serverPacker, error) {
	enc, err := f.(*format.Opus).CreateEncoder()
	if err != nil {
		return nil, err
	}
	return func(frames [][]byte) ([]*rtp.Packet, error) {
		out := make([]*rtp.Packet, 0, len(frames))
		off := uint32(0)
		for _, fr := range frames {
			p, err := enc.Encode(fr)
			if err != nil {
				return nil, err
			}
			p.Timestamp = off
			out = append(out, p)
			off += uint32(opus.PacketDuration2(fr))
		}
		return out, nil
	}, nil
}
