package webui_test

import (
	"strings"
	"testing"

	"vigil/gateway/browsertest"
)

// A camera that is shown but not recorded says so: a badge on its tile
// and a line in the tree's tooltip (a codec recordings cannot hold, a
// paused recorder); a camera being recorded shows no badge.
func TestConsoleRecordingState(t *testing.T) {
	b, _, base := startConsole(t)
	b.Navigate(base + "/?cameras=bjx-nsq-01,bjb-ssq-02,bj-nsq-01&grid=2x2")
	b.WaitVisible("#login-form", wait)
	login(b, "admin", "s3cret-pass")
	b.WaitFor(`document.querySelectorAll('#stage .tile[data-camera]').length === 3`, wait)

	badges := browsertest.MustEval[[]string](b, `[...document.querySelectorAll('#stage .tile')].slice(0, 3)
		.map((e) => { const r = e.querySelector('.tile-rec'); return r && !r.hidden ? r.textContent : ''; })`)
	if badges[0] != "" || badges[1] != "无法录像" || badges[2] != "录像暂停" {
		t.Fatalf("recording badges %q", badges)
	}
	title := func(id string) string {
		return browsertest.MustEval[string](b, `document.querySelector('#tree [data-camera="`+id+`"]').title`)
	}
	for id, want := range map[string]string{
		"bjx-nsq-01": "录像：录像中",
		"bjb-ssq-02": "录像：无法录像（不支持的编码）",
		"bj-nsq-01":  "录像：已暂停（磁盘已满）",
	} {
		if got := title(id); !strings.Contains(got, want) {
			t.Errorf("%s tooltip lacks %q:\n%s", id, want, got)
		}
	}
	if !browsertest.MustEval[bool](b, `document.querySelector('#tree [data-camera="bjb-ssq-02"]').classList.contains('rec-unsupported')`) {
		t.Error("the tree does not mark the camera that cannot be recorded")
	}

	b.Click(".topbar .lang-toggle")
	b.WaitFor(`document.querySelectorAll('#stage .tile-rec:not([hidden])')[0]?.textContent === 'Not recorded'`, wait)
	if got := title("bjb-ssq-02"); !strings.Contains(got, "Recording: not possible (Unsupported codec)") {
		t.Errorf("English tooltip:\n%s", got)
	}
	checkErrors(t, b)
}
