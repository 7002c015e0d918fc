package sim

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/opus"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"

	"vigil/streams/media"
)

// Camera-like audio: AAC-LC mono at 16 kHz, Opus mono in 20 ms packets
// (its RTP clock is always 48 kHz).
const (
	aacRate  = 16000
	opusRate = 48000
)

// encodeAudioLoop has ffmpeg code the tone as AAC or Opus.
func encodeAudioLoop(c media.Codec) (*audioLoop, error) {
	rate, codecArgs := aacRate, []string{"-c:a", "aac", "-b:a", "32k"}
	if c == media.CodecOpus {
		rate = opusRate
		codecArgs = []string{"-c:a", "libopus", "-b:a", "32k", "-frame_duration", "20", "-application", "audio"}
	}
	args := []string{
		"-hide_banner", "-loglevel", "error",
		"-f", "s16le", "-ar", strconv.Itoa(rate), "-ac", "1", "-i", "pipe:0", "-vn",
	}
	args = append(append(args, codecArgs...), ffmpegFMP4Output...)
	pcm := tone(rate)
	feed := func(w io.Writer) error {
		return binary.Write(w, binary.LittleEndian, pcm)
	}
	out, err := runFFmpeg(args, feed)
	if err != nil {
		return nil, err
	}
	tr, err := readFMP4(out)
	if err != nil {
		return nil, err
	}
	return newAudioLoop(tr)
}

// newAudioLoop takes the coded frames and the track from ffmpeg's output.
func newAudioLoop(tr *codedTrack) (*audioLoop, error) {
	l := &audioLoop{}
	var dur func(frame []byte) int
	switch c := tr.codec.(type) {
	case *fmp4.CodecMPEG4Audio:
		conf, err := c.Config.Marshal()
		if err != nil {
			return nil, err
		}
		l.track = media.Track{
			Codec: media.CodecAAC, SampleRate: c.Config.SampleRate, Channels: c.Config.ChannelCount, Config: conf,
		}
		dur = func([]byte) int { return mpeg4audio.SamplesPerAccessUnit }
	case *fmp4.CodecOpus:
		l.track = media.Track{Codec: media.CodecOpus, SampleRate: opusRate, Channels: c.ChannelCount}
		dur = func(f []byte) int { return int(opus.PacketDuration2(f)) }
	default:
		return nil, fmt.Errorf("ffmpeg coded %T, want AAC or Opus", tr.codec)
	}
	for _, s := range tr.samples {
		d := dur(s.payload)
		if d <= 0 {
			return nil, fmt.Errorf("ffmpeg audio frame without duration")
		}
		l.frames = append(l.frames, s.payload)
		l.durs = append(l.durs, d)
		l.size += len(s.payload)
	}
	return l, nil
}
