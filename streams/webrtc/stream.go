package webrtc

import (
	"vigil/streams/hub"
	"vigil/streams/media"
)

// Stream is one camera stream as a feed can show it: the hub of what the
// camera sends, and the rendition made for viewers that cannot take that
// as is.
type Stream struct {
	// Native is the camera's own stream.
	Native *hub.Hub
	// Transcode, when set, makes H.264 (for video) or Opus (for audio)
	// from Native on demand.
	Transcode Transcoder
}

// Transcoder is a shared, on-demand conversion of a hub (see package
// transcode). Acquire starts it for one more viewer; release ends that use.
type Transcoder interface {
	Output() *hub.Hub
	Acquire() (release func())
}

// Fits reports whether a track can go to a viewer as is. accepts tells
// which codecs the viewer negotiated. An unknown codec fits: the camera
// has not been seen yet, and the feed decides again when it is.
func Fits(t media.Track, accepts func(media.Codec) bool) bool {
	switch t.Codec {
	case "":
		return true
	case media.CodecH264, media.CodecH265:
		// WebRTC has a single timestamp per picture: pictures that are
		// shown in another order than they are decoded (B-frames) stutter.
		return !t.Reordered && accepts(t.Codec)
	case media.CodecOpus, media.CodecPCMA, media.CodecPCMU:
		return accepts(t.Codec)
	}
	return false
}
