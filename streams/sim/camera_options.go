package sim

import (
	"fmt"
	"time"

	"vigil/streams/media"
)

// Encoders of a camera's video.
const (
	// EncoderBuiltin codes H.264 live in Go (h264enc, lossless I_PCM and
	// P_Skip): no ffmpeg needed, and the clock on screen is the real one.
	EncoderBuiltin = "builtin"
	// EncoderFFmpeg codes a loop of a few GOPs once with ffmpeg (libx264
	// or libx265) and sends it over and over, like a real camera's
	// lossy stream.
	EncoderFFmpeg = "ffmpeg"
)

// CameraOptions describes one simulated camera.
type CameraOptions struct {
	// Name is the camera id and its RTSP path: the main stream is served at
	// /Name and the half-size sub stream at /Name/sub.
	Name string
	// Index picks the background colour.
	Index int
	// Width and Height of the main stream; default 640x360. The sub stream
	// is half of each, rounded down to even.
	Width, Height int
	// FPS defaults to 25.
	FPS int
	// GOP is the number of frames from one keyframe to the next; default
	// 2*FPS.
	GOP int
	// Title is drawn big on the picture; default Name. Cameras whose
	// pictures (Title, Index, size) and coding are the same share one
	// ffmpeg loop, so a benchmark of many identical cameras runs ffmpeg
	// once.
	Title string

	// Codec is media.CodecH264 (default) or media.CodecH265.
	Codec media.Codec
	// Encoder is EncoderBuiltin (the default for H.264) or EncoderFFmpeg;
	// H.265 and BFrames > 0 imply EncoderFFmpeg. ffmpeg missing makes the
	// camera fail with ErrNoFFmpeg.
	Encoder string
	// BFrames is, for H.264 only, the number of B-frames between reference
	// pictures (ffmpeg -bf): decode order differs from presentation order
	// and RTP timestamps are not monotonic, as with real cameras.
	BFrames int
	// Bitrate in bit/s of ffmpeg-coded main video; 0 picks about 1 Mbit/s
	// at 640x360, scaled by pixels. The sub stream gets a quarter (or its
	// own size's default). The builtin encoder ignores it.
	Bitrate int
	// Audio adds an audio media to the main stream: "" (none),
	// media.CodecAAC (16 kHz mono, ffmpeg), media.CodecPCMA or
	// media.CodecPCMU (8 kHz mono in 20 ms packets, pure Go) or
	// media.CodecOpus (48 kHz clock, 20 ms packets, ffmpeg).
	Audio media.Codec
	// Tag, when set, returns a NAL unit put in every main-stream video
	// access unit, after its parameter sets, as it is sent (frame is the frame number, sent the
	// send time): a benchmark puts an SEI with a timestamp there. An empty
	// result adds nothing.
	Tag func(frame int64, sent time.Time) []byte
	// PTZ, when set, makes the camera a dome: its builtin-coded pictures
	// are windows that pan over a larger scene as the PTZ moves (ffmpeg
	// loops do not pan).
	PTZ *PTZ
}

// cameraMaxBFrames bounds BFrames; cameras use 0 to 3.
const cameraMaxBFrames = 8

// normalize fills in defaults and checks the options.
func (o *CameraOptions) normalize() error {
	if o.Width == 0 && o.Height == 0 {
		o.Width, o.Height = 640, 360
	}
	if o.FPS == 0 {
		o.FPS = 25
	}
	if o.GOP == 0 {
		o.GOP = 2 * o.FPS
	}
	if o.Title == "" {
		o.Title = o.Name
	}
	if o.Codec == "" {
		o.Codec = media.CodecH264
	}
	if o.Encoder == "" {
		o.Encoder = EncoderBuiltin
		if o.Codec != media.CodecH264 || o.BFrames > 0 {
			o.Encoder = EncoderFFmpeg
		}
	}
	return o.check()
}

func (o *CameraOptions) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("sim camera %q: "+format, append([]any{o.Name}, args...)...)
	}
	switch {
	case o.FPS < 1 || o.FPS > 120 || o.GOP < 1:
		return bad("fps %d, gop %d out of range", o.FPS, o.GOP)
	case o.Codec != media.CodecH264 && o.Codec != media.CodecH265:
		return bad("codec %q: want H264 or H265", o.Codec)
	case o.BFrames < 0 || o.BFrames > cameraMaxBFrames:
		return bad("bframes %d out of 0..%d", o.BFrames, cameraMaxBFrames)
	case o.BFrames > 0 && o.Codec != media.CodecH264:
		return bad("B-frames are simulated for H.264 only")
	case o.Encoder != EncoderBuiltin && o.Encoder != EncoderFFmpeg:
		return bad("encoder %q: want %q or %q", o.Encoder, EncoderBuiltin, EncoderFFmpeg)
	case o.Encoder == EncoderBuiltin && (o.Codec != media.CodecH264 || o.BFrames > 0):
		return bad("the builtin encoder does H.264 without B-frames only")
	case o.Bitrate < 0:
		return bad("bitrate %d", o.Bitrate)
	}
	if _, ok := audioBuilders[o.Audio]; o.Audio != "" && !ok {
		return bad("audio %q: want AAC, PCMA, PCMU or Opus", o.Audio)
	}
	return nil
}
