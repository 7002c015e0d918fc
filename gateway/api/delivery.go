package api

import (
	"vigil/gateway/catalog"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/transcode"
	"vigil/streams/webrtc"
)

// deliveryJSON tells what browsers get of a camera: as it is sent
// ("passthrough"), converted by the gateway ("transcode"), or nothing
// ("unsupported", "none").
type deliveryJSON struct {
	// Video is what a browser that decodes H.264 only gets (Chromium on
	// Linux, Firefox); VideoH265 what one that decodes H.265 too gets.
	Video      string `json:"video"`
	VideoCodec string `json:"video_codec,omitempty"` // codec the browser receives
	VideoH265  string `json:"video_h265"`
	Audio      string `json:"audio"`
	AudioCodec string `json:"audio_codec,omitempty"`
	// State is "needs_ffmpeg" when something must be transcoded and the
	// gateway has no ffmpeg; "transcode_off" when transcoding is disabled.
	State string `json:"state,omitempty"`
}

// audioJSON is the camera's sound.
type audioJSON struct {
	Codec      string `json:"codec"`
	SampleRate int    `json:"sample_rate"`
	Channels   int    `json:"channels"`
}

// Codec sets of the two kinds of browsers delivery is reported for.
var (
	h264Browser = codecSet(media.CodecH264, media.CodecOpus, media.CodecPCMA, media.CodecPCMU)
	h265Browser = codecSet(media.CodecH264, media.CodecH265, media.CodecOpus, media.CodecPCMA, media.CodecPCMU)
)

func codecSet(cs ...media.Codec) func(media.Codec) bool {
	return func(c media.Codec) bool {
		for _, x := range cs {
			if x == c {
				return true
			}
		}
		return false
	}
}

// deliveryOf works out a camera's delivery from its tracks and its
// transcoders' states.
func deliveryOf(c *catalog.Camera, video media.Track) (deliveryJSON, *audioJSON, map[string]transcode.State) {
	on, found := c.Transcoding()
	d := deliveryJSON{Audio: "none"}
	needs := false
	route := func(t media.Track, accepts func(media.Codec) bool, out media.Codec) (string, media.Codec) {
		switch {
		case t.Codec == "":
			return "unknown", ""
		case webrtc.Fits(t, accepts):
			return "passthrough", t.Codec
		case on:
			needs = true
			return "transcode", out
		}
		return "unsupported", ""
	}
	var vc media.Codec
	d.Video, vc = route(video, h264Browser, media.CodecH264)
	d.VideoCodec = string(vc)
	d.VideoH265, _ = route(video, h265Browser, media.CodecH264)

	var audio *audioJSON
	if c.AudioHub != nil {
		if st := c.AudioHub.Status(); st.State == hub.StateOnline {
			t := st.Track
			audio = &audioJSON{Codec: string(t.Codec), SampleRate: t.SampleRate, Channels: t.Channels}
			var ac media.Codec
			d.Audio, ac = route(t, h264Browser, media.CodecOpus)
			d.AudioCodec = string(ac)
		}
	}
	states := map[string]transcode.State{}
	for name, h := range map[string]*hub.Hub{"main": c.MainHub, "sub": c.SubHub, "audio": c.AudioHub} {
		if tr := c.Transcoder(h); h != nil && tr != nil {
			st := tr.State()
			states[name] = st
			if st.Phase == transcode.PhaseNeedsFFmpeg {
				found = false
			}
		}
	}
	switch {
	case needs && !found:
		d.State = "needs_ffmpeg"
	case !on && (d.Video == "unsupported" || d.Audio == "unsupported"):
		d.State = "transcode_off"
	}
	if len(states) == 0 {
		states = nil
	}
	return d, audio, states
}
