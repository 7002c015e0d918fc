package segstore

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"

	"vigil/streams/media"
)

// CodecLPCM is how a segment holds G.711: decoded to 16-bit big-endian
// PCM (mediacommon's ipcm, as mediamtx records it), since fMP4 has no
// G.711 sample entry. The law is gone then; the sound is the same.
const CodecLPCM media.Codec = "LPCM"

// AudioInit is what a segment header says about its audio track. The
// zero value means the segment has none.
type AudioInit struct {
	// Codec is media.CodecAAC, media.CodecOpus or CodecLPCM.
	Codec media.Codec
	// SampleRate is also the track's timescale: one tick per sample.
	SampleRate int
	Channels   int
	Config     []byte // AAC AudioSpecificConfig
}

// Present reports whether there is an audio track.
func (a AudioInit) Present() bool { return a.Codec != "" }

// audioTrackID is the ID of a segment's audio track (video is trackID).
const audioTrackID = 2

// errAudioCodec means an audio track vigil cannot write to a segment.
var errAudioCodec = errors.New("segstore: audio codec not recordable")

// mp4Codec is a as mediacommon's description of the track.
func (a AudioInit) mp4Codec() (mp4.Codec, error) {
	switch a.Codec {
	case media.CodecAAC:
		var conf mpeg4audio.AudioSpecificConfig
		if err := conf.Unmarshal(a.Config); err != nil {
			return nil, fmt.Errorf("segstore: AAC config: %w", err)
		}
		return &mp4.CodecMPEG4Audio{Config: conf}, nil
	case media.CodecOpus:
		return &mp4.CodecOpus{ChannelCount: max(a.Channels, 1)}, nil
	case CodecLPCM:
		return &mp4.CodecLPCM{BitDepth: 16, SampleRate: a.SampleRate, ChannelCount: max(a.Channels, 1)}, nil
	}
	return nil, fmt.Errorf("%w: %q", errAudioCodec, a.Codec)
}

// initTrack is a's track of a segment header.
func (a AudioInit) initTrack() (*fmp4.InitTrack, error) {
	c, err := a.mp4Codec()
	if err != nil {
		return nil, err
	}
	if a.SampleRate <= 0 {
		return nil, fmt.Errorf("segstore: audio sample rate %d", a.SampleRate)
	}
	return &fmp4.InitTrack{ID: audioTrackID, TimeScale: uint32(a.SampleRate), Codec: c}, nil
}

// CheckAudio reports whether a can be written to a segment: record
// checks before it starts one, so AppendInit never fails on audio.
func CheckAudio(a AudioInit) error {
	_, err := a.initTrack()
	return err
}

// audioOf reads an audio track of a segment header back.
func audioOf(t *fmp4.InitTrack) (AudioInit, bool) {
	a := AudioInit{SampleRate: int(t.TimeScale)}
	switch c := t.Codec.(type) {
	case *mp4.CodecMPEG4Audio:
		conf, err := c.Config.Marshal()
		if err != nil {
			return AudioInit{}, false
		}
		a.Codec, a.Channels, a.Config = media.CodecAAC, c.Config.ChannelCount, conf
	case *mp4.CodecOpus:
		a.Codec, a.Channels = media.CodecOpus, c.ChannelCount
	case *mp4.CodecLPCM:
		if c.BitDepth != 16 || c.LittleEndian {
			return AudioInit{}, false
		}
		a.Codec, a.Channels = CodecLPCM, c.ChannelCount
	default:
		return AudioInit{}, false
	}
	return a, true
}

// AudioSampleEntry returns the sample entry box of a (header included)
// as mediacommon writes it in a segment header (mp4a with its esds, or
// Opus with its dOps), for the moov of an exported clip. LPCM is not
// taken from there: mediacommon's ipcm is too new for many players, so
// clips describe it as QuickTime's twos (16-bit big-endian PCM).
func AudioSampleEntry(a AudioInit) ([]byte, error) {
	if a.Codec == CodecLPCM {
		return twosEntry(a), nil
	}
	tr, err := a.initTrack()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	hdr, err := appendMarshal(b.Bytes(), &fmp4.Init{Tracks: []*fmp4.InitTrack{tr}})
	if err != nil {
		return nil, err
	}
	return findBox(hdr, []boxStep{{"moov", 0}, {"trak", 0}, {"mdia", 0}, {"minf", 0}, {"stbl", 0}, {"stsd", 8}},
		map[media.Codec]string{media.CodecAAC: "mp4a", media.CodecOpus: "Opus"}[a.Codec])
}

// twosEntry is a QuickTime sound sample description (version 0) of
// 16-bit big-endian PCM.
func twosEntry(a AudioInit) []byte {
	w := entryBuf{}
	at := w.start("twos")
	w.zeros(6)
	w.u16(1) // data reference index
	w.zeros(8)
	w.u16(uint16(max(a.Channels, 1)))
	w.u16(16) // bits per sample
	w.zeros(4)
	w.u32(uint32(a.SampleRate) << 16)
	w.end(at)
	return w.b
}
