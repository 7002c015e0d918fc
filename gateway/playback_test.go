package gateway_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/internal/testwait"
	"vigil/streams/segstore"
	"vigil/streams/sim"
	"vigil/streams/webrtc/webrtctest"
)

// playUUID marks the test's SEI; it and the decimal digits after it hold
// no zero byte, so no emulation prevention is needed.
var playUUID = []byte("vigil-play-test!")

// frameTagSEI is an H.264 user-data SEI carrying "frame:sentUnixNano".
func frameTagSEI(n int64, sent time.Time) []byte {
	text := fmt.Sprintf("%d:%d", n, sent.UnixNano())
	payload := append(append([]byte{}, playUUID...), text...)
	return append(append([]byte{6, 5, byte(len(payload))}, payload...), 0x80)
}

// frameTag reads the counter and send time of a received frame.
func frameTag(t *testing.T, f webrtctest.Frame) (int64, time.Time) {
	t.Helper()
	for _, n := range f.NALUs {
		if len(n) < 3+len(playUUID) || n[0]&0x1f != 6 || !bytes.Equal(n[3:3+len(playUUID)], playUUID) {
			continue
		}
		text := string(n[3+len(playUUID) : 3+int(n[2])])
		a, b, _ := strings.Cut(text, ":")
		frame, err1 := strconv.ParseInt(a, 10, 64)
		ns, err2 := strconv.ParseInt(b, 10, 64)
		if err1 == nil && err2 == nil {
			return frame, time.Unix(0, ns)
		}
	}
	t.Fatalf("frame without the test's tag: NAL types %v", f.NALTypes())
	return 0, time.Time{}
}

// taggedRecordingGateway records bjx-t-00 (320x180, 25 fps, 1 s GOP, a
// frame counter and send time in every frame) in 2 s segments.
func taggedRecordingGateway(t *testing.T) *testGateway {
	t.Helper()
	t.Cleanup(gateway.SetRecordSegment(2 * time.Second))
	cam := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 320, Height: 180, GOP: 25,
		Configure: func(_ string, o *sim.CameraOptions) { o.Tag = frameTagSEI }})
	cfg := strings.ReplaceAll(stationsConfig("rtsp://"+cam.Addr(), map[string][]string{"bjx": {"bjx-t-00"}, "bjn": {"bjn-t-00"}}),
		"record: false", "record: true")
	return startTestGateway(t, cfg)
}

// recordedAfter waits until camera is recorded up to t and returns a
// moment 2 s into its recording.
func recordedFrom(t *testing.T, g *testGateway, camera string, until time.Duration) time.Time {
	t.Helper()
	var first time.Time
	testwait.For(t, "recording", func() bool {
		segs := g.RecordedSegments(camera)
		if len(segs) == 0 {
			return false
		}
		first = segs[0].Start
		return g.RecordedUntil(camera).After(first.Add(until))
	})
	return first.Add(2 * time.Second)
}

func whepPlay(t *testing.T, g *testGateway, camera string, start time.Time, speed float64) *whepViewer {
	t.Helper()
	q := url.Values{"start": {start.UTC().Format(time.RFC3339Nano)}, "speed": {fmt.Sprint(speed)}}
	return openWHEPWith(t, g.URL(), g.admin.token, camera+"?"+q.Encode(), webrtctest.Options{Videos: 1})
}

func nextFrame(t *testing.T, v *whepViewer) webrtctest.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	f, err := v.Next(ctx, 0)
	if err != nil {
		t.Fatalf("no frame: %v", err)
	}
	return f
}

