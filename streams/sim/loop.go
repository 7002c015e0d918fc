package sim

import (
	"fmt"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"

	"vigil/streams/media"
)

// videoLoop is a coded clip a camera sends over and over, one access unit
// per frame period in decode order. Loops are shared between cameras and
// never modified once built.
type videoLoop struct {
	track  media.Track
	frames []loopFrame
	size   int // coded bytes, for the cache budget
}

// loopFrame is one access unit of a loop.
type loopFrame struct {
	au  [][]byte      // keyframes carry their parameter sets first
	off time.Duration // presentation time minus decode time, >= 0
	key bool
}

func (l *videoLoop) bytes() int { return l.size }

// newVideoLoop turns ffmpeg's samples into a loop. It checks what the
// camera relies on: one sample per input frame, a keyframe first, and
// decode times one frame period apart.
func newVideoLoop(tr *codedTrack, frames int, fps int) (*videoLoop, error) {
	if len(tr.samples) != frames {
		return nil, fmt.Errorf("ffmpeg coded %d of %d frames", len(tr.samples), frames)
	}
	l := &videoLoop{frames: make([]loopFrame, frames)}
	var params [][]byte
	var isKey func(au [][]byte) bool
	switch c := tr.codec.(type) {
	case *fmp4.CodecH264:
		l.track = media.Track{Codec: media.CodecH264, SPS: c.SPS, PPS: c.PPS}
		params, isKey = [][]byte{c.SPS, c.PPS}, h264.IsRandomAccess
	case *fmp4.CodecH265:
		l.track = media.Track{Codec: media.CodecH265, VPS: c.VPS, SPS: c.SPS, PPS: c.PPS}
		params, isKey = [][]byte{c.VPS, c.SPS, c.PPS}, h265.IsRandomAccess
	default:
		return nil, fmt.Errorf("ffmpeg coded %T, want H.264 or H.265", tr.codec)
	}
	minOff := int64(0)
	for i, s := range tr.samples {
		// One tick of slack: ffmpeg rounds where the period is fractional.
		if want := tr.samples[0].dts + int64(i)*tr.timeScale/int64(fps); s.dts < want-1 || s.dts > want+1 {
			return nil, fmt.Errorf("ffmpeg frame %d decode time %d, want %d", i, s.dts, want)
		}
		if d := s.pts - s.dts; i == 0 || d < minOff {
			minOff = d
		}
	}
	for i, s := range tr.samples {
		var au h264.AVCC
		if err := au.Unmarshal(s.payload); err != nil {
			return nil, fmt.Errorf("ffmpeg frame %d: %w", i, err)
		}
		f := loopFrame{au: au, key: isKey(au)}
		f.off = time.Duration((s.pts - s.dts - minOff) * int64(time.Second) / tr.timeScale)
		if f.key && !hasParams(l.track.Codec, au) {
			// Cameras repeat parameter sets before every keyframe; MP4
			// keeps them in the init, so put them back.
			f.au = append(append([][]byte{}, params...), au...)
		}
		l.frames[i] = f
		for _, n := range f.au {
			l.size += len(n)
		}
		l.track.Reordered = l.track.Reordered || f.off != l.frames[0].off
	}
	if !l.frames[0].key {
		return nil, fmt.Errorf("ffmpeg loop does not start with a keyframe")
	}
	return l, nil
}

// hasParams reports whether an access unit carries its SPS.
func hasParams(c media.Codec, au [][]byte) bool {
	for _, n := range au {
		if c == media.CodecH264 && h264.NALUType(n[0]&0x1f) == h264.NALUTypeSPS ||
			c == media.CodecH265 && len(n) > 1 && h265.NALUType((n[0]>>1)&0x3f) == h265.NALUType_SPS_NUT {
			return true
		}
	}
	return false
}

// nextKey returns the position of the first keyframe at or after pos,
// wrapping around.
func (l *videoLoop) nextKey(pos int) int {
	for i := range l.frames {
		if p := (pos + i) % len(l.frames); l.frames[p].key {
			return p
		}
	}
	return 0 // unreachable: frame 0 is a keyframe
}

// loopSource sends a loop forever. Presentation times keep growing across
// the wrap: each frame is shown its offset after its decode time.
type loopSource struct {
	loop    *videoLoop
	pos     int
	wantKey bool
	sent    bool
	lastPTS time.Duration // greatest PTS sent
	frozen  bool
	lastDTS time.Duration
	// period, when set on a loop with B-frames, keeps decode times one
	// frame apart inside a GOP: a late tick that skipped a frame number
	// there would show a B-frame at the time of the picture it precedes.
	// The timeline catches up with the wall clock at the next keyframe.
	period time.Duration
}

func newLoopSource(l *videoLoop) *loopSource { return &loopSource{loop: l} }

func (s *loopSource) track() media.Track { return s.loop.track }

// requestKey makes the source jump to the start of the next GOP, as a
// camera answers a new session with a keyframe.
func (s *loopSource) requestKey() { s.wantKey = true }

// show freezes the loop on its first keyframe; it cannot draw black.
func (s *loopSource) show(f pictureFault) bool {
	s.frozen = f == pictureFrozen
	return f != pictureBlack
}

// frozenKey is the loop's first keyframe again, shown after every
// picture already sent.
func (s *loopSource) frozenKey(dts time.Duration) ([][]byte, time.Duration, bool) {
	k := s.loop.nextKey(0)
	f := s.loop.frames[k]
	pts := max(dts+f.off, s.lastPTS+time.Millisecond)
	s.lastPTS, s.sent, s.wantKey = pts, true, true // a keyframe again when it thaws
	return f.au, pts, true
}

// next returns the access unit decoded at dts and its presentation time.
// A requested keyframe is sent once it would be shown after every picture
// already sent (with B-frames, after the pending ones), so presentation
// order never goes back; until then nothing is sent (ok false), so the
// session that asked gets the keyframe first. Readers already playing see
// a gap of at most BFrames pictures, and the keyframe decodes without
// them.
func (s *loopSource) next(_ time.Time, _ int64, dts time.Duration) (au [][]byte, pts time.Duration, ok bool) {
	if s.frozen {
		return s.frozenKey(dts)
	}
	if s.wantKey {
		k := s.loop.nextKey(s.pos)
		if k != s.pos && s.sent && dts+s.loop.frames[k].off <= s.lastPTS {
			return nil, 0, false
		}
		s.pos, s.wantKey = k, false
	}
	f := s.loop.frames[s.pos]
	if s.period > 0 && s.sent && s.loop.track.Reordered {
		if f.key {
			dts = max(dts, s.lastDTS+s.period)
		} else {
			dts = s.lastDTS + s.period
		}
	}
	s.pos = (s.pos + 1) % len(s.loop.frames)
	pts = dts + f.off
	s.lastPTS, s.lastDTS, s.sent = max(s.lastPTS, pts), dts, true
	return f.au, pts, true
}
