package sim

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/streams/media"
)

// TestTagAfterParameterSets: the tag is the first NAL unit after the
// access unit's parameter sets, where encoders put SEI, in every main
// stream access unit.
func TestTagAfterParameterSets(t *testing.T) {
	var calls atomic.Int64
	started := time.Now()
	s := newTestServer(t, ServerOptions{Cameras: 1, Width: 160, Height: 96, GOP: 10,
		Configure: func(_ string, o *CameraOptions) {
			o.Tag = func(n int64, sent time.Time) []byte {
				calls.Add(1)
				// The frame's own send time: not before the camera started,
				// not in the future.
				if now := time.Now(); sent.Before(started) || sent.After(now) {
					t.Errorf("tag for frame %d stamped %v, outside %v to %v", n, sent, started, now)
				}
				return tagSEI(media.CodecH264, n)
			}
		}})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	prev, keyframes := int64(-1), 0
	for range 30 {
		a := r.nextAU(t)
		i := 0
		for i < len(a.nalus) && (h264.NALUType(a.nalus[i][0]&0x1f) == h264.NALUTypeSPS ||
			h264.NALUType(a.nalus[i][0]&0x1f) == h264.NALUTypePPS) {
			i++
		}
		if i > 0 {
			keyframes++
		}
		if i == len(a.nalus) {
			t.Fatal("an access unit of parameter sets only")
		}
		n := a.nalus[i]
		if h264.NALUType(n[0]&0x1f) != h264.NALUTypeSEI || len(n) != 28 {
			t.Fatalf("NAL unit %d, % x, is not the tag", i, n[:min(4, len(n))])
		}
		frame, _ := h264Tag(au{nalus: [][]byte{n}})
		if frame <= prev {
			t.Fatalf("tag frame %d after %d", frame, prev)
		}
		prev = frame
	}
	sub := play(t, s.SubURL("cam0"), gortsplib.TransportTCP)
	for range 5 {
		if a := sub.nextAU(t); bytes.Equal(a.nalus[0][:1], []byte{6}) {
			t.Fatal("sub stream tagged")
		}
	}
	if keyframes == 0 {
		t.Fatal("no access unit with parameter sets in 30 frames of a 10-frame GOP")
	}
	if calls.Load() == 0 {
		t.Fatal("Tag never called")
	}
}
