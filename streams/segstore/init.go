package segstore

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"

	"vigil/streams/media"
)

// Timescale is the media clock of recorded segments: 90 kHz, the RTP
// clock of video, so camera timestamps convert without rounding.
const Timescale = 90000

// Init is what a segment's header (ftyp + moov) says about its video.
// An Init from NewReader may share its slices with other readers of the
// same header: treat them as read-only.
type Init struct {
	Timescale     uint32
	Width, Height int
	// Codec is media.CodecH264 or media.CodecH265; empty means H.264.
	Codec    media.Codec
	VPS      []byte // H.265 only
	SPS, PPS []byte // parameter sets of Codec, without start codes
	// Audio is the camera's sound recorded beside the video, if any.
	Audio AudioInit
}

// IsH265 reports whether the video is H.265 (else it is H.264).
func (in Init) IsH265() bool { return in.Codec == media.CodecH265 }

// mp4Codec is in as mediacommon's description of the track.
func (in Init) mp4Codec() mp4.Codec {
	if in.IsH265() {
		return &mp4.CodecH265{VPS: in.VPS, SPS: in.SPS, PPS: in.PPS}
	}
	return &mp4.CodecH264{SPS: in.SPS, PPS: in.PPS}
}

// errNoVideo means the moov holds no track this package understands.
var errNoVideo = errors.New("segstore: no H.264 or H.265 track in segment header")

// parseInit decodes a moov box (header included) with mediacommon. A
// segment has one H.264 or H.265 track (the picture size is the one its
// SPS gives) and, since sound is recorded, maybe one audio track.
func parseInit(moov []byte) (Init, error) {
	var fi fmp4.Init
	if err := fi.Unmarshal(bytes.NewReader(moov)); err != nil {
		return Init{}, fmt.Errorf("segstore: segment header: %w", err)
	}
	var in Init
	found := false
	for _, t := range fi.Tracks {
		if a, ok := audioOf(t); ok && !in.Audio.Present() {
			in.Audio = a
			continue
		}
		if found {
			continue
		}
		var err error
		found, err = in.setVideo(t)
		if err != nil {
			return Init{}, fmt.Errorf("segstore: segment header: %w", err)
		}
	}
	if !found {
		return Init{}, errNoVideo
	}
	return in, nil
}

// setVideo fills in's video from t; false when t is no H.264 or H.265.
func (in *Init) setVideo(t *fmp4.InitTrack) (bool, error) {
	in.Timescale = t.TimeScale
	var err error
	switch codec := t.Codec.(type) {
	case *mp4.CodecH264:
		var sps h264.SPS
		err = sps.Unmarshal(codec.SPS) // checked by Unmarshal already
		in.Codec, in.Width, in.Height = media.CodecH264, sps.Width(), sps.Height()
		in.SPS, in.PPS = codec.SPS, codec.PPS
	case *mp4.CodecH265:
		var sps h265.SPS
		err = sps.Unmarshal(codec.SPS) // checked by Unmarshal already
		in.Codec, in.Width, in.Height = media.CodecH265, sps.Width(), sps.Height()
		in.VPS, in.SPS, in.PPS = codec.VPS, codec.SPS, codec.PPS
	default:
		return false, nil
	}
	return true, err
}

// headers memoizes parseInit. mediacommon's decoder allocates some 56 KB
// per header, and all segments of a camera carry the same one: without
// it, the start-up scan and every export would pay that per segment (and
// an export's garbage would grow with its length).
var headers struct {
	mu sync.Mutex
	m  map[string]Init
}

const (
	maxCachedHeader  = 4 << 10 // ours are under 1 KB
	maxCachedHeaders = 64      // then the cache starts over
)

func parseInitCached(moov []byte) (Init, error) {
	headers.mu.Lock()
	in, ok := headers.m[string(moov)]
	headers.mu.Unlock()
	if ok {
		return in, nil
	}
	in, err := parseInit(moov)
	if err != nil || len(moov) > maxCachedHeader {
		return in, err
	}
	headers.mu.Lock()
	defer headers.mu.Unlock()
	if headers.m == nil || len(headers.m) >= maxCachedHeaders {
		headers.m = make(map[string]Init, maxCachedHeaders)
	}
	headers.m[string(moov)] = in
	return in, nil
}
