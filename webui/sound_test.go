package webui_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"vigil/gateway/browsertest"
	"vigil/internal/testwait"
)

// tileSel is the CSS selector of tile i of the live stage, plus more.
func tileSel(i int, more string) string {
	return fmt.Sprintf(`#stage .tile[data-tile="%d"]%s`, i, more)
}

// soundMessages lists the audio and mute messages the fake gateway got, as
// "audio 0" and "mute".
func soundMessages(api *fakeAPI) []string {
	var out []string
	for _, m := range api.messages("") {
		switch m["type"] {
		case "audio":
			out = append(out, fmt.Sprintf("audio %v", m["tile"]))
		case "mute":
			out = append(out, "mute")
		}
	}
	return out
}

// waitSoundMessages waits until the fake gateway got exactly want (joined
// by commas).
func waitSoundMessages(t *testing.T, api *fakeAPI, want string) {
	t.Helper()
	if !testwait.Until(t, func() bool { return strings.Join(soundMessages(api), ",") == want }) {
		t.Fatalf("sound messages %s, want %s", strings.Join(soundMessages(api), ","), want)
	}
}

func buttonShown(b *browsertest.Browser, i int) bool {
	return browsertest.MustEval[bool](b, fmt.Sprintf(`!document.querySelector('%s').hidden`, tileSel(i, " .tile-sound")))
}

