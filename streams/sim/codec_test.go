package sim

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"vigil/streams/media"
)

// tagSEI is a user-data-unregistered SEI carrying the frame number as 8
// ASCII digits (no zero bytes, so no emulation prevention needed), in the
// NAL header of H.264 or of an H.265 prefix SEI.
func tagSEI(c media.Codec, frame int64) []byte { return tagSEIDigits(c, frame, "") }

// sentTagSEI is tagSEI followed by the send time as 19 digits of Unix
// nanoseconds, so a test sees when the camera sent a frame, not when the
// frame reached it.
func sentTagSEI(c media.Codec, frame int64, sent time.Time) []byte {
	return tagSEIDigits(c, frame, fmt.Sprintf("%019d", sent.UnixNano()))
}

// tagSEIDigits writes both tag layouts: the frame number, then more.
func tagSEIDigits(c media.Codec, frame int64, more string) []byte {
	hdr := []byte{6} // H.264 SEI
	if c == media.CodecH265 {
		hdr = []byte{39 << 1, 1} // H.265 PREFIX_SEI_NUT
	}
	b := append(hdr, 5, byte(24+len(more)))          // user_data_unregistered, UUID and digits
	b = append(b, bytes.Repeat([]byte{0x5A}, 16)...) // UUID
	b = fmt.Appendf(b, "%08d%s", frame%100_000_000, more)
	return append(b, 0x80) // rbsp trailing bits
}

// h264Tag reads the frame number of an H.264 access unit's tag.
func h264Tag(a au) (int64, bool) {
	frame, _, ok := h264TagSent(a)
	return frame, ok
}

// h264TagSent reads an H.264 access unit's tag: the frame number and,
// from a sentTagSEI, the send time (zero from a tagSEI).
func h264TagSent(a au) (frame int64, sent time.Time, ok bool) {
	digits := func(b []byte) (v int64) {
		for _, d := range b {
			v = 10*v + int64(d-'0')
		}
		return v
	}
	for _, n := range a.nalus {
		if h264.NALUType(n[0]&0x1f) != h264.NALUTypeSEI || len(n) < 28 || int(n[2]) != len(n)-4 ||
			!bytes.Equal(n[3:19], bytes.Repeat([]byte{0x5A}, 16)) {
			continue
		}
		switch d := n[19 : len(n)-1]; len(d) {
		case 8:
			return digits(d), time.Time{}, true
		case 8 + 19:
			return digits(d[:8]), time.Unix(0, digits(d[8:])), true
		}
	}
	return 0, time.Time{}, false
}

func h265Type(n []byte) h265.NALUType { return h265.NALUType((n[0] >> 1) & 0x3f) }

func TestH265Camera(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	s := newTestServer(t, ServerOptions{Cameras: 1, Width: 320, Height: 180, GOP: 25,
		Configure: func(_ string, o *CameraOptions) {
			o.Codec = media.CodecH265
			o.Tag = func(n int64, _ time.Time) []byte { return tagSEI(media.CodecH265, n) }
		}})
	r := playAll(t, s.URL("cam0"))
	var f *format.H265
	if r.desc.FindFormat(&f) == nil || len(f.VPS) == 0 || len(f.SPS) == 0 || len(f.PPS) == 0 {
		t.Fatalf("SDP without H.265 parameter sets: %+v", r.desc.Medias)
	}
	first := r.nextAU(t)
	if len(first.nalus) < 5 || h265Type(first.nalus[0]) != h265.NALUType_VPS_NUT ||
		h265Type(first.nalus[1]) != h265.NALUType_SPS_NUT || h265Type(first.nalus[2]) != h265.NALUType_PPS_NUT ||
		h265Type(first.nalus[3]) != h265.NALUType_PREFIX_SEI_NUT || !h265.IsRandomAccess(first.nalus) {
		t.Fatalf("first access unit after PLAY: not VPS, SPS, PPS, tag, IRAP (%d NAL units)", len(first.nalus))
	}
	aus := append([]au{first}, r.collect(t, 2*time.Second)...)
	for _, a := range aus {
		i := 0
		for i < len(a.nalus)-1 && h265Type(a.nalus[i]) >= h265.NALUType_VPS_NUT && h265Type(a.nalus[i]) <= h265.NALUType_PPS_NUT {
			i++
		}
		if h265Type(a.nalus[i]) != h265.NALUType_PREFIX_SEI_NUT {
			t.Fatal("access unit without the tag after its parameter sets")
		}
	}
	if got := ffprobeSize(t, ffmpegDecode(t, aus, "h265")); got != "320x180" {
		t.Errorf("main stream %s, want 320x180", got)
	}

	sub := playAll(t, s.SubURL("cam0"))
	a := sub.nextAU(t)
	if !h265.IsRandomAccess(a.nalus) || h265Type(a.nalus[0]) != h265.NALUType_VPS_NUT {
		t.Fatal("sub stream: first access unit is no IRAP with parameter sets (or is tagged)")
	}
	subAUs := append([]au{a}, sub.collect(t, time.Second)...)
	if got := ffprobeSize(t, ffmpegDecode(t, subAUs, "h265")); got != "160x90" {
		t.Errorf("sub stream %s, want 160x90", got)
	}
}

