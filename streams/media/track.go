package media

// Codec names a video or audio coding format.
type Codec string

// Codecs recognized on ingest. Only H264 is served to viewers; the others
// are recognized and reported so an operator sees why a camera is silent.
const (
	CodecH264  Codec = "H264"
	CodecH265  Codec = "H265"
	CodecAAC   Codec = "AAC"
	CodecG711  Codec = "G711"
	CodecOpus  Codec = "Opus"
	CodecOther Codec = "other"
)

// Track describes the video a source currently delivers.
type Track struct {
	Codec  Codec
	Width  int
	Height int

	// SPS and PPS are the H.264 parameter sets in force (without start codes).
	SPS []byte
	PPS []byte

	// Others lists the tracks the camera offers that are not served (audio,
	// H.265, ...), for status reports.
	Others []Codec
}