// The sound of a tile: one audio transceiver in the offer, a speaker only
// on a focused (or single) tile whose camera has sound, audio/mute
// messages, the states the gateway reports, a refused play() and its hint.
func TestConsoleSound(t *testing.T) {
	b, api, base := startConsole(t)
	b.Navigate(base + "/?cameras=bjx-nsq-01,bjx-ssq-02,bjn-nsq-01,bj-nsq-01&grid=2x2")
	b.WaitVisible("#login-form", wait)
	login(b, "admin", "s3cret-pass")
	b.WaitFor(`document.querySelectorAll('#stage .tile[data-state="playing"]').length === 4`, wait)

	kinds := browsertest.MustEval[[]string](b, `window.__browsertest.peers[0].getTransceivers().map((t) => t.receiver.track.kind)`)
	if len(kinds) != 26 || kinds[24] != "video" || kinds[25] != "audio" {
		t.Fatalf("transceivers %v, want 25 video then 1 audio", kinds)
	}
	audio := browsertest.MustEval[[]bool](b, `(() => { const a = document.querySelector('#stage audio.sound-out');
		return [!!a, !!a && a.muted, !!a && a.srcObject?.getAudioTracks().length === 1]; })()`)
	if !audio[0] || !audio[1] || !audio[2] {
		t.Errorf("audio element [exists muted fed] = %v, want all true", audio)
	}
	for i := range 4 {
		if buttonShown(b, i) {
			t.Errorf("tile %d shows a speaker outside focus", i+1)
		}
	}

	// Focus a tile without sound: no speaker. Focus the H.265 one: speaker.
	b.DoubleClick(tileSel(1, ""))
	b.WaitFor(`document.querySelector('`+tileSel(1, "")+`').classList.contains('focused')`, wait)
	if buttonShown(b, 1) {
		t.Error("a camera without sound shows a speaker")
	}
	b.Key(kb.Escape)
	b.DoubleClick(tileSel(0, ""))
	b.WaitFor(`document.querySelector('`+tileSel(0, "")+`').classList.contains('focused')`, wait)
	b.WaitVisible(tileSel(0, " .tile-sound"), wait)
	if got := browsertest.MustEval[string](b, `document.querySelector('`+tileSel(0, "")+`').dataset.sound`); got != "off" {
		t.Errorf("focused tile sound %q before a click, want off", got)
	}
	if len(soundMessages(api)) != 0 {
		t.Errorf("sound messages %v before any click", soundMessages(api))
	}

	// Click: {"type":"audio","tile":0}, the element unmuted, the state shown.
	b.Click(tileSel(0, " .tile-sound"))
	b.WaitFor(`document.querySelector('`+tileSel(0, "")+`').dataset.sound === 'playing'`, wait)
	if got := b.Text(tileSel(0, " .tile-sound-state")); got != "声音 · AAC → Opus（转码）" {
		t.Errorf("sound state %q", got)
	}
	if muted := browsertest.MustEval[bool](b, `document.querySelector('#stage audio.sound-out').muted`); muted {
		t.Error("the audio element stays muted after the click")
	}
	b.Screenshot(filepath.Join(t.ArtifactDir(), "sound-on.png"))

	// Click again: mute. Click, then leave the focus: mute.
	b.Click(tileSel(0, " .tile-sound"))
	b.WaitFor(`document.querySelector('`+tileSel(0, "")+`').dataset.sound === 'off'`, wait)
	if !browsertest.MustEval[bool](b, `document.querySelector('#stage audio.sound-out').muted`) {
		t.Error("the audio element plays after the second click")
	}
	b.Click(tileSel(0, " .tile-sound"))
	b.WaitFor(`document.querySelector('`+tileSel(0, "")+`').dataset.sound === 'playing'`, wait)
	b.Key(kb.Escape)
	b.WaitFor(`document.querySelector('`+tileSel(0, "")+`').dataset.sound === 'off'`, wait)
	waitSoundMessages(t, api, "audio 0,mute,audio 0,mute")

	// B-frames and G.711: passed through, named so.
	b.DoubleClick(tileSel(2, ""))
	b.WaitVisible(tileSel(2, " .tile-sound"), wait)
	b.Click(tileSel(2, " .tile-sound"))
	b.WaitFor(`document.querySelector('`+tileSel(2, "")+`').dataset.sound === 'playing'`, wait)
	if got := b.Text(tileSel(2, " .tile-sound-state")); got != "声音 · G.711A" {
		t.Errorf("G.711 sound state %q", got)
	}
	b.Key(kb.Escape)
	b.WaitFor(`document.querySelector('`+tileSel(2, "")+`').dataset.sound === 'off'`, wait)

	// A single-tile grid offers the sound without focus. A browser that
	// refuses to play leaves a hint; the next click plays.
	b.Click(`#grid-bar [data-grid="1"]`)
	b.WaitVisible(tileSel(0, " .tile-sound"), wait)
	b.Exec(`window.__play = HTMLMediaElement.prototype.play;
		HTMLMediaElement.prototype.play = function () { return Promise.reject(new DOMException('no gesture', 'NotAllowedError')); }`)
	b.Click(tileSel(0, " .tile-sound"))
	b.WaitFor(`document.querySelector('`+tileSel(0, "")+`').dataset.sound === 'blocked'`, wait)
	if got := b.Text(tileSel(0, " .tile-sound-state")); !strings.Contains(got, "再次点击") {
		t.Errorf("refused play hint %q", got)
	}
	b.Exec(`HTMLMediaElement.prototype.play = window.__play`)
	b.Click(tileSel(0, " .tile-sound"))
	b.WaitFor(`document.querySelector('`+tileSel(0, "")+`').dataset.sound === 'playing'`, wait)
	b.Click(".topbar .lang-toggle")
	b.WaitFor(`document.querySelector('`+tileSel(0, " .tile-sound-state")+`').textContent === 'Sound · AAC → Opus (transcoded)'`, wait)
	if got := browsertest.MustEval[string](b, `document.querySelector('`+tileSel(0, " .tile-sound")+`').title`); got != "Turn the sound off" {
		t.Errorf("speaker title %q", got)
	}

	// A dropped WebSocket: the new connection asks for the sound again.
	api.dropAll()
	waitSoundMessages(t, api, "audio 0,mute,audio 0,mute,audio 2,mute,audio 0,audio 0")
	b.WaitFor(`window.__browsertest.peers.length === 1 && document.querySelector('`+tileSel(0, "")+`').dataset.sound === 'playing'`, wait)

	// A grid change mutes.
	b.Click(`#grid-bar [data-grid="2x2"]`)
	b.WaitFor(`document.querySelector('`+tileSel(0, "")+`').dataset.sound === 'off'`, wait)
	waitSoundMessages(t, api, "audio 0,mute,audio 0,mute,audio 2,mute,audio 0,audio 0,mute")
	checkErrors(t, b)
}

