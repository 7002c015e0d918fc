package rtsp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"vigil/internal/testwait"
	"vigil/streams/media"
	"vigil/streams/redact"
)

// fixedServer serves one fixed session description, like a camera whose
// tracks the test chooses.
type fixedServer struct{ stream *gortsplib.ServerStream }

func (h *fixedServer) OnDescribe(*gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	return &base.Response{StatusCode: base.StatusOK}, h.stream, nil
}

func (h *fixedServer) OnSetup(*gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	return &base.Response{StatusCode: base.StatusOK}, h.stream, nil
}

func (h *fixedServer) OnPlay(*gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	return &base.Response{StatusCode: base.StatusOK}, nil
}

func serveTracks(t *testing.T, formats ...format.Format) string {
	t.Helper()
	url, _ := serveStream(t, formats...)
	return url
}

// serveStream serves formats as one camera's tracks and returns the
// stream, to which the test writes the camera's packets.
func serveStream(t *testing.T, formats ...format.Format) (string, *gortsplib.ServerStream) {
	t.Helper()
	desc := &description.Session{}
	for _, f := range formats {
		typ := description.MediaTypeVideo
		switch f.(type) {
		case *format.MPEG4Audio, *format.G711:
			typ = description.MediaTypeAudio
		}
		desc.Medias = append(desc.Medias, &description.Media{Type: typ, Formats: []format.Format{f}})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	h := &fixedServer{}
	rtpConn, rtcpConn, err := listenUDPPairOutsideEphemeral("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	rtpConn.Close()
	rtcpConn.Close()
	srv := &gortsplib.Server{Handler: h, RTSPAddress: addr,
		UDPRTPAddress: rtpConn.LocalAddr().String(), UDPRTCPAddress: rtcpConn.LocalAddr().String()}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	h.stream = &gortsplib.ServerStream{Server: srv, Desc: desc}
	if err := h.stream.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.stream.Close(); srv.Close() })
	return "rtsp://" + addr + "/cam", h.stream
}

type recordingHandler struct{ desc chan Description }

func (r *recordingHandler) OnDescribe(d Description)                { r.desc <- d }
func (r *recordingHandler) OnAccessUnit([][]byte, int64, time.Time) {}
func (r *recordingHandler) OnAudio([][]byte, int64, time.Time)      {}
func (r *recordingHandler) OnDecodeError(error)                     {}

func aac() *format.MPEG4Audio {
	return &format.MPEG4Audio{PayloadTyp: 97, SizeLength: 13, IndexLength: 3, IndexDeltaLength: 3,
		Config: &mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: 48000, ChannelCount: 2}}
}

