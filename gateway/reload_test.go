package gateway_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/sim"
)

// counterUUID marks the test's SEI: no zero byte, so no emulation
// prevention is needed; the frame number follows in decimal digits.
var counterUUID = []byte("vigil-reload-sei")

// counterSEI returns camera's tag: an H.264 SEI (user_data_unregistered)
// carrying the camera's name and a counter of the frames it sent,
// "name/count". The camera's own frame numbers skip when a tick is late
// on a busy machine; the counter counts what was sent.
func counterSEI(camera string) func(int64, time.Time) []byte {
	var sent atomic.Int64
	return func(int64, time.Time) []byte {
		payload := append(slices.Clone(counterUUID), camera+"/"+strconv.FormatInt(sent.Add(1), 10)...)
		return append(append([]byte{6, 5, byte(len(payload))}, payload...), 0x80)
	}
}

// frameCounter returns the camera and frame number a frame's SEI carries.
func frameCounter(nalus [][]byte) (string, int64, bool) {
	for _, n := range nalus {
		if len(n) > 3+len(counterUUID) && n[0]&0x1f == 6 && bytes.Equal(n[3:3+len(counterUUID)], counterUUID) {
			camera, digits, _ := strings.Cut(string(n[3+len(counterUUID):3+int(n[2])]), "/")
			v, err := strconv.ParseInt(digits, 10, 64)
			return camera, v, err == nil
		}
	}
	return "", 0, false
}

// counterWatch reads a viewer's frames from its first keyframe on and
// notes every break in the counter.
type counterWatch struct {
	mu     sync.Mutex
	frames int
	last   int64
	gaps   []string
	cancel context.CancelFunc
	done   chan struct{}
}

