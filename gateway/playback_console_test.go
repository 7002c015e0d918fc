package gateway_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/gateway/auth"
	"vigil/internal/testwait"
	"vigil/streams/webrtc/webrtctest"
)

// recordedFrame reads tile's frames until one recorded before limit
// comes (live frames queued before the switch are skipped).
func recordedFrame(t *testing.T, rx *webrtctest.Receiver, tile int, match func(sent time.Time) bool) time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	var skipped []string // what the tile showed before, for a failed test
	t.Cleanup(func() {
		if t.Failed() && len(skipped) > 0 {
			t.Logf("tile %d showed %d frames before the one matched; the last: %s", tile, len(skipped), strings.Join(skipped[max(0, len(skipped)-8):], ", "))
		}
	})
	for {
		f, err := rx.Next(ctx, tile)
		if err != nil {
			t.Fatalf("tile %d: no matching frame: %v", tile, err)
		}
		n, sent := frameTag(t, f)
		if match(sent) {
			// The tile moves from one stream to another from a keyframe
			// with its parameter sets, or the viewer's decoder shows
			// garbage until the next.
			if !f.IsKey() {
				t.Fatalf("tile %d: the first frame matched, %d, has NAL types %v, want a keyframe", tile, n, f.NALTypes())
			}
			return sent
		}
		skipped = append(skipped, fmt.Sprintf("%d sent %s (gap %v)", n, sent.Format("15:04:05.000"), f.Gap))
	}
}

// A console plays a recording on a tile and goes back to live on the same
// peer connection; two linked tiles show one moment within a frame.
func TestConsolePlayback(t *testing.T) {
	g := taggedRecordingGateway(t)
	at := recordedFrom(t, g, "bjx-t-00", 8*time.Second)
	recordedFrom(t, g, "bjn-t-00", 8*time.Second)
	ws := dialConsole(t, g.URL(), g.admin.token, "")
	rx := ws.negotiate(t)
	ws.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "bjx-t-00"})
	ws.waitFor(t, "tile 0 live", isTile(0, "playing"))

	ws.send(t, map[string]any{"type": "play", "tile": 0, "camera": "bjx-t-00", "start": at.Format(time.RFC3339Nano), "speed": 1})
	ws.waitFor(t, "tile 0 in playback", func(m map[string]any) bool {
		return m["type"] == "tile" && m["tile"] == float64(0) && m["mode"] == "playback" && m["time"] != nil
	})
	sent := recordedFrame(t, rx, 0, func(s time.Time) bool { return s.Before(at.Add(5 * time.Second)) })
	keyframeRule(t, g, "bjx-t-00", sent, at)

	ws.send(t, map[string]any{"type": "live", "tile": 0})
	ws.waitFor(t, "tile 0 live again", func(m map[string]any) bool {
		return m["type"] == "tile" && m["tile"] == float64(0) && m["mode"] == "live"
	})
	recordedFrame(t, rx, 0, func(s time.Time) bool { return time.Since(s) < 3*time.Second })
	linkedTilesShowOneMoment(t, g, ws, at)
}

