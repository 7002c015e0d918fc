package record

import (
	"context"
	"image"
	"sync"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/segstore"
	"vigil/streams/sim/h264enc"
)

// synth makes real H.264 access units (25 fps) for a hub.
type synth struct {
	enc  *h264enc.Encoder
	img  *image.YCbCr
	n    int
	gop  int
	pts  time.Duration
	base time.Time
}

func newSynth(t testing.TB, w, h, gop int) *synth {
	enc, err := h264enc.New(h264enc.Options{Width: w, Height: h, FPS: 25})
	if err != nil {
		t.Fatal(err)
	}
	return &synth{enc: enc, img: image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420),
		gop: gop, base: time.Now()}
}

func (s *synth) next(t testing.TB) *media.AccessUnit {
	key := s.n%s.gop == 0
	s.img.Y[s.n%len(s.img.Y)] ^= 0xff // something changes every frame
	nalus, err := s.enc.Encode(s.img, key)
	if err != nil {
		t.Fatal(err)
	}
	au := &media.AccessUnit{PTS: s.pts, Received: s.base.Add(s.pts), NALUs: nalus, Key: key}
	s.n++
	s.pts += 40 * time.Millisecond
	return au
}

// tracker records RecordingProgress calls and signals closed segments.
type tracker struct {
	idx      *segstore.Index
	mu       sync.Mutex
	closed   chan string
	progress chan struct{}
}

func newTracker(t testing.TB, root string) *tracker {
	idx, err := segstore.Open(segstore.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return &tracker{idx: idx, closed: make(chan string, 1000), progress: make(chan struct{}, 1)}
}

func (tr *tracker) RecordingProgress(camera, path string, start, end time.Time, size int64, active bool) {
	tr.idx.RecordingProgress(camera, path, start, end, size, active)
	if !active {
		tr.closed <- path
	}
	select {
	case tr.progress <- struct{}{}:
	default:
	}
}

// waitRecorded waits until the camera's recordings reach until: the
// recorder has consumed what the test published.
func (tr *tracker) waitRecorded(t testing.TB, camera string, until time.Time) {
	t.Helper()
	deadline := time.After(testwait.Cap)
	for {
		segs := tr.idx.Segments(camera, time.Time{}, until.Add(time.Hour))
		if len(segs) > 0 && !segs[len(segs)-1].End.Before(until) {
			return
		}
		select {
		case <-tr.progress:
		case <-deadline:
			t.Fatalf("recordings never reached %v: %+v", until, segs)
		}
	}
}

// startRecorder runs a recorder in the background; the returned stop
// cancels it and waits for Run to return.
func startRecorder(t testing.TB, opts Options) (*Recorder, func()) {
	t.Helper()
	rec, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		rec.Run(ctx)
		close(done)
	}()
	stop := func() {
		cancel()
		select {
		case <-done:
		case <-time.After(testwait.Cap):
			t.Fatal("recorder did not stop")
		}
	}
	t.Cleanup(stop)
	// Units published before the recorder's reader exists would reach it
	// only as the hub's cached GOP: wait for the reader.
	testwait.For(t, "the recorder's reader", func() bool { return opts.Hub.Stats().Readers > 0 })
	return rec, stop
}

func newHub() *hub.Hub {
	h := hub.New(hub.Options{ID: "cam", QueueFrames: 5000, MaxGOPFrames: 5000})
	h.SetStatus(hub.Status{State: hub.StateOnline})
	return h
}

// waitState waits for a state report matching want.
func waitState(t testing.TB, states <-chan RecState, want, reason string) RecState {
	t.Helper()
	deadline := time.After(testwait.Cap)
	for {
		select {
		case s := <-states:
			if s.State == want && (reason == "" || s.Reason == reason) {
				return s
			}
		case <-deadline:
			t.Fatalf("no state %s/%s", want, reason)
		}
	}
}
