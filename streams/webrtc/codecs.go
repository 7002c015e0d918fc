package webrtc

import (
	"time"

	"github.com/pion/webrtc/v4"
)

// ICE timing: a viewer whose network drops is noticed within seconds, not
// pion's default half minute, so its readers are released promptly.
const (
	iceDisconnectedTimeout = 4 * time.Second
	iceFailedTimeout       = 12 * time.Second
	iceKeepalive           = 2 * time.Second
)

// h264Variants are the H.264 profiles offered to browsers. Cameras send
// Baseline, Main or High; every browser decoder copes with all three once
// one of them is agreed, so the order only picks the preferred line.
var h264Variants = []struct {
	payloadType webrtc.PayloadType
	fmtp        string
}{
	{102, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
	{104, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"},
	{106, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f"},
	{108, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640032"},
}

// audioCodecs pass through as cameras send them; AAC is transcoded to
// Opus.
var audioCodecs = []webrtc.RTPCodecParameters{
	{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
		SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111},
	{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, PayloadType: 0},
	{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000}, PayloadType: 8},
}

func registerCodecs(me *webrtc.MediaEngine) error {
	feedback := []webrtc.RTCPFeedback{
		{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"},
		{Type: "nack"}, {Type: "nack", Parameter: "pli"},
	}
	video := []webrtc.RTPCodecParameters{{
		// H.265 Main goes to viewers that decode it (Safari, Chrome with
		// hardware decoding); the others get an H.264 transcode.
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeH265, ClockRate: 90000,
			SDPFmtpLine: "level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST", RTCPFeedback: feedback,
		},
		PayloadType: 116,
	}}
	for _, c := range video {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return err
		}
	}
	for _, c := range audioCodecs {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return err
		}
	}
	for _, v := range h264Variants {
		err := me.RegisterCodec(webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType:     webrtc.MimeTypeH264,
				ClockRate:    90000,
				SDPFmtpLine:  v.fmtp,
				RTCPFeedback: feedback,
			},
			PayloadType: v.payloadType,
		}, webrtc.RTPCodecTypeVideo)
		if err != nil {
			return err
		}
	}
	return nil
}