// linkedTilesShowOneMoment links tile 0 (bjx-t-00) with tile 1, plays
// both from at, pauses them and checks they show times within a frame;
// then a step moves them one frame.
func linkedTilesShowOneMoment(t *testing.T, g *testGateway, ws *consoleClient, at time.Time) {
	t.Helper()
	ws.send(t, map[string]any{"type": "assign", "tile": 1, "camera": "bjn-t-00"})
	ws.send(t, map[string]any{"type": "link", "tiles": []int{0, 1}})
	ws.send(t, map[string]any{"type": "play", "tile": 0, "camera": "bjx-t-00", "start": at.Format(time.RFC3339Nano)})
	times := map[float64][]time.Time{}
	ws.waitFor(t, "both linked tiles playing", func(m map[string]any) bool {
		if m["type"] != "tile" || m["mode"] != "playback" || m["time"] == nil {
			return false
		}
		tm, _ := time.Parse(time.RFC3339Nano, m["time"].(string))
		times[m["tile"].(float64)] = append(times[m["tile"].(float64)], tm)
		return len(times[0]) > 0 && len(times[1]) > 0 && times[0][len(times[0])-1].After(at.Add(time.Second))
	})
	ws.send(t, map[string]any{"type": "pause", "tile": 1})
	paused := map[float64]time.Time{}
	ticks := 0
	ws.waitFor(t, "a report of both paused tiles", func(m map[string]any) bool {
		if m["type"] != "tile" || m["paused"] != true || m["time"] == nil {
			return false
		}
		paused[m["tile"].(float64)], _ = time.Parse(time.RFC3339Nano, m["time"].(string))
		if m["tile"] == float64(1) {
			ticks++
		}
		return ticks >= 2 && len(paused) == 2 // the second report: every frame up to the pause sent
	})
	if d := paused[0].Sub(paused[1]).Abs(); d > 40*time.Millisecond {
		// Only if the camera behind recorded nothing in between: a
		// simulated camera skips frames when the machine is too busy.
		behind, ahead, camera := paused[1], paused[0], "bjn-t-00"
		if behind.After(ahead) {
			behind, ahead, camera = ahead, behind, "bjx-t-00"
		}
		for _, f := range recordedFrames(t, g, camera) {
			if f.at.After(behind) && !f.at.After(ahead) {
				t.Fatalf("linked tiles show %v and %v, %v apart, though %s recorded a frame at %v", paused[0], paused[1], d, camera, f.at)
			}
		}
		t.Logf("linked tiles %v apart: %s recorded nothing in between", d, camera)
	}
	t.Logf("linked tiles paused at %v and %v", paused[0].Format(time.RFC3339Nano), paused[1].Format(time.RFC3339Nano))

	// A step shows the next frame recorded: 40 ms on, or more where the
	// simulated camera, starved of CPU, skipped frames.
	var next time.Time
	for _, f := range recordedFrames(t, g, "bjx-t-00") {
		if f.at.After(paused[0].Add(time.Millisecond)) {
			next = f.at
			break
		}
	}
	ws.send(t, map[string]any{"type": "step", "tile": 0})
	ws.waitFor(t, fmt.Sprintf("tile 0 one frame further (recorded at %s)", next.Format("15:04:05.000")), func(m map[string]any) bool {
		if m["type"] != "tile" || m["tile"] != float64(0) || m["time"] == nil {
			return false
		}
		tm, _ := time.Parse(time.RFC3339Nano, m["time"].(string))
		return tm.Sub(next).Abs() <= time.Millisecond
	})
}

// Bad plays from the console: nothing recorded names the nearest time,
// the future and absurd speeds are errors, a hidden camera is denied.
func TestConsolePlaybackRefusals(t *testing.T) {
	g := taggedRecordingGateway(t)
	at := recordedFrom(t, g, "bjx-t-00", 3*time.Second)
	g.createUser("zhao", auth.RoleViewer, "bjn")
	zhao := dialConsole(t, g.URL(), g.login("zhao", userPassword).token, "")
	ws := dialConsole(t, g.URL(), g.admin.token, "")
	play := func(c *consoleClient, start time.Time, speed float64) {
		c.send(t, map[string]any{"type": "play", "tile": 0, "camera": "bjx-t-00", "start": start.Format(time.RFC3339Nano), "speed": speed})
	}
	play(ws, at.Add(-time.Hour), 1)
	m := ws.waitFor(t, "no_recording", isTile(0, "no_recording"))
	if nearest, _ := time.Parse(time.RFC3339Nano, m["nearest"].(string)); nearest.IsZero() || nearest.After(at) {
		t.Fatalf("no_recording names %v as nearest (recorded from before %v)", m["nearest"], at)
	}
	play(ws, time.Now().Add(time.Hour), 1)
	if m := ws.waitFor(t, "error", isType("error")); !strings.Contains(m["message"].(string), "future") {
		t.Fatalf("future: %v", m)
	}
	play(ws, at, 100)
	if m := ws.waitFor(t, "error", isType("error")); !strings.Contains(m["message"].(string), "speed") {
		t.Fatalf("speed 100: %v", m)
	}
	play(zhao, at, 1)
	zhao.waitFor(t, "denied", isTile(0, "denied"))

	play(ws, at, 1)
	ws.waitFor(t, "the tile waiting for its peer connection", isTile(0, "waiting"))
	testwait.For(t, "the console's playback audited as a view", func() bool {
		return countAudit(g.auditEntries("action=view.start"), func(e auditEntry) bool {
			return e.Camera == "bjx-t-00" && e.Detail["via"] == "tile" && e.Detail["mode"] == "playback"
		}) == 1
	})
}