// TestBFrameCamera plays a B-frame camera, has a second client start
// mid-GOP, and checks the first client's stream: RTP timestamps out of
// order as with real cameras, and decodable across the keyframe the
// second PLAY caused.
func TestBFrameCamera(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	s := newTestServer(t, ServerOptions{Cameras: 1, Width: 320, Height: 180, GOP: 50,
		Configure: func(_ string, o *CameraOptions) { o.BFrames = 2 }})
	r := playAll(t, s.URL("cam0"))
	aus := []au{r.nextAU(t)}
	if !h264.IsRandomAccess(aus[0].nalus) {
		t.Fatal("first access unit after PLAY is no IDR")
	}
	aus = append(aus, r.collect(t, 600*time.Millisecond)...)

	// 0.6 s into a 2 s GOP: the new session starts from a keyframe.
	r2 := playAll(t, s.URL("cam0"))
	if a := r2.nextAU(t); !h264.IsRandomAccess(a.nalus) || h264.NALUType(a.nalus[0][0]&0x1f) != h264.NALUTypeSPS {
		t.Fatal("second session: first access unit is no IDR with SPS")
	}
	aus = append(aus, r.collect(t, time.Second)...)
	keys, back := 0, 0
	for i, a := range aus {
		if h264.IsRandomAccess(a.nalus) {
			keys++
		}
		if i > 0 && int32(a.ts-aus[i-1].ts) < 0 {
			back++
		}
	}
	if keys < 2 {
		t.Errorf("%d keyframes in 1.6 s of a 2 s GOP: the second PLAY caused none", keys)
	}
	if back == 0 {
		t.Error("RTP timestamps monotonic in decode order: no B-frames")
	}
	if got := ffprobeSize(t, ffmpegDecode(t, aus, "h264")); got != "320x180" {
		t.Errorf("stream %s, want 320x180", got)
	}
}

// TestLoopCameraPlayStartsWithKeyframe connects a second client to a loop
// camera without B-frames mid-GOP.
func TestLoopCameraPlayStartsWithKeyframe(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	s := newTestServer(t, ServerOptions{Cameras: 1, Width: 160, Height: 96, GOP: 100,
		Configure: func(_ string, o *CameraOptions) { o.Encoder = EncoderFFmpeg }})
	r := playAll(t, s.URL("cam0"))
	seen := r.collect(t, 500*time.Millisecond)
	r2 := playAll(t, s.URL("cam0"))
	if a := r2.nextAU(t); !h264.IsRandomAccess(a.nalus) {
		t.Fatal("first access unit after PLAY is no IDR")
	}
	// The camera jumped to a keyframe for r2 rather than waiting for its
	// GOP: the session already playing sees that keyframe less than a GOP
	// after the one before. Counted in frames, not time, so that a busy
	// machine's late ticks change nothing.
	between := -1
	for i, a := range seen {
		if h264.IsRandomAccess(a.nalus) {
			between = len(seen) - 1 - i
		}
	}
	if between < 0 {
		t.Fatal("the first session's first access units hold no IDR")
	}
	for a := r.nextAU(t); !h264.IsRandomAccess(a.nalus); a = r.nextAU(t) {
		between++
	}
	if between >= 99 {
		t.Errorf("%d frames between keyframes, a whole GOP: the camera waited for its GOP", between)
	}
	t.Logf("the second PLAY's keyframe came %d frames after the one before", between)
}

// TestLoopsShared must not run in parallel with tests starting ffmpeg.
func TestLoopsShared(t *testing.T) {
	needFFmpeg(t)
	title := fmt.Sprintf("shared-%d", time.Now().UnixNano()) // not in the cache yet
	before := ffmpegRuns.Load()
	s := newTestServer(t, ServerOptions{Cameras: 3, Width: 160, Height: 96,
		Configure: func(_ string, o *CameraOptions) {
			o.Encoder, o.Title, o.Index = EncoderFFmpeg, title, 0
		}})
	// One loop for the main streams, one for the sub streams.
	if runs := ffmpegRuns.Load() - before; runs != 2 {
		t.Errorf("ffmpeg ran %d times for 3 identical cameras, want 2", runs)
	}
	playAll(t, s.URL("cam2")).nextAU(t)
}

func TestCameraOptionsRejected(t *testing.T) {
	for _, o := range []CameraOptions{
		{Codec: "VP8"},
		{Codec: media.CodecH265, Encoder: EncoderBuiltin},
		{Codec: media.CodecH265, BFrames: 2},
		{BFrames: 2, Encoder: EncoderBuiltin},
		{BFrames: -1},
		{Encoder: "x"},
		{Bitrate: -1},
		{Audio: media.CodecH264},
		{FPS: 500},
	} {
		o.Name = "cam"
		if err := o.normalize(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestNoFFmpeg(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	title := fmt.Sprintf("noffmpeg-%d", time.Now().UnixNano()) // not in the cache
	_, err := NewServer(ServerOptions{Listen: "127.0.0.1:0", Cameras: 1, Width: 160, Height: 96,
		Configure: func(_ string, o *CameraOptions) { o.Codec, o.Title = media.CodecH265, title }})
	if !errors.Is(err, ErrNoFFmpeg) {
		t.Fatalf("got %v, want ErrNoFFmpeg", err)
	}
}
