package webrtc

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
)

// TestFeedBehindADropStaysOffline: a feed that has not yet read the
// camera's last frames when the camera drops sends them, then says
// "offline", and stays offline until the camera is back. It used to read
// "offline" first and the frames after, going back to "playing" with the
// camera down; its "playing" when the camera came back was then the same
// as the last one, and the console never heard it
// (TestConsoleTileShowsOfflineAndRecovers hung beside two busy loops).
func TestFeedBehindADropStaysOffline(t *testing.T) {
	var mu sync.Mutex
	var states []FeedState
	s, _ := connect(t, newTestEngine(t), 1, func(_ int, e FeedEvent) {
		mu.Lock()
		defer mu.Unlock()
		states = append(states, e.State)
	})
	f := s.Feed(0)
	<-s.connected
	f.pk.reset(media.CodecH264)

	const frame = 40 * time.Millisecond
	track := media.Track{Codec: media.CodecH264, Width: 160, Height: 96}
	h := hub.New(hub.Options{ID: "cam"})
	h.SetStatus(hub.Status{State: hub.StateOnline, Track: track})
	r := h.NewReader()
	defer r.Close()
	// All of it waits in the reader before the feed reads any.
	for i, nal := range []byte{0x65, 0x41, 0x41} { // IDR, then two P slices
		h.Publish(&media.AccessUnit{PTS: time.Duration(i) * frame, NALUs: [][]byte{{nal, byte(i)}}, Key: i == 0})
	}
	h.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonStreamError, Track: track})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.follow(ctx, &Stream{Native: h}, r)
	}()
	defer func() { cancel(); <-done }()
	seen := func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprint(states)
	}
	testwait.For(t, "the three frames sent and the drop told", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return f.Stats().Frames == 3 && slices.Contains(states, FeedOffline)
	})
	if got, want := seen(), "[playing offline]"; got != want {
		t.Fatalf("feed states %s, want %s", got, want)
	}

	// Back: the tile hears "playing" again with the new stream's keyframe.
	h.SetStatus(hub.Status{State: hub.StateOnline, Track: track})
	h.Publish(&media.AccessUnit{PTS: 3 * frame, NALUs: [][]byte{{0x65, 3}}, Key: true})
	testwait.For(t, "the new keyframe sent", func() bool { return f.Stats().Frames == 4 })
	if got, want := seen(), "[playing offline playing]"; got != want {
		t.Fatalf("feed states after the camera came back %s, want %s", got, want)
	}
}
