package browsertest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/testwait"
)

const formPage = `<!doctype html><meta charset="utf-8">
<input id="name"><button id="go">go</button><p id="out"></p>
<script>
document.querySelector('#go').addEventListener('click', () => {
  document.querySelector('#out').textContent = 'hello ' + document.querySelector('#name').value;
  console.error('clicked');
  setTimeout(() => { throw new Error('boom'); });
});
</script>`

// loopbackPage sends an animated canvas from one peer connection to another
// inside the page; the probe lists both in window.__browsertest.peers.
const loopbackPage = `<!doctype html><meta charset="utf-8">
<canvas id="c" width="320" height="180"></canvas><video id="v" autoplay muted playsinline></video>
<script>
(async () => {
  const c = document.querySelector('#c'), g = c.getContext('2d');
  let n = 0;
  setInterval(() => { g.fillStyle = 'hsl(' + (n++ * 7 % 360) + ',80%,50%)'; g.fillRect(0, 0, 320, 180); }, 40);
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  b.ontrack = (e) => { const v = document.querySelector('#v'); v.srcObject = e.streams[0]; v.play().catch(() => {}); };
  const s = c.captureStream(25);
  s.getTracks().forEach((t) => a.addTrack(t, s));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
})();
</script>`

func serve(t *testing.T, pages map[string]string) string {
	t.Helper()
	mux := http.NewServeMux()
	for path, html := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(html))
		})
	}
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFormEvalScreenshotErrors(t *testing.T) {
	b := New(t)
	base := serve(t, map[string]string{"/{$}": formPage})
	b.Navigate(base + "/")
	b.Fill("#name", "老王")
	b.Fill("#name", "vigil") // replaces, does not append
	b.Click("#go")
	b.WaitFor(`document.querySelector('#out').textContent !== ''`, 5*time.Second)
	if got := b.Text("#out"); got != "hello vigil" {
		t.Errorf("text %q", got)
	}
	if n := MustEval[int](b, `Promise.resolve(40 + 2)`); n != 42 {
		t.Errorf("eval %d", n)
	}
	b.WaitFor(`new Promise((r) => setTimeout(() => r(true), 50))`, 5*time.Second)

	shot := filepath.Join(t.TempDir(), "page.png")
	b.Screenshot(shot)
	data, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot: %v, %d bytes", err, len(data))
	}

	testwait.For(t, "both page errors reported", func() bool { return len(b.Errors(nil)) >= 2 })
	var texts []string
	for _, e := range b.Errors(nil) {
		texts = append(texts, e.String())
	}
	joined := strings.Join(texts, "\n")
	if !strings.Contains(joined, "error: clicked") || !strings.Contains(joined, "boom") {
		t.Errorf("errors:\n%s", joined)
	}
}

func TestWaitIsBounded(t *testing.T) {
	b := New(t)
	// The wait's own timeout ends it (a deadline error), not the test's.
	start := time.Now()
	err := b.Visible("#never", 300*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait for a missing element: err %v after %v, want its deadline", err, time.Since(start))
	}
	t.Logf("gave up after %v (timeout 300 ms)", time.Since(start).Round(time.Millisecond))
}

func TestFramesDecodedGrows(t *testing.T) {
	b := New(t)
	base := serve(t, map[string]string{"/{$}": loopbackPage})
	b.Navigate(base + "/")
	p := b.AssertPlaying("#v", 1500*time.Millisecond, 10, 15*time.Second)
	t.Logf("decoded %d frames in %v", p.Frames(), p.Over)
	if n, err := b.FramesDecoded("#c"); err != nil || n != -1 {
		t.Errorf("FramesDecoded on an element without a stream: %d, %v", n, err)
	}
}

// Close must leave no Chromium process behind.
func TestCloseKillsEveryProcess(t *testing.T) {
	b := New(t)
	kids := descendants(os.Getpid())
	if len(kids) == 0 {
		t.Fatal("no browser process found")
	}
	b.Close()
	testwait.For(t, "the browser's processes gone after Close", func() bool {
		for _, pid := range kids {
			if running(pid) {
				return false
			}
		}
		return true
	})
}

// descendants lists the processes below pid, from /proc.
func descendants(pid int) []int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so cut at the last ')'.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 {
			parent[p], _ = strconv.Atoi(fields[1])
		}
	}
	var out []int
	var walk func(int)
	walk = func(pp int) {
		for p, q := range parent {
			if q == pp {
				out = append(out, p)
				walk(p)
			}
		}
	}
	walk(pid)
	return out
}

// running reports whether pid exists and is not a zombie.
func running(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}