// WHEP playback from T starts with the last keyframe recorded at or before T,
// then every frame in order; at 4× no frame comes before it is due; at 16×
// only keyframes come.
func TestWHEPPlayback(t *testing.T) {
	g := taggedRecordingGateway(t)
	at := recordedFrom(t, g, "bjx-t-00", 12*time.Second)

	v := whepPlay(t, g, "bjx-t-00", at, 1)
	f := nextFrame(t, v)
	n, sent := frameTag(t, f)
	if !f.IsKey() {
		t.Fatalf("first frame %d is not a keyframe", n)
	}
	keyframeRule(t, g, "bjx-t-00", sent, at)
	for i, want := range recordedAfter(t, recordedFrames(t, g, "bjx-t-00"), n)[:30] {
		if got, _ := frameTag(t, nextFrame(t, v)); got != want {
			t.Fatalf("played frame %d is %d, recorded %d", i+1, got, want)
		}
	}

	// At 4× no frame comes before the player's clock reaches it. The
	// clock starts at "at" no earlier than the request, so a frame comes
	// no earlier than that plus a quarter of its recorded distance from
	// "at": a bound no load can break. That the player keeps up is not a
	// test's to time (streams/playback drives its clock by hand); that 4
	// reached it, the audit shows below.
	asked := time.Now()
	fast := whepPlay(t, g, "bjx-t-00", at, 4)
	arrived := map[int64]time.Time{}
	for range 180 {
		f := nextFrame(t, fast)
		n, _ := frameTag(t, f)
		arrived[n] = f.Arrived
	}
	for _, r := range recordedFrames(t, g, "bjx-t-00") {
		got, ok := arrived[r.n]
		if earliest := asked.Add(r.at.Sub(at) / 4); ok && got.Before(earliest.Add(-time.Millisecond)) {
			t.Fatalf("4×: frame %d, recorded %v after the start, came %v after the request, before it was due (%v)",
				r.n, r.at.Sub(at), got.Sub(asked), earliest.Sub(asked))
		}
	}

	keys := whepPlay(t, g, "bjx-t-00", at, 16)
	for range 8 {
		if f := nextFrame(t, keys); !f.IsKey() {
			n, _ := frameTag(t, f)
			t.Fatalf("16×: frame %d is not a keyframe", n)
		}
	}
	testwait.For(t, "view.start with mode playback at 1×, 4× and 16×", func() bool {
		speeds := map[any]bool{}
		n := countAudit(g.auditEntries("action=view.start"), func(e auditEntry) bool {
			playback := e.Camera == "bjx-t-00" && e.Detail["mode"] == "playback"
			if playback {
				speeds[e.Detail["speed"]] = true
			}
			return playback
		})
		return n == 3 && speeds[1.0] && speeds[4.0] && speeds[16.0]
	})
}

// Bad playback requests: absurd speeds and future times are 400, a time
// with no recording 422 naming the nearest, a hidden camera 404.
func TestWHEPPlaybackRefusals(t *testing.T) {
	g := taggedRecordingGateway(t)
	at := recordedFrom(t, g, "bjx-t-00", 3*time.Second)
	g.createUser("zhao", auth.RoleViewer, "bjn")
	zhao := g.login("zhao", userPassword)
	offer := func(c *client, camera, query string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, g.URL()+"/api/whep/"+camera+"?"+query, strings.NewReader("v=0\r\n"))
		req.Header.Set("Content-Type", "application/sdp")
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	ts := func(t time.Time) string { return url.QueryEscape(t.UTC().Format(time.RFC3339Nano)) }
	for _, tc := range []struct {
		who    *client
		camera string
		query  string
		status int
		says   string
	}{
		{g.admin, "bjx-t-00", "start=" + ts(at) + "&speed=100", 400, "speed"},
		{g.admin, "bjx-t-00", "start=" + ts(at) + "&speed=0", 400, "speed"},
		{g.admin, "bjx-t-00", "start=" + ts(at) + "&speed=NaN", 400, "speed"},
		{g.admin, "bjx-t-00", "start=yesterday", 400, "RFC 3339"},
		{g.admin, "bjx-t-00", "start=" + ts(time.Now().Add(time.Hour)), 400, "future"},
		{g.admin, "bjx-t-00", "start=" + ts(at.Add(-time.Hour)), 422, "nearest recorded time"},
		{zhao, "bjx-t-00", "start=" + ts(at), 404, "no such camera"},
	} {
		if code, body := offer(tc.who, tc.camera, tc.query); code != tc.status || !strings.Contains(body, tc.says) {
			t.Errorf("%s?%s: %d %s, want %d saying %q", tc.camera, tc.query, code, body, tc.status, tc.says)
		}
	}
}

// The recording routes: spans cover what was recorded; the MP4 of a range
// is served whole and by Range, and each download is audited.
func TestRecordingRoutes(t *testing.T) {
	g := taggedRecordingGateway(t)
	at := recordedFrom(t, g, "bjx-t-00", 6*time.Second)
	var spans struct {
		Spans     []struct{ From, To string }
		Bookmarks []any
	}
	g.admin.must(200, "GET", "/api/recordings/bjx-t-00", nil, &spans)
	if len(spans.Spans) != 1 || spans.Bookmarks == nil {
		t.Fatalf("spans %+v", spans)
	}
	from, _ := time.Parse(time.RFC3339Nano, spans.Spans[0].From)
	if from.After(at) {
		t.Fatalf("span from %v, recorded at %v", from, at)
	}
	path := "/api/recordings/bjx-t-00/mp4?start=" + url.QueryEscape(at.UTC().Format(time.RFC3339Nano)) + "&duration=3"
	whole := g.admin.must(200, "GET", path, nil, nil)
	if len(whole) < 1000 || string(whole[4:8]) != "ftyp" {
		t.Fatalf("mp4 of %d bytes starting %q", len(whole), whole[:8])
	}
	resp, part := g.admin.with("Range", "bytes=100-199").do("GET", path, nil)
	if resp.StatusCode != 206 || !bytes.Equal(part, whole[100:200]) {
		t.Fatalf("range: %s, %d bytes", resp.Status, len(part))
	}
	old := "/api/recordings/bjx-t-00/mp4?start=" + url.QueryEscape(at.Add(-time.Hour).UTC().Format(time.RFC3339Nano)) + "&duration=3"
	if resp, body := g.admin.do("GET", old, nil); resp.StatusCode != 422 {
		t.Fatalf("nothing recorded: %s %s", resp.Status, body)
	}
	testwait.For(t, "two downloads audited", func() bool {
		return countAudit(g.auditEntries("action=clip.download"), func(e auditEntry) bool {
			return e.Camera == "bjx-t-00" && e.Detail["source"] == "recordings"
		}) == 2
	})
}

