package webrtc

import (
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/opus"
	"github.com/pion/rtp/codecs"

	"vigil/streams/media"
)

// rtpPayloadSize keeps every packet, with SRTP and tunnel overhead, under
// common path MTUs.
const rtpPayloadSize = 1200

// packetizer cuts units of one codec into RTP payloads. Every payload it
// returns stays unchanged (the NACK history keeps them without a copy):
// H.264 payloads are cut once per unit and shared by the camera's
// viewers, pion's H.265 payloader returns new ones, audio frames are the
// unit's own.
type packetizer struct {
	codec media.Codec
	h265  codecs.H265Payloader
}

// reset starts a new stream of codec c: payloaders cache parameter sets.
func (p *packetizer) reset(c media.Codec) {
	p.codec, p.h265 = c, codecs.H265Payloader{}
}

// payloads returns the RTP payloads of au. Video units give the packets of
// one picture; audio units one payload per frame.
func (p *packetizer) payloads(au *media.AccessUnit) [][]byte {
	switch p.codec {
	case media.CodecH264:
		return au.Derived(h264Payloads)
	case media.CodecH265:
		return p.h265.Payload(rtpPayloadSize, au.AnnexB())
	}
	return au.NALUs
}

// clockRate is the RTP clock of a codec.
func clockRate(c media.Codec) int64 {
	switch c {
	case media.CodecOpus:
		return 48000
	case media.CodecPCMA, media.CodecPCMU:
		return 8000
	}
	return 90000
}

// frameTicks is how long an audio frame plays, in RTP ticks: the
// timestamp step to the next frame of the same unit.
func frameTicks(c media.Codec, frame []byte) int64 {
	switch c {
	case media.CodecOpus:
		return toTicks(opus.PacketDuration(frame), 48000)
	case media.CodecPCMA, media.CodecPCMU:
		return int64(len(frame)) // one byte per sample at 8 kHz
	}
	return 0
}

func toTicks(d time.Duration, rate int64) int64 {
	return int64(d/time.Second)*rate + int64(d%time.Second)*rate/int64(time.Second)
}
