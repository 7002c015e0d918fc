package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/gateway/browsertest"
	"vigil/gateway/config"
	"vigil/internal/testwait"
)

// The demo's cameras that are not plain H.264, as a real station has them:
// an H.265 camera with AAC sound, which this Chromium (no H.265 decoder)
// gets as H.264 and Opus transcoded by the gateway's ffmpeg, and an H.264
// camera with B-frames and G.711 A-law sound, whose pictures are
// transcoded and whose sound goes as it is. Both play on the console's
// one peer connection, and the speaker of the single tile makes the sound
// arrive.
func TestConsolePlaysH265AndSound(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed: the demo's H.265 and B-frame cameras need it (apt install ffmpeg)")
	}
	g := startGateway(t)
	b := browsertest.New(t)
	b.Viewport(1280, 800)
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed
	keep := os.Getenv("VIGIL_SCREENSHOTS") == "1"
	h265, bframes := config.DemoH265Camera, config.DemoBFramesCamera

	b.Navigate(g.URL() + "/?cameras=" + h265 + "&grid=1")
	logIn(b, wait)
	msg := waitTilePlaying(b, 0, h265, wait)
	t.Logf("%s tile: %v", h265, msg)
	if msg["codec"] != "H265" || msg["sent"] != "H264" || msg["transcoded"] != true {
		t.Errorf("%s tile message %v, want codec H265, sent H264, transcoded", h265, msg)
	}
	p := b.AssertPlaying(`#stage .tile[data-tile="0"] video`, 1500*time.Millisecond, 10, wait)
	t.Logf("%s: %d frames decoded in %v (%d → %d)", h265, p.Frames(), p.Over.Round(time.Millisecond), p.Before, p.After)
	if mime := videoMime(b, 0); mime != "video/H264" {
		t.Errorf("%s arrives as %q, want video/H264", h265, mime)
	}
	details := browsertest.MustEval[string](b, `document.querySelector('#tree [data-camera="`+h265+`"]').title`)
	t.Logf("%s details:\n%s", h265, details)
	for _, want := range []string{"H.265", "AAC"} {
		if !strings.Contains(details, want) {
			t.Errorf("%s details lack %q", h265, want)
		}
	}

	for id, want := range map[string][]any{h265: {false, "transcode", "transcode"}, bframes: {true, "transcode", "passthrough"}} {
		cam := browsertest.MustEval[map[string]any](b, `fetch('/api/cameras/`+id+`').then((r) => r.json())`)
		d, _ := cam["delivery"].(map[string]any)
		t.Logf("GET /api/cameras/%s: bframes %v, audio %v, delivery %v, transcoders %v", id, cam["bframes"], cam["audio"], d, cam["transcoders"])
		if got := []any{cam["bframes"], d["video"], d["audio"]}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: bframes, delivery video, audio = %v, want %v", id, got, want)
		}
	}

	// Every tile starts muted; the speaker of the single tile turns the
	// sound on: AAC from the camera, Opus to the browser.
	if got := browsertest.MustEval[string](b, `document.querySelector('#stage .tile[data-tile="0"]').dataset.sound`); got != "off" {
		t.Errorf("sound %q before the click, want off", got)
	}
	b.WaitVisible(`#stage .tile[data-tile="0"] .tile-sound`, wait)
	b.Click(`#stage .tile[data-tile="0"] .tile-sound`)
	heard := waitHeard(b, h265, wait)
	t.Logf("%s sound: %v", h265, heard)
	if heard["codec"] != "AAC" || heard["sent"] != "Opus" || heard["transcoded"] != true {
		t.Errorf("%s audio message %v, want AAC sent as Opus, transcoded", h265, heard)
	}
	a := assertSound(t, b, "audio/opus")
	t.Logf("%s: %d audio packets, %d samples in %v", h265, a.packets, a.samples, a.over.Round(time.Millisecond))
	if playing := browsertest.MustEval[bool](b, `(() => { const a = document.querySelector('#stage audio.sound-out'); return !a.muted && !a.paused; })()`); !playing {
		t.Error("the audio element is muted or paused after the click")
	}
	b.Hover(`#stage .tile[data-tile="0"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="0"] .tile-stats').textContent.includes('H.265 → H.264')`, wait)
	t.Logf("hover: %s | %s", b.Text(`#stage .tile[data-tile="0"] .tile-stats`), b.Text(`#stage .tile[data-tile="0"] .tile-sound-state`))
	shot(t, b, keep, "console-h265.png")

	// The B-frame camera onto the same tile: the sound follows the tile,
	// now G.711 as the camera sends it.
	b.Click(`#tree [data-camera="` + bframes + `"]`)
	msg = waitTilePlaying(b, 0, bframes, wait)
	t.Logf("%s tile: %v", bframes, msg)
	if msg["codec"] != "H264" || msg["sent"] != "H264" || msg["transcoded"] != true {
		t.Errorf("%s tile message %v, want H264 transcoded to H264", bframes, msg)
	}
	p = b.AssertPlaying(`#stage .tile[data-tile="0"] video`, 1500*time.Millisecond, 10, wait)
	t.Logf("%s: %d frames decoded in %v (%d → %d)", bframes, p.Frames(), p.Over.Round(time.Millisecond), p.Before, p.After)
	heard = waitHeard(b, bframes, wait)
	t.Logf("%s sound: %v", bframes, heard)
	if heard["codec"] != "PCMA" || heard["sent"] != "PCMA" || heard["transcoded"] == true {
		t.Errorf("%s audio message %v, want PCMA passed through", bframes, heard)
	}
	a = assertSound(t, b, "audio/PCMA")
	t.Logf("%s: %d audio packets, %d samples in %v", bframes, a.packets, a.samples, a.over.Round(time.Millisecond))

	// The speaker again: muted.
	b.Click(`#stage .tile[data-tile="0"] .tile-sound`)
	b.WaitFor(`window.__browsertest.audio?.tile === -1 && window.__browsertest.audio.state === 'idle'`, wait)
	if !browsertest.MustEval[bool](b, `document.querySelector('#stage audio.sound-out').muted`) {
		t.Error("the audio element plays after the second click")
	}
	for _, e := range b.Errors(expectedError) {
		t.Errorf("page error: %s (%s)", e, e.URL)
	}
}

