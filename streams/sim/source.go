package sim

import (
	"image"
	"time"

	"vigil/streams/media"
	"vigil/streams/sim/h264enc"
)

// videoSource yields one stream's access units, one per frame period, in
// decode order. Only the camera goroutine calls it.
type videoSource interface {
	track() media.Track
	// requestKey asks for a keyframe as soon as the source can give one.
	requestKey()
	// show sets what the following pictures show; it reports false for a
	// fault the source cannot draw.
	show(f pictureFault) bool
	// next returns the access unit decoded at dts (frame n, drawn at now)
	// and its presentation time; ok false sends nothing this frame.
	next(now time.Time, n int64, dts time.Duration) (au [][]byte, pts time.Duration, ok bool)
}

// builtinSource draws the picture live and codes it with h264enc: the
// clock on screen is the real one, and nothing outside Go is needed.
type builtinSource struct {
	pic      *Picture
	enc      *h264enc.Encoder
	gop      int
	wantKey  bool
	sinceKey int
	w, h     int
	showing  pictureFault
	black    *image.YCbCr // built on first use
}

func newBuiltinSource(pic *Picture, w, h, fps, gop int) (*builtinSource, error) {
	enc, err := h264enc.New(h264enc.Options{Width: w, Height: h, FPS: fps})
	if err != nil {
		return nil, err
	}
	return &builtinSource{pic: pic, enc: enc, gop: gop, wantKey: true, w: w, h: h}, nil
}

func (s *builtinSource) track() media.Track {
	return media.Track{Codec: media.CodecH264, Width: s.w, Height: s.h, SPS: s.enc.SPS(), PPS: s.enc.PPS()}
}

func (s *builtinSource) requestKey() { s.wantKey = true }

func (s *builtinSource) show(f pictureFault) bool {
	s.showing = f
	return true
}

// picture is what frame n shows: frozen, the last picture drawn again.
func (s *builtinSource) picture(now time.Time, n int64) *image.YCbCr {
	switch s.showing {
	case pictureFrozen:
		return s.pic.Image()
	case pictureBlack:
		if s.black == nil {
			s.black = blackImage(s.w, s.h)
		}
		return s.black
	}
	return s.pic.Draw(now, n)
}

func (s *builtinSource) next(now time.Time, n int64, dts time.Duration) ([][]byte, time.Duration, bool) {
	idr := s.wantKey || s.sinceKey+1 >= s.gop
	au, err := s.enc.Encode(s.picture(now, n), idr)
	if err != nil {
		panic(err) // sizes are validated at construction
	}
	if idr {
		s.wantKey, s.sinceKey = false, 0
	} else {
		s.sinceKey++
	}
	return au, dts, true
}