// recFrame is a frame as recorded: its counter and recorded time.
type recFrame struct {
	n    int64
	at   time.Time // recorded at: when the gateway received it
	sent time.Time // by the camera's clock
	key  bool
	seg  time.Time // the start of the segment holding it
}

// keyframeRule checks the frame sent at sent, the first one played from
// at, against playback's rule: the last keyframe recorded at or before at
// (the first after it when none is). Recorded time, not the camera's: a
// frame is recorded when it arrives, which on a busy machine (or in a
// batch while nobody watches the camera live) is tens of ms after it was
// sent. The keyframe is looked up in the recording, not assumed a GOP
// back: a simulated camera starved of CPU skips frames, and its GOP of 25
// encoded frames then spans more than a second.
func keyframeRule(t *testing.T, g *testGateway, camera string, sent, at time.Time) {
	t.Helper()
	frames := recordedFrames(t, g, camera)
	var want *recFrame
	for i := range frames {
		f := &frames[i]
		if !f.key {
			continue
		}
		if f.at.After(at) && want != nil {
			break
		}
		want = f
		if f.at.After(at) {
			break
		}
	}
	if want == nil {
		t.Fatalf("no keyframe recorded for %v", at)
	}
	if !want.sent.Equal(sent) {
		logRecordedAround(t, frames, at)
		for _, f := range frames {
			if f.sent.Equal(sent) {
				t.Fatalf("first frame %d recorded at %v; asked %v, want keyframe %d recorded at %v", f.n, f.at, at, want.n, want.at)
			}
		}
		t.Fatalf("the first frame played (sent %v) is not in the recording; want keyframe %d recorded at %v", sent, want.n, want.at)
	}
}

// logRecordedAround logs, for a failed keyframe check, the frames recorded
// from 2.5 s before at to half a second after it.
func logRecordedAround(t *testing.T, frames []recFrame, at time.Time) {
	t.Helper()
	for _, f := range frames {
		if f.at.After(at.Add(-2500*time.Millisecond)) && f.at.Before(at.Add(500*time.Millisecond)) {
			t.Logf("recorded frame %d at %s (segment from %s) key=%v", f.n, f.at.Format("15:04:05.000"), f.seg.Format("15:04:05.000"), f.key)
		}
	}
}

// recordedFrames reads camera's segments from disk and returns every
// tagged frame recorded: the simulated camera skips numbers when a tick
// is late, so what playback must deliver is what was recorded.
func recordedFrames(t *testing.T, g *testGateway, camera string) []recFrame {
	t.Helper()
	var out []recFrame
	for _, seg := range g.RecordedSegments(camera) {
		f, err := os.Open(seg.Path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := segstore.NewReader(f, seg.Size)
		if err != nil {
			t.Fatal(err)
		}
		var fr segstore.Fragment
		for r.Next(&fr) == nil {
			dts := fr.BaseTime
			for _, s := range fr.Samples {
				at := seg.Start.Add(time.Duration(dts) * time.Second / time.Duration(r.Init.Timescale))
				dts += uint64(s.Duration)
				buf := make([]byte, s.Size)
				if _, err := f.ReadAt(buf, s.Offset); err != nil {
					t.Fatal(err)
				}
				var nalus [][]byte
				for len(buf) >= 4 {
					n := int(binary.BigEndian.Uint32(buf))
					nalus, buf = append(nalus, buf[4:4+n]), buf[4+n:]
				}
				n, sent := frameTag(t, webrtctest.Frame{NALUs: nalus})
				out = append(out, recFrame{n: n, at: at, sent: sent, key: s.Key, seg: seg.Start})
			}
		}
		f.Close()
	}
	return out
}

// recordedAfter returns the counters recorded after counter n, in order.
func recordedAfter(t *testing.T, frames []recFrame, n int64) []int64 {
	t.Helper()
	for i, f := range frames {
		if f.n == n {
			var out []int64
			for _, g := range frames[i+1:] {
				out = append(out, g.n)
			}
			return out
		}
	}
	t.Fatalf("frame %d is not in the recording", n)
	return nil
}