// Codec paths on tiles, the offline reasons of transcoding, and the
// camera details in the tree.
func TestConsoleCodecs(t *testing.T) {
	b, _, base := startConsole(t)
	b.Navigate(base + "/?cameras=bjx-nsq-01,bjn-nsq-01,bjb-hall-03,bjb-ssq-02&grid=2x2")
	b.WaitVisible("#login-form", wait)
	login(b, "admin", "s3cret-pass")
	b.WaitFor(`document.querySelectorAll('#stage .tile[data-state="playing"]').length === 2 &&
		document.querySelectorAll('#stage .tile[data-state="offline"]').length === 2`, wait)

	stats := browsertest.MustEval[[]string](b, `[...document.querySelectorAll('#stage .tile-stats')].slice(0, 4).map((e) => e.textContent)`)
	if stats[0] != "H.265 → H.264（转码）" || stats[1] != "H.264（含 B 帧） → H.264（转码）" {
		t.Errorf("codec paths %q", stats[:2])
	}
	if stats[2] != "" || stats[3] != "" {
		t.Errorf("offline tiles show codec paths %q", stats[2:])
	}
	if got := b.Text(tileSel(2, " .tile-msg")); !strings.HasPrefix(got, "需要 ffmpeg（请在网关上安装 ffmpeg）") {
		t.Errorf("needs_ffmpeg message %q", got)
	}
	if got := b.Text(tileSel(3, " .tile-msg")); !strings.HasPrefix(got, "不支持的编码") {
		t.Errorf("unsupported_codec message %q", got)
	}
	if got := b.Text(tileSel(2, " .chip")); got != "无法播放" {
		t.Errorf("needs_ffmpeg chip %q", got)
	}
	b.Screenshot(filepath.Join(t.ArtifactDir(), "codecs.png"))

	title := browsertest.MustEval[string](b, `document.querySelector('#tree [data-camera="bjx-nsq-01"]').title`)
	for _, want := range []string{"视频：H.265 1920×1080", "声音：AAC 16 kHz 单声道", "送往浏览器：视频转码为 H.264；声音转码为 Opus", "转码（主码流）：运行中，观看 1，重启 0 次"} {
		if !strings.Contains(title, want) {
			t.Errorf("bjx-nsq-01 details lack %q:\n%s", want, title)
		}
	}
	title = browsertest.MustEval[string](b, `document.querySelector('#tree [data-camera="bjn-nsq-01"]').title`)
	for _, want := range []string{"H.264（含 B 帧）", "G.711A 8 kHz", "声音原样转发（G.711A）"} {
		if !strings.Contains(title, want) {
			t.Errorf("bjn-nsq-01 details lack %q:\n%s", want, title)
		}
	}
	title = browsertest.MustEval[string](b, `document.querySelector('#tree [data-camera="bjb-hall-03"]').title`)
	if !strings.Contains(title, "需要 ffmpeg：请在网关上安装 ffmpeg") || !strings.Contains(title, "声音：无") {
		t.Errorf("bjb-hall-03 details:\n%s", title)
	}

	b.Click(".topbar .lang-toggle")
	b.WaitFor(`document.querySelector('`+tileSel(2, " .tile-msg")+`').textContent.startsWith('Needs ffmpeg (install ffmpeg on the gateway)')`, wait)
	if got := b.Text(tileSel(0, " .tile-stats")); got != "H.265 → H.264 (transcoded)" {
		t.Errorf("English codec path %q", got)
	}
	if got := b.Text(tileSel(3, " .tile-msg")); !strings.HasPrefix(got, "Unsupported codec") {
		t.Errorf("English unsupported_codec message %q", got)
	}

	cases := map[string]string{
		`import('/assets/codecs.js').then((m) => [m.codecName('H265'), m.codecName('PCMU'), m.codecName('Opus'), m.codecName('')])`:           "[H.265 G.711μ Opus ]",
		`import('/assets/codecs.js').then((m) => [m.codecPath({codec: 'H264', sent: 'H264'}), m.codecPath({}), m.codecPath({sent: 'Opus'})])`: "[H.264  Opus]",
		`import('/assets/codecs.js').then((m) => m.audioText({codec: 'Opus', sample_rate: 48000, channels: 2}))`:                              "Opus 48 kHz stereo",
	}
	for expr, want := range cases {
		if got := fmt.Sprint(browsertest.MustEval[any](b, expr)); got != want {
			t.Errorf("%s\n got %s\nwant %s", expr, got, want)
		}
	}
	checkErrors(t, b)
}
