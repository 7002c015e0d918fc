package media

// Codec names a video or audio coding format.
type Codec string

// Codecs recognized on ingest.
const (
	CodecH264  Codec = "H264"
	CodecH265  Codec = "H265"
	CodecAAC   Codec = "AAC"
	CodecPCMA  Codec = "PCMA" // G.711 A-law
	CodecPCMU  Codec = "PCMU" // G.711 µ-law
	CodecOpus  Codec = "Opus"
	CodecOther Codec = "other"
)

// CodecG711 is how a G.711 track of unknown law is reported.
const CodecG711 Codec = "G711"

// IsAudio reports whether c is an audio codec.
func (c Codec) IsAudio() bool {
	switch c {
	case CodecAAC, CodecPCMA, CodecPCMU, CodecOpus, CodecG711:
		return true
	}
	return false
}

// Track describes what a hub currently carries: one video or one audio
// stream.
type Track struct {
	Codec Codec

	// Video.
	Width  int
	Height int
	// VPS (H.265 only), SPS and PPS are the parameter sets in force,
	// without start codes.
	VPS []byte
	SPS []byte
	PPS []byte
	// Reordered is true when pictures arrive in an order other than the
	// one they are shown in (B-frames): WebRTC cannot carry that as is.
	Reordered bool

	// Audio.
	SampleRate int
	Channels   int
	// Config is the AAC AudioSpecificConfig.
	Config []byte

	// Others lists the tracks the camera offers that this hub does not
	// carry, for status reports.
	Others []Codec
}
