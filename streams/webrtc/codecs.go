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

func registerCodecs(me *webrtc.MediaEngine) error {
	feedback := []webrtc.RTCPFeedback{
		{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"},
		{Type: "nack"}, {Type: "nack", Parameter: "pli"},
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
