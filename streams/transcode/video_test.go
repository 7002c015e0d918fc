package transcode

import (
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
)

func hevcClip(tb testing.TB, size string, seconds int) clip {
	return videoClip(tb, size, seconds, "-c:v", "libx265", "-preset", "ultrafast",
		"-x265-params", "keyint=50:min-keyint=50:scenecut=0:bframes=0:repeat-headers=1:log-level=error")
}

func bframeClip(tb testing.TB, size string, seconds int) clip {
	return videoClip(tb, size, seconds, "-c:v", "libx264", "-preset", "veryfast", "-bf", "2",
		"-g", "50", "-keyint_min", "50", "-sc_threshold", "0")
}

// startVideo plays c into a fresh input hub for a second's worth of units
// (so the hub holds half a GOP), then starts a transcoder with one viewer
// and a collector.
func startVideo(t *testing.T, c clip, o Options) (*player, *Transcoder, *collector, time.Time) {
	t.Helper()
	in := hub.New(hub.Options{ID: "cam"})
	p := play(in, c)
	t.Cleanup(p.stop)
	p.waitPublished(t, 26)

	o.Input, o.ID, o.Logger = in, "cam/h264", testLogger(t)
	tc := New(o)
	t.Cleanup(tc.Close)
	col := collect(tc.Output())
	t.Cleanup(col.stop)
	acquired := time.Now()
	release := tc.Acquire()
	t.Cleanup(release)
	return p, tc, col, acquired
}

func TestH265ToH264(t *testing.T) {
	needFFmpeg(t)
	c := hevcClip(t, "640x360", 6)
	p, tc, col, acquired := startVideo(t, c, Options{Kind: VideoToH264})

	firstKey := col.waitKey(t, time.Time{})
	t.Logf("Acquire to first output keyframe: %v", firstKey.Sub(acquired))

	// Once running, the output's newest frame stays close to the input's:
	// the catch-up GOP did not leave the output a GOP behind. Sampled at
	// each of 30 output units after the first second's.
	col.waitUnits(t, col.count()+25)
	var worst time.Duration
	for range 30 {
		col.waitUnits(t, col.count()+1)
		lag := time.Duration(p.newest.Load() - col.newest.Load())
		worst = max(worst, lag)
	}
	// The figure (under 500 ms on an idle machine) is reported; what fails
	// is the defect: a whole GOP (2 s in the clip) behind. A busy machine
	// slows ffmpeg, but not by a GOP.
	t.Logf("worst lag of output PTS behind input PTS: %v", worst)
	const gop = 2 * time.Second
	if worst >= gop {
		t.Errorf("output lags the input by %v: a GOP (%v) behind", worst, gop)
	}
	if st := tc.State(); st.Phase != PhaseRunning || st.Viewers != 1 {
		t.Errorf("state %+v, want running with 1 viewer", st)
	}

	p.stop()
	fed := p.fedSince(acquired)
	col.waitUnits(t, fed-4) // what is in ffmpeg comes out
	units, statuses := col.snapshot()
	checkH264Output(t, units, 640, 360)

	if len(units) < fed-4 || len(units) > fed {
		t.Errorf("%d output frames for %d input frames fed", len(units), fed)
	}
	var online *hub.Status
	for i := range statuses {
		if statuses[i].State == hub.StateOnline {
			online = &statuses[i]
		}
	}
	if online == nil || online.Track.Codec != media.CodecH264 || online.Track.Width != 640 || online.Track.Height != 360 {
		t.Errorf("output statuses %+v, want online H264 640x360", statuses)
	}
	// The first output GOP is the squeezed catch-up: it starts just before
	// the live edge of the moment ffmpeg started, not a GOP back.
	edge := p.newestBefore(acquired)
	if first := units[0].PTS; first < edge-squeezeMax-frameDur || first > edge+time.Second {
		t.Errorf("first output PTS %v, input live edge at Acquire %v", first, edge)
	}
}