// waitTilePlaying waits until tile i shows camera playing, per the tile and
// the gateway's last message for it, and returns that message.
func waitTilePlaying(b *browsertest.Browser, i int, camera string, wait time.Duration) map[string]any {
	tile := `window.__browsertest.tiles[` + strconv.Itoa(i) + `]`
	b.WaitFor(`(() => { const e = document.querySelector('#stage .tile[data-tile="`+strconv.Itoa(i)+`"]');
		const m = `+tile+`;
		return e?.dataset.camera === '`+camera+`' && e.dataset.state === 'playing' && m?.camera === '`+camera+`' && m.state === 'playing'; })()`, wait)
	return browsertest.MustEval[map[string]any](b, tile)
}

// waitHeard waits until the gateway says the console hears camera and
// returns its audio message.
func waitHeard(b *browsertest.Browser, camera string, wait time.Duration) map[string]any {
	b.WaitFor(`window.__browsertest.audio?.camera === '`+camera+`' && window.__browsertest.audio.state === 'playing'`, wait)
	return browsertest.MustEval[map[string]any](b, `window.__browsertest.audio`)
}

// videoMime is the codec of tile i's inbound video as the browser decodes it.
func videoMime(b *browsertest.Browser, i int) string {
	return browsertest.MustEval[string](b, `(async () => {
  const pc = window.__browsertest.peers[0];
  const track = pc.getTransceivers()[`+strconv.Itoa(i)+`].receiver.track;
  const r = await pc.getStats();
  for (const s of r.values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'video' && s.trackIdentifier === track.id) return r.get(s.codecId)?.mimeType || '';
  }
  return '';
})()`)
}

type soundSample struct {
	packets, samples int
	mime             string
	over             time.Duration
}

const audioStatsJS = `(async () => {
  const r = await window.__browsertest.peers[0].getStats();
  for (const s of r.values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      return {packets: s.packetsReceived || 0, samples: s.totalSamplesReceived || 0, mime: r.get(s.codecId)?.mimeType || ''};
    }
  }
  return {packets: -1, samples: -1, mime: ''};
})()`

func readSound(b *browsertest.Browser) soundSample {
	v := browsertest.MustEval[map[string]any](b, audioStatsJS)
	n := func(k string) int { f, _ := v[k].(float64); return int(f) }
	mime, _ := v["mime"].(string)
	return soundSample{packets: n("packets"), samples: n("samples"), mime: mime}
}

// assertSound proves that sound arrives: the audio inbound-rtp's
// packetsReceived and totalSamplesReceived grow, in codec mime, by at least
// 25 packets (half a second of 20 ms packets). It returns the growth and
// how long it took, which is logged, not asserted.
func assertSound(t *testing.T, b *browsertest.Browser, mime string) soundSample {
	t.Helper()
	var first soundSample
	testwait.For(t, mime+" audio packets", func() bool {
		first = readSound(b)
		return first.packets > 0 && strings.EqualFold(first.mime, mime)
	})
	start := time.Now()
	var d soundSample
	testwait.For(t, mime+" sound growing by 25 packets", func() bool {
		last := readSound(b)
		d = soundSample{packets: last.packets - first.packets, samples: last.samples - first.samples, mime: last.mime, over: time.Since(start)}
		return d.packets >= 25 && d.samples > 0
	})
	return d
}