// describe plays url until the description arrives and returns it with
// Play's result when Play ends first.
func describe(t *testing.T, url string, audio bool) (Description, error) {
	t.Helper()
	h := &recordingHandler{desc: make(chan Description, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Play(ctx, ClientOptions{URL: url, Transport: "tcp", Audio: audio}, h) }()
	select {
	case d := <-h.desc:
		cancel()
		err := <-done
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		return d, err
	case err := <-done:
		t.Fatalf("Play ended before describing: %v", err)
	case <-time.After(testwait.Cap):
		t.Fatal("no description")
	}
	return Description{}, nil
}

func TestH265AndAudioArePulled(t *testing.T) {
	url := serveTracks(t, &format.H265{PayloadTyp: 96}, aac())
	d, err := describe(t, url, true)
	if err != nil {
		t.Fatal(err)
	}
	if d.Video.Codec != media.CodecH265 || d.Audio.Codec != media.CodecAAC ||
		d.Audio.SampleRate != 48000 || d.Audio.Channels != 2 || len(d.Audio.Config) == 0 || len(d.Others) != 0 {
		t.Fatalf("description %+v, want H265 + AAC 48 kHz stereo pulled", d)
	}
}

func TestG711Pulled(t *testing.T) {
	url := serveTracks(t, &format.H264{PayloadTyp: 96, PacketizationMode: 1},
		&format.G711{PayloadTyp: 0, MULaw: true, SampleRate: 8000, ChannelCount: 1})
	d, err := describe(t, url, true)
	if err != nil || d.Audio.Codec != media.CodecPCMU || d.Audio.SampleRate != 8000 {
		t.Fatalf("description %+v, %v: want PCMU at 8 kHz", d, err)
	}
}

func TestUnreadableVideoIsReported(t *testing.T) {
	url := serveTracks(t, &format.MJPEG{}, &format.G711{PayloadTyp: 8, SampleRate: 8000, ChannelCount: 1})
	h := &recordingHandler{desc: make(chan Description, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	err := Play(ctx, ClientOptions{URL: url, Transport: "tcp", Audio: true}, h)
	if !errors.Is(err, ErrUnsupportedCodec) {
		t.Fatalf("Play = %v, want ErrUnsupportedCodec", err)
	}
	d := <-h.desc
	if !slices.Equal(d.Others, []media.Codec{media.CodecOther, media.CodecPCMA}) {
		t.Fatalf("reported codecs %v, want [other PCMA]", d.Others)
	}
}

func TestAudioBesideH264IsReported(t *testing.T) {
	url := serveTracks(t, &format.H264{PayloadTyp: 96, PacketizationMode: 1}, aac())
	h := &recordingHandler{desc: make(chan Description, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Play(ctx, ClientOptions{URL: url, Transport: "tcp"}, h) }()
	select {
	case d := <-h.desc:
		if !slices.Equal(d.Others, []media.Codec{media.CodecAAC}) {
			t.Fatalf("reported codecs %v, want [AAC]", d.Others)
		}
	case err := <-done:
		t.Fatalf("Play ended early: %v", err)
	case <-time.After(testwait.Cap):
		t.Fatal("no description")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Play after cancel = %v, want context.Canceled", err)
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept and never answer
		}
	}()
	// The read timeout, not the test's cap, must end it: ErrTimeout says so.
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		done <- Play(context.Background(), ClientOptions{URL: "rtsp://" + ln.Addr().String() + "/cam", ReadTimeout: time.Second}, &recordingHandler{desc: make(chan Description, 1)})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("Play = %v, want ErrTimeout", err)
		}
		t.Logf("gave up after %v (read timeout 1 s)", time.Since(start).Round(time.Millisecond))
	case <-time.After(testwait.Cap):
		t.Fatalf("Play still waits for a silent server after %v", testwait.Cap)
	}
}

func TestDescribeNeverShowsAddresses(t *testing.T) {
	err := classify(&net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 554}, Err: errors.New("connection refused")})
	for _, e := range []error{err, errors.New("read tcp 192.0.2.10:554: i/o timeout"), fmt.Errorf("%w: 192.0.2.10", ErrUnauthorized)} {
		if d := Describe(e); strings.Contains(d, "192.0.2.10") || d == "" {
			t.Errorf("Describe(%v) = %q", e, d)
		}
	}
}

// TestCameraWordsNeverShowCredentials: a camera that quotes its URL and
// credentials in a status reason gets them masked in Play's error and in
// Describe, whatever the cause.
func TestCameraWordsNeverShowCredentials(t *testing.T) {
	const pass = "Hik/12345"
	for _, tt := range []struct {
		status int
		cause  error
	}{{500, nil}, {404, ErrNotFound}} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			var camURL atomic.Value // set once the server's port is known
			s, err := NewServer(ServerOptions{Address: "127.0.0.1:0", Refuse: func(string) (int, string) {
				return tt.status, "Internal Error for " + camURL.Load().(string) + " (pwd=" + pass + ", sub subpass, user admin)"
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			u := "rtsp://admin:" + url.PathEscape(pass) + "@" + s.Addr() +
				"/user=admin&password=" + url.QueryEscape(pass) + "&channel=1?token=t0k3n"
			camURL.Store(u)
			err = Play(context.Background(), ClientOptions{URL: u, Transport: "tcp", ReadTimeout: 5 * time.Second,
				Secrets: redact.Secrets{}.With("subpass")}, &recordingHandler{desc: make(chan Description, 1)})
			if err == nil || (tt.cause != nil && !errors.Is(err, tt.cause)) {
				t.Fatalf("Play = %v, want %v", err, tt.cause)
			}
			for _, text := range []string{err.Error(), Describe(err)} {
				for _, secret := range []string{pass, url.QueryEscape(pass), url.PathEscape(pass), "t0k3n", "subpass", "admin"} {
					if strings.Contains(text, secret) {
						t.Errorf("%q shows %q", text, secret)
					}
				}
			}
			if d := Describe(err); tt.cause == nil && !strings.Contains(d, "Internal Error for <url>") {
				t.Errorf("Describe = %q: the camera's reason is lost", d)
			}
		})
	}
}
