package segstore

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
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
	SPS, PPS      []byte // H.264 parameter sets, without start codes
}

// errNoVideo means the moov holds no H.264 track this package understands.
var errNoVideo = errors.New("segstore: no H.264 track in segment header")

// parseInit decodes a moov box (header included) with mediacommon and
// returns its first track. Segments are written by record with exactly one
// H.264 track; the picture size is the one its SPS gives.
func parseInit(moov []byte) (Init, error) {
	var fi fmp4.Init
	if err := fi.Unmarshal(bytes.NewReader(moov)); err != nil {
		return Init{}, fmt.Errorf("segstore: segment header: %w", err)
	}
	codec, ok := fi.Tracks[0].Codec.(*mp4.CodecH264)
	if !ok {
		return Init{}, errNoVideo
	}
	var sps h264.SPS
	if err := sps.Unmarshal(codec.SPS); err != nil { // checked by Unmarshal already
		return Init{}, fmt.Errorf("segstore: segment header: %w", err)
	}
	return Init{Timescale: fi.Tracks[0].TimeScale, Width: sps.Width(), Height: sps.Height(),
		SPS: codec.SPS, PPS: codec.PPS}, nil
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