// checkH264Output checks what a WebRTC viewer needs from the output.
func checkH264Output(t *testing.T, units []*media.AccessUnit, width, height int) {
	t.Helper()
	if len(units) == 0 {
		t.Fatal("no output")
	}
	first := units[0]
	if !first.Key || len(first.NALUs) < 3 ||
		h264Type(first.NALUs[0]) != h264.NALUTypeSPS || h264Type(first.NALUs[1]) != h264.NALUTypePPS {
		t.Fatalf("first output unit: key %v, NALU types %v; want a keyframe with SPS, PPS first", first.Key, naluTypes(first))
	}
	var sps h264.SPS
	if err := sps.Unmarshal(first.NALUs[0]); err != nil {
		t.Fatalf("output SPS: %v", err)
	}
	if sps.Width() != width || sps.Height() != height {
		t.Errorf("output size %dx%d, want %dx%d", sps.Width(), sps.Height(), width, height)
	}
	if sps.ProfileIdc != 66 && sps.ProfileIdc != 77 {
		t.Errorf("output profile_idc %d, want Baseline (66) or Main (77)", sps.ProfileIdc)
	}
	keys := 0
	for i, u := range units {
		if u.PTS != u.DTS {
			t.Fatalf("unit %d: PTS %v != DTS %v: reordered output", i, u.PTS, u.DTS)
		}
		if i > 0 && u.PTS <= units[i-1].PTS {
			t.Fatalf("unit %d: PTS %v after %v: not strictly increasing", i, u.PTS, units[i-1].PTS)
		}
		if u.Key {
			keys++
			if h264Type(u.NALUs[0]) != h264.NALUTypeSPS || h264Type(u.NALUs[1]) != h264.NALUTypePPS {
				t.Fatalf("keyframe %d without SPS, PPS first: %v", i, naluTypes(u))
			}
		}
	}
	if keys < 2 {
		t.Errorf("%d keyframes in %d units: input keyframes not followed", keys, len(units))
	}
	if msg := decodeErrors(t, annexB(units)); msg != "" {
		t.Errorf("decoding the output: %s", msg)
	}
}

func naluTypes(u *media.AccessUnit) []h264.NALUType {
	var ts []h264.NALUType
	for _, n := range u.NALUs {
		ts = append(ts, h264Type(n))
	}
	return ts
}

func TestBFramesH264ToH264(t *testing.T) {
	needFFmpeg(t)
	c := bframeClip(t, "640x360", 6)
	if !c.track.Reordered {
		t.Fatal("test clip has no B-frames")
	}
	p, _, col, _ := startVideo(t, c, Options{Kind: VideoToH264})
	col.waitKey(t, time.Time{})
	col.waitUnits(t, 75) // 3 s of video
	p.stop()
	units, _ := col.snapshot()
	checkH264Output(t, units, 640, 360)
}

// A source that does not mark its B-frames: ffmpeg starts decoding with
// low_delay, the first reordered unit restarts it without.
func TestUnmarkedBFrames(t *testing.T) {
	needFFmpeg(t)
	c := bframeClip(t, "640x360", 6)
	c.track.Reordered = false
	p, tc, col, _ := startVideo(t, c, Options{Kind: VideoToH264})
	col.waitKey(t, time.Time{})
	col.waitUnits(t, 75) // 3 s of video
	p.stop()
	if !tc.reordered.Load() || tc.State().Restarts != 0 {
		t.Fatalf("reordered %v, %d failures", tc.reordered.Load(), tc.State().Restarts)
	}
	units, _ := col.snapshot()
	checkH264Output(t, units, 640, 360)
}

// A camera switching resolution mid-stream: ffmpeg restarts on the new
// SPS and the output carries on at the new size.
func TestResolutionChange(t *testing.T) {
	needFFmpeg(t)
	big, small := hevcClip(t, "640x360", 2), hevcClip(t, "320x180", 2)
	in := hub.New(hub.Options{ID: "cam"})
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", Logger: testLogger(t)})
	defer tc.Close()
	col := collect(tc.Output())
	defer col.stop()
	defer tc.Acquire()()
	p := play(in, big, small) // the status keeps announcing 640x360: the SPS tells
	defer p.stop()

	testwait.For(t, "output at 320x180", func() bool {
		s := tc.Output().Status()
		return s.State == hub.StateOnline && s.Track.Width == 320 && s.Track.Height == 180
	})
	col.waitUnits(t, col.count()+25) // a second at the new size
	units, _ := col.snapshot()
	var last *media.AccessUnit
	for _, u := range units {
		if u.Key {
			last = u
		}
	}
	var sps h264.SPS
	if err := sps.Unmarshal(last.NALUs[0]); err != nil || sps.Width() != 320 {
		t.Fatalf("last keyframe SPS %dx%d (%v), want 320 wide", sps.Width(), sps.Height(), err)
	}
	for i := 1; i < len(units); i++ {
		if units[i].PTS <= units[i-1].PTS {
			t.Fatalf("PTS went back across the restart: %v after %v", units[i].PTS, units[i-1].PTS)
		}
	}
	if st := tc.State(); st.Restarts != 0 {
		t.Errorf("a new SPS counted as %d failures", st.Restarts)
	}
}
