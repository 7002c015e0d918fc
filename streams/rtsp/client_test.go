package rtsp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"vigil/streams/media"
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
	desc := &description.Session{}
	for _, f := range formats {
		typ := description.MediaTypeVideo
		if _, audio := f.(*format.MPEG4Audio); audio {
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
	srv := &gortsplib.Server{Handler: h, RTSPAddress: addr}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	h.stream = &gortsplib.ServerStream{Server: srv, Desc: desc}
	if err := h.stream.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.stream.Close(); srv.Close() })
	return "rtsp://" + addr + "/cam"
}

type recordingHandler struct{ desc chan Description }

func (r *recordingHandler) OnDescribe(d Description)                { r.desc <- d }
func (r *recordingHandler) OnAccessUnit([][]byte, int64, time.Time) {}
func (r *recordingHandler) OnDecodeError(error)                     {}

func aac() *format.MPEG4Audio {
	return &format.MPEG4Audio{PayloadTyp: 97, SizeLength: 13, IndexLength: 3, IndexDeltaLength: 3,
		Config: &mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: 48000, ChannelCount: 2}}
}

func TestH265AndAudioAreRecognizedAndReported(t *testing.T) {
	url := serveTracks(t, &format.H265{PayloadTyp: 96}, aac())
	h := &recordingHandler{desc: make(chan Description, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := Play(ctx, ClientOptions{URL: url, Transport: "tcp"}, h)
	if !errors.Is(err, ErrUnsupportedCodec) {
		t.Fatalf("Play = %v, want ErrUnsupportedCodec", err)
	}
	d := <-h.desc
	if !slices.Equal(d.Others, []media.Codec{media.CodecH265, media.CodecAAC}) {
		t.Fatalf("reported codecs %v, want [H265 AAC]", d.Others)
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
	case <-time.After(10 * time.Second):
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
	start := time.Now()
	err = Play(context.Background(), ClientOptions{URL: "rtsp://" + ln.Addr().String() + "/cam", ReadTimeout: time.Second}, &recordingHandler{desc: make(chan Description, 1)})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Play = %v, want ErrTimeout", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("timeout took %v", time.Since(start))
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"rtsp://admin:s3cret@10.0.0.1:554/x": "rtsp://%2A%2A%2A@10.0.0.1:554/x",
		"rtsp://10.0.0.1/x":                  "rtsp://10.0.0.1/x",
		"rtsp://u:p@[bad":                    "rtsp://***@[bad",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
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
