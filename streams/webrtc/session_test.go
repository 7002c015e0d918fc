package webrtc

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/webrtc/webrtctest"
)

// fakeCamera publishes synthetic access units to a hub at 25 fps: an IDR
// with SPS/PPS every gop frames. Byte 1 of every slice carries the camera's
// tag so a test can tell cameras apart on the wire.
type fakeCamera struct {
	hub   *hub.Hub
	tag   byte
	gop   int
	limit int // frames to publish before stopping; 0 for no end
	stop  chan struct{}
	wg    sync.WaitGroup
}

func startFakeCamera(t *testing.T, tag byte, gop int) *fakeCamera {
	return startFakeCameraFor(t, tag, gop, 0)
}

// startFakeCameraFor starts a camera that publishes limit frames (0: no
// end) and then falls silent, so that what a feed has sent stops moving.
func startFakeCameraFor(t *testing.T, tag byte, gop, limit int) *fakeCamera {
	c := &fakeCamera{hub: hub.New(hub.Options{ID: string(rune('a' + tag))}), tag: tag, gop: gop, limit: limit, stop: make(chan struct{})}
	c.hub.SetStatus(hub.Status{State: hub.StateOnline, Track: media.Track{Codec: media.CodecH264, Width: 640, Height: 360}})
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		tick := time.NewTicker(40 * time.Millisecond)
		defer tick.Stop()
		for i := 0; c.limit == 0 || i < c.limit; i++ {
			c.hub.Publish(c.unit(i))
			select {
			case <-tick.C:
			case <-c.stop:
				return
			}
		}
	}()
	t.Cleanup(func() { close(c.stop); c.wg.Wait() })
	return c
}

// waitFrames waits until the camera has published n units.
func (c *fakeCamera) waitFrames(t *testing.T, n uint64) {
	t.Helper()
	testwait.For(t, fmt.Sprintf("%d frames published", n),
		func() bool { return c.hub.Stats().Frames >= n })
}

func (c *fakeCamera) unit(i int) *media.AccessUnit {
	key := i%c.gop == 0
	au := &media.AccessUnit{PTS: time.Duration(i) * 40 * time.Millisecond, Received: time.Now(), Key: key}
	slice := make([]byte, 3000) // spans three packets
	for j := 2; j < len(slice); j++ {
		slice[j] = byte(i + j) // each packet's payload differs from every other's
	}
	slice[1] = c.tag
	if key {
		slice[0] = 0x65
		au.NALUs = [][]byte{{0x67, 0x42, 0xc0, 0x1f}, {0x68, 0xce, 0x3c, 0x80}, slice}
	} else {
		slice[0] = 0x41
		au.NALUs = [][]byte{slice}
	}
	return au
}

func tagOf(f webrtctest.Frame) byte {
	for _, n := range f.NALUs {
		if t := n[0] & 0x1f; t == 1 || t == 5 {
			return n[1]
		}
	}
	return 0
}

