package source

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/sim"
)

func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed: the simulated H.265, B-frame and AAC cameras are encoded by it")
	}
}

// pullBoth runs a source with an audio hub against a camera set up by
// configure.
func pullBoth(t *testing.T, configure func(*sim.CameraOptions)) (video, audio *hub.Hub) {
	t.Helper()
	srv := startCameras(t, sim.ServerOptions{Width: 320, Height: 180, Configure: func(_ string, o *sim.CameraOptions) { configure(o) }})
	video, audio = hub.New(hub.Options{ID: "cam"}), hub.New(hub.Options{ID: "cam/audio"})
	src, err := New(Options{ID: "cam", URL: srv.URL("cam0"), Transport: "tcp", Hub: video, AudioHub: audio})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); src.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return video, audio
}

func TestH265WithAACIsPulled(t *testing.T) {
	needFFmpeg(t)
	video, audio := pullBoth(t, func(o *sim.CameraOptions) { o.Codec, o.Audio = media.CodecH265, media.CodecAAC })
	st := waitStatus(t, video, hub.StateOnline, "")
	if st.Track.Codec != media.CodecH265 || st.Track.Width != 320 || len(st.Track.VPS) == 0 {
		t.Fatalf("video track %+v, want H265 320 wide with a VPS", st.Track)
	}
	r := video.NewReader()
	defer r.Close()
	readUnits(t, r, 25)

	ast := waitStatus(t, audio, hub.StateOnline, "")
	if ast.Track.Codec != media.CodecAAC || ast.Track.SampleRate == 0 || len(ast.Track.Config) == 0 {
		t.Fatalf("audio track %+v, want AAC with its config", ast.Track)
	}
	ar := audio.NewReader()
	defer ar.Close()
	start := time.Now()
	n := readUnits(t, ar, 20)
	if n < 20 {
		t.Fatalf("%d audio units in %v", n, time.Since(start))
	}
}

func TestBFramesAreMarkedReordered(t *testing.T) {
	needFFmpeg(t)
	video, audio := pullBoth(t, func(o *sim.CameraOptions) { o.BFrames, o.Audio = 2, media.CodecPCMA })
	testwait.For(t, "the video track marked Reordered",
		func() bool { return video.Status().Track.Reordered })
	r := video.NewReader()
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	var lastDTS time.Duration = -1
	reordered := false
	for seen := 0; seen < 50; {
		d, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, au := range d.Units {
			if au.DTS <= lastDTS || au.PTS < au.DTS {
				t.Fatalf("DTS %v after %v, PTS %v", au.DTS, lastDTS, au.PTS)
			}
			reordered = reordered || au.PTS != au.DTS
			lastDTS = au.DTS
			seen++
		}
	}
	if !reordered {
		t.Fatal("no unit had PTS != DTS")
	}
	if st := waitStatus(t, audio, hub.StateOnline, ""); st.Track.Codec != media.CodecPCMA || st.Track.SampleRate != 8000 {
		t.Fatalf("audio track %+v, want PCMA 8 kHz", st.Track)
	}
}

func TestNoAudioIsReported(t *testing.T) {
	video, audio := pullBoth(t, func(*sim.CameraOptions) {})
	waitStatus(t, video, hub.StateOnline, "")
	waitStatus(t, audio, hub.StateOffline, hub.ReasonNoAudio)
}
