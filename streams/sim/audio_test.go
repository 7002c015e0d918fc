package sim

import (
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"

	"vigil/internal/testwait"
	"vigil/streams/media"
)

func TestCameraAudio(t *testing.T) {
	for _, tc := range []struct {
		codec  media.Codec
		ffmpeg bool
		rate   float64 // frames a second
		clock  int     // RTP clock rate
		check  func(format.Format) bool
	}{
		{media.CodecPCMA, false, 50, 8000, func(f format.Format) bool {
			g, ok := f.(*format.G711)
			return ok && !g.MULaw && g.SampleRate == 8000 && g.ChannelCount == 1
		}},
		{media.CodecPCMU, false, 50, 8000, func(f format.Format) bool {
			g, ok := f.(*format.G711)
			return ok && g.MULaw && g.SampleRate == 8000
		}},
		{media.CodecAAC, true, 16000.0 / 1024, 16000, func(f format.Format) bool {
			a, ok := f.(*format.MPEG4Audio)
			return ok && a.Config.SampleRate == 16000 && a.Config.ChannelCount == 1 && a.SizeLength == 13
		}},
		{media.CodecOpus, true, 50, 48000, func(f format.Format) bool {
			_, ok := f.(*format.Opus)
			return ok
		}},
	} {
		t.Run(string(tc.codec), func(t *testing.T) {
			t.Parallel()
			if tc.ffmpeg {
				needFFmpeg(t)
			}
			s := newTestServer(t, ServerOptions{Cameras: 1, Width: 160, Height: 96,
				Configure: func(_ string, o *CameraOptions) { o.Audio = tc.codec }})
			r := playAll(t, s.URL("cam0"))
			if len(r.desc.Medias) != 2 || r.desc.Medias[1].Type != description.MediaTypeAudio ||
				!tc.check(r.desc.Medias[1].Formats[0]) {
				t.Fatalf("SDP medias %+v", r.desc.Medias)
			}
			frames, rtpSec := countAudio(t, r, time.Second)
			t.Logf("%.0f frames, %.0f RTP ticks in 1 s", frames, rtpSec)
			if frames < 0.8*tc.rate || frames > 1.2*tc.rate {
				t.Errorf("%.0f frames in 1 s, want %.1f ±20%%", frames, tc.rate)
			}
			if sec := rtpSec / float64(tc.clock); sec < 0.8 || sec > 1.2 {
				t.Errorf("RTP timestamps advanced %.2f s in 1 s", sec)
			}
			if sub := playAll(t, s.SubURL("cam0")); len(sub.desc.Medias) != 1 {
				t.Errorf("sub stream has %d medias, want video only", len(sub.desc.Medias))
			}
		})
	}
}

// countAudio skips the first packets (the session settling), then counts
// the frames arriving during d and how far RTP timestamps advanced.
func countAudio(t *testing.T, r *mediaReader, d time.Duration) (frames, rtpTicks float64) {
	t.Helper()
	next := func() audioPacket {
		select {
		case p := <-r.audio:
			return p
		case <-time.After(testwait.Cap):
			t.Fatal("no audio")
			return audioPacket{}
		}
	}
	settle := next().at.Add(300 * time.Millisecond)
	first := next()
	for first.at.Before(settle) {
		first = next()
	}
	end := first.at.Add(d)
	last, n := first, first.frames
	for p := next(); p.at.Before(end); p = next() {
		last, n = p, n+p.frames
	}
	return float64(n), float64(last.ts - first.ts)
}