func watchCounter(v *whepViewer) *counterWatch {
	ctx, cancel := context.WithCancel(context.Background())
	w := &counterWatch{cancel: cancel, done: make(chan struct{}), last: -1}
	go func() {
		defer close(w.done)
		for {
			f, err := v.Next(ctx, 0)
			if err != nil {
				return
			}
			_, n, ok := frameCounter(f.NALUs)
			w.mu.Lock()
			switch {
			case !ok && w.last >= 0:
				w.gaps = append(w.gaps, "a frame without its counter")
			case !ok:
			case w.last < 0 && !f.IsKey():
			case w.last >= 0 && (n != w.last+1 || f.Gap):
				w.gaps = append(w.gaps, strconv.FormatInt(w.last, 10)+" → "+strconv.FormatInt(n, 10))
				w.last = n
			default:
				w.last, w.frames = n, w.frames+1
			}
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *counterWatch) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.frames
}

func (w *counterWatch) stop() []string {
	w.cancel()
	<-w.done
	return w.gaps
}

func reloadConfig(rtsp *sim.Server, cams ...string) string {
	var b strings.Builder
	b.WriteString("stations:\n  - id: bjx\n    name: 北京西站\n    cameras:\n")
	for _, c := range cams {
		b.WriteString("      - id: bjx-" + c + "\n        url: " + rtsp.URL(c) + "\n        transport: tcp\n        record: false\n")
	}
	return b.String()
}

func tagged(name string, o *sim.CameraOptions) { o.Tag = counterSEI(name) }

type reloadAnswer struct {
	Changed []string `json:"changed"`
	Error   string   `json:"error"`
}

func postReload(t *testing.T, g *gateway.Gateway, token string) (int, reloadAnswer) {
	t.Helper()
	resp := do(t, http.MethodPost, g.URL()+"/api/config/reload", token, nil)
	var a reloadAnswer
	decode(t, resp, &a)
	return resp.StatusCode, a
}

// TestReloadKeepsUnchangedCamerasPlaying: while a reload adds a camera
// and removes another, a WHEP viewer of an unchanged camera gets every
// frame (no break in the camera's own counter); a broken config is then
// refused with its line, and the cameras run on.
func TestReloadKeepsUnchangedCamerasPlaying(t *testing.T) {
	rtsp := startCamera(t, sim.ServerOptions{Names: []string{"keep", "gone", "new"}, Configure: tagged})
	g, token := startGateway(t, reloadConfig(rtsp, "keep", "gone"))
	path := g.ConfigPath()
	keep, _ := g.Catalog().Camera("bjx-keep")
	waitOnline(t, keep.MainHub)

	v := openWHEP(t, g.URL(), token, "bjx-keep")
	w := watchCounter(v)
	testwait.For(t, "frames before the reload", func() bool { return w.count() >= 25 })

	if err := os.WriteFile(path, []byte(reloadConfig(rtsp, "keep", "new")), 0o600); err != nil {
		t.Fatal(err)
	}
	status, a := postReload(t, g, token)
	if status != http.StatusOK || !slices.Equal(a.Changed, []string{"camera bjx-new added", "camera bjx-gone removed", "station bjx updated"}) {
		t.Fatalf("reload: %d %+v", status, a)
	}
	added, ok := g.Catalog().Camera("bjx-new")
	if !ok {
		t.Fatal("the added camera is not in the catalog")
	}
	waitOnline(t, added.MainHub)
	if _, ok := g.Catalog().Camera("bjx-gone"); ok {
		t.Fatal("the removed camera is still in the catalog")
	}
	if resp := do(t, http.MethodGet, g.URL()+"/api/cameras/bjx-gone", token, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("removed camera: %s", resp.Status)
	}
	countDecodable(t, openWHEP(t, g.URL(), token, "bjx-new"), 10)
	after := w.count()
	testwait.For(t, "frames after the reload", func() bool { return w.count() >= after+50 })

	broken := reloadConfig(rtsp, "keep") + "rules:\n  - types: [frozen_image]\n    camera: bjx-nope\n    wall: main\n"
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	status, a = postReload(t, g, token)
	if status != http.StatusBadRequest || !strings.Contains(a.Error, `line 11: rules[0].camera "bjx-nope": no such camera`) {
		t.Fatalf("broken config: %d %+v", status, a)
	}
	if _, ok := g.Catalog().Camera("bjx-new"); !ok || added.MainHub.Status().State != hub.StateOnline {
		t.Fatal("the refused config stopped a camera")
	}
	after = w.count()
	testwait.For(t, "frames after the refused reload", func() bool { return w.count() >= after+25 })
	if gaps := w.stop(); len(gaps) > 0 {
		t.Fatalf("the unchanged camera's viewer saw breaks: %v", gaps)
	}
	checkReloadAudit(t, g, token)
}

func checkReloadAudit(t *testing.T, g *gateway.Gateway, token string) {
	t.Helper()
	var out struct {
		Entries []struct {
			User   string
			Detail map[string]any
		}
	}
	testwait.For(t, "both reloads audited", func() bool {
		resp := do(t, http.MethodGet, g.URL()+"/api/audit?action=config.reload", token, nil)
		decode(t, resp, &out)
		return len(out.Entries) == 2
	})
	if e := out.Entries[0]; e.User != "admin" || !strings.Contains(fmt.Sprint(e.Detail["refused"]), "no such camera") {
		t.Fatalf("refused reload audited as %+v", e)
	}
	if e := out.Entries[1]; !strings.Contains(fmt.Sprint(e.Detail["changed"]), "camera bjx-new added") {
		t.Fatalf("reload audited as %+v", e)
	}
}

// TestReloadRestartsAChangedCamera: a camera whose URL changed pulls from
// the new one into the same hub, so its viewer carries on.
func TestReloadRestartsAChangedCamera(t *testing.T) {
	rtsp := startCamera(t, sim.ServerOptions{Names: []string{"a", "b"}, Configure: tagged})
	cfg := reloadConfig(rtsp, "a")
	g, token := startGateway(t, cfg)
	cam, _ := g.Catalog().Camera("bjx-a")
	waitOnline(t, cam.MainHub)
	v := openWHEP(t, g.URL(), token, "bjx-a")
	countDecodable(t, v, 5)

	moved := strings.Replace(cfg, rtsp.URL("a"), rtsp.URL("b"), 1)
	if err := os.WriteFile(g.ConfigPath(), []byte(moved), 0o600); err != nil {
		t.Fatal(err)
	}
	status, a := postReload(t, g, token)
	if status != http.StatusOK || !slices.Equal(a.Changed, []string{"camera bjx-a restarted"}) {
		t.Fatalf("reload: %d %+v", status, a)
	}
	if now, _ := g.Catalog().Camera("bjx-a"); now.MainHub != cam.MainHub {
		t.Fatal("the changed camera got a new hub: its viewers would be cut off")
	}
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for {
		f, err := v.Next(ctx, 0)
		if err != nil {
			t.Fatalf("no frame of the new URL: %v", err)
		}
		if name, _, _ := frameCounter(f.NALUs); name == "b" {
			break // the same viewer now shows the camera at its new URL
		}
	}

	if status, a = postReload(t, g, token); status != http.StatusOK || len(a.Changed) != 0 {
		t.Fatalf("reload of the same config: %d %+v", status, a)
	}
}

// TestReloadRefusesRestartOnlyChanges: a change to a section read only at
// start is refused whole, naming it.
func TestReloadRefusesRestartOnlyChanges(t *testing.T) {
	rtsp := startCamera(t, sim.ServerOptions{Names: []string{"a", "b"}})
	g, token := startGateway(t, reloadConfig(rtsp, "a"))
	cfg := reloadConfig(rtsp, "a", "b") + "recording:\n  retention: 1h\n"
	if err := os.WriteFile(g.ConfigPath(), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	status, a := postReload(t, g, token)
	if status != http.StatusBadRequest || !strings.Contains(a.Error, "recording: changes take effect only at a restart") {
		t.Fatalf("reload: %d %+v", status, a)
	}
	if _, ok := g.Catalog().Camera("bjx-b"); ok {
		t.Fatal("a refused config added a camera")
	}
}
