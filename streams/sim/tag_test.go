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

func TestTagFirstInMainStream(t *testing.T) {
	var calls atomic.Int64
	s := newTestServer(t, ServerOptions{Cameras: 1, Width: 160, Height: 96, GOP: 10,
		Configure: func(_ string, o *CameraOptions) {
			o.Tag = func(n int64, sent time.Time) []byte {
				calls.Add(1)
				if time.Since(sent) > time.Second {
					t.Errorf("tag for frame %d stamped %v ago", n, time.Since(sent))
				}
				return tagSEI(media.CodecH264, n)
			}
		}})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	prev := int64(-1)
	for range 30 {
		a := r.nextAU(t)
		n := a.nalus[0]
		if h264.NALUType(n[0]&0x1f) != h264.NALUTypeSEI || len(n) != 28 {
			t.Fatalf("first NAL unit % x is not the tag", n[:min(4, len(n))])
		}
		var frame int64
		for _, d := range n[19:27] {
			frame = 10*frame + int64(d-'0')
		}
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
	if calls.Load() == 0 {
		t.Fatal("Tag never called")
	}
}