func newTestEngine(t *testing.T) *Engine {
	e, err := NewEngine(EngineOptions{UDPAddr: "127.0.0.1:0", TCPAddr: "127.0.0.1:0", LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func connect(t *testing.T, e *Engine, n int, onFeed func(int, FeedEvent)) (*Session, *webrtctest.Receiver) {
	t.Helper()
	s, rx := connectN(t, e, n, onFeed)
	t.Cleanup(rx.Close)
	t.Cleanup(s.Close)
	return s, rx
}

// mustConnect connects one receiver for benchmarks; the caller closes.
func mustConnect(tb testing.TB, e *Engine) (*webrtctest.Receiver, *Session) {
	s, rx := connectN(tb, e, 1, nil)
	return rx, s
}

func connectN(t testing.TB, e *Engine, n int, onFeed func(int, FeedEvent)) (*Session, *webrtctest.Receiver) {
	t.Helper()
	rx, offer, err := webrtctest.NewReceiver(n)
	if err != nil {
		t.Fatal(err)
	}
	s, answer, err := e.NewSession(context.Background(), SessionOptions{Offer: offer, OnFeed: onFeed})
	if err != nil {
		rx.Close()
		t.Fatal(err)
	}
	if err := rx.Accept(answer); err != nil {
		t.Fatal(err)
	}
	return s, rx
}

// TestAnswerAsksNoCongestionFeedback: the answer negotiates NACK and
// keyframe requests, which the feeds answer, and no transport-wide
// congestion control feedback, which nothing would read.
func TestAnswerAsksNoCongestionFeedback(t *testing.T) {
	rx, offer, err := webrtctest.NewReceiver(1)
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	if !strings.Contains(offer, "transport-cc") {
		t.Fatal("the test's offer asks for no TWCC: the test proves nothing")
	}
	s, answer, err := newTestEngine(t).NewSession(context.Background(), SessionOptions{Offer: offer})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, want := range []string{`a=rtcp-fb:\d+ nack\r\n`, `a=rtcp-fb:\d+ nack pli\r\n`, `a=rtcp-fb:\d+ ccm fir\r\n`} {
		if !regexp.MustCompile(want).MatchString(answer) {
			t.Errorf("the answer lacks %s", want)
		}
	}
	for _, unwanted := range []string{"transport-cc", "transport-wide-cc"} {
		if strings.Contains(answer, unwanted) {
			t.Errorf("the answer negotiates %s", unwanted)
		}
	}
}

func TestFeedStartsFromCachedKeyframe(t *testing.T) {
	cam := startFakeCamera(t, 1, 100) // 4 s GOP
	cam.waitFrames(t, 12)             // the GOP cache holds more than its IDR
	s, rx := connect(t, newTestEngine(t), 1, nil)
	s.Feed(0).Attach(cam.hub)

	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	first, err := rx.Next(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !first.IsKey() {
		t.Fatalf("first frame has NAL types %v, want SPS, PPS, IDR", first.NALTypes())
	}
	var last uint32 = first.Timestamp
	for i := 0; i < 30; i++ {
		f, err := rx.Next(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Gap || tagOf(f) != 1 {
			t.Fatalf("frame %d: gap %v tag %d", i, f.Gap, tagOf(f))
		}
		if int32(f.Timestamp-last) <= 0 {
			t.Fatalf("timestamp went back: %d after %d", f.Timestamp, last)
		}
		last = f.Timestamp
	}
}

func TestFeedSwitchesCameraWithoutRenegotiation(t *testing.T) {
	camA := startFakeCamera(t, 1, 25)
	camB := startFakeCamera(t, 2, 100)
	camA.waitFrames(t, 8)
	camB.waitFrames(t, 8)
	var mu sync.Mutex
	var events []FeedEvent
	s, rx := connect(t, newTestEngine(t), 2, func(i int, e FeedEvent) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	s.Feed(1).Attach(camA.hub)

	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for i := 0; i < 10; i++ {
		if f, err := rx.Next(ctx, 1); err != nil || tagOf(f) != 1 {
			t.Fatalf("before the switch: tag %d err %v", tagOf(f), err)
		}
	}
	s.Feed(1).Attach(camB.hub)
	sawB := false
	for i := 0; i < 40 && !sawB; i++ {
		f, err := rx.Next(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if f.Gap {
			t.Fatal("sequence gap across the switch")
		}
		if tagOf(f) == 2 {
			if !f.IsKey() {
				t.Fatalf("first frame of camera B has NAL types %v, want a keyframe", f.NALTypes())
			}
			sawB = true
		}
	}
	if !sawB {
		t.Fatal("camera B never arrived after the switch")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) == 0 || events[len(events)-1].State != FeedPlaying {
		t.Fatalf("feed events %v, want to end in playing", events)
	}
}

func TestPLIAnsweredFromCache(t *testing.T) {
	cam := startFakeCamera(t, 3, 250) // 10 s GOP: only the cache can answer quickly
	s, rx := connect(t, newTestEngine(t), 1, nil)
	s.Feed(0).Attach(cam.hub)
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for i := 0; i < 15; i++ {
		if _, err := rx.Next(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := rx.SendPLI(0); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		f, err := rx.Next(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.IsKey() {
			return
		}
	}
	t.Fatal("no keyframe after PLI")
}

func TestSessionCloseReleasesReaders(t *testing.T) {
	cam := startFakeCamera(t, 4, 25)
	s, _ := connect(t, newTestEngine(t), 3, nil)
	for _, f := range s.Feeds() {
		f.Attach(cam.hub)
	}
	// Feeds open their readers once the connection is up.
	testwait.For(t, "3 readers", func() bool { return cam.hub.Stats().Readers == 3 })
	s.Close()
	if n := cam.hub.Stats().Readers; n != 0 {
		t.Fatalf("after Close readers = %d, want 0", n)
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed")
	}
}

func TestBadOffersRefused(t *testing.T) {
	e := newTestEngine(t)
	for _, offer := range []string{"", "v=0\r\n", "garbage"} {
		if _, _, err := e.NewSession(context.Background(), SessionOptions{Offer: offer}); err == nil {
			t.Fatalf("offer %q accepted", offer)
		}
	}
}
