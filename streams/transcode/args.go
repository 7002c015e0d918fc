package transcode

import (
	"fmt"
	"strconv"

	"vigil/streams/media"
)

// ffmpeg reads MPEG-TS from stdin and writes MPEG-TS to stdout.
//
// Probing stops after the first packet: the parameter sets in the first
// keyframe are all ffmpeg needs, and it must not sit waiting for more input.
// -fflags nobuffer is deliberately absent: with it ffmpeg drops the packets
// it read while probing, which loses the burst's keyframe and decodes the
// rest of the catch-up GOP against missing references.
var inputArgs = []string{
	"-probesize", "32", "-analyzeduration", "0", "-fpsprobesize", "0",
	"-f", "mpegts",
}

// -copyts and -muxdelay 0 make every frame leave with the timestamps it came
// in with (see sessionClock); -flush_packets 1 hands each one over at once.
var outputArgs = []string{
	"-copyts", "-muxdelay", "0", "-muxpreload", "0",
	"-flush_packets", "1", "-f", "mpegts", "pipe:1",
}

// accel is one way of decoding and encoding video. Every variant must emit
// H.264 without B-frames (WebRTC cannot carry them), an IDR where the input
// has a keyframe (-force_key_frames source), and SPS/PPS in every IDR.
type accel struct {
	// decode returns the decoder options placed before -i.
	decode func(in media.Codec) []string
	// encode returns the filter and encoder options.
	encode func(o Options) []string
}

var accels = map[string]accel{
	// Software: libx264 ultrafast/zerolatency gives Constrained Baseline
	// with no lookahead and no frame delay. yuv420p turns 10-bit or 4:2:2
	// cameras into what every browser decodes. This is the tested path.
	"": {
		decode: func(media.Codec) []string { return []string{"-threads", strconv.Itoa(decodeThreads)} },
		encode: func(o Options) []string {
			return []string{
				"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
				"-profile:v", "baseline", "-pix_fmt", "yuv420p",
				"-crf", strconv.Itoa(o.CRF), "-maxrate", kbps(o.MaxBitrate), "-bufsize", kbps(o.MaxBitrate),
				"-sc_threshold", "0",
			}
		},
	},
	// VAAPI (Intel/AMD GPUs on Linux, /dev/dri/renderD128): decode and
	// encode on the GPU. format=nv12|vaapi,hwupload also covers inputs the
	// GPU cannot decode, which fall back to software frames. A forced I
	// frame becomes an IDR in h264_vaapi. Not tested here (no GPU).
	"vaapi": {
		decode: func(media.Codec) []string {
			return []string{
				"-init_hw_device", "vaapi=va:/dev/dri/renderD128", "-filter_hw_device", "va",
				"-hwaccel", "vaapi", "-hwaccel_device", "va", "-hwaccel_output_format", "vaapi",
			}
		},
		encode: func(o Options) []string {
			return []string{
				"-vf", "format=nv12|vaapi,hwupload",
				"-c:v", "h264_vaapi", "-profile:v", "main",
				"-rc_mode", "VBR", "-b:v", kbps(o.MaxBitrate / 2), "-maxrate", kbps(o.MaxBitrate),
			}
		},
	},
	// NVENC (NVIDIA): CUDA decode, frames stay on the GPU. -forced-idr makes
	// the forced keyframes IDRs, -zerolatency and preset p1 with tune ull
	// drop the encoder's frame delay. Not tested here (no GPU).
	"nvenc": {
		decode: func(media.Codec) []string {
			return []string{"-hwaccel", "cuda", "-hwaccel_output_format", "cuda"}
		},
		encode: func(o Options) []string {
			return []string{
				"-c:v", "h264_nvenc", "-preset", "p1", "-tune", "ull", "-profile:v", "main",
				"-rc", "vbr", "-cq", strconv.Itoa(o.CRF), "-maxrate", kbps(o.MaxBitrate), "-bufsize", kbps(o.MaxBitrate),
				"-forced-idr", "1", "-zerolatency", "1", "-rc-lookahead", "0",
			}
		},
	},
	// Quick Sync (Intel): QSV decoders must be named per codec in ffmpeg
	// 5.x. -async_depth 1 and no lookahead keep the delay at one frame;
	// -forced_idr turns forced keyframes into IDRs. Not tested here.
	"qsv": {
		decode: func(in media.Codec) []string {
			dec := "h264_qsv"
			if in == media.CodecH265 {
				dec = "hevc_qsv"
			}
			return []string{"-hwaccel", "qsv", "-hwaccel_output_format", "qsv", "-c:v", dec}
		},
		encode: func(o Options) []string {
			return []string{
				"-c:v", "h264_qsv", "-preset", "veryfast", "-profile:v", "main",
				"-global_quality", strconv.Itoa(o.CRF), "-look_ahead", "0", "-async_depth", "1",
				"-forced_idr", "1",
			}
		},
	},
}

// decodeThreads bounds the decoder's frame threads: each one beyond the
// first holds back a frame, and ffmpeg's default (one per CPU) would add a
// dozen frames of delay on a big server.
const decodeThreads = 2

// ffmpegArgs builds the command line of one session for an input track.
// lowDelay tells the decoder that pictures come in display order, which
// saves the frame it otherwise holds back; it would scramble B-frames.
func ffmpegArgs(o Options, in media.Track, lowDelay bool) ([]string, error) {
	args := []string{"-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning"}
	switch o.Kind {
	case VideoToH264:
		a, ok := accels[o.HWAccel]
		if !ok {
			return nil, fmt.Errorf("unknown hwaccel %q", o.HWAccel)
		}
		args = append(args, a.decode(in.Codec)...)
		if lowDelay {
			args = append(args, "-flags", "low_delay")
		}
		args = append(args, inputArgs...)
		args = append(args, "-i", "pipe:0", "-map", "0:v:0")
		args = append(args, a.encode(o)...)
		// Common to every encoder: no B-frames, keyframes where the input
		// has them, one output frame per input frame with its own
		// timestamp at 90 kHz (the squeezed burst is 1 ms apart).
		args = append(args, "-bf", "0", "-force_key_frames", "source",
			"-fps_mode", "passthrough", "-enc_time_base", "-1")
	case AudioToOpus:
		ch := opusChannels(in)
		args = append(args, inputArgs...)
		args = append(args, "-i", "pipe:0", "-map", "0:a:0",
			"-c:a", "libopus", "-ar", "48000", "-ac", strconv.Itoa(ch),
			"-b:a", strconv.Itoa(o.AudioBitrate*ch), "-frame_duration", "20")
	default:
		return nil, fmt.Errorf("unknown kind %d", o.Kind)
	}
	return append(args, outputArgs...), nil
}

// opusChannels keeps mono mono and folds anything wider into stereo, which
// is all WebRTC's Opus carries.
func opusChannels(in media.Track) int {
	if in.Channels == 1 {
		return 1
	}
	return 2
}

func kbps(bps int) string { return strconv.Itoa(bps/1000) + "k" }
