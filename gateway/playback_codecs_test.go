package gateway_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/bits"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/gateway"
	"vigil/internal/testwait"
	"vigil/streams/media"
	"vigil/streams/sim"
	"vigil/streams/webrtc/webrtctest"
)

// recordedCamera starts one simulated camera configured by configure,
// recorded in 2 s segments, and returns the gateway and a time 2 s into
// its recording, recorded for 5 s after.
func recordedCamera(t *testing.T, configure func(o *sim.CameraOptions)) (*testGateway, time.Time) {
	t.Helper()
	t.Cleanup(gateway.SetRecordSegment(2 * time.Second))
	srv := startCamera(t, sim.ServerOptions{Width: 320, Height: 180, Configure: func(_ string, o *sim.CameraOptions) { configure(o) }})
	cfg := strings.Replace(oneCameraConfig(srv.URL("cam0")), "record: false", "record: true", 1) + "transcode:\n  linger: 1s\n"
	g := startTestGateway(t, cfg)
	return g, recordedFrom(t, g, "bjx-nsq-01", 5*time.Second)
}

func playQuery(at time.Time) string {
	return "?start=" + url.QueryEscape(at.UTC().Format(time.RFC3339Nano))
}

// The sound recorded with an AAC camera plays with the picture at 1×, as
// Opus to a WebRTC viewer.
func TestPlaybackCarriesTheSound(t *testing.T) {
	needFFmpeg(t)
	g, at := recordedCamera(t, func(o *sim.CameraOptions) { o.Audio = media.CodecAAC })
	v := openWHEPWith(t, g.URL(), g.admin.token, "bjx-nsq-01"+playQuery(at), webrtctest.Options{Videos: 1, Audio: true})
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for n := 0; n < 25; n++ {
		f, err := v.Next(ctx, 1)
		if err != nil {
			t.Fatalf("after %d sound packets: %v", n, err)
		}
		if f.Codec != "audio/opus" {
			t.Fatalf("sound codec %s, want audio/opus", f.Codec)
		}
	}
}

// A recording of a B-frame camera reaches a viewer through the
// transcoder: H.264 in display order (timestamps only grow), decodable.
func TestBFramePlaybackIsInDisplayOrder(t *testing.T) {
	needFFmpeg(t)
	g, at := recordedCamera(t, func(o *sim.CameraOptions) { o.BFrames = 2 })
	q := playQuery(at)
	v := openWHEPWith(t, g.URL(), g.admin.token, "bjx-nsq-01"+q, webrtctest.Options{Videos: 1})
	fs := frames(t, v, 0, 40, webrtctest.Frame.IsKey)
	for i := 1; i < len(fs); i++ {
		if int32(fs[i].Timestamp-fs[i-1].Timestamp) <= 0 {
			t.Fatalf("frame %d timestamp %d after %d: not in display order", i, fs[i].Timestamp, fs[i-1].Timestamp)
		}
	}
	if n := bSlices(fs); n != 0 {
		t.Fatalf("%d B slices reached the viewer: the recording was passed through, not transcoded", n)
	}
	decodes(t, "h264", fs)
}

// bSlices counts the H.264 B slices among the frames (slice_type, the
// second Exp-Golomb field of the slice header, is 1 or 6).
func bSlices(fs []webrtctest.Frame) int {
	n := 0
	for _, f := range fs {
		for _, nalu := range f.NALUs {
			if typ := nalu[0] & 0x1f; typ != 1 && typ != 5 {
				continue
			}
			buf, pos := h264.EmulationPreventionRemove(nalu[1:]), 0
			if _, err := bits.ReadGolombUnsigned(buf, &pos); err != nil {
				continue
			}
			if st, err := bits.ReadGolombUnsigned(buf, &pos); err == nil && st%5 == 1 {
				n++
			}
		}
	}
	return n
}

// An H.265 recording plays to a viewer without H.265 through the
// transcoder, as H.264 ffmpeg decodes; a viewer with H.265 gets it as
// recorded.
func TestH265PlaybackIsTranscodedForH264Viewers(t *testing.T) {
	needFFmpeg(t)
	g, at := recordedCamera(t, func(o *sim.CameraOptions) { o.Codec = media.CodecH265 })
	q := playQuery(at)

	v := openWHEPWith(t, g.URL(), g.admin.token, "bjx-nsq-01"+q, webrtctest.Options{Videos: 1})
	fs := frames(t, v, 0, 30, webrtctest.Frame.IsKey)
	if fs[0].Codec != "video/H264" {
		t.Fatalf("codec %s, want video/H264", fs[0].Codec)
	}
	decodes(t, "h264", fs)

	h := openWHEPWith(t, g.URL(), g.admin.token, "bjx-nsq-01"+q, webrtctest.Options{Videos: 1, H265: true})
	if f := frames(t, h, 0, 5, webrtctest.Frame.IsKeyH265); f[0].Codec != "video/H265" {
		t.Fatalf("codec %s, want video/H265", f[0].Codec)
	}
}
