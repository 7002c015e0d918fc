package rtsp

import (
	"context"
	"encoding/base64"
	"errors"
	"image"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"

	"vigil/streams/media"
	"vigil/streams/sim/h264enc"
)

// playTestHandler serves path "cam" (H.264) to user "u" with password
// "p"; "dark" exists but is not ready. Every session gets its own stream
// from frame 0, an IDR, then a frame every 10 ms.
type playTestHandler struct {
	enc *h264enc.Encoder
	// hold, when set, keeps Play from returning after its context ended
	// until it is closed; each Play waiting there sends on held first.
	hold    chan struct{}
	held    chan struct{}
	units   [][][]byte // an IDR, then P-frames; shared by all sessions
	plays   atomic.Int64
	running atomic.Int64
}

func (h *playTestHandler) Authorize(_ context.Context, path string, c Credentials) error {
	if c.User != "u" || c.Password != "p" {
		return errors.New("wrong credentials")
	}
	if path != "cam" && path != "dark" {
		return ErrNoSuchPath
	}
	return nil
}

func (h *playTestHandler) Describe(path string) (Tracks, error) {
	if path == "dark" {
		return Tracks{}, ErrNotReady
	}
	return Tracks{Video: media.Track{Codec: media.CodecH264, SPS: h.enc.SPS(), PPS: h.enc.PPS()}}, nil
}

func (h *playTestHandler) Play(ctx context.Context, s *PlaySession) error {
	h.plays.Add(1)
	h.running.Add(1)
	defer h.running.Add(-1)
	if c := s.Credentials(); c.User != "u" || !strings.HasPrefix(c.Remote, "127.0.0.1:") {
		return errors.New("session without its credentials")
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; n++ {
		au := h.units[min(n, len(h.units)-1)]
		if err := s.WriteVideo(time.Duration(n)*10*time.Millisecond, au); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			if h.hold != nil {
				h.held <- struct{}{}
				<-h.hold
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func playTestServer(t *testing.T) (*PlayServer, *playTestHandler) {
	t.Helper()
	enc, err := h264enc.New(h264enc.Options{Width: 64, Height: 48, FPS: 100})
	if err != nil {
		t.Fatal(err)
	}
	h := &playTestHandler{enc: enc}
	img := image.NewYCbCr(image.Rect(0, 0, 64, 48), image.YCbCrSubsampleRatio420)
	for n := range 10 {
		img.Y[n]++
		au, err := enc.Encode(img, n == 0)
		if err != nil {
			t.Fatal(err)
		}
		h.units = append(h.units, au)
	}
	s, err := NewPlayServer(PlayServerOptions{Address: "127.0.0.1:0", Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, h
}

func TestPlayServerEachReaderGetsItsOwnStream(t *testing.T) {
	s, h := playTestServer(t)
	url := "rtsp://u:p@" + s.Addr() + "/cam"
	_, first := serverTestRead(t, url, gortsplib.TransportTCP)
	a := serverTestNext(t, first)
	_, second := serverTestRead(t, url, gortsplib.TransportTCP)
	b := serverTestNext(t, second)
	for i, au := range []serverTestAU{a, b} {
		if last := au.nalus[len(au.nalus)-1]; last[0]&0x1f != 5 {
			t.Errorf("reader %d: first unit is NAL type %d, want its own IDR", i, last[0]&0x1f)
		}
	}
	if n := h.plays.Load(); n != 2 {
		t.Errorf("Play called %d times, want one per reader", n)
	}
	if n := s.Sessions(); n != 2 {
		t.Errorf("Sessions() = %d, want 2", n)
	}
	next := serverTestNext(t, first)
	if d := next.ts - a.ts; d != 900 {
		t.Errorf("timestamp step %d, want 900 (10 ms at 90 kHz)", d)
	}
}

func TestPlayServerRefuses(t *testing.T) {
	s, h := playTestServer(t)
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	cases := []struct {
		name, path, auth, want string
	}{
		{"no credentials", "cam", "", "RTSP/1.0 401"},
		{"wrong password", "cam", basic("u", "wrong"), "RTSP/1.0 401"},
		{"unknown path", "nope", basic("u", "p"), "RTSP/1.0 404"},
		{"not ready", "dark", basic("u", "p"), "RTSP/1.0 503"},
		{"right", "cam", basic("u", "p"), "RTSP/1.0 200"},
	}
	for _, c := range cases {
		res := serverTestRaw(t, s.Addr(), "DESCRIBE", "rtsp://"+s.Addr()+"/"+c.path, c.auth)
		if !strings.HasPrefix(res, c.want) {
			t.Errorf("%s: got %q, want %s", c.name, res, c.want)
		}
		if c.name == "no credentials" && (!strings.Contains(res, "Basic") || strings.Contains(res, "Digest")) {
			t.Errorf("challenge %q: want Basic only", res)
		}
	}
	if h.plays.Load() != 0 {
		t.Error("a refused request played")
	}
}

func TestPlayServerOffersTCPPlayOnly(t *testing.T) {
	s, _ := playTestServer(t)
	res := serverTestRawHeaders(t, s.Addr(), "SETUP", "rtsp://"+s.Addr()+"/cam/trackID=0",
		"Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte("u:p")),
		"Transport: RTP/AVP;unicast;client_port=30000-30001")
	if !strings.HasPrefix(res, "RTSP/1.0 461") {
		t.Fatalf("UDP SETUP: got %q, want 461 Unsupported Transport", res)
	}
	// Writes from Play rely on a session's medias staying as set up.
	res = serverTestRawHeaders(t, s.Addr(), "PAUSE", "rtsp://"+s.Addr()+"/cam", "Session: 12345678")
	if !strings.HasPrefix(res, "RTSP/1.0 501") {
		t.Fatalf("PAUSE: got %q, want 501 Not Implemented", res)
	}
}

func TestPlayServerCloseEndsEveryPlay(t *testing.T) {
	s, h := playTestServer(t)
	h.hold, h.held = make(chan struct{}), make(chan struct{}, 3)
	for range 3 {
		_, aus := serverTestRead(t, "rtsp://u:p@"+s.Addr()+"/cam", gortsplib.TransportTCP)
		serverTestNext(t, aus)
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		s.Close()
	}()
	// Every Play saw its context end and is still busy: Close must wait.
	for range 3 {
		within(t, h.held, "Play seeing its context end")
	}
	select {
	case <-closed:
		t.Fatal("Close returned while Play calls were still running")
	default:
	}
	close(h.hold)
	<-closed
	if n := h.running.Load(); n != 0 {
		t.Fatalf("%d Play calls still running after Close", n)
	}
	if n := s.Sessions(); n != 0 {
		t.Fatalf("%d sessions left after Close", n)
	}
}
